"""Dates as one format: ISO 8601 with a UTC offset, or a bare day when that is all there is.

Pages write dates in every format (ISO, RFC 822 from feeds, "9 December 2013"); records
carry one. A time without a zone is taken as UTC; a day without a time stays a day
(`YYYY-MM-DD`) rather than gaining an invented midnight. Dates in the future or before
the web had news sites are not publication dates and are refused.

A date read from the page text is looked for after the headline, where bylines print it:
above it and beside it sit the date widgets that show the day of the visit. "04/09/2025"
is read in the order the page itself uses: a day over 12 in another numeric date of the
page says which number is the day; failing that, a 12-hour clock ("03:15 PM") says
month first, as in the United States; failing that, day first, as most of the world.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from dateutil import parser as dateutil_parser
from htmldate import find_date
from htmldate.extractors import try_date_expr  # htmldate's reader of one date expression
from lxml import html

from pipelines.normalise import fold

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
# A folder per year, then one per day: /2025/0409/.
URL_YEAR_MMDD = re.compile(
    r"(?<![\d])(?P<year>(?:19|20)\d{2})/(?P<month>0[1-9]|1[0-2])(?P<day>0[1-9]|[12]\d|3[01])/"
)
# Numeric dates as pages print them: 04/09/2025, 4.9.25, 04-09-2025.
NUMERIC_DATE = re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2((?:19|20)?\d{2})(?![\d])")
TWELVE_HOUR = re.compile(r"\b\d{1,2}:\d{2}\s*[AaPp]\.?[Mm]\b\.?")
# Byline lines: short, before the story's first paragraph; an update is not the publication.
BYLINE_LINE = 120
BYLINE_CHARS = 400
UPDATED = re.compile(
    r"\b(?:updated?|modified|aktualisiert|mis à jour|actualizado|aggiornato|bijgewerkt)\b",
    re.IGNORECASE,
)
VISIT_SLACK = timedelta(days=1)
# Month names in the news web's languages (English, German, French, Spanish, Italian,
# Portuguese, Dutch), with the usual abbreviations: for lines that are only a date.
_MONTHS = (
    "january february march april may june july august september october november december"
    " jan feb mar apr jun jul aug sep sept oct nov dec"
    " januar jänner februar märz mai juni juli oktober dezember mär okt dez"
    " janvier février mars avril juin juillet août septembre octobre novembre décembre"
    " janv févr avr juil déc"
    " enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    " gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre"
    " janeiro fevereiro março maio junho julho setembro outubro novembro dezembro"
    " januari februari maart mei augustus"
)
MONTH = r"\b(?:" + "|".join(sorted(set(_MONTHS.split()), key=len, reverse=True)) + r")\b\.?"
# A date widget: "Tuesday, 28 November 2023", "Dienstag, 28. November 2023".
WIDGET_CHARS = 45
WEEKDAY = re.compile(
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day|\b(?:montag|dienstag|mittwoch|donnerstag"
    r"|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes"
    r"|martes|miércoles|jueves|viernes|sábado|domingo|lunedì|martedì|mercoledì|giovedì"
    r"|venerdì|sabato|domenica|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"
    r"|segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira)\b",
    re.IGNORECASE,
)  # a widget shows the visit day in the site's own zone
HEADLINE_CHARS = 3  # a headline element's text is the title, give or take this much
UNSEEN = ("script", "style", "noscript", "template", "title", "head")
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
EARLIEST_NAIVE = EARLIEST.replace(tzinfo=None)
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


def text_date(
    tree: html.HtmlElement, url: str, title: str | None = None, fetched: datetime | None = None
) -> str | None:
    """The date the page text shows for the story: in its byline, else where htmldate
    finds one once the page's chrome is gone.

    Headers, navigation bars, sidebars and footers carry date widgets showing the day of
    the visit ("Tuesday, 28 November 2023"), which a search of the whole page takes for
    the publication date; so do cells and lines above the headline on pages that mark
    none of these. So the lines right after the headline are read first, then the page
    after the headline. When the headline cannot be found, the whole page is searched,
    and the day of the visit refused: nothing tells a widget from a byline there.
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
    order = numeric_order(" ".join(tree.xpath("//body//text()")))
    headline = find_headline(page, title) if title else None
    if headline is not None:
        _drop_before(headline)
        found = byline_date(page, order)
        if found:
            return found
    found = _htmldate(page, url)
    if found is None:
        return None
    found = reorder(found, " ".join(page.xpath("//body//text()")), order)
    widget = any(_widget_shows(segment, found) for segment in _segments(page))
    if headline is None and fetched is not None and _near(found, fetched) and widget:
        return None
    return found


