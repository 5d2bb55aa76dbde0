"""The page's markup read for what it is, before trafilatura sees it.

trafilatura finds the story through the markup modern pages use: an <article>, a
container whose class says "article-body" or "post-content", <figure> for a photo and its
caption, a comments block whose class starts with "comment". Pages built otherwise come
out with their furniture: a legacy page laid out in nested tables reads as data tables
("| Home | Latest | About |" rows), its story cell's paragraphs (split by <br><br> inside
a <font>) glued into one line with the date widget, headline and byline in front; a page
of bare divs is read whole, menu and sidebar included; comments in a "cmComments" box
and captions beside an image stay in the text. `prepare` rewrites these on trafilatura's
own copy of the tree into the markup it knows: the container that holds the page's
prose becomes its <article> (when the page marks none), the tables around it blocks,
a <font> of paragraphs a <div>, comment sections go, and an image with the short text
under it becomes a <figure>.
"""

from __future__ import annotations

import re

from lxml import html
from trafilatura.xpaths import BODY_XPATH  # the containers trafilatura looks for first

# The story's container: descend from <body> into the child holding most of the current
# element's prose, as long as no other child holds a paragraph of its own.
STORY_SHARE = 0.5
LONG_RUN = 150  # characters: a text run this long outside links is a paragraph
MIN_STORY = 400  # characters of prose below which no container is taken for the story
MIN_TEASERS = 2  # linked headlines that make a container a page's wrapper, not a story
MAX_LINKED = 0.1  # share of a story's text in links; a wrapper with menus has more
# Never the story's container: a paragraph (its container holds the short ones too), a
# list (of teasers, testimonials, links), a figure.
TEXT_BLOCKS = frozenset(
    ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figure", "ul", "ol", "dl")
)
UNREAD = ("script", "style", "noscript", "template", "a")  # no prose inside
# Class or id words of a comment section: "comments", "hv-comments", "cmComments",
# "commentlist", "reader-comments"; not one comment ("comment": also a photo's or a live
# ticker's) or "commentary".
COMMENT_WORD = re.compile(
    r"^(?:comments|commentlist|kommentare|commentaires|comentarios|commenti|reacties|komentarze)$",
    re.IGNORECASE,
)
# Elements that may be a comment section, and the letters one of their class or id words
# must hold to be looked at: a Python walk testing a substring is 3 times faster than an
# XPath with contains() (0.3 against 1.0 ms a page on the development set).
COMMENT_HOLDERS = ("div", "section", "ul", "ol", "table", "aside")
COMMENT_HINT = re.compile(r"omment|OMMENT|eacties|omentar")
COMMENTS_SHARE = 0.3  # a "comments" element holding more of the page's text is its content
# One comment: a class or id word naming a single comment, repeated on THREAD_ITEMS or more
# siblings, is a thread even where nothing names the section that holds it.
COMMENT_ITEM = re.compile(
    r"^(?:comment|kommentar|commentaire|comentario|commento|reactie|komentarz)$", re.IGNORECASE
)
THREAD_ITEMS = 3
ITEM_HOLDERS = (*COMMENT_HOLDERS, "li", "article")
STORY_OUTSIDE = 500  # characters of page text a thread must leave for it to be dropped
WORD_SPLIT = re.compile(r"[\s_-]+|(?<=[a-z])(?=[A-Z])")
CAPTION_CHARS = 300  # longer text under an image is prose, not its caption
ICON_PIXELS = 64  # images declared this small are icons, bullets or spacers
BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre")
# What may hold a captioned image, up to the block that holds its caption: links and
# inline wrappers, and the divs and cells of a photo box.
CAPTION_HOLDERS = ("a", "span", "font", "center", "picture", "div", "td", "tr", "tbody", "table")
CAPTION_DEPTH = 5
CAPTION_ELEMENTS = 12  # a photo box: the image, its cells or link, the caption's markup
MIN_BREAKS = 2  # paragraph breaks (<br><br>) that make an inline element a block
# Elements that stay inside a paragraph; and blocks whose text is read as it is.
INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "big", "br", "cite", "code", "del", "dfn", "em", "font", "i"}
    | {"img", "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike"}
    | {"strong", "sub", "sup", "time", "tt", "u", "var"}
)
LEAVES = TEXT_BLOCKS | {"table"}


