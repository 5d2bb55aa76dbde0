"""Reading an XML document element by element, each once its closing tag has been read.

Sitemaps and feeds arrive cut off (a dropped connection, a gzip stream that ends early,
a server that stops writing) and malformed. A recovering parser given the whole
document closes whatever is still open at the end itself, so the last entry of a cut
sitemap looks complete (without its date, or with a title such as `![CDATA`), and a cut
just after a namespace prefix leaves an element named `xhtml:`. Here lxml's push parser
is fed the document and only the elements it closes while reading are reported; the
closing tags it would invent at the end of the input are never asked for. Nothing here
raises on bad input: a document that cannot be read further simply ends there.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from html.entities import html5

from lxml import etree

CHUNK = 64 * 1024  # bytes fed at a time, so a large document is read (and freed) as it goes
# What the lenient reading rewrites outside CDATA sections (see `lenient_references`):
# an `&` that starts no reference; a `<` that starts no markup (`a < b`, `<5%`, `<>`):
# no tag, end tag, comment, CDATA section, processing instruction or declaration; and
# every named reference, XML's own five included.
CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z][A-Za-z0-9]{0,31}|#[0-9]+|#[xX][0-9A-Fa-f]+);)")
BARE_LESS_THAN = re.compile(rb"<(?![A-Za-z_:/?\x80-\xff]|!--|!\[CDATA\[|![A-Z])")
PREDEFINED = {
    b"&amp;": b"&#38;",
    b"&lt;": b"&#60;",
    b"&gt;": b"&#62;",
    b"&quot;": b"&#34;",
    b"&apos;": b"&#39;",
}
NAMED_REFERENCE = re.compile(rb"&([A-Za-z][A-Za-z0-9]{0,31});")
WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def local_name(tag: object) -> str:
    """`{namespace}name` or `prefix:name` as `name`; '' for comments, PIs and entities.

    Plain string work: `etree.QName` raises on the names a recovering parser makes of
    broken markup (`xhtml:`).
    """
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].rpartition(":")[2]


def lenient_references(body: bytes) -> bytes:
    """The document with its references and stray `<` made well-formed, read as a
    browser reads them.

    - A bare `&` (`?a=1&b=2` in a URL) stands for itself: a recovering parser would drop
      it with the name after it and give the wrong URL `?a=1=2`, and libxml2's push
      parser would hold back the rest of the document until it saw a `;`.
    - A `<` that starts no markup (`Prices < 5%`) stands for itself: the push parser,
      unable to read it as a tag, would hold back the rest of the document to its end.
    - XML's own references (`&amp;`, `&lt;` ...) become the numeric references they
      stand for: once libxml2's recovering parser has met one error it drops every named
      reference after it, so `?a=1&amp;b=2` would again come out as `?a=1b=2`.
    - An HTML entity used without a declaration (`&nbsp;`, `&eacute;`) becomes its
      character; any other undeclared name is kept as text. Declared entities are never
      expanded this way (the spiders refuse documents that declare any).

    ASCII-compatible encodings only: UTF-16 and UTF-32 documents are left as they are.
    """
    if body.startswith(WIDE_BOMS) or body.startswith((b"<\x00", b"\x00<")):
        return body
    parts = CDATA.split(body)  # text, CDATA section, text, ...: CDATA is kept as it is
    for index in range(0, len(parts), 2):
        text = BARE_LESS_THAN.sub(b"&#60;", BARE_AMPERSAND.sub(b"&#38;", parts[index]))
        for named, numeric in PREDEFINED.items():
            text = text.replace(named, numeric)
        parts[index] = NAMED_REFERENCE.sub(_named_reference, text)
    return b"".join(parts)


def _named_reference(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    characters = html5.get(name.decode("ascii") + ";")
    if characters is None:
        return b"&#38;" + name + b";"
    return "".join(f"&#{ord(char)};" for char in characters).encode("ascii")


class ClosedElements:
    """The elements of `body` named `names` (local names), each as soon as its closing
    tag has been read, children before their parent.

    `root` is the local name of the root element, known once an element named `names`
    has started (or, if none ever does, after the iteration); `complete` says, after
    the iteration, whether the root element was closed (the root must be one of
    `names`). Events for other elements are never made, which keeps a 50 MB sitemap's
    reading in C; an element may be freed (`release`) once the caller has read it, so
    the document never sits in memory as one tree.
    """

    def __init__(self, body: bytes, names: Iterable[str]):
        self.body = lenient_references(body)
        self.names = [f"{{*}}{name}" for name in names]
        self.root_element: etree._Element | None = None
        self.complete = False
        self._root_name: str | None = None

    @property
    def root(self) -> str | None:
        if self.root_element is not None:
            return local_name(self.root_element.tag)
        return self._root_name

    def __iter__(self) -> Iterator[etree._Element]:
        parser = etree.XMLPullParser(
            events=("start", "end"),
            tag=self.names,
            resolve_entities=False,
            no_network=True,
            recover=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        for at in range(0, len(self.body), CHUNK):
            try:
                parser.feed(self.body[at : at + CHUNK])
            except etree.LxmlError:  # rare in recover mode: the reading ends here
                yield from self._closed(parser)
                return
            yield from self._closed(parser)
        if self.root_element is None:  # nothing named `names` started: name the root
            self._root_name = _root_name(parser)
        # Otherwise no parser.close(): it would close every element still open.

    def _closed(self, parser: etree.XMLPullParser) -> Iterator[etree._Element]:
        for event, element in parser.read_events():
            if event == "start":
                if self.root_element is None:
                    self.root_element = element.getroottree().getroot()
                continue
            if element is self.root_element:
                self.complete = True
            yield element

    def release(self, element: etree._Element) -> None:
        """Free a child of the root that has been read, and the children read before it."""
        if self.root_element is None or element.getparent() is not self.root_element:
            return
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del self.root_element[0]


def _root_name(parser: etree.XMLPullParser) -> str | None:
    """The root element's local name, once the whole document has been fed."""
    try:
        root = parser.close()
    except etree.LxmlError:
        return None
    return None if root is None else local_name(root.tag)


def text_of(element: etree._Element) -> str | None:
    """The element's text (CDATA included), whitespace collapsed; None when empty."""
    text = element.text if len(element) == 0 else "".join(element.itertext())
    collapsed = " ".join((text or "").split())
    return collapsed or None
