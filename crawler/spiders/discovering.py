"""Discovery through Scrapy: a site's home page, its robots.txt and its candidate feeds and
sitemaps fetched as requests like any other (robots.txt obeyed, the site's delay kept,
private addresses refused), at most `DISCOVERY_MAX_PROBES` candidates a site.

What to fetch and what a fetched page is worth is `crawler.discovery`; this module only
fetches. A site's discovery ends when its last request has come back; `discovered` is
then called with what was chosen (`crawler.discovery.choose`). Probes that find nothing
(a 404 at a common path) are expected, so they are counted under
`newsfold/discovery/missing`, not as errors; bad input (a home page that redirects to
another site, a feed link to another host, a feed that is HTML, a sitemap index that
loops, a site with nothing to offer) is skipped with its reason as any input is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from crawler import discovery
from crawler.discovery import Candidate, Found, Reading
from crawler.pagekind import looks_like_article
from crawler.request_meta import LOCAL, SOURCE
from crawler.responses import failure_reason
from crawler.sitemaps import robots_sitemaps
from crawler.spiders.base import NewsSpider
from crawler.stats import DISCOVERY_FOUND, DISCOVERY_MISSING, DISCOVERY_PROBES
from crawler.urls import canonical_url, site_of


@dataclass
class SiteDiscovery:
    """One site's discovery under way."""

    name: str
    home: str
    pending: int = 0
    probes: int = 0
    readings: dict[str, Reading] = field(default_factory=dict)
    origin: dict[str, Candidate] = field(default_factory=dict)  # by canonical URL
    samples: dict[str, bool | None] = field(default_factory=dict)  # page -> article?
    home_links: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "URL (reason)"
    found: list[Found] = field(default_factory=list)
    chosen: list[Found] = field(default_factory=list)
    done: bool = False