def byline_date(page: html.HtmlElement, order: str | None) -> str | None:
    """The first date in the short lines that open the page (a byline, a dateline), up to
    the first paragraph; a line saying it was updated is passed over."""
    read = 0
    for segment in _segments(page):
        if len(segment) > BYLINE_LINE or read > BYLINE_CHARS:
            return None
        read += len(segment)
        if UPDATED.search(segment):
            continue
        numeric = NUMERIC_DATE.search(segment)
        if numeric:
            found = _numeric(numeric, order)
        else:
            found = try_date_expr(segment, "%Y-%m-%d", True, EARLIEST_NAIVE, datetime.now())
        if found:
            return found
    return None


def _segments(page: html.HtmlElement) -> Iterator[str]:
    """The body's text nodes in reading order, white space tidied, empty ones skipped."""
    for text in page.xpath("//body//text()"):
        parent = text.getparent()
        if parent is not None and parent.tag in UNSEEN and not text.is_tail:
            continue
        tidy = " ".join(str(text).split())
        if tidy:
            yield tidy


def _numeric(found: re.Match[str], order: str | None) -> str | None:
    """A numeric date in the page's order (day first unless it says otherwise)."""
    first, second, year = int(found[1]), int(found[3]), int(found[4])
    year += 2000 if year < 100 else 0
    day, month = (second, first) if order == "mdy" else (first, second)
    if month > 12 and day <= 12:
        day, month = month, day  # the order cannot be the other: 13 is no month
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _htmldate(page: html.HtmlElement, url: str) -> str | None:
    try:
        found = find_date(page, url=url, original_date=True, outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        return None
    return str(found) if found else None


def find_headline(tree: html.HtmlElement, title: str) -> html.HtmlElement | None:
    """The element that shows the headline: an <h1> first, else the first element of the
    body whose whole text is the title (outside links: a teaser is not the headline)."""
    key = fold(title)
    if not key:
        return None
    for candidates in (tree.iter("h1"), _body_elements(tree)):
        for element in candidates:
            text = fold(element.text_content())
            if (
                key in text
                and len(text) <= len(key) + HEADLINE_CHARS
                and element.tag != "a"
                and next(element.iterancestors("a"), None) is None
            ):
                return element
    return None


def _body_elements(tree: html.HtmlElement) -> Iterator[html.HtmlElement]:
    body = tree.find(".//body")
    for element in (body if body is not None else tree).iter():
        if isinstance(element.tag, str) and element.tag not in UNSEEN:
            yield element


def _drop_before(headline: html.HtmlElement) -> None:
    """Remove the headline and everything the body shows before it, keeping its tail."""
    node = headline
    while node.getparent() is not None and node.tag != "body":
        parent = node.getparent()
        for sibling in list(node.itersiblings(preceding=True)):
            parent.remove(sibling)  # with its tail: text before the headline too
        parent.text = None
        node = parent
    headline.drop_tree()


def numeric_order(text: str) -> str | None:
    """ "dmy" or "mdy": how the page orders numeric dates, when it shows.

    A day over 12 in one of its numeric dates settles it (two such dates that disagree
    settle nothing); else a 12-hour clock beside them says month first; else None.
    """
    orders = set()
    for first, _, second, _ in NUMERIC_DATE.findall(text):
        a, b = int(first), int(second)
        if 12 < a <= 31 and 1 <= b <= 12:
            orders.add("dmy")
        elif 12 < b <= 31 and 1 <= a <= 12:
            orders.add("mdy")
    if len(orders) == 1:
        return orders.pop()
    if not orders and NUMERIC_DATE.search(text) and TWELVE_HOUR.search(text):
        return "mdy"
    return None


def reorder(found: str, text: str, order: str | None) -> str:
    """`found` (YYYY-MM-DD) with day and month swapped when the page wrote it month first
    and htmldate read it day first."""
    year, month, day = (int(part) for part in found.split("-"))
    if order != "mdy" or day > 12 or day == month:
        return found
    for first, _, second, year_text in NUMERIC_DATE.findall(text):
        written = int(year_text) + (2000 if len(year_text) == 2 else 0)
        if (int(first), int(second), written) == (day, month, year):
            return date(year, day, month).isoformat()
    return found


def _widget_shows(segment: str, day: str) -> bool:
    """Whether a line is a date widget showing `day`: a weekday and a date, nothing else."""
    if len(segment) > WIDGET_CHARS or not WEEKDAY.search(segment):
        return False
    return try_date_expr(segment, "%Y-%m-%d", True, EARLIEST_NAIVE, datetime.now()) == day


def _near(day: str, fetched: datetime) -> bool:
    """Whether `day` (YYYY-MM-DD) is the day of the visit, give or take a time zone."""
    try:
        shown = date.fromisoformat(day[:10])
    except ValueError:
        return False
    return abs(shown - fetched.astimezone(UTC).date()) <= VISIT_SLACK


def url_date(url: str) -> str | None:
    """The day a URL's path names (/2013/12/10/, /2013-12-10-, /20131210/, /2013/1210/)."""
    path = urlsplit(url).path
    found = URL_DATE.search(path) or URL_YEAR_MMDD.search(path)
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
