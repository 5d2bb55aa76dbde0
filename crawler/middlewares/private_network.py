"""Refuse requests to private, loopback and link-local addresses.

A feed or a redirect can point anywhere, including at the machine the crawler runs on
or at the cloud metadata service. Unless `ALLOW_PRIVATE_NETWORKS` is on, a request whose
host is such an address, or whose response came from one, is dropped and counted under
`newsfold/skipped/private_network`. Host names that resolve to such addresses are refused
by `crawler.resolver.PublicOnlyResolver` before any connection is made.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from crawler.stats import SKIPPED_PRIVATE_NETWORK
from crawler.urls import is_private_address, is_private_host

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class PrivateNetworkMiddleware:
    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if crawler.settings.getbool("ALLOW_PRIVATE_NETWORKS"):
            raise NotConfigured
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        if is_private_host(host):
            self._refuse(request, host)

    def process_response(self, request: Request, response: Response) -> Response:
        # Through a proxy the address is the proxy's, which the operator chose.
        if request.meta.get("proxy"):
            return response
        if response.ip_address is not None and is_private_address(str(response.ip_address)):
            self._refuse(request, str(response.ip_address))
        return response

    def _refuse(self, request: Request, address: str) -> None:
        self.stats.inc_value(SKIPPED_PRIVATE_NETWORK)
        logger.warning(
            "Refused %s: %s is a private or local address (set ALLOW_PRIVATE_NETWORKS=True "
            "to crawl such addresses)",
            request.url,
            address,
        )
        raise IgnoreRequest(f"private network address {address}")
