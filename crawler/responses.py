"""Judging what came back for a request before anything parses it.

The web sends pages whose charset header lies, binary files labelled text/html, empty
bodies, bot-challenge pages with status 200, XML that declares entities to expand into
gigabytes, and failures of every kind. These pure functions name each case, so the
spider can decode a page correctly or refuse it with a counted reason instead of
extracting garbage or crashing.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotSupported,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from trafilatura.utils import detect_encoding
from twisted.internet import error as tx_error
from twisted.web.client import ResponseFailed
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

# Servers that are not told a page's charset often send their own default, and the
# HTML spec maps these labels to windows-1252: such a header is weak evidence beside a
# <meta charset> the page's author wrote.
GENERIC_CHARSETS = {"cp1252"}
WIDE_CHARSETS = ("utf_16", "utf_32")  # not ASCII-compatible: no meta, no byte sniffing
BINARY_PROBE = 4096  # bytes looked at to tell binary data from text
CONTROL_SHARE = 0.05  # share of C0 control characters no text page comes near
BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"%PDF-",
    b"PK\x03\x04",  # zip, docx, epub
    b"\x1f\x8b",  # gzip
    b"RIFF",  # webp, wav, avi
    b"OggS",
    b"ID3",  # mp3
    b"fLaC",
    b"wOFF",
    b"wOF2",
    b"\x7fELF",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!",
    b"\x00\x00\x01\x00",  # ico
)


@dataclass(frozen=True)
class Charset:
    """The encoding a page is decoded with, where it came from, and what it declared."""

    encoding: str  # a Python codec name
    source: str  # "bom", "header", "meta", "bytes" (valid UTF-8), "detected" or "default"
    declared: str | None = None  # what header (else meta) said, resolved; None if nothing

    @property
    def corrected(self) -> bool:
        """The page declared a charset and its bytes proved it wrong."""
        return self.declared is not None and _same(self.declared) != _same(self.encoding)


def choose_encoding(content_type: str, body: bytes) -> Charset:
    """The page's real encoding, from its BOM, Content-Type header, <meta charset> and bytes.

    A byte order mark is certain. Otherwise a body that is valid UTF-8 and not plain
    ASCII is UTF-8 whatever the header claims (other encodings practically never form
    valid multibyte UTF-8 sequences), a generic header (iso-8859-1, windows-1252,
    us-ascii) yields to a different <meta charset>, a declared charset the bytes do not
    decode in is passed over, and when nothing declared fits the charset is detected.
    """
    bom, _ = read_bom(body)
    header = _resolve(http_content_type_encoding(content_type))
    meta = _resolve(html_body_declared_encoding(body))
    declared = header or meta
    if bom:
        return Charset(_resolve(bom) or bom, "bom", declared)
    for wide, source in ((header, "header"), (meta, "meta")):
        if wide and _same(wide).startswith(WIDE_CHARSETS) and _decodes(body, wide):
            return Charset(wide, source, declared)
    if body.isascii():  # every ASCII-compatible charset reads it the same
        if declared and not _same(declared).startswith(WIDE_CHARSETS):
            return Charset(declared, "header" if header else "meta", declared)
        return Charset("utf-8", "default", declared)
    if _decodes(body, "utf-8"):
        return Charset("utf-8", "bytes", declared)
    candidates = [(header, "header"), (meta, "meta")]
    if header in GENERIC_CHARSETS and meta and meta != header:
        candidates.reverse()
    for encoding, source in candidates:
        if encoding and _decodes(body, encoding):
            return Charset(encoding, source, declared)
    for guess in detect_encoding(body):
        encoding = _resolve(guess)
        if encoding and not _same(encoding).startswith(WIDE_CHARSETS) and _decodes(body, encoding):
            return Charset(encoding, "detected", declared)
    return Charset(declared or "utf-8", "default", declared)


def is_empty(body: bytes) -> bool:
    """Nothing but whitespace: a 200 that carries no page."""
    return not body.strip()


def is_binary(body: bytes, encoding: str) -> bool:
    """Binary data (an image, PDF, archive, random bytes) whatever its Content-Type says."""
    probe = body[:BINARY_PROBE]
    if probe.startswith(BINARY_MAGIC):
        return True
    text = probe.decode(encoding, errors="replace")
    if "\x00" in text:
        return True
    controls = sum(1 for char in text if char < " " and char not in "\t\n\r\f")
    return controls > CONTROL_SHARE * max(len(text), 1)


# Bot challenges: what Cloudflare, DataDome, PerimeterX (HUMAN), Imperva/Incapsula,
# Sucuri, AWS WAF and Akamai serve instead of the page, often with status 200. Plain
# substrings of the lower-cased page: case-insensitive regular expressions over a 100 KB
# article cost a hundred milliseconds and more.
CHALLENGE_TITLES = (
    "just a moment",
    "attention required! | cloudflare",
    "attention required | cloudflare",
    "please wait",
    "access to this page has been denied",
    "checking your browser",
    "ddos-guard",
    "pardon our interruption",
    "are you a robot",
    "human verification",
    "verifying you are human",
    "one more step",
    "security check",
)
CHALLENGE_PHRASES = (
    "enable javascript and cookies to continue",
    "checking your browser before accessing",
    "checking if the site connection is secure",
    "verify you are human",
    "verify you are a human",
    "needs to review the security of your connection",
    "please enable js and disable any ad",
    "press &amp; hold to confirm",
    "press & hold to confirm",
    "ddos protection by cloudflare",
    "request unsuccessful. incapsula incident",
)
CHALLENGE_MARKUP = (
    "cf_chl_opt",
    "/cdn-cgi/challenge-platform/h/",
    'id="challenge-form',
    "id='challenge-form",
    "cf-browser-verification",
    "captcha-delivery.com",
    'id="px-captcha',
    "id='px-captcha",
    "_incapsula_resource",
    "sucuri_cloudproxy_js",
    "awswaf",
    "gokuprops",
    "/_sec/cp_challenge/",
)
# Challenge pages are small (a few kilobytes to a few tens); article pages are mostly far
# bigger, and scanning those for markers was the crawl process's largest cost.
CHALLENGE_MAX_BYTES = 128 * 1024
CHALLENGE_TITLE_CHARS = 60  # a challenge title is the phrase and little more
# Visible characters: a challenge page says a sentence or two. A phrase in the text is
# the weakest sign (an article may quote one), so it must stand nearly alone.
CHALLENGE_MAX_TEXT = 2000
CHALLENGE_PHRASE_MAX_TEXT = 600
_INVISIBLE = re.compile(
    r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"<[^>]*>")


def bot_challenge(body: bytes, encoding: str) -> str | None:
    """The challenge marker a page shows instead of its content, or None for a real page.

    A marker alone is not enough: articles quote "Enable JavaScript and cookies to
    continue" and many real pages load a bot-protection script. The page must also show
    hardly any text of its own: a challenge title or challenge markup with under
    CHALLENGE_MAX_TEXT visible characters, a challenge phrase with under
    CHALLENGE_PHRASE_MAX_TEXT.
    """
    if len(body) > CHALLENGE_MAX_BYTES:
        return None
    text = body.decode(encoding, errors="replace")
    page = text.lower()
    title = _title(page)
    strong = next((t for t in CHALLENGE_TITLES if title.startswith(t)), None) or next(
        (m for m in CHALLENGE_MARKUP if m in page), None
    )
    found = strong or next((p for p in CHALLENGE_PHRASES if p in page), None)
    if found is None:
        return None
    visible = " ".join(_TAG.sub(" ", _INVISIBLE.sub(" ", text)).split())
    if len(visible) > (CHALLENGE_MAX_TEXT if strong else CHALLENGE_PHRASE_MAX_TEXT):
        return None
    return found


def _title(page: str) -> str:
    """The text of the page's <title>, when it is short enough to be a challenge's."""
    start = page.find("<title")
    opened = page.find(">", start) + 1 if start >= 0 else 0
    end = page.find("</title>", opened) if opened else -1
    if end < 0 or end - opened > CHALLENGE_TITLE_CHARS:
        return ""
    return " ".join(page[opened:end].split())


def declares_entities(body: bytes) -> bool:
    """Whether an XML document declares entities in its DOCTYPE.

    Feeds and sitemaps have no use for them, and they are how a small document expands
    into gigabytes (billion laughs) or reads local files (external entities), so such a
    document is refused before any parser sees it. Only the prologue is read: a feed
    that quotes "<!ENTITY" in an article is still a feed.
    """
    text = _xml_prologue_text(body)
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if text.startswith("<?", position):
            close = "?>"
        elif text.startswith("<!--", position):
            close = "-->"
        elif text.startswith("<!DOCTYPE", position):
            return "<!ENTITY" in _doctype(text, position)
        else:
            return False
        end = text.find(close, position)
        if end < 0:
            return False
        position = end + len(close)


def _doctype(text: str, start: int) -> str:
    """The DOCTYPE declaration starting at `start`, with its internal subset."""
    close = text.find(">", start)
    bracket = text.find("[", start)
    if bracket < 0 or (0 <= close < bracket):
        return text[start : close + 1 if close >= 0 else len(text)]
    end = text.find("]", bracket)
    return text[start : end + 1 if end >= 0 else len(text)]


def _xml_prologue_text(body: bytes) -> str:
    """The document as text for prologue scanning: UTF-16/32 decoded, else byte-for-byte."""
    bom, bom_bytes = read_bom(body)
    if bom and bom_bytes:
        return body[len(bom_bytes) :].decode(bom, errors="replace")
    if body.startswith(b"<\x00") or body.startswith(b"\x00<"):
        return body.decode("utf-16-le" if body[0] == 0x3C else "utf-16-be", errors="replace")
    return body.decode("latin-1")


def failure_reason(error: BaseException) -> tuple[str, str]:
    """Why a request yielded no response to parse: ("skipped" or "error", reason).

    "skipped" is for requests refused on purpose (robots.txt, private addresses,
    redirect loops, bodies over DOWNLOAD_MAXSIZE); "error" is for what went wrong on
    the way (HTTP error statuses, timeouts, DNS, refused or lost connections).
    """
    if isinstance(error, HttpError):
        return "error", f"http_{error.response.status}"
    if isinstance(error, IgnoreRequest):
        message = str(error)
        for pattern, reason in IGNORED:
            if pattern in message:
                return "skipped", reason
        return "skipped", "ignored"
    if isinstance(error, DownloadCancelledError):
        return "skipped", "too_large"  # how the download handler stops at DOWNLOAD_MAXSIZE
    if isinstance(error, DownloadTimeoutError | tx_error.TimeoutError | tx_error.TCPTimedOutError):
        return "error", "timeout"
    if isinstance(error, CannotResolveHostError | tx_error.DNSLookupError):
        return "error", "dns"
    if isinstance(error, DownloadConnectionRefusedError | tx_error.ConnectionRefusedError):
        return "error", "connection_refused"
    if isinstance(error, ResponseDataLossError):
        return "error", "data_loss"
    if isinstance(error, UnsupportedURLSchemeError | NotSupported):
        return "skipped", "unsupported_url"
    if isinstance(
        error,
        DownloadFailedError | ResponseFailed | tx_error.ConnectError | tx_error.ConnectionLost,
    ):
        return "error", "connection_failed"
    return "error", "download_failed"


# What IgnoreRequest says, by the middleware that raised it.
IGNORED = (
    ("Forbidden by robots.txt", "robots_disallowed"),
    ("private network address", "private_network"),  # PrivateNetworkMiddleware
    ("max redirections reached", "redirect_loop"),
    ("DOWNLOAD_MAXSIZE", "too_large"),  # HttpCompressionMiddleware: a decompression bomb
    ("not written to the WARC", "warc_failed"),  # WarcOutMiddleware: fetched again next run
)


def _resolve(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return resolve_encoding(label) or None
    except LookupError:
        return None


def _same(encoding: str) -> str:
    """A codec's canonical name, so that "utf8" and "UTF-8" compare equal."""
    try:
        return codecs.lookup(encoding).name.replace("-", "_")
    except LookupError:
        return encoding


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True