def prepare(tree: html.HtmlElement, is_article: bool = False) -> None:
    """Rewrite comment sections, captioned images, disguised blocks and the story's
    container (and the tables around it), in place. `is_article`: the page says it is one,
    so a thread of comments on it is not its content."""
    body = tree.find(".//body")
    if body is None:
        return
    drop_comment_sections(body, threads=is_article)
    mark_figures(body)
    blocks_in_disguise(body)
    if body.find(".//article") is not None and body.find(".//td") is None:
        return  # trafilatura reads the <article>, and no layout table is around it
    story = story_container(body)
    if story is None or story.tag in ("table", "thead", "tbody", "tfoot", "tr"):
        return  # prose spread over the rows of a table: data, or a layout too odd to read
    for table in story.iterancestors("table"):
        unwrap(table)  # the story sits in one of its cells: the table lays the page out
    if story.tag in ("td", "th"):
        story.tag = "div"
    if not _has_furniture(story) and not has_known_container(tree):
        # The story alone, as an <article>: trafilatura reads a page with no container it
        # knows whole. Wrapped, not renamed: it reads a frame of bare text and <br>s as one
        # paragraph, but splits such a block inside the frame at each break. And alone:
        # it reads text in divs only when the page (all of it) has little in <p>s.
        story.getparent().remove(story)
        story.tail = None
        for child in list(body):
            body.remove(child)
        body.text = None
        article = html.Element("article")
        article.append(story)
        body.append(article)
        paragraphs(story)


def has_known_container(tree: html.HtmlElement) -> bool:
    """Whether trafilatura finds a container of the story by its own markup: an
    <article>, a class such as "article-body" (its first, costly expression last)."""
    if tree.find(".//article") is not None:
        return True
    return any(expression(tree) for expression in (*BODY_XPATH[1:], BODY_XPATH[0]))


def story_container(body: html.HtmlElement) -> html.HtmlElement | None:
    """The smallest element holding the page's prose, below <body>: None when that is
    <body> itself or too little. Its siblings on the way down hold no paragraph, only
    lines: a menu, a kicker, the headline, a byline, a blurb, links."""
    prose, runs = _measure(body)
    if prose[body] < MIN_STORY:
        return None
    current = body
    while True:
        children = [child for child in current if isinstance(child.tag, str)]
        if not children:
            break
        best = max(children, key=lambda child: prose[child])
        if (
            best.tag in TEXT_BLOCKS
            or prose[best] < STORY_SHARE * prose[current]
            or any(runs[child] for child in children if child is not best)
        ):
            break
        current = best
    return current if current is not body and prose[current] >= MIN_STORY else None


def _has_furniture(story: html.HtmlElement) -> bool:
    """Whether the container holds what a story does not: a form, linked headlines of
    other stories, menus (much of its text in links). Then it wraps more of the page
    than the story, and trafilatura reads it better whole."""
    if story.find(".//form") is not None:
        return True
    teasers = story.xpath(".//*[self::h2 or self::h3 or self::h4][.//a[@href]]")
    if len(teasers) >= MIN_TEASERS:
        return True
    text = len(_text(story))
    return text - _prose(story) > MAX_LINKED * text


Sizes = dict[html.HtmlElement, int]


def _measure(root: html.HtmlElement) -> tuple[Sizes, dict[html.HtmlElement, bool]]:
    """Characters of prose (text outside links and scripts) under each element, and
    whether it holds a paragraph: a run of prose `LONG_RUN` long, in one block (inline
    markup and line breaks do not end it). One pass, children before parents."""
    prose: Sizes = {}
    inline: Sizes = {}  # prose of the element's own running text
    runs: dict[html.HtmlElement, bool] = {}
    for element in reversed(list(root.iter())):
        tag = element.tag
        if not isinstance(tag, str):
            continue
        text = element.text
        own = len(text.strip()) if text and tag not in UNREAD else 0
        running, paragraph = own, False
        for child in element:
            if not isinstance(child.tag, str):
                continue
            tail = child.tail
            size = len(tail.strip()) if tail else 0
            own += prose[child] + size
            running += size + (inline[child] if child.tag in INLINE else 0)
            paragraph = paragraph or runs[child]
        prose[element] = own
        inline[element] = running
        runs[element] = paragraph or running >= LONG_RUN
    return prose, runs


