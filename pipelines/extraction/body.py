"""The article body from trafilatura's text, corrected with what the page itself shows.

trafilatura keeps some lines that are not the article (related-story links, "Read more:"
teasers, photo credits, a section label over the headline, the heading of a box it left
out) and drops the standfirst many sites print under the headline, subheadings where it
finds no container of the story, and the headings that end an article (a list written as
subheadings: "1. ...", "2. ..."). All can be judged against the whole page: a line made
of other stories' headlines is a teaser, a short line the page shows only above its
headline is not the story's, a description the page both declares and displays is its
lead, and headings between two blocks of the text, or after its last paragraph with
nothing after them, are its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from lxml import html

from crawler.normalise import fold
from pipelines.extraction.credits import parse_credit_line
from pipelines.extraction.visible import visible_text

LINKED_LINE = 0.6  # share of a line covered by link texts above which it is a teaser
MIN_LINK_TEXT = 15  # shorter link texts ("here", "Facebook") say nothing about a line
# A line is a teaser when another story's headline covers most of it: link texts this long.
# (A linked product, place or name in a story is shorter.) After a label ("Read more:",
# "Lesen Sie auch:") any link text of MIN_LINK_TEXT makes one.
HEADLINE_LINK = 35
LABEL = re.compile(r"^(?:[^\W\d_][\w-]*\s+){0,3}[^\W\d_][\w-]*\s*:\s+")
MIN_LEAD_CHARS = 60
LINE_CHILDREN = 8  # elements a block with a linked credit line holds at most
LEAD_LINES = 4  # how far down a text's top lines may be furniture shown above the headline
KICKER_WORDS = 8  # top lines this short may be a kicker, a section or a date
# Link texts that are no other page's headline: a URL or an address written out as its
# own link text (a reference in the text).
ADDRESS_TEXT = re.compile(r"^(?:https?://|www\.)\S+$|^[^@\s]+@[^@\s]+\.\w+$", re.IGNORECASE)
HEADINGS = ("h2", "h3", "h4", "h5", "h6")
DANGLING_WORDS = 5  # a box's heading ("Weitere Artikel zum Thema") is short
# A heading's next block, when the heading starts a part of the story.
FOLLOWERS = frozenset({"p", "div", "blockquote", "ul", "ol", "table", "figure"})
MENU_GLUE = re.compile(r"[\s|/·•»›>:,*\-–—]+")  # what joins the items of a menu line
# Photo credits: "Foto: NTB", "(Image: Getty Images)", "Photo by Jane Doe/Reuters".
CAPTION_CREDIT = re.compile(
    r"^\(?(?:foto|photo|image|bild|picture|kuva|zdjęcie|fotó|imagen|immagine|credit)s?"
    r"(?:\s*:|\s+by\b|\s+von\b|\s+©)[^.!?]{0,80}\)?$",
    re.IGNORECASE,
)


@dataclass
class PageView:
    """What the whole page shows, for judging lines of the extracted text."""

    tree: html.HtmlElement  # the whole page, read again only if `visible` is asked for
    link_texts: list[str] = field(default_factory=list)  # longest first
    menu_texts: list[str] = field(default_factory=list)  # every link text, longest first
    block_links: dict[str, str] = field(default_factory=dict)  # block text -> its first link

    @cached_property
    def visible(self) -> str:
        """Folded visible text of the page, needed only for some leads."""
        return fold(visible_text(self.tree))


def page_view(tree: html.HtmlElement) -> PageView:
    """Link texts and links by enclosing block, before any pruning.

    A link within the page (`#section`: a table of contents repeats the article's
    subheadings) or one whose text is its own address leads to no other page: its text
    counts for menus, not as a teaser's."""
    links: set[str] = set()
    teasers: set[str] = set()
    block_links: dict[str, str] = {}
    linked_parents = set()  # a block's text is read once, however many links it holds
    for anchor in tree.iter("a"):
        text = " ".join((anchor.text_content() if len(anchor) else anchor.text or "").split())
        parent, href = anchor.getparent(), anchor.get("href")
        links.add(text)
        if not (href or "").startswith("#") and not ADDRESS_TEXT.match(text):
            teasers.add(text)
        if href and parent is not None and parent not in linked_parents:
            linked_parents.add(parent)  # a credit line's link is its original's URL
            if len(parent) <= LINE_CHILDREN:  # a list or a menu holds no credit line
                block_links.setdefault(" ".join(parent.text_content().split()), href)
    every = sorted((t for t in links if t), key=len, reverse=True)
    return PageView(
        tree,
        link_texts=[t for t in every if len(t) >= MIN_LINK_TEXT and t in teasers],
        menu_texts=every,
        block_links=block_links,
    )


