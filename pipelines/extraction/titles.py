"""The article's title as the publisher titles it: no site name, no separators around it.

The first of JSON-LD headline, og:title (or twitter:title, <title>), feed title and
trafilatura's title is the title; the page's other titles are evidence about it. A page
repeats its headline everywhere but adds kickers, sections and its own name only in some
places, so where another title is this one without a kicker or a suffix ("Kicker:
Headline" and "Headline", "Headline | Sport" and "Headline"), the shorter one is the
headline. What no other title explains is removed only when the page itself says it is
furniture: its site's names and host, its declared sections, a date; never by cutting at
the first separator.
"""

from __future__ import annotations

import html as entities
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from lxml import html

from crawler.normalise import fold, tidy
from crawler.site_identity import host_brand, host_names
from pipelines.extraction.metadata import (
    MetaTags,
    PageMetadata,
    declared_site_names,
    jsonld_objects,
    meta_tags,
)

# Separators between a headline and a site name, section or kicker. Spaced dashes, colons,
# chevrons and ">>" only (a bare hyphen joins words); bars and their look-alikes (full-width bar,
# box-drawing bar, the Hangul letter used as a bar) with or without spaces.
SEPARATORS = re.compile(r"\s+(?:[|\-–—:·•»›/*~]|::|>>)\s+|\s*[|｜│ㅣ：]\s*")
# Looser boundaries for agreement between candidates, where a piece only counts when another
# candidate says the same: also a kicker's colon ("Kicker: Headline") and unspaced dashes
# ("Headline-Section", "Ex-Minister ..." against "Minister ...").
BOUNDARIES = re.compile(SEPARATORS.pattern + r"|(?<=\S):\s+|(?<=\S)[\-–—]+(?=\S)")
# Invisible characters that some CMSs put into headlines (hyphenation hints, joiners).
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A name and a colon before the headline ("Highland Voice: ..."): cut only when the name
# is the site's, since a kicker is written the same way ("Brexit: ...").
LEADING_NAME = re.compile(r"^([^:]{2,60}?)\s*[:：]\s+(?=\S)")
UNSPACED_SUFFIX = re.compile(r"(?<=\S)[\-–—]([^\s\-–—]+)$")
DATE_PART = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\.?")
TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe"})
# An agreed piece must carry most of the title, so a kicker or site name that another
# candidate happens to equal never passes for the headline.
MIN_SHARE = 0.5
# Meta tags that state the title for others (og:title may not be the one metadata chose).
TITLE_META = ("og:title", "twitter:title", "title", "headline")
MAX_HEADING = 300  # characters; longer "headings" are whole teasers or misused markup
MAX_SITE_WORDS = 4  # "Mirror Online", "NTV Spor&Skor": a brand plus a word or two
MAX_TRAILING = 3  # parts after a site name inside a title: section, subsection, date, byline
MAX_CRUMB_WORDS = 3  # longer breadcrumb items are headlines, not sections
MAX_SECTION_EXTRA = 6  # letters after a section's name: "World News", not a sentence
MIN_BRAND = 3  # shortest name that may start or end a longer part ("ntv" in "NTV Haber")
MIN_BRAND_INSIDE = 5  # shortest name that may sit inside one ("vnexpress" in "Báo VnExpress …")


def choose_title(
    tree: html.HtmlElement,
    declared: PageMetadata,
    hint: str | None,
    extracted: str | None,
    site_name: str | None,
    site: str,
) -> str | None:
    """The page's title cut to what its other titles agree on, without the site's furniture."""
    ordered = [clean(c) for c in (declared.headline, declared.title, hint, extracted) if c]
    title = next((c for c in ordered if c), None)
    if title is None:
        return None
    meta = meta_tags(tree)
    furniture: Furniture | None = None
    if BOUNDARIES.search(title):
        # What the publisher states; trafilatura's title is itself cut by heuristics.
        stated = [clean(c) for c in (declared.headline, declared.title, hint) if c]
        evidence = [*stated, *(clean(meta.get(key) or "") for key in TITLE_META), _title_tag(tree)]
        agreed = agreed_title(title, evidence, headings(tree))
        furniture = Furniture.of(site_names(meta, site_name), site, sections(tree, meta))
        title = title if furniture.is_site(agreed, loose=True) else agreed
    named = LEADING_NAME.match(title)
    if named or SEPARATORS.search(title):
        furniture = furniture or Furniture.of(
            site_names(meta, site_name), site, sections(tree, meta)
        )
    if named and furniture and furniture.is_site(named[1], loose=False):
        title = title[named.end() :]  # "Voice: Headline", where a kicker's colon would be
    if not SEPARATORS.search(title) or furniture is None:
        return title
    return strip_site_name(title, None, site, furniture=furniture)


