"""Syndication credit lines: taken out of the text and kept as data.

"Article by Walid Ramzi, allAfrica.", "This article was originally published here.",
"(AP) -" and "Source: Reuters" are facts about where a story came from, not part of the
story; left in the text they also make copies of one story look different.
Only the first and last paragraphs are examined: a credit elsewhere is prose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from crawler.items import Credit

HEAD_PARAGRAPHS = 2
TAIL_PARAGRAPHS = 4
# A publisher or person: up to six words, so that a sentence is never taken for a name.
# Dots only inside a word ("A.P."), so that a closing full stop ends the name.
_CHAR = r"(?:[\w&'’-]|\.(?=\w))"
_NAME = rf"[^\W\d_]{_CHAR}*(?:\s+{_CHAR}+){{0,5}}?"

# Whole-paragraph credit lines, each with optional named groups author and publisher.
LINE_PATTERNS = [
    re.compile(
        rf"^(?:article|story|report|written|words)\s+by\s+(?P<author>{_NAME}),\s*"
        rf"(?P<publisher>{_NAME})\.?$",
        re.I,
    ),
    re.compile(
        r"^(?:this|the)\s+(?:article|story|report|piece|post)\s+(?:(?:was|is|has been)\s+)?"
        r"(?:originally\s+|first\s+)?(?:published|posted|appeared|written)"
        rf"(?:\s+(?:here|on|in|at|by)\b)?\s*(?P<publisher>{_NAME})?\.?$",
        re.I,
    ),
    re.compile(
        rf"^(?:source|courtesy|via|credit|distributed by|syndicated by)\s*[:\-–—]?\s*"
        rf"(?P<publisher>{_NAME})\.?$",
        re.I,
    ),
    re.compile(
        r"^(?:read|see)\s+(?:the\s+)?(?:full|original|complete)\s+(?:story|article|report)"
        rf"(?:\s+(?:on|at|in)\s+(?P<publisher>{_NAME}))?\.?$",
        re.I,
    ),
    # A wire's reporting line: "(Reporting by Anna Keller; Editing by Sam Hughes)".
    re.compile(
        rf"^\((?:additional\s+)?(?:reporting|writing|text)\s+by\s+(?P<author>{_NAME})"
        r"(?:\s*(?:[,;]|\band\b)[^()]*)?\)\.?$",
        re.I,
    ),
    re.compile(
        rf"^(?:copyright\s*)?(?:©|\(c\)|copyright)\s*(?:\d{{4}}\s*)?(?P<publisher>{_NAME})"
        r"(?:\.\s*all rights reserved)?\.?$",
        re.I,
    ),
]
# A wire dateline opening the story: a place in capitals, maybe a state or the day after a
# comma, the agency in brackets, a dash: "ALGIERS (allAfrica) - ", "(AP) —", "LAGOS,
# March 3 (Reuters) - ", "LA CROSSE, Wis. (AP) — ", "BERLIN, 3. März (dpa) – ". It says
# where the story came from, like a credit line, and is kept as one (the place with it):
# left in, it makes the agency's copies differ from each other by their first words.
DATELINE = re.compile(
    r"^(?:(?P<place>[^\W\d_][^\W\d_ .,'’-]*(?:[ .'’-]+[^\W\d_][^\W\d_ .,'’-]*){0,3}\.?)"
    r"(?:,\s*(?P<when>[^()\n,]{1,25}?))?\s*)?"
    r"\((?P<publisher>[^\W\d_][\w.&' -]{1,30})\)\s*[-–—]+\s*"
)


def split_credits(
    paragraphs: list[str], links: Mapping[str, str] | None = None
) -> tuple[list[str], list[Credit]]:
    """Remove credit lines from the head and tail of an article; return what was kept."""
    links = links or {}
    credits: list[Credit] = []
    kept = list(paragraphs)
    for index, paragraph in enumerate(kept[:HEAD_PARAGRAPHS]):  # a standfirst may come first
        dateline = DATELINE.match(paragraph)
        if dateline and (not dateline["place"] or dateline["place"].isupper()):
            credits.append(Credit(raw=dateline.group(0).strip(), publisher=dateline["publisher"]))
            kept[index] = paragraph[dateline.end() :]
            break
    tail_start = max(len(kept) - TAIL_PARAGRAPHS, 0)
    positions = [*range(min(HEAD_PARAGRAPHS, len(kept))), *range(tail_start, len(kept))]
    removed: set[int] = set()
    for index in sorted(set(positions)):
        credit = parse_credit_line(kept[index], links.get(kept[index]))
        if credit is not None:
            credits.append(credit)
            removed.add(index)
    return [p for i, p in enumerate(kept) if i not in removed and p.strip()], credits


def parse_credit_line(line: str, link: str | None = None) -> Credit | None:
    """A `Credit` when the whole line is a credit, else None."""
    text = " ".join(line.split())
    if len(text) > 160:
        return None
    for pattern in LINE_PATTERNS:
        found = pattern.match(text)
        if found:
            groups = found.groupdict()
            publisher = _clean(groups.get("publisher"))
            if publisher and publisher.lower() in {"here", "this site", "our site"}:
                publisher = None
            return Credit(
                raw=text,
                publisher=publisher,
                author=_clean(groups.get("author")),
                original_url=link,
            )
    return None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip(" .,:;-–—")
    return value or None
