"""The one place that picks a state backend: by the scheme of `STATE_URL`.

`sqlite:///path` (relative to the working directory) or `sqlite:////absolute/path` is
the embedded default, `redis://host:port/db` the shared one for many crawler processes.
A new backend is one module with its class (`crawler.state.protocol.Backend`) and one
entry of `BACKENDS`.

Only a crawl creates a state, and says so in its log: a run that finds no state at a
mistyped path starts from nothing (every page is new), which the operator must be able
to see. A command that only reads the state refuses one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.state.base import Reach, StateError
from crawler.state.protocol import Backend, StateStore
from crawler.state.redis import RedisState
from crawler.state.sqlite import DEFAULT_STATE_URL, SQLiteState

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

BACKENDS: tuple[type[Backend], ...] = (SQLiteState, RedisState)


def backend_for(url: str) -> type[Backend]:
    """The backend of a `STATE_URL` (the default state when it is empty)."""
    scheme = urlsplit(url or DEFAULT_STATE_URL).scheme
    for backend in BACKENDS:
        if scheme in backend.schemes:
            return backend
    raise StateError(f"unsupported STATE_URL {url!r}: use sqlite:///PATH or redis://HOST:PORT/DB")


def open_state(url: str, settings: BaseSettings | None = None, create: bool = True) -> StateStore:
    """Open the store a `STATE_URL` names.

    One that does not exist yet is created when `create` (a crawl), and the log says so;
    otherwise it is `StateMissing`. `settings` are the crawl's: they give `REDIS_RETRY_FOR`,
    how long a Redis state may be unreachable, from the first command on.
    """
    return backend_for(url).from_url(url or DEFAULT_STATE_URL, settings, create)


def state_reach(url: str, settings: BaseSettings | None = None) -> Reach | None:
    """How the state a `STATE_URL` names is reached, when it can go out of reach."""
    return backend_for(url).reach(url or DEFAULT_STATE_URL, settings)