def paragraphs(element: html.HtmlElement) -> None:
    """Text written straight into a block (between its child blocks, split by <br><br>)
    goes into <p>s of its own, as trafilatura reads a story: it drops text that only
    follows a block (an ad slot, a photo) and reads a run of <br>-split text as one line.
    """
    for child in element:
        if isinstance(child.tag, str) and child.tag not in INLINE and child.tag not in LEAVES:
            paragraphs(child)
    if element.tag in LEAVES or not _loose_text(element):
        return
    items: list[str | html.HtmlElement] = [element.text or ""]
    for child in list(element):
        items += [child, child.tail or ""]
        child.tail = None
        element.remove(child)
    element.text = None
    paragraph: html.HtmlElement | None = None
    for item in items:
        if isinstance(item, str):
            if item.strip() or paragraph is not None:
                paragraph = paragraph if paragraph is not None else _new_paragraph(element)
                _append_text(paragraph, item)
        elif item.tag == "br":
            if paragraph is None:
                continue
            last = paragraph[-1] if len(paragraph) else None
            if last is not None and last.tag == "br" and not (last.tail or "").strip():
                paragraph.remove(last)  # <br><br>: the paragraph ends
                paragraph = None
            else:
                paragraph.append(item)
        elif isinstance(item.tag, str) and item.tag in INLINE:
            paragraph = paragraph if paragraph is not None else _new_paragraph(element)
            paragraph.append(item)
        else:
            paragraph = None
            element.append(item)


def _loose_text(element: html.HtmlElement) -> bool:
    """Whether text sits straight in `element` beside child elements."""
    if not len(element):
        return False
    return bool((element.text or "").strip()) or any((c.tail or "").strip() for c in element)


def _new_paragraph(parent: html.HtmlElement) -> html.HtmlElement:
    paragraph = html.Element("p")
    parent.append(paragraph)
    return paragraph


def _append_text(paragraph: html.HtmlElement, text: str) -> None:
    if len(paragraph):
        paragraph[-1].tail = (paragraph[-1].tail or "") + text
    else:
        paragraph.text = (paragraph.text or "") + text


def unwrap(table: html.HtmlElement) -> None:
    """A layout table, as blocks: the table, its row groups, rows and cells become divs."""
    for element in [table, *_own(table, ("tbody", "thead", "tfoot", "tr", "td", "th"))]:
        element.tag = "div"


def _own(table: html.HtmlElement, tags: tuple[str, ...]) -> list[html.HtmlElement]:
    """Descendants of `table` with these tags that belong to it, not to a table inside it."""
    return [
        element
        for element in table.iterdescendants(*tags)
        if next(element.iterancestors("table"), None) is table
    ]


def _cells(row: html.HtmlElement) -> int:
    return sum(1 for cell in row if cell.tag in ("td", "th"))


