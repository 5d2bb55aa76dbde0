"""The whole state a backend implements, and the backend's class as the factory sees it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from crawler.state.base import Reach
from crawler.state.discovered import DiscoveredSources
from crawler.state.records import Records
from crawler.state.runs import RunLog
from crawler.state.seen import SeenMarks
from crawler.state.stories import StoryIndex
from crawler.state.templates import TemplateBlocks

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class StateStore(
    StoryIndex, Records, SeenMarks, TemplateBlocks, RunLog, DiscoveredSources, Protocol
):
    """Every part of the state: what a backend implements and the pipelines share."""


class Backend(Protocol):
    """A backend's class: how a store is opened from its `STATE_URL`, and reached."""

    schemes: tuple[str, ...]  # the `STATE_URL` schemes it serves (`crawler.state.factory`)

    @classmethod
    def from_url(
        cls, url: str, settings: BaseSettings | None = None, create: bool = True
    ) -> StateStore:
        """Open the store at `url`; one that does not exist is created when `create` (and
        the log says so), else `StateMissing`. `settings` are the crawl's, if any."""
        ...

    @classmethod
    def reach(cls, url: str, settings: BaseSettings | None = None) -> Reach | None:
        """How a store at `url` is reached, when it is on a server that can go out of
        reach mid-crawl (`crawler.extensions.outage`); None for one that cannot."""
        ...
