"""Lines of page furniture around the story, recognised by what they say.

Extractors keep some of what a page prints above and below a story: breadcrumbs (some
ending in the headline itself), kickers, the headline again, a byline ("Posted by Jane
Doe on 12 March 2024", "Von Max Muster | 12.03.2024"), a line that is only a date or a
timestamp ("Stand: 22.04.2024, 06:00 Uhr", "Monday, 12 May 2025"). These lines say what
they are, on the first page of a site as on the hundredth; the site's learned template
(`templates`) removes what only repetition shows.
"""

from __future__ import annotations

import re

from crawler.normalise import fold
from pipelines.extraction.credits import parse_credit_line
from pipelines.extraction.dates import MONTH, WEEKDAY

# "Home / Africa / Southern Africa": short items joined by path separators.
CRUMB_SEPARATOR = re.compile(r"\s+(?:[/>»|›]|::)\s+")
CRUMB_END = re.compile(r"(?:^|\s)(?:[/>»|›]|::)$")
CRUMB_WORDS = 3  # a breadcrumb's items are a word or a few ("Southern Africa")
CRUMB_CHARS = 80  # its last item may be longer: a story's title
CRUMBS = range(2, 7)  # items in a trail
SENTENCE_END = re.compile(r"[.!?]\s")
LEAD_LINES = 4  # how far down the headline may be repeated
HEADLINE_WORDS = 30  # longer lines are prose, whatever words they share with the title
HEADLINE_OVERLAP = 0.8  # word overlap with the title that makes a line the headline again
# A timestamp line: short, with a date or time, and hardly any other words.
DATE_PART = re.compile(
    r"\d{1,4}\s*[./年-]\s*\d{1,2}|\d{1,2}:\d{2}|\d{1,2}\s*[月日時시분]"
    rf"|\d{{1,2}}\.?\s+(?:de\s+)?{MONTH}|{MONTH}\s+\d{{1,2}}\b",
    re.IGNORECASE,
)
LONG_WORD = re.compile(r"[^\W\d_]{3,}")
TIMESTAMP_CHARS = 90
TIMESTAMP_WORDS = 3  # words besides month and weekday names
_WORDS = re.compile(r"\w+")
# A line of separators alone ("|", "·", "»"): what joins widgets in a template, never text.
# (Not asterisks or dashes, which mark a break in a story.)
SEPARATORS_ONLY = re.compile(r"^[\s|·•/\\<>»«›‹:;,]+$")
# The notices a site prints under every story: rights, links to its own pages. ("Powered
# by" alone is not one: a story's last sentence may say it.)
SITE_NOTICE = re.compile(
    r"\b(?:all rights reserved|alle rechte vorbehalten|tous droits réservés"
    r"|todos los derechos reservados|tutti i diritti riservati|all material on this site"
    r"|webmaster|site ?map|privacy policy|terms of (?:use|service)|cookie (?:policy|settings)"
    r"|datenschutzerklärung|advertise with us"
    # subscriptions, newsletters, paywalls and share widgets
    r"|subscribe (?:now|today|to (?:our|the))|sign up (?:for|to) (?:our|the)|newsletter"
    r"|jetzt abonnieren|abonnez-vous|suscríbete|to (?:view|read) the full (?:story|article)"
    r"|pour lire la suite|weiterlesen mit|share this(?: article| story)?:?$|teilen mit:"
    r"|teilen sie dies|follow us on|folgen sie uns)(?!\w)",
    re.IGNORECASE,
)
NOTICE_CHARS = 160
# A paywall's line: the text is cut here, and what follows belongs to its box.
PAYWALL = re.compile(
    r"\b(?:to (?:view|read|continue reading) the (?:full|rest of the) (?:story|article)"
    r"|for the full (?:story|article)|pour lire la suite|weiterlesen mit|jetzt weiterlesen)\b",
    re.IGNORECASE,
)
TAIL_LINES = 3  # how far up from the end a site's notices reach
KICKER_WORDS = 8  # lines above a repeated headline are kickers when this short
# A byline: a publishing verb or "by" in the news web's languages, then who (and when).
BYLINE = re.compile(
    r"^(?:(?:posted|published|written|updated|veröffentlicht|aktualisiert|publié|mis à jour"
    r"|publicado|actualizado|pubblicato|gepubliceerd|geplaatst)\b"
    r"|(?:by|von|par|por|door|av|di)\s+(?=[^\W\d_]))",
    re.IGNORECASE,
)
BYLINE_CHARS = 120
META_SEPARATOR = re.compile(r"\s+[|·•]\s+")
META_CHARS = 160
META_WORDS = 4  # "categories: Python, Mercurial", "View Comments", "4 min read"
NAME_WORDS = 8  # "By Jane Doe and John Smith, Reuters": a byline of names only
# Words of a byline that are not capitalised: conjunctions, separators, name particles.
CONNECTOR = re.compile(
    r"^(?:and|und|et|y|e|en|og|och|&|,|-|–|—|\||de|da|di|du|van|von|der|den|ter|la|le|bin|al)$",
    re.IGNORECASE,
)


