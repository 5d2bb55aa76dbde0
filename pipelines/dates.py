"""Dates as one format: ISO 8601 with a UTC offset, or a bare day when that is all there is.

Pages write dates in every format (ISO, RFC 822 from feeds, "9 December 2013"); records
carry one. A time without a zone is taken as UTC; a day without a time stays a day
(`YYYY-MM-DD`) rather than gaining an invented midnight. Dates in the future or before
the web had news sites are not publication dates and are refused.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from dateutil import parser as dateutil_parser
from htmldate import find_date
from lxml import html

HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
# Class or id words of page chrome, where date widgets live.
CHROME = re.compile(
    r"(?:^|[\s_-])(?:top-?bar|header|masthead|nav(?:bar|igation)?|menu|breadcrumbs?|footer"
    r"|sidebar|widget)(?:$|[\s_-])",
    re.IGNORECASE,
)
URL_DATE = re.compile(
    r"(?<![\d])(?P<year>(?:19|20)\d{2})(?P<sep>[/_-]?)(?P<month>0[1-9]|1[0-2])(?P=sep)"
    r"(?P<day>0[1-9]|[12]\d|3[01])(?![\d])"
)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# Publishers east of UTC legitimately date pages "tomorrow" from the crawler's view.
FUTURE_SLACK = timedelta(hours=26)


def parse_date(value: str | None, now: datetime | None = None) -> str | None:
    """Normalise a declared date, or None when it is unreadable or implausible."""
    if not value or not value.strip():
        return None
    text = value.strip()
    parsed = _parse(text)
    if parsed is None:
        return None
    now = now or datetime.now(UTC)
    has_time = bool(HAS_TIME.search(text))
    aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if not EARLIEST <= aware <= now + FUTURE_SLACK:
        return None
    if not has_time:
        return parsed.date().isoformat()
    return aware.replace(microsecond=0).isoformat()


def text_date(tree: html.HtmlElement, url: str) -> str | None:
    """The date htmldate reads from the page once its chrome is gone.

    Headers, navigation bars, sidebars and footers carry date widgets showing the day of
    the visit ("Tuesday, 28 November 2023"), which a search of the whole page takes for
    the publication date.
    """
    page = copy.deepcopy(tree)
    chrome = page.xpath("//header | //nav | //footer | //aside") + [
        element
        for element in page.xpath("//*[@class or @id]")
        if CHROME.search(f"{element.get('class', '')} {element.get('id', '')}")
    ]
    for element in chrome:
        if element.getparent() is not None and not element.xpath(".//h1 | .//article | .//main"):
            element.drop_tree()
    try:
        found = find_date(page, url=url, original_date=True, outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        return None
    return str(found) if found else None


def url_date(url: str) -> str | None:
    """The day a URL's path names (/2013/12/10/, /2013-12-10-, /20131210/), if any."""
    found = URL_DATE.search(urlsplit(url).path)
    if not found:
        return None
    year, month, day = (int(found[name]) for name in ("year", "month", "day"))
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def day_of(value: str | None) -> str | None:
    """The calendar day of a normalised date (`YYYY-MM-DD`)."""
    return value[:10] if value else None


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dateutil_parser.parse(text, fuzzy=False)
    except (ValueError, OverflowError):
        return None