class DiscoveringSpider(NewsSpider):
    """A spider that can discover a site's feeds and sitemaps from its home page."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.discoveries: dict[str, SiteDiscovery] = {}

    def discovery_request(self, name: str, home: str) -> Request:
        """The first request of a site's discovery: its home page."""
        self.discoveries[name] = SiteDiscovery(name, home)
        self.discoveries[name].pending = 1
        return self._probe(home, self._discover_home, name)

    def discovered(self, site: SiteDiscovery) -> Iterator[Request | None]:
        """What to do once a site is discovered (each spider says): nothing by default."""
        return iter(())

    def _probe(self, url: str, callback: Any, name: str, **kwargs: Any) -> Request:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(DISCOVERY_PROBES)
        return Request(
            url,
            callback=callback,
            errback=self._discover_failed,
            cb_kwargs={"name": name, **kwargs},
            meta={SOURCE: name, LOCAL: True},  # its steps live in this process
            dont_filter=True,  # the crawl that follows may fetch the same URLs
        )

    def _discover_home(self, response: Response, name: str) -> Iterator[Request | None]:
        site = self.discoveries[name]
        if site_of(response.url) != site_of(site.home):
            self.skip("home_off_site", site.home, f"redirected to {response.url}", name)
            site.pending -= 1
            yield from self._finish(site)
            return
        if isinstance(response, HtmlResponse):
            found, refused = discovery.declared_and_anchor_links(response.body, response.url)
            for refusal in refused:
                self.skip(refusal.reason, refusal.url, refusal.detail, name)
            for candidate in found:
                site.origin.setdefault(canonical_url(candidate.url), candidate)
            # Longest first: a story's URL carries its slug, a menu's is short (/about/).
            links = dict.fromkeys(self._site_links(response))
            links.pop(canonical_url(response.url), None)
            site.home_links = sorted(links, key=len, reverse=True)
        parts = urlsplit(response.url)
        yield self._probe(
            f"{parts.scheme}://{parts.netloc}/robots.txt", self._discover_robots, name
        )

    def _discover_robots(self, response: Response, name: str) -> Iterator[Request | None]:
        site = self.discoveries[name]
        text = response.text if hasattr(response, "text") else ""
        urls, _ = robots_sitemaps(text, response.url)
        for url in urls:
            if site_of(url) == site_of(site.home):
                site.origin.setdefault(canonical_url(url), Candidate(url, "robots"))
        yield from self._probe_candidates(site)
        site.pending -= 1  # the home page's request, whose last step this is
        yield from self._finish(site)

    def _probe_candidates(self, site: SiteDiscovery) -> Iterator[Request]:
        candidates = [*site.origin.values(), *discovery.common_candidates(site.home)]
        limit = self.settings.getint("DISCOVERY_MAX_PROBES")
        for candidate in discovery.plan(candidates, limit):
            site.origin.setdefault(canonical_url(candidate.url), candidate)
            yield self._candidate_request(site, candidate.url)
        if site.home_links:  # the home page itself, as a start page
            site.readings[site.home] = Reading(site.home, "start", site.home_links)
            yield from self._sample_requests(site, site.home_links)

    def _candidate_request(
        self, site: SiteDiscovery, url: str, chain: tuple[str, ...] = ()
    ) -> Request:
        site.pending += 1
        site.probes += 1
        return self._probe(url, self._discover_candidate, site.name, chain=list(chain))

    def _discover_candidate(
        self, response: Response, name: str, chain: list[str]
    ) -> Iterator[Request | None]:
        site = self.discoveries[name]
        url = (response.meta.get("redirect_urls") or [response.url])[0]
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        reading = discovery.read_candidate(response.body, response.url, content_type)
        if reading.problem is not None:
            site.missing.append(f"{url} ({reading.problem.reason})")
            candidate = site.origin.get(canonical_url(url))
            if candidate is not None and candidate.origin == "common" and not chain:
                assert self.crawler.stats is not None  # a guess that missed: expected
                self.crawler.stats.inc_value(DISCOVERY_MISSING)
            else:
                self.skip(reading.problem.reason, url, reading.problem.detail, name)
        elif reading.kind == "sitemap_index":
            limit = self.settings.getint("DISCOVERY_MAX_PROBES")
            for child in reading.children:
                if discovery.index_loop(child, [*chain, url]):
                    self.skip("sitemap_loop", url, f"lists {child}, which led to it", name)
                    continue
                if site.probes < limit:
                    yield self._candidate_request(site, child, (*chain, url))
        else:
            site.readings[chain[0] if chain else url] = self._merged(site, chain, url, reading)
            yield from self._sample_requests(site, reading.entries)
        site.pending -= 1
        yield from self._finish(site)

    def _merged(self, site: SiteDiscovery, chain: list[str], url: str, reading: Reading) -> Reading:
        """A sitemap of an index counts for the index the operator will list."""
        if not chain or chain[0] not in site.readings:
            return Reading(
                chain[0] if chain else url, reading.kind, reading.entries, reading.newest
            )
        kept = site.readings[chain[0]]
        kept.entries += reading.entries
        kept.newest = max(filter(None, [kept.newest, reading.newest]), default=None)
        if reading.kind and discovery.rank(reading.kind) < discovery.rank(kept.kind or "sitemap"):
            kept.kind = reading.kind
        return kept

    def _sample_requests(self, site: SiteDiscovery, entries: list[str]) -> Iterator[Request]:
        for url in discovery.sample(entries, self.settings.getint("DISCOVERY_SAMPLE")):
            if url not in site.samples:
                site.samples[url] = None
                site.pending += 1
                yield self._probe(url, self._discover_sample, site.name, page=url)

    def _discover_sample(
        self, response: Response, name: str, page: str
    ) -> Iterator[Request | None]:
        site = self.discoveries[name]
        site.samples[page] = isinstance(response, HtmlResponse) and looks_like_article(
            response.url, response.selector
        )
        site.pending -= 1
        yield from self._finish(site)

    def _discover_failed(self, failure: Failure) -> Iterator[Request | None]:
        request: Request = failure.request  # type: ignore[attr-defined]
        site = self.discoveries[request.cb_kwargs["name"]]
        assert failure.value is not None and self.crawler.stats is not None
        _, reason = failure_reason(failure.value)
        if request.callback == self._discover_home:
            self.on_error(failure)  # no home page: the source's own failure
            site.pending -= 1
        elif request.callback == self._discover_robots:
            yield from self._probe_candidates(site)  # no robots.txt: the common paths still
            site.pending -= 1
        else:
            self.crawler.stats.inc_value(DISCOVERY_MISSING)
            if request.callback == self._discover_sample:
                site.samples[request.cb_kwargs["page"]] = False
            else:
                site.missing.append(f"{request.url} ({reason})")
            site.pending -= 1
        yield from self._finish(site)

    def _finish(self, site: SiteDiscovery) -> Iterator[Request | None]:
        if site.pending or site.done:
            return
        site.done = True
        assert self.crawler.stats is not None
        for reading in site.readings.values():
            assert reading.kind is not None
            sampled = discovery.sample(reading.entries, self.settings.getint("DISCOVERY_SAMPLE"))
            judged = [site.samples.get(url) for url in sampled]
            site.found.append(
                Found(
                    reading.url,
                    reading.kind,
                    len(set(reading.entries)),
                    reading.newest,
                    sum(1 for verdict in judged if verdict),
                    len(judged),
                )
            )
        site.chosen = discovery.choose(site.found, self.settings.getfloat("DISCOVERY_MIN_SHARE"))
        for found in site.chosen:
            self.crawler.stats.inc_value(DISCOVERY_FOUND + found.kind)
            self.logger.info("Discovered for %s: %s (%s)", site.name, found.url, found.describe())
        if not site.chosen:
            detail = "no feed, sitemap or start page that leads to article pages"
            self.skip("nothing_discovered", site.home, detail, site.name)
        yield from self.discovered(site)
