"""`scrapy crawl warc -a files=PATHS` or `-a file=LIST`: the HTML pages of WARC files.

The pages of an archive (a crawl of newsfold's own with `WARC_DIR`, or Common Crawl's
CC-NEWS) go through the same pipelines as a live crawl, without the network: `start()`
yields no request but the pages themselves, each built by the same code as a fetched
article (`NewsSpider._readable`, `_page`) from a response made of the record, with the
record's WARC-Date as `fetched_at` and its file and offset as `warc`. Records that give
no page are counted by reason (`crawler.warc_reader`), and the files read are listed in
the run's manifest (`warc_files`), which is how `scrapy reprocess` finds them again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.config import ConfigError
from crawler.items import Hints, Page, WarcPlace
from crawler.request_meta import SOURCE, WARC
from crawler.spiders.base import Arg, NewsSpider
from crawler.stats import INPUT_DONE, INPUT_TOTAL, SKIPPED, WARC_FILES, WARC_RECORDS
from crawler.urllists import from_argument, from_file
from crawler.urls import canonical_url
from crawler.warc_reader import NOT_RESPONSE, WarcResponse, WarcSkip, read_warc, warc_paths

# A host filter's refusals are the operator's choice, not a problem: counted, not warned.
OTHER_HOST = "other_host"


class WarcSpider(NewsSpider):
    name = "warc"
    summary = "The HTML pages of WARC files (CC-NEWS, or newsfold's own), without the network"
    input_total = "fixed"  # the files, each done once read to its end
    input_unit = "WARC files"

    def __init__(
        self,
        files: Annotated[
            str | None,
            Arg("P1,P2", "WARC files, comma-separated: paths or globs (gzip per record, or plain)"),
        ] = None,
        file: Annotated[
            str | None,
            Arg("PATH", "a file of WARC paths, one a line (blank lines and # comments skipped)"),
        ] = None,
        hosts: Annotated[
            str | None,
            Arg("H1,H2", "only pages of these hosts and their subdomains (www. ignored)"),
        ] = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        listed = [entry.text for entry in from_argument("files", files) + from_file(file)]
        if not listed:
            raise ConfigError(
                "the warc spider needs -a files=P1,P2 (paths or globs) or -a file=PATH, "
                "listing at least one WARC file"
            )
        self.warc_files = warc_paths(listed)
        self.hosts = {_bare(entry.text) for entry in from_argument("hosts", hosts)}

    def start_requests_from_args(self) -> Iterable[Request | None]:
        return ()

    async def start(self) -> AsyncIterator[Any]:
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        stats.inc_value(INPUT_TOTAL, len(self.warc_files))
        limit = self.settings.getint("DOWNLOAD_MAXSIZE")
        room = max(1, self.settings.getint("CONCURRENT_ITEMS"))
        for path in self.warc_files:
            self.logger.info("Reading %s", path)
            for found in read_warc(path, limit):
                if isinstance(found, WarcSkip):
                    self._skipped(found)
                    continue
                stats.inc_value(WARC_RECORDS + "response")
                page = self._warc_page(found)
                if page is not None:
                    await self._room(room)
                    yield page
            stats.inc_value(WARC_FILES)
            stats.inc_value(INPUT_DONE)

    async def _room(self, room: int) -> None:
        """Wait until the pipelines hold fewer than `room` pages: Scrapy does not hold
        back a start() that yields items, so without this a large file would be read
        into memory faster than pages are extracted."""
        engine = self.crawler.engine
        while engine is not None and engine.scraper.slot is not None:
            if engine.scraper.slot.itemproc_size < room:
                return
            await asyncio.sleep(0.005)

    def _skipped(self, skip: WarcSkip) -> None:
        assert self.crawler.stats is not None
        if skip.reason == NOT_RESPONSE:  # a request, metadata or warcinfo record
            self.crawler.stats.inc_value(WARC_RECORDS + (skip.detail or "unknown"))
            return
        where = f"{skip.file} at {skip.offset}"
        self.skip(skip.reason, skip.url or where, f"{where}: {skip.detail}", skip.file)

    def _warc_page(self, record: WarcResponse) -> Page | None:
        """The page of an HTML response record, built as a fetched article's is; None
        when it is refused (counted and logged)."""
        source = record.file
        if not self.usable_url(record.url, source):
            return None
        url = canonical_url(record.url)
        if self.hosts and not self._wanted(url):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(SKIPPED + OTHER_HOST)
            return None
        fetched = _fetched_at(record.date)
        if fetched is None:
            self.skip("warc_bad_date", url, f"WARC-Date {record.date!r}", source)
            return None
        if self.too_old(fetched, url):
            return None
        if not 200 <= record.status < 300:
            self.skip(f"http_{record.status}", url, f"{record.file} at {record.offset}", source)
            return None
        place = WarcPlace(record.file, record.offset)
        request = Request(url, meta={SOURCE: source, WARC: place})
        response = HtmlResponse(
            url, status=record.status, headers=record.headers, body=record.body, request=request
        )
        charset = self._readable(response)
        if charset is None:
            return None
        page = self._page(response, charset, Hints())
        page.fetched_at = fetched
        page.warc = place
        return page

    def _wanted(self, url: str) -> bool:
        host = _bare(urlsplit(url).hostname or "")
        return any(host == wanted or host.endswith("." + wanted) for wanted in self.hosts)


def _bare(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    return host.removeprefix("www.")


def _fetched_at(warc_date: str) -> str | None:
    """A WARC-Date (WARC 1.0 seconds, or WARC 1.1 fractions) as a record's `fetched_at`."""
    try:
        moment = datetime.fromisoformat(warc_date.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()
