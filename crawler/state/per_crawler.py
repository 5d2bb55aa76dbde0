"""The crawler's one state store: the Scrapy glue of the state, kept apart so that the
state itself (benchmarks, exports) runs without Scrapy."""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy import signals

from crawler.state.factory import open_state
from crawler.state.protocol import StateStore
from crawler.state.sqlite import DEFAULT_STATE_URL

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_stores: WeakKeyDictionary[Crawler, StateStore] = WeakKeyDictionary()


def state_for(crawler: Crawler) -> StateStore:
    """The crawler's one state store, opened on first use and closed when the engine stops;
    shared by the pipelines, middlewares and extensions that need it."""
    store = _stores.get(crawler)
    if store is None:
        store = open_state(crawler.settings.get("STATE_URL", DEFAULT_STATE_URL), crawler.settings)
        _stores[crawler] = store
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
    return store
