"""URL identity: canonical form, stable ids, the site a URL belongs to, private addresses.

Every stage that asks "is this the same page?" goes through `canonical_url`, so a link
from a feed with `utm_*` parameters and the page's own canonical link meet as one key.
Every URL an operator lists or a page links to passes `url_problem` before a request is
built from it, so one unusable URL is skipped with its reason instead of failing the
request, or the whole list it came in.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

# Query parameters that only say how a reader arrived; they never select content.
TRACKING_PARAMETER = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid"
    r"|_ga|_gl|ocid|cmpid|icid|ito|at_[a-z_]+|xtor|sr_share|s_cid|ns_[a-z_]+|ref_src)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}
LOCAL_HOSTNAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def canonical_url(url: str) -> str:
    """Canonical form: lower-case scheme and host, no default port, fragment or tracking."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = host if ":" not in host else f"[{host}]"
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{parts.port}"
    cleaned = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    names = {name for name, _, _ in (p.partition("=") for p in parts.query.split("&")) if name}
    tracking = [name for name in names if TRACKING_PARAMETER.match(name)]
    if tracking:
        cleaned = url_query_cleaner(cleaned, tracking, remove=True, unique=False)
    return canonicalize_url(cleaned)


FETCHED_SCHEMES = ("http", "https")
# "javascript:", "mailto:", "data:": a scheme without "//"; "host:8080/path" is a port.
_OPAQUE_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):(?!\d*(?:[/?#]|$))", re.IGNORECASE)
# "www.example.com/page", "localhost:8080/": a host (with a dot or a port) and a path.
_HOST_LIKE = re.compile(r"[^\s/?#:@]+(?:\.[^\s/?#:@]+)*?(?:\.[^\s/?#:@]+|:\d+)(?:[/?#]\S*)?")
_BAD_HOST_CHARACTERS = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`%]")


def url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched, or None when it can.

    Only absolute http(s) URLs with a host are fetched; the reason says what is wrong
    in words an operator can act on (a line without a scheme gets the URL it probably
    meant).
    """
    text = url.strip()
    if not text:
        return "empty"
    if "://" not in text:
        opaque = _OPAQUE_SCHEME.match(text)
        if opaque:
            return f"not http(s): {opaque[1].lower()}: URLs are not fetched"
        bare = text.removeprefix("//")
        if _HOST_LIKE.fullmatch(bare):
            return f"no scheme (write https://{bare})"
        return "no scheme: not a URL (a URL starts with https://)"
    scheme = text.split("://", 1)[0].lower()
    if scheme not in FETCHED_SCHEMES:
        return f"not http(s): {scheme}: URLs are not fetched"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        return f"malformed ({error})"
    if not parts.hostname:
        return "no host"
    if _BAD_HOST_CHARACTERS.search(parts.hostname):
        return f"bad host {parts.hostname!r}"
    try:
        canonical_url(text)
    except (ValueError, UnicodeError) as error:
        return f"malformed ({error})"
    return None


def url_id(url: str) -> str:
    """A stable record id: the same canonical URL gives the same id in every run."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:24]


def site_of(url: str) -> str:
    """The site a URL belongs to: its host without `www.`, with a non-default port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    host = host.removeprefix("www.")
    if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{host}:{parts.port}"
    return host


LEGACY_IPV4 = re.compile(r"(?:0x[0-9a-f]+|\d+)(?:\.(?:0x[0-9a-f]+|\d+)){0,3}", re.IGNORECASE)


def is_private_address(address: str) -> bool:
    """True for loopback, private, link-local, reserved and other non-public addresses."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        if not LEGACY_IPV4.fullmatch(address):
            return False
        try:  # "127.1", "2130706433", "0x7f.1": forms that inet_aton and browsers accept
            ip = ipaddress.IPv4Address(socket.inet_aton(address))
        except OSError:
            return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global


def is_private_host(host: str) -> bool:
    """True when a URL's host names this machine or a non-public address by itself."""
    host = host.lower().rstrip(".")
    return host in LOCAL_HOSTNAMES or host.endswith(".localhost") or is_private_address(host)
