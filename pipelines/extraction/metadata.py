"""What a page declares about itself: JSON-LD, OpenGraph, article and Dublin Core meta.

Publishers state title, authors and dates for search engines and social cards far more
reliably than any visible date widget, so extraction reads these first and falls back on
text heuristics only where the page says nothing.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml import html as lxml_html

ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "askpublicnewsarticle",
    "blogposting",
    "socialmediaposting",
    "liveblogposting",
    "report",
    "scholarlyarticle",
    "techarticle",
}
# Page types that say a page is not an article (a site-wide WebSite object does not).
NON_ARTICLE_TYPES = {
    "collectionpage",
    "itemlist",
    "searchresultspage",
    "aboutpage",
    "contactpage",
    "profilepage",
    "faqpage",
    "qapage",
}
# JSON-LD objects that describe the page itself (not an image or video on it, whose
# dates are their own): a page with no article object may date itself in one.
PAGE_TYPES = {"webpage", "itempage"}

PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "publish-date",
    "publish_date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)
AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
# The names a site gives itself in meta tags, the handle of its social account last.
SITE_NAME_META = ("og:site_name", "application-name", "twitter:site")


@dataclass
class PageMetadata:
    """Declared metadata, each value as the page wrote it (normalised later)."""

    title: str | None = None
    headline: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    published_source: str | None = None  # "json-ld" or "meta"
    modified: str | None = None
    modified_source: str | None = None  # "json-ld" or "meta"
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    page_type: str | None = None
    article_body: str | None = None


def read_metadata(tree: lxml_html.HtmlElement, url: str) -> PageMetadata:
    """Collect declared metadata from a parsed page, JSON-LD first, then meta tags."""
    meta = meta_tags(tree)
    found = PageMetadata()
    objects = list(jsonld_objects(tree))  # each script parsed once, for every question below
    article = next((o for o in objects if any(t in ARTICLE_TYPES for t in _types(o))), None)
    if article is not None:
        found.headline = _text(article.get("headline")) or _text(article.get("name"))
        found.authors = _people(article.get("author"))
        found.published = _text(article.get("datePublished")) or _text(article.get("dateCreated"))
        found.published_source = "json-ld" if found.published else None
        found.modified = _text(article.get("dateModified"))
        found.modified_source = "json-ld" if found.modified else None
        found.language = _text(article.get("inLanguage"))
        found.site_name = _name(article.get("publisher"))
        found.description = _text(article.get("description"))
        found.tags = _keywords(article.get("keywords"))
        found.article_body = _text(article.get("articleBody"))
        found.page_type = _types(article)[0]
    else:
        found.page_type = next(
            (t for obj in objects for t in _types(obj) if t in NON_ARTICLE_TYPES), None
        )
        # A CMS's meta date is often its last save; the page object's is the publication.
        page = next((o for o in objects if PAGE_TYPES & set(_types(o))), None)
        found.published = _text(page.get("datePublished")) if page else None
        found.published_source = "json-ld" if found.published else None
    found.page_type = found.page_type or meta.get("og:type")
    found.title = meta.get("og:title") or meta.get("twitter:title") or _title_tag(tree)
    if not found.published:
        found.published = _first(meta, PUBLISHED_META) or _time_element(tree)
        found.published_source = "meta" if found.published else None
    if not found.modified:
        found.modified = _first(meta, MODIFIED_META)
        found.modified_source = "meta" if found.modified else None
    if not found.authors:
        found.authors = [
            value
            for name in AUTHOR_META
            for value in meta.get_all(name)
            if value and not value.startswith(("http://", "https://"))
        ]
    found.site_name = meta.get("og:site_name") or found.site_name or meta.get("application-name")
    found.description = meta.get("og:description") or meta.get("description") or found.description
    found.tags = found.tags or meta.get_all("article:tag") or _keywords(meta.get("keywords"))
    found.language = (
        found.language
        or tree.get("lang")
        or tree.get("xml:lang")
        or meta.get("content-language")
        or meta.get("og:locale")
    )
    canonical = tree.xpath('//link[contains(concat(" ", @rel, " "), " canonical ")]/@href')
    declared = (canonical[0] if canonical else None) or meta.get("og:url")
    found.canonical_url = urljoin(url, declared.strip()) if declared else None
    return found


class MetaTags:
    """Meta tags by lower-cased name or property, keeping repeated values in order: the
    one reading of a page's meta tags, for metadata and titles alike."""

    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}

    def add(self, key: str, value: str) -> None:
        self.values.setdefault(key.lower().strip(), []).append(html.unescape(value).strip())

    def get(self, key: str) -> str | None:
        return next((v for v in self.values.get(key, []) if v), None)

    def get_all(self, key: str) -> list[str]:
        return [v for v in self.values.get(key, []) if v]


def meta_tags(tree: lxml_html.HtmlElement) -> MetaTags:
    """The page's meta tags, entities decoded (`name`, `property`, `itemprop`, `http-equiv`)."""
    meta = MetaTags()
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        key = key or element.get("http-equiv")
        value = element.get("content")
        if key and value:
            meta.add(key, value)
    return meta


def declared_site_names(meta: MetaTags) -> list[str]:
    """Every name the page's meta tags give its site, in `SITE_NAME_META` order."""
    return [value for key in SITE_NAME_META if (value := meta.get(key))]


def _first(meta: MetaTags, names: tuple[str, ...]) -> str | None:
    return next((value for name in names if (value := meta.get(name))), None)


def _title_tag(tree: lxml_html.HtmlElement) -> str | None:
    titles = tree.xpath("//title/text()")
    return " ".join(titles[0].split()) if titles else None


def _time_element(tree: lxml_html.HtmlElement) -> str | None:
    found = tree.xpath("//time[@pubdate]/@datetime | //*[@itemprop='datePublished']/@datetime")
    return str(found[0]) if found else None


def jsonld_objects(tree: lxml_html.HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page, inside lists, @graph and mainEntity."""
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _flatten(entry)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"])
        if isinstance(data.get("mainEntity"), dict):
            yield from _flatten(data["mainEntity"])


def _types(obj: dict[str, Any]) -> list[str]:
    declared = obj.get("@type")
    names = declared if isinstance(declared, list) else [declared]
    return [str(name).lower() for name in names if name] or [""]


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, str | int | float) and str(value).strip():
        return " ".join(html.unescape(str(value)).split())
    return None


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _people(value: Any) -> list[str]:
    """Author names from JSON-LD, leaving out organisations (they are not authors)."""
    entries = value if isinstance(value, list) else [value]
    names: list[str] = []
    for entry in entries:
        if isinstance(entry, dict):
            if "organization" in _types(entry) or "newsmediaorganization" in _types(entry):
                continue
            name = _text(entry.get("name"))
        else:
            name = _text(entry)
        if name and not name.startswith(("http://", "https://")):
            names.append(name)
    return names


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"\s*[,;]\s*", value)
    if not isinstance(value, list):
        return []
    return [kw for kw in (" ".join(str(v).split()) for v in value) if kw]
