"""The collapse stage: each page's story and article, decided by `Collapser`
(`pipelines.collapser`, free of Scrapy) on the crawler's state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.fingerprint import Fingerprinter
from crawler.items import Page, page_fields
from crawler.offload import StateThreads, state_threads_for
from crawler.runs import run_for
from crawler.state.per_crawler import state_for
from crawler.stats import COLLAPSE
from pipelines.collapser import Collapser

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class CollapsePipeline:
    """Decides each page's story; keeps its fields in the state for its records.

    On a state that answers over the network (Redis) the decision runs off the event loop
    (`crawler.offload`), so the loop does not wait on Redis or on another worker's
    decision.
    """

    def __init__(
        self, collapser: Collapser, stats: StatsCollector, threads: StateThreads | None = None
    ):
        self.collapser = collapser
        self.stats = stats
        self.threads = threads or StateThreads()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("DEDUP_ENABLED"):
            raise NotConfigured("DEDUP_ENABLED is off")
        assert crawler.stats is not None
        fingerprinter = Fingerprinter(
            num_perm=settings.getint("DEDUP_NUM_PERM"),
            threshold=settings.getfloat("DEDUP_LSH_THRESHOLD"),
            lead_threshold=settings.getfloat("DEDUP_LEAD_THRESHOLD"),
        )
        collapser = Collapser(
            state_for(crawler),
            fingerprinter,
            similarity=settings.getfloat("DEDUP_SIMILARITY"),
            containment=settings.getfloat("DEDUP_CONTAINMENT"),
            min_shingles=settings.getint("DEDUP_MIN_SHINGLES"),
            owner=run_for(crawler).id,
        )
        return cls(collapser, crawler.stats, state_threads_for(crawler))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page) or item.doc is None or item.id is None:
            return item
        decision = await self.threads.call(
            self.collapser.decide, item.id, item.doc.text, page_fields(item)
        )
        item.match, item.changed, item.story = decision.match, decision.changed, decision.story
        if item.match is not None:
            self.stats.inc_value(COLLAPSE + item.match.method)
        return item