def _text(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _prose(element: html.HtmlElement) -> int:
    """Characters of text outside links: what a reader reads rather than clicks."""
    linked = sum(len(_text(anchor)) for anchor in element.iter("a"))
    return len(_text(element)) - linked


def blocks_in_disguise(body: html.HtmlElement) -> None:
    """Inline elements (<font>, <span>) wrapping paragraphs split by <br><br> become divs."""
    for element in list(body.iter("font", "span", "b", "i", "center")):
        breaks = [br for br in element.iterchildren("br") if _double(br)]
        if len(breaks) >= MIN_BREAKS and len(_text(element)) >= MIN_STORY:
            element.tag = "div"


def _double(br: html.HtmlElement) -> bool:
    """A <br> directly followed by another: a paragraph break in legacy markup."""
    after = br.getnext()
    return (not (br.tail or "").strip()) and after is not None and after.tag == "br"


def drop_comment_sections(body: html.HtmlElement, threads: bool = False) -> None:
    """Remove elements a class or id word names as comments, unless they hold the story
    (a headline, an article, most of the page's text: a live ticker's "comments").

    With `threads` (the page says it is an article, so that replies are not its content
    as a forum's are), also remove threads: THREAD_ITEMS or more siblings each named as one
    comment ("c-comment", "userComment"; not a part of one, "comment-body"), however long,
    when the page has text besides them."""
    found = []
    items: dict[html.HtmlElement, list[html.HtmlElement]] = {}
    for element in body.iter(ITEM_HOLDERS if threads else COMMENT_HOLDERS):
        words = f"{element.get('class', '')} {element.get('id', '')}"
        if not COMMENT_HINT.search(words):
            continue
        if element.tag in COMMENT_HOLDERS and any(
            COMMENT_WORD.match(word) for word in WORD_SPLIT.split(words)
        ):
            found.append(element)
        elif threads and _one_comment(element.get("class", "")):
            items.setdefault(element.getparent(), []).append(element)
    total: int | None = None  # the page's text, measured once a candidate needs it
    for element in found:
        if element.getparent() is None or _holds_story(element):
            continue
        total = len(_text(body)) if total is None else total
        if len(_text(element)) > COMMENTS_SHARE * total:
            continue
        element.drop_tree()
    for thread in items.values():
        thread = [item for item in thread if not _holds_story(item)]
        if len(thread) < THREAD_ITEMS or any(item.getparent() is None for item in thread):
            continue
        total = len(_text(body))
        if total - sum(len(_text(item)) for item in thread) >= STORY_OUTSIDE:
            for item in thread:
                item.drop_tree()


def _one_comment(classes: str) -> bool:
    """Whether a class names one comment: its last word is "comment", and no word says
    it is a live ticker's entry."""
    words = [WORD_SPLIT.split(name) for name in classes.split()]
    return any(COMMENT_ITEM.match(name[-1]) for name in words if name) and not any(
        word.lower() == "live" for name in words for word in name
    )


def _holds_story(element: html.HtmlElement) -> bool:
    return any(element.find(f".//{tag}") is not None for tag in ("h1", "article", "main"))


def mark_figures(body: html.HtmlElement) -> None:
    """An image and the short text under it, alone in their block, become a <figure>."""
    for image in list(body.iter("img")):
        if _is_icon(image) or next(image.iterancestors("figure"), None) is not None:
            continue
        block = _caption_block(image)
        if block is None:
            continue
        block.tag = "figure"
        caption = html.Element("figcaption")
        caption.text = _text(block)
        for child in list(block):
            block.remove(child)
        block.text = None
        block.append(caption)


def _caption_block(image: html.HtmlElement) -> html.HtmlElement | None:
    """The block holding `image` and, under it, a caption and nothing else."""
    block = image.getparent()
    for _ in range(CAPTION_DEPTH):
        if block is None or block.tag not in CAPTION_HOLDERS:
            return None
        if block.tag in ("div", "table", "td") and _has_text(block):
            break
        block = block.getparent()
    else:
        return None
    if not _has_text(block, CAPTION_CHARS) or sum(1 for _ in block.iter("img")) != 1:
        return None
    text = _text(block)
    if sum(1 for _ in block.iter()) > CAPTION_ELEMENTS:
        return None  # a product or teaser card: name, price, buttons
    if any(block.find(f".//{tag}") is not None for tag in BLOCKS):
        return None
    if block.tag != "table" and block.find(".//table") is not None:
        return None
    if block.tag == "table" and any(_cells(row) > 1 for row in block.iter("tr")):
        return None  # a data table with a picture in it; a photo box has one column
    if block.find(".//a[@href]") is not None and _prose(block) < len(text) / 2:
        return None  # a linked teaser with its picture
    return block if not _text_before(block, image).strip() else None


def _has_text(block: html.HtmlElement, most: int | None = None) -> bool:
    """Whether `block` holds text (and at most `most` characters of it): reading stops
    there, not at the end of an article the image sits in."""
    size = 0
    for text in block.itertext():
        size += len(text.strip())
        if most is None and size:
            return True
        if most is not None and size > most:
            return False
    return size > 0


def _text_before(block: html.HtmlElement, image: html.HtmlElement) -> str:
    """The text of `block` before `image`: a caption is printed under (or beside) it."""
    holders = set(image.iterancestors())
    out: list[str] = []
    for node in block.iter():
        if node is image:
            break
        out.append(node.text or "")
        if node is not block and node not in holders:
            out.append(node.tail or "")
    return "".join(out)


def _is_icon(image: html.HtmlElement) -> bool:
    sizes = [image.get("width", ""), image.get("height", "")]
    numbers = [int(s) for s in (v.strip().removesuffix("px") for v in sizes) if s.isdigit()]
    return any(n <= ICON_PIXELS for n in numbers)
