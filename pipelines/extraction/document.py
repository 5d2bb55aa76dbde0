"""The extraction library's entry point: a page's `Document`, the article's text with
trafilatura, its metadata from what the page declares.

`extract_document` is a pure function of the page, free of Scrapy, so that it can run
anywhere (a worker process, a benchmark loop) and give the same answer as inside the
crawl (`pipelines.extract` is its Scrapy stage).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import datetime
from functools import cached_property

import trafilatura
from lxml import etree, html
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_sitename,
    extract_title,
)
from trafilatura.settings import Document as TrafilaturaDocument
from trafilatura.utils import line_processing

from crawler.items import Document, Hints, Page
from crawler.urls import site_of
from pipelines.extraction.authors import choose_authors
from pipelines.extraction.body import page_view, refine_body
from pipelines.extraction.dates import parse_date, text_date, title_date, url_date
from pipelines.extraction.embedded import embedded_html
from pipelines.extraction.language import choose_language
from pipelines.extraction.layout import prepare
from pipelines.extraction.metadata import ARTICLE_TYPES, PageMetadata, read_metadata
from pipelines.extraction.places import edge_places
from pipelines.extraction.titles import choose_title

# A page showing less text than this may be an application's shell ("Loading ...") whose
# scripts carry the story: taken when it is SHELL_SHARE times longer (`embedded`).
SHELL_CHARS = 300
SHELL_SHARE = 3
# A long text from the fast pass that is mostly short lines is a page's menus more often
# than its story: it is checked too.
PROSE_CHARS = 60
MIN_PROSE_SHARE = 0.5
CHECKED_BELOW = 1500  # shorter texts are extracted again with trafilatura's comparisons
BINARY_PROBE = 4096  # bytes looked at for NULs, which no HTML page contains
# lxml refuses a decoded page that declares its encoding (`<?xml ... encoding="utf-8"?>`
# before the doctype, as XHTML pages do), and trafilatura returns nothing for a tree
# holding control characters, which XML cannot carry: both go before parsing (a form
# feed or vertical tab is white space in HTML, the others nothing a reader sees).
XML_DECLARATION = re.compile(r"<\?xml[^>]*>")
CONTROL_ANY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # one pass finds none, mostly
CONTROL_SPACE = re.compile(r"[\x0b\x0c]")
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
# Comments and processing instructions go at parse time: left in, trafilatura drops the
# text that follows a comment inside a paragraph. Every element is an `HtmlElement`, as
# lxml.html makes them, but chosen in C: lxml.html's own parser asks a Python function for
# each element's class (form fields get their own), a tenth of extraction's time.
PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=html.HtmlElement,
        comment=html.HtmlComment,
        pi=html.HtmlProcessingInstruction,
        entity=html.HtmlEntity,
    )
)
DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")


LINKED_KINDS = ("/tag", "/categor")  # address parts of the links trafilatura takes tags from
# trafilatura's last resort for categories: the declared section or subject
SECTION_META = './/head//meta[@property="article:section" or contains(@name, "subject")][@content]'
# Page types whose threads of comments are not their content (a live blog's entries are).
COMMENTED_TYPES = ARTICLE_TYPES - {"liveblogposting"}


class Unparseable(Exception):
    """A page the parser gave up on: nested past libxml2's depth limit, so the tree stops
    where the nesting starts, or deep enough to exhaust Python's recursion in an extractor.
    Extracting what was left would pass a fragment off as the article."""

    reason = "unparseable"

    def __init__(self, detail: str, url: str = ""):
        super().__init__(f"unparseable page ({detail}): {url}")
        self.detail = detail


def extract_document(page: Page) -> Document:
    """Extract the article text and its metadata from a fetched page."""
    tree = parse_html(page.body, page.encoding)
    if tree is None:
        return Document()
    declared = read_metadata(tree, page.url)
    story = copy.deepcopy(tree)  # rewritten for trafilatura (`prepare`); ours stays whole
    prepare(story, is_article=(declared.page_type or "").lower() in COMMENTED_TYPES)
    found = main_text(story, page.url, fast=True)
    if len(found or "") < CHECKED_BELOW or prose_share(found or "") < MIN_PROSE_SHARE:
        found = main_text(story, page.url, fast=False)
    text_source = "trafilatura" if found else "json-ld"
    extracted = found or declared.article_body or ""
    if len(extracted) < SHELL_CHARS and (fragment := embedded_html(tree)):
        shell = html.fromstring(f"<html><body><article>{fragment}</article></body></html>")
        carried = main_text(shell, page.url, fast=True) or ""
        if len(carried) > SHELL_SHARE * len(extracted):
            extracted, text_source = carried, "script"
    fallback = Fallbacks(tree)
    site, site_name = site_of(page.url), declared.site_name or fallback.sitename
    title = choose_title(tree, declared, page.hints.title, fallback.title, site_name, site)
    view = page_view(tree)
    text, changes = refine_body(extracted, view, declared.description, title)
    fetched = datetime.fromisoformat(page.fetched_at)
    published, published_source = choose_published(
        tree, declared, page.hints, page.url, fetched, title
    )
    modified = parse_date(declared.modified, fetched)
    return Document(
        text=text,
        title=title,
        authors=choose_authors(tree, declared, lambda: fallback.author, site_name, site),
        published=published,
        published_source=published_source,
        modified=modified,
        modified_source=declared.modified_source if modified else None,
        language=choose_language(declared.language, text),
        site_name=site_name,
        description=declared.description or fallback.meta.description,
        tags=declared.tags or fallback.tags(),
        canonical_url=declared.canonical_url,
        page_type=declared.page_type,
        linked_fraction=linked_fraction(extracted, set(view.link_texts)),
        links=view.block_links,
        places=edge_places(text.splitlines(), tree),
        changes=changes,
        text_source=text_source if text else None,
    )


def prose_share(text: str) -> float:
    """The share of a text's characters in lines of PROSE_CHARS or more: a text of menus
    and buttons ("Subscribe", "Sign In", "Today's paper") has little."""
    lines = text.splitlines()
    total = sum(len(line) for line in lines)
    prose = sum(len(line) for line in lines if len(line) >= PROSE_CHARS)
    return prose / total if total else 0.0


def main_text(story: html.HtmlElement, url: str, fast: bool) -> str | None:
    """Trafilatura's text of the page (`story`: its tree as `prepare` rewrote it); `fast`
    skips its comparison with other extractors.

    That comparison (readability, then jusText) costs about a third of trafilatura's
    time and seldom changes a long text: on the development pages, running it only for
    texts under `CHECKED_BELOW` characters (one page in eight) gives text F1 0.952
    against 0.954 when it always runs, for about 8 ms a page less.
    """
    result = trafilatura.bare_extraction(
        story,  # trafilatura works on a copy of the tree it is given: one story serves twice
        url=url,
        include_comments=False,
        with_metadata=False,  # see Fallbacks
        include_tables=True,
        deduplicate=False,
        fast=fast,
    )
    return result.text if isinstance(result, TrafilaturaDocument) else None


class Fallbacks:
    """Trafilatura's reading of what the page's metadata leaves open, only when asked.

    Trafilatura's own metadata pass costs about 30 ms a page, more than half its
    extraction, mostly in a byline search and a date search; newsfold reads the declared
    metadata and dates itself and needs the byline only when the page declares no author.
    """

    def __init__(self, tree: html.HtmlElement):
        self.tree = tree

    @cached_property
    def meta(self) -> TrafilaturaDocument:
        return examine_meta(self.tree)

    @property
    def title(self) -> str | None:
        return self.meta.title or extract_title(self.tree)

    @property
    def sitename(self) -> str | None:
        """The declared name, else a domain name the <title> ends with ("| ntv.com.tr").

        trafilatura takes any later part of the <title> with a dot in it, so a headline
        after a name ("Voice | Demo / Der 9. Juli naht") would pass for the site's name
        and be cut from the title as such.
        """
        if self.meta.sitename:
            return self.meta.sitename
        guessed = extract_sitename(self.tree)
        return guessed if guessed and DOMAIN.fullmatch(guessed) else None

    @cached_property
    def author(self) -> str | None:
        declared = self.meta.author
        if declared and " " in declared:
            return declared
        return extract_meta_json(self.tree, TrafilaturaDocument()).author or extract_author(
            self.tree
        )

    def tags(self) -> list[str]:
        """Tag links, else category links or the declared section. Trafilatura's search
        (2.5 ms a page) only finds links whose address has a "/tag" or "/categor" part: a
        page with none is answered from its head alone."""
        links = {
            part for a in self.tree.iter("a") for part in LINKED_KINDS if part in a.get("href", "")
        }
        if "/tag" in links and (found := extract_catstags("tag", self.tree)):
            return found
        if "/categor" in links:
            return extract_catstags("category", self.tree)
        declared = (line_processing(e.get("content", "")) for e in self.tree.xpath(SECTION_META))
        return [text for text in dict.fromkeys(declared) if text]


def parse_html(body: bytes, encoding: str) -> html.HtmlElement | None:
    """Parse a page, or None when it holds no markup at all."""
    text = body.decode(encoding or "utf-8", errors="replace").lstrip("\ufeff").strip()
    if not text or "\x00" in text[:BINARY_PROBE]:
        return None  # nothing, or binary data served as HTML
    if text.startswith("<?xml"):
        text = XML_DECLARATION.sub("", text, count=1)
    if CONTROL_ANY.search(text):
        text = CONTROL.sub("", CONTROL_SPACE.sub(" ", text))
    try:
        tree = html.document_fromstring(text, parser=PARSER)
    except (etree.ParserError, ValueError):
        return None
    for error in PARSER.error_log:
        if error.level == etree.ErrorLevels.FATAL and "depth" in error.message.lower():
            raise Unparseable(f"nested deeper than the HTML parser allows: {error.message}")
    return tree


def choose_published(
    tree: html.HtmlElement,
    declared: PageMetadata,
    hints: Hints,
    url: str,
    fetched: datetime,
    title: str | None = None,
) -> tuple[str | None, str | None]:
    """The publication date and its source: declared, feed or sitemap, URL, the page's
    title, then page text.

    Candidates are tried in order of trust; the page text is searched last, without its
    chrome and after the headline (see `text_date`).
    """
    candidates: list[tuple[Callable[[], str | None], str | None]] = [
        (lambda: declared.published, declared.published_source),
        (lambda: hints.published, hints.published_source),
        (lambda: url_date(url), "url"),
        (lambda: title_date(tree), "title"),
        (lambda: text_date(tree, url, title, fetched), "text"),
    ]
    for value, source in candidates:
        date = parse_date(value(), fetched)
        if date:
            return date, source
    return None, None


def linked_fraction(text: str, link_texts: set[str]) -> float:
    """The share of the text that is whole lines of link text (headlines of a listing).

    On the 258 real articles of the development set it is at most 0.1; a section page of
    linked headlines with one-line summaries is around 0.3 and more.
    """
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    total = sum(len(line) for line in lines)
    if not total:
        return 0.0
    linked = (line for line in lines if line.removeprefix("- ") in link_texts)
    return sum(len(line) for line in linked) / total


def extract_or_refuse(page: Page) -> Document | str:
    """`extract_document`, or why the page cannot be parsed: the form a worker returns."""
    try:
        return extract_document(page)
    except Unparseable as refused:
        return refused.detail
    except RecursionError:
        return "nested too deep to extract"
