import pytest

from crawler.xmlstream import ClosedElements, lenient_references, local_name, text_of

DOC = (
    b'<r xmlns="urn:r" xmlns:p="urn:p"><e><n>1</n></e><p:e><n>2</n></p:e><e><n>3</n><x/></e>'
    b"<q:e><n>4</n></q:e></r>"
)


def closed(body: bytes, names: set[str]) -> tuple[list[str], ClosedElements]:
    elements = ClosedElements(body, names)
    return [f"{local_name(e.tag)}:{text_of(e)}" for e in elements], elements


def test_reports_only_the_named_elements_in_closing_order() -> None:
    found, elements = closed(DOC, {"r", "e"})
    assert found == ["e:1", "e:2", "e:3", "e:4", "r:1234"]  # q: is an undeclared prefix
    assert (elements.root, elements.complete) == ("r", True)


@pytest.mark.parametrize("size", range(len(DOC)))
def test_a_cut_document_reports_what_it_closed_and_never_invents_a_closing_tag(size: int) -> None:
    found, elements = closed(DOC[:size], {"r", "e"})
    complete = DOC[:size].count(b"</e>") + DOC[:size].count(b"</p:e>") + DOC[:size].count(b"</q:e>")
    assert len(found) == complete
    assert not elements.complete


def test_the_root_is_named_even_when_nothing_named_opens() -> None:
    found, elements = closed(b"<html><body><p>x</p></body></html>", {"urlset", "url"})
    assert (found, elements.root, elements.complete) == ([], "html", False)
    assert closed(b"", {"r"})[1].root is None
    assert closed(b"\x00\x01 not xml", {"r"})[1].root is None


def test_release_frees_what_was_read() -> None:
    elements = ClosedElements(DOC, {"e"})
    for element in elements:
        elements.release(element)
    assert elements.root_element is not None
    assert len(elements.root_element) <= 1


@pytest.mark.parametrize(
    "raw, read",
    [
        (b"<a>?x=1&y=2</a>", "?x=1&y=2"),  # a bare ampersand stays itself
        (b"<a>R&D &amp; &lt;&gt;&quot;&apos;</a>", "R&D & <>\"'"),
        (b"<a>&#233;&#xE9;&eacute;&nbsp;x</a>", "ééé x"),  # undeclared HTML entities
        (b"<a>&unknownname; &#12 &</a>", "&unknownname; &#12 &"),
        (b"<a><![CDATA[a &amp; b & c]]></a>", "a &amp; b & c"),  # CDATA is left alone
        (b"<a>Prices < 5%, <> and <!x</a>", "Prices < 5%, <> and <!x"),  # `<` that is no markup
    ],
)
def test_references_are_read_as_a_browser_reads_them(raw: bytes, read: str) -> None:
    (found,), _ = closed(raw, {"a"})
    assert found == f"a:{read}"


def test_references_after_an_error_are_kept() -> None:
    """libxml2's recovering parser drops named references after its first error."""
    body = b"<r><e>a\x01b</e><e>p?a=1&amp;b=2&lt;&gt;&quot;&apos;</e></r>"
    found, _ = closed(body, {"e"})
    assert found == ["e:ab", "e:p?a=1&b=2<>\"'"]


def test_wide_encodings_are_left_as_they_are() -> None:
    body = "\ufeff<a>x&y</a>".encode("utf-16")
    assert lenient_references(body) == body


@pytest.mark.parametrize(
    "tag, name",
    [("{urn:x}url", "url"), ("xhtml:", ""), ("xh", "xh"), ("p:loc", "loc"), (None, "")],
)
def test_local_name_never_raises(tag: object, name: str) -> None:
    assert local_name(tag) == name
