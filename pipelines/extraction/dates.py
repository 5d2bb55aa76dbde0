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
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cached_property
from typing import cast
from urllib.parse import urlsplit

from dateutil import parser as dateutil_parser
from htmldate import find_date
from htmldate.extractors import try_date_expr  # htmldate's reader of one date expression
from lxml import etree, html

from crawler.normalise import fold
from pipelines.extraction.titles import SEPARATORS
from pipelines.extraction.visible import visible_text

HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
DIGIT = re.compile(r"\d")
NUMBER_GLUE = "0123456789./-"
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
# (No look-behind: a pattern that starts with a digit is scanned fast through a page's
# text; what precedes a match is checked in `_numeric_dates`.)
NUMERIC_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2((?:19|20)?\d{2})(?!\d)")
TWELVE_HOUR = re.compile(r"\d:\d{2}\s*[AaPp]\.?[Mm]\b")
# Byline lines: short, before the story's first paragraph; an update is not the publication.
BYLINE_LINE = 120
BYLINE_CHARS = 400
SENTENCE_WORDS = 6
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
HEADLINE_DEPTH = 5  # inline markup around a headline's words: <td><font><b><a>...
WORD = re.compile(r"\w+")
HOLDING = etree.XPath("//body//text()[contains(., $probe)]")
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
    order = PageOrder(tree)
    headline = find_headline(tree, title) if title else None
    if headline is not None:
        found = byline_date(_after(headline), order)
        if found:
            return found
    page = copy.deepcopy(tree)
    chrome = page.xpath("//header | //nav | //footer | //aside") + [
        element
        for element in page.xpath("//*[@class or @id]")
        if CHROME.search(f"{element.get('class', '')} {element.get('id', '')}")
    ]
    for element in chrome:
        if element.getparent() is not None and not element.xpath(".//h1 | .//article | .//main"):
            element.drop_tree()
    shown = find_headline(page, title) if headline is not None and title else None
    if shown is not None:
        _drop_before(shown)
    found = _htmldate(page, url)
    if found is None:
        return None
    found = reorder(found, page, order)
    if headline is None and fetched is not None and _visit_widget(page, found, fetched):
        return None
    return found


class PageOrder:
    """The page's order of numeric dates (`numeric_order`), read only when one is met."""

    def __init__(self, tree: html.HtmlElement):
        self.tree = tree

    @cached_property
    def order(self) -> str | None:
        return numeric_order(visible_text(self.tree))


def byline_date(texts: Iterable[str | None], order: PageOrder) -> str | None:
    """The first date in the short lines after the headline (a byline, a dateline), up to
    the first paragraph; a line saying it was updated is passed over."""
    read = 0
    for segment in _tidied(texts):
        if len(segment) > BYLINE_LINE or read > BYLINE_CHARS or _sentence(segment):
            return None  # the story has begun: a date in it is not the byline's
        read += len(segment)
        if UPDATED.search(segment):
            continue
        numeric = next(_numeric_dates(segment), None)
        if numeric:
            found = _numeric(numeric, order.order)
        elif DIGIT.search(segment):
            found = try_date_expr(segment, "%Y-%m-%d", False, EARLIEST_NAIVE, datetime.now())
        else:
            continue
        if found:
            return found
    return None


def _sentence(line: str) -> bool:
    """A line of prose: several words ending with a full stop (a byline ends otherwise)."""
    return line.endswith((".", "!", "?")) and len(line.split()) > SENTENCE_WORDS


def _segments(page: html.HtmlElement) -> Iterator[str]:
    """The body's text runs in reading order, white space tidied, empty ones skipped."""
    body = page.find(".//body")
    return _tidied(_runs(body if body is not None else page))


def _after(headline: html.HtmlElement) -> Iterator[str | None]:
    """The text runs that follow `headline` in reading order, to the end of the body;
    lazily, since a byline is read from the first few."""
    node: html.HtmlElement | None = headline
    while node is not None and node.tag not in ("body", "html"):
        yield node.tail
        for sibling in node.itersiblings():
            if isinstance(sibling.tag, str):
                yield from _runs(sibling)
            yield sibling.tail
        node = node.getparent()