def linked_share(line: str, link_texts: list[str]) -> float:
    """How much of a line is made of link texts found on the page."""
    text = line.removeprefix("- ").strip()
    if not text:
        return 0.0
    rest, covered = text, 0
    for link in link_texts:
        if len(link) > len(rest):
            continue
        if link in rest:
            covered += len(link)
            rest = rest.replace(link, " ", 1)
    return covered / len(text)


def is_teaser(line: str, link_texts: list[str], headlines: list[str]) -> bool:
    """A line made of other stories' headlines (`headlines`: the link texts of
    HEADLINE_LINK characters or more), alone or after a label ("READ MORE: ...")."""
    if linked_share(line, headlines) >= LINKED_LINE:
        return True
    text = line.removeprefix("- ")
    label = LABEL.match(text)
    return label is not None and linked_share(text[label.end() :], link_texts) >= LINKED_LINE


def is_menu_line(line: str, menu_texts: list[str]) -> bool:
    """A line made only of the page's link texts and separators: "Home | News | Sport",
    "Home", "Politics › Europe". Short link texts say nothing inside prose, but a line of
    nothing else is a menu, a breadcrumb or a row of tags."""
    rest, found = line, False
    for link in menu_texts:
        if link in rest:
            rest, found = rest.replace(link, " "), True
    return found and not MENU_GLUE.sub("", rest)


def strip_menus(lines: list[str], menu_texts: list[str]) -> list[str]:
    """Lines of links before the story's first line of text and after its last."""
    start, end = 0, len(lines)
    while start < end and is_menu_line(lines[start], menu_texts):
        start += 1
    while end > start and is_menu_line(lines[end - 1], menu_texts):
        end -= 1
    return lines[start:end]


def trailing_headings(lines: list[str], tree: html.HtmlElement) -> list[str]:
    """The run of headings the page shows right after the text's last line, when nothing
    follows them in their block: trafilatura drops every heading that ends its text."""
    if not lines:
        return []
    last = fold(lines[-1])
    for heading in tree.iter(*HEADINGS):
        before = heading.getprevious()
        if before is None or before.tag in HEADINGS or fold(before.text_content()) != last:
            continue
        run = [heading, *_following_headings(heading)]
        after = run[-1].getnext()
        if after is not None or any((h.tail or "").strip() for h in run):
            return []  # the text goes on after the headings: trafilatura judged them
        if any(h.find(".//a") is not None for h in run):
            return []  # linked headlines: teasers of other stories
        return [" ".join(h.text_content().split()) for h in run]
    return []


def inner_headings(lines: list[str], tree: html.HtmlElement) -> list[str]:
    """`lines` with the subheadings trafilatura dropped put back: a heading the page shows
    between the blocks of two consecutive lines of the text. (Where it finds no container
    of the story, trafilatura reads paragraphs only.) Returns `lines` itself when none is
    missing. Blocks and lines are compared as written, white space aside."""
    if len(lines) < 2:
        return lines
    at: dict[str, int] | None = None  # each line's index, made once a heading needs it
    inserts: dict[int, str] = {}
    for heading in tree.iter(*HEADINGS):
        before, after = heading.getprevious(), heading.getnext()
        if before is None or after is None or after.tag not in FOLLOWERS:
            continue
        at = at if at is not None else {" ".join(line.split()): i for i, line in enumerate(lines)}
        text = " ".join(heading.text_content().split())
        index = at.get(" ".join(after.text_content().split()))
        if not index or not text or text in at or heading.find(".//a") is not None:
            continue
        if " ".join(before.text_content().split()) == " ".join(lines[index - 1].split()):
            inserts.setdefault(index, text)
    if not inserts:
        return lines
    return [text for i, line in enumerate(lines) for text in (inserts.get(i), line) if text]


