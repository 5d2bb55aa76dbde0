"""A DNS resolver that will not hand out private, loopback or link-local addresses.

Checking a host name before the request is not enough: a public-looking name can resolve
to 127.0.0.1 or 169.254.169.254. Refusing the answer at resolution time stops the
connection before it is made. Used unless `ALLOW_PRIVATE_NETWORKS` is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from crawler.urls import is_private_address


class PublicOnlyResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return super().getHostByName(name, timeout).addCallback(self._refuse_private, name)

    @staticmethod
    def _refuse_private(address: Any, name: str) -> Any:
        if is_private_address(str(address)):
            raise DNSLookupError(f"{name} resolves to private address {address}; refused")
        return address