def _runs(element: html.HtmlElement) -> Iterator[str | None]:
    """The text runs inside `element` in reading order (its tail is not inside it)."""
    if element.tag not in UNSEEN:
        yield element.text
    for child in element:
        if isinstance(child.tag, str):
            yield from _runs(child)
        yield child.tail


def _tidied(texts: Iterable[str | None]) -> Iterator[str]:
    for text in texts:
        tidy = " ".join((text or "").split())
        if tidy:
            yield tidy


def title_date(tree: html.HtmlElement) -> str | None:
    """A day the page's title (<title>, og:title) states as a part of its own, after a
    separator ("Headline | Europe | 28.04.2023"): its date of publication, as the site's
    template prints it on every story."""
    titles = [element.text_content() for element in tree.iter("title")]
    titles += tree.xpath("//meta[@property='og:title']/@content")
    for title in titles:
        for part in SEPARATORS.split(str(title))[1:]:
            found = NUMERIC_DATE.fullmatch(part.strip())
            if found:
                return _numeric(found, PageOrder(tree).order)
    return None


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
    for heading in tree.iter("h1"):
        if _shows(heading, key):
            return heading
    words = sorted(WORD.findall(title), key=len)
    if not words:
        return None
    probe = words[-1]  # its longest word: only text holding it is looked at, by libxml2
    for text in HOLDING(tree, probe=probe):
        holder = text.getparent()
        if holder is not None and text.is_tail:
            holder = holder.getparent()
        if holder is not None and holder.tag not in UNSEEN:
            found = _outermost_showing(holder, key)
            if found is not None:
                return found
    return None


def _outermost_showing(element: html.HtmlElement, key: str) -> html.HtmlElement | None:
    """The highest of `element` and its few nearest ancestors whose text is the headline."""
    found = None
    for candidate in [element, *element.iterancestors()][:HEADLINE_DEPTH]:
        if candidate.tag in ("body", "html"):
            break
        if _shows(candidate, key):
            found = candidate
        elif found is not None:
            break
    return found


def _shows(element: html.HtmlElement, key: str) -> bool:
    text = fold(element.text_content())
    return (
        key in text
        and len(text) <= len(key) + HEADLINE_CHARS
        and element.tag != "a"
        and next(element.iterancestors("a"), None) is None
    )


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
    dates = list(_numeric_dates(text))
    for found in dates:
        a, b = int(found[1]), int(found[3])
        if 12 < a <= 31 and 1 <= b <= 12:
            orders.add("dmy")
        elif 12 < b <= 31 and 1 <= a <= 12:
            orders.add("mdy")
    if len(orders) == 1:
        return orders.pop()
    if not orders and dates and TWELVE_HOUR.search(text):
        return "mdy"
    return None


def _numeric_dates(text: str) -> Iterator[re.Match[str]]:
    """The numeric dates in `text`, not inside a longer run of digits and separators."""
    for found in NUMERIC_DATE.finditer(text):
        if not found.start() or text[found.start() - 1] not in NUMBER_GLUE:
            yield found


def reorder(found: str, page: html.HtmlElement, order: PageOrder) -> str:
    """`found` (YYYY-MM-DD) with day and month swapped when the page wrote it month first
    and htmldate read it day first."""
    year, month, day = (int(part) for part in found.split("-"))
    if day > 12 or day == month or order.order != "mdy":
        return found
    for shown in _numeric_dates(visible_text(page)):
        written = int(shown[4]) + (2000 if len(shown[4]) == 2 else 0)
        if (int(shown[1]), int(shown[3]), written) == (day, month, year):
            return date(year, day, month).isoformat()
    return found


def _visit_widget(page: html.HtmlElement, day: str, fetched: datetime) -> bool:
    """Whether `day` is the day of the visit and a date widget on the page shows it."""
    return _near(day, fetched) and any(_widget_shows(line, day) for line in _segments(page))


def _widget_shows(segment: str, day: str) -> bool:
    """Whether a line is a date widget showing `day`: a weekday and a date, nothing else."""
    if len(segment) > WIDGET_CHARS or not WEEKDAY.search(segment):
        return False
    return try_date_expr(segment, "%Y-%m-%d", False, EARLIEST_NAIVE, datetime.now()) == day


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
        return cast(datetime, dateutil_parser.parse(text, fuzzy=False))  # untyped library
    except (ValueError, OverflowError):
        return None