def clean(text: str) -> str:
    """Text as shown: entities decoded once more (metadata double-encoded), no invisibles."""
    if ENTITY.search(text):
        text = entities.unescape(text)
    return tidy(INVISIBLE.sub("", text))


def _title_tag(tree: html.HtmlElement) -> str:
    """The <title> text, which metadata only reads when there is no og:title."""
    title = next(tree.iter("title"), None)
    return clean(title.text_content()) if title is not None else ""


def headings(tree: html.HtmlElement) -> list[str]:
    """The visible headlines (<h1>), teaser-length at most."""
    texts = (clean(heading.text_content()) for heading in tree.iter("h1"))
    return [text for text in texts if text and len(text) <= MAX_HEADING]


def agreed_title(title: str, declared: Iterable[str], shown: Iterable[str] = ()) -> str:
    """The longest part of `title` that another candidate states as its whole title.

    A declared title (og:title, twitter:title, feed title...) can drop a kicker or a suffix:
    "Kicker: Headline" with og:title "Headline" gives "Headline". A visible heading can only
    drop a suffix ("Headline | Sport" with <h1> "Headline" gives "Headline"): pages often
    show the kicker as its own line above the <h1>, but never their site name or section
    inside it. The part is cut from `title`, so its spelling is kept.
    """
    whole = fold(title)
    heads: dict[str, str] = {}
    others: dict[str, str] = {}
    for piece, key, start in pieces(title):
        if key != whole and len(key) >= MIN_SHARE * len(whole):
            (heads if start == 0 else others)[key] = piece
    best = ""
    for candidate in declared:
        key = fold(candidate)
        best = max(best, heads.get(key, ""), others.get(key, ""), key=len)
    for candidate in shown:
        best = max(best, heads.get(fold(candidate), ""), key=len)
    return best or title


def pieces(text: str) -> Iterator[tuple[str, str, int]]:
    """Each run of consecutive parts of `text` between boundaries: text, key and start."""
    cuts = [(m.start(), m.end()) for m in BOUNDARIES.finditer(text)]
    starts = [0, *(end for _, end in cuts)]
    ends = [*(start for start, _ in cuts), len(text)]
    for i, start in enumerate(starts):
        for end in ends[i:]:
            piece = text[start:end].strip()
            key = fold(piece)
            if key:
                yield piece, key, start


@dataclass(frozen=True)
class Furniture:
    """What a page's titles carry besides the headline: the site's names and its sections.

    Kept as comparison keys (case, accents, umlaut spelling and punctuation folded away), so
    "Börsen-Zeitung" names boersen-zeitung.de and "Público" names publico.es.
    """

    names: frozenset[str] = frozenset()
    sections: frozenset[str] = frozenset()

    @classmethod
    def of(cls, names: Iterable[str], site: str, sections: Iterable[str] = ()) -> Furniture:
        """The keys for a site's declared names (and each part of them) and its host."""
        texts = [*host_names(site), host_brand(site)]
        for name in names:
            texts += [name, *SEPARATORS.split(name)]
        return cls(_keys(texts), _keys(sections))

    def is_site(self, part: str, loose: bool) -> bool:
        """True when `part` names the site; loosely, also its brand with a word or two."""
        key = _key(part)
        if not key:
            return False
        if key in self.names:
            return True
        if not loose or len(part.split()) > MAX_SITE_WORDS:
            return False
        return any(
            (len(name) >= MIN_BRAND and (key.startswith(name) or key.endswith(name)))
            or (len(name) >= MIN_BRAND_INSIDE and name in key)
            or (len(key) >= MIN_BRAND and key in name and len(key) >= MIN_SHARE * len(name))
            for name in self.names
        )

    def is_section(self, part: str, exact: bool = False) -> bool:
        """True when `part` is a declared section, alone or with a word ("Politics News")."""
        key = _key(part)
        if key in self.sections:
            return True
        if exact or len(part.split()) > 2:
            return False
        return any(
            len(section) >= MIN_BRAND
            and key.startswith(section)
            and len(key) - len(section) <= MAX_SECTION_EXTRA
            for section in self.sections
        )