def strip_lead_furniture(
    paragraphs: list[str], title: str | None, site_name: str | None = None
) -> list[str]:
    """Drop what extractors keep around the body: breadcrumbs, kickers, the site's name,
    the headline again (alone, or ending a breadcrumb), bylines, lines that are only a
    date or timestamp, the site's notices at the end; and lines of separators, wherever
    they are."""
    paragraphs = [p for p in paragraphs if not SEPARATORS_ONLY.match(p)]
    name = fold(site_name or "")
    while name and paragraphs and fold(paragraphs[0]) == name:
        paragraphs = paragraphs[1:]  # the site's name over the story, as on a masthead
    head = paragraphs[:LEAD_LINES]
    repeated = [i for i, line in enumerate(head) if title and _same_headline(line, title)]
    if repeated and all(len(p.split()) <= KICKER_WORDS for p in head[: repeated[0]]):
        paragraphs = paragraphs[repeated[0] + 1 :]
    while paragraphs and is_breadcrumb(paragraphs[0]):
        paragraphs = paragraphs[1:]
    paragraphs = paragraphs[: _notices_start(paragraphs)]
    lead = set(range(min(LEAD_LINES, len(paragraphs))))
    edges = lead | set(range(len(paragraphs) - 2, len(paragraphs)))
    return [
        p
        for i, p in enumerate(paragraphs)
        if not (i in edges and is_timestamp(p)) and not (i in lead and is_byline_or_meta(p))
    ]


def _notices_start(paragraphs: list[str]) -> int:
    """Where the site's notices under the story start: a paywall's line among the last
    TAIL_LINES lines ("To view the full story, subscribe ..."), with the short lines of its
    box after it, none a credit; else each notice line from the end up. The first line
    always stays."""
    end = len(paragraphs)
    for index in range(max(1, end - TAIL_LINES), end):
        rest = paragraphs[index:]
        if PAYWALL.search(rest[0]) and all(
            len(line) <= NOTICE_CHARS and parse_credit_line(line) is None for line in rest
        ):
            return index
    while end > max(1, len(paragraphs) - TAIL_LINES) and is_site_notice(paragraphs[end - 1]):
        end -= 1
    return end


def is_site_notice(line: str) -> bool:
    """A short line of the site's own notices ("Powered by ...", "All rights reserved",
    "Site map | RSS | Advertise with us"), as footers print under every page."""
    return (
        len(line) <= NOTICE_CHARS
        and bool(SITE_NOTICE.search(line))
        and parse_credit_line(line) is None  # "© 2024 Reuters. All rights reserved."
    )


def _same_headline(line: str, title: str) -> bool:
    """The line is the headline, a variant of it (the h1 beside an SEO title), or a
    breadcrumb that ends in it ("Home / Politics / Headline")."""
    if fold(line) == fold(title):
        return True
    words, title_words = set(_WORDS.findall(line.casefold())), set(_WORDS.findall(title.casefold()))
    if not words or len(line.split()) > HEADLINE_WORDS:
        return False
    if len(words & title_words) / len(words | title_words) >= HEADLINE_OVERLAP:
        return True
    return _crumbs_to(line, title)


def _crumbs_to(line: str, title: str) -> bool:
    """Whether `line` is a breadcrumb trail (short items between separators) ending in
    the headline."""
    at = line.casefold().rfind(title.casefold())
    if at <= 0 or fold(line[at + len(title) :]):
        return False
    trail = line[:at].rstrip()
    if not CRUMB_END.search(trail):
        return False  # the trail must end in a separator, right before the headline
    items = [item for item in CRUMB_SEPARATOR.split(trail + " ") if item.strip()]
    return bool(items) and all(_crumb(item) for item in items)


def is_breadcrumb(line: str) -> bool:
    """A trail of a few short items ("Home / Africa / Southern Africa", "Start › Politik ›
    Ein längerer Titel")."""
    items = CRUMB_SEPARATOR.split(line)
    if len(items) not in CRUMBS or len(items[-1]) > CRUMB_CHARS:
        return False
    return all(_crumb(item) for item in items[:-1])


def _crumb(item: str) -> bool:
    return 0 < len(item.split()) <= CRUMB_WORDS and not SENTENCE_END.search(item)


def is_timestamp(line: str) -> bool:
    """A line that is only a date or a time, with a word or two ("Stand:", "Updated")."""
    if len(line) > TIMESTAMP_CHARS or not DATE_PART.search(line):
        return False
    words = [w for w in LONG_WORD.findall(line) if not _calendar_word(w)]
    return len(words) <= TIMESTAMP_WORDS


def is_byline(line: str) -> bool:
    """A byline: "By Jane Doe", "Posted by Jane Doe on 12 March 2024", "Von Max Muster
    | 12.03.2024", "Par Anne Roux, publié le 3 mars 2025"; with a date, or names only
    (so that "By Tuesday, officials hope..." stays)."""
    if len(line) > BYLINE_CHARS or not BYLINE.match(line):
        return False
    if DATE_PART.search(line):
        return True
    names = BYLINE.sub("", line, count=1).replace(",", " , ").split()
    return 0 < len(names) <= NAME_WORDS and all(
        CONNECTOR.match(word) or word[:1].isupper() for word in names
    )


def is_byline_or_meta(line: str) -> bool:
    """A byline, or a line of a post's particulars around a date or byline ("January 13,
    2020 at 08:45 AM | categories: Python | View Comments", "By Ann Lee · 4 min read")."""
    if is_byline(line):
        return True
    parts = META_SEPARATOR.split(line)
    if len(parts) < 2 or len(line) > META_CHARS:
        return False
    dated = [is_timestamp(part) or is_byline(part) for part in parts]
    return any(dated) and all(
        ok or len(part.split()) <= META_WORDS for ok, part in zip(dated, parts, strict=True)
    )


def _calendar_word(word: str) -> bool:
    return bool(re.fullmatch(MONTH, word, re.IGNORECASE) or WEEKDAY.fullmatch(word))