def dangling_heading(lines: list[str], tree: html.HtmlElement) -> bool:
    """Whether the text's last line is the heading of a box the text left out ("More on
    this", "Contact:", "Related"): a short heading the page follows with a block whose
    text is not in the text."""
    last = " ".join(lines[-1].split())
    if len(last.split()) > DANGLING_WORDS or last.endswith((".", "!", "?")):
        return False
    for heading in tree.iter(*HEADINGS):
        if " ".join(heading.text_content().split()) != last:
            continue
        after = heading.getnext()
        text = fold(after.text_content()) if after is not None else ""
        return bool(text) and text not in fold(" ".join(lines))
    return False


def _following_headings(heading: html.HtmlElement) -> list[html.HtmlElement]:
    run = []
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str) or sibling.tag not in HEADINGS:
            break
        run.append(sibling)
    return run


def below_headline(lines: list[str], view: PageView, headline: str | None) -> list[str]:
    """`lines` without the short ones at their top that the page shows above its headline
    (a heading of that text) and the text does not repeat below: a section's label, a
    kicker, a date widget. (A story starts under its headline; its first short line, a
    dateline or a subheading, is shown there.)

    Returns `lines` itself when nothing goes. The page is read only when the first line
    is short, and then only down to the headline.
    """
    top = min(LEAD_LINES, len(lines) - 1)
    if not headline or top < 1 or len(lines[0].split()) > KICKER_WORDS:
        return lines
    heading = _heading(view.tree, headline)
    if heading is None:
        return lines
    above = " ".join(visible_text(view.tree, until=heading).split())
    cut = 0
    while cut < top and len(lines[cut].split()) <= KICKER_WORDS:
        line = " ".join(lines[cut].split())
        if line not in above or _shown_in(line, "\n".join(lines[cut + 1 :])):
            break
        cut += 1
    return lines[cut:] if cut else lines


def _heading(tree: html.HtmlElement, headline: str) -> html.HtmlElement | None:
    """The page's heading that shows `headline`."""
    key = fold(headline)
    return next((h for h in tree.iter("h1", *HEADINGS) if fold(h.text_content()) == key), None)


def _shown_in(line: str, text: str) -> bool:
    """Whether `text` holds `line` as whole words, as written (case too)."""
    return re.search(rf"(?<!\w){re.escape(line)}(?!\w)", text) is not None


def refine_body(
    text: str, view: PageView, description: str | None, headline: str | None = None
) -> tuple[str, list[str]]:
    """The body without teaser and photo-credit lines and the lines the page shows only
    above its `headline`, with the displayed lead restored.

    Returns the text and the kinds of change made, for the run's diagnostics.
    """
    changes: list[str] = []
    lines = [line for line in text.splitlines() if line.strip()]
    headlines = [link for link in view.link_texts if len(link) >= HEADLINE_LINK]
    below = below_headline(lines, view, headline)
    if below is not lines:
        lines = below
        changes.append("above_headline")
    kept = [
        line
        for line in lines
        if parse_credit_line(line)  # a linked credit line is evidence, left for cleaning
        or (not is_teaser(line, view.link_texts, headlines) and not CAPTION_CREDIT.match(line))
    ]
    if len(kept) < len(lines) and kept:
        changes.append("teasers_or_credits")
    else:
        kept = lines  # never empty a text on these grounds alone
    restored = inner_headings(kept, view.tree)
    if restored is not kept:
        kept = restored
        changes.append("inner_headings")
    unmenued = strip_menus(kept, view.menu_texts)
    if unmenued and len(unmenued) < len(kept):
        kept = unmenued
        changes.append("menus")
    ending = trailing_headings(kept, view.tree)
    if ending:
        kept += ending
        changes.append("trailing_headings")
    elif len(kept) > 1 and dangling_heading(kept, view.tree):
        kept = kept[:-1]
        changes.append("dangling_heading")
    lead = (description or "").strip()
    if (
        len(lead) >= MIN_LEAD_CHARS
        and fold(lead) not in fold(" ".join(kept))
        and fold(lead) in view.visible
    ):
        kept.insert(0, lead)
        changes.append("lead")
    return "\n".join(kept), changes