def site_names(meta: MetaTags, site_name: str | None) -> list[str]:
    """The names the site gives itself: declared, og:site_name, application-name, @handle."""
    found = (clean(name).lstrip("@") for name in declared_site_names(meta))
    return [name for name in (site_name, *found) if name]


def sections(tree: html.HtmlElement, meta: MetaTags) -> list[str]:
    """The sections the page says it is in: article:section, articleSection, breadcrumbs.

    A breadcrumb trail often ends with the article's own headline: only short items count.
    """
    found: list[Any] = [meta.get("article:section")]
    for obj in jsonld_objects(tree):
        section = obj.get("articleSection")
        found += section if isinstance(section, list) else [section]
        crumbs = obj.get("itemListElement")
        if str(obj.get("@type", "")).lower() == "breadcrumblist" and isinstance(crumbs, list):
            names = (_crumb_name(crumb) for crumb in crumbs)
            found += [name for name in names if len(name.split()) <= MAX_CRUMB_WORDS]
    return [clean(s) for s in found if isinstance(s, str) and s]


def _crumb_name(crumb: Any) -> str:
    """A breadcrumb's name, given on the ListItem or on its item."""
    if not isinstance(crumb, dict):
        return ""
    item = crumb.get("item")
    name = crumb.get("name") or (item.get("name") if isinstance(item, dict) else None)
    return name if isinstance(name, str) else ""


def strip_site_name(
    title: str,
    site_name: str | Iterable[str] | None,
    site: str,
    *,
    furniture: Furniture | None = None,
) -> str:
    """Remove the site name, sections and dates around a title, with their separators.

    A leading part must name the site exactly, since headlines often start with a brand
    ("BBC licence fee row"); a trailing one may be the brand with a word or two ("Mirror
    Online"). A site name inside the title ends it: what follows ("| Sport", "| 28.04.2023",
    "| by Jane Doe") is page furniture too.
    """
    if furniture is None:
        names = [site_name] if isinstance(site_name, str) else list(site_name or [])
        furniture = Furniture.of(names, site)
    parts = SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    kept = list(parts)
    while len(kept) > 1 and (
        furniture.is_site(kept[0], loose=False) or furniture.is_section(kept[0])
    ):
        kept.pop(0)
    for i in range(1, len(kept)):
        tail = kept[i + 1 :]
        short = len(tail) <= MAX_TRAILING and all(len(p.split()) <= MAX_SITE_WORDS for p in tail)
        if short and furniture.is_site(kept[i], loose=True):
            kept = kept[:i]
            break
    while len(kept) > 1 and (
        furniture.is_site(kept[-1], loose=True)
        or furniture.is_section(kept[-1])
        or DATE_PART.fullmatch(kept[-1])
    ):
        kept.pop()
    if len(kept) == len(parts):
        return title
    # Rebuild from the original string so separators inside the title survive.
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    stripped = title[start:end].strip()
    # Furniture written without spaces ("Headline-Politics|The Daily") can hold a declared
    # section after a bare dash; elsewhere a bare dash joins words ("Corona-Politik | ...").
    section = UNSPACED_SUFFIX.search(stripped)
    compact = end < len(title) and not title[end].isspace()
    if compact and section and furniture.is_section(section.group(1), exact=True):
        return stripped[: section.start()]
    return stripped


def _key(text: str) -> str:
    """A comparison key where "Börsen-Zeitung" and "boersen-zeitung" agree, as do "Público"
    and "publico": only ever compared with other keys, never shown."""
    spelled = unicodedata.normalize("NFKD", text.casefold().translate(TRANSLITERATION))
    return fold("".join(ch for ch in spelled if not unicodedata.combining(ch)))


def _keys(texts: Iterable[str]) -> frozenset[str]:
    """The comparison keys of the texts that have one."""
    return frozenset(key for text in texts if (key := _key(text)))
