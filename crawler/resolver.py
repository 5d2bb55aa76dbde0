"""A DNS resolver that will not hand out private, loopback or link-local addresses.

Checking a host name before the request is not enough: a public-looking name can resolve
to 127.0.0.1 or 169.254.169.254. Refusing the answer at resolution time stops the
connection before it is made. It refuses nothing when `ALLOW_PRIVATE_NETWORKS` is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from crawler.urls import is_private_address

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from twisted.internet.base import ReactorBase


class PublicOnlyResolver(CachingThreadedResolver):
    """`TWISTED_DNS_RESOLVER` in the project settings.

    Scrapy installs the resolver from the process settings, before add-ons run, so the
    project's `settings.py` names it, and it reads `ALLOW_PRIVATE_NETWORKS` itself.
    """

    allow_private = False
    # The operator's proxies (http_proxy, https_proxy) may well be on a private network.
    proxies: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> Self:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_private = crawler.settings.getbool("ALLOW_PRIVATE_NETWORKS")
        resolver.proxies = frozenset(
            (urlsplit(url).hostname or "").lower() for url in getproxies().values()
        )
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        answer = super().getHostByName(name, timeout)
        if self.allow_private or name.lower() in self.proxies:
            return answer
        return answer.addCallback(self._refuse_private, name)

    @staticmethod
    def _refuse_private(address: Any, name: str) -> Any:
        if is_private_address(str(address)):
            raise DNSLookupError(f"{name} resolves to private address {address}; refused")
        return address
