from lxml import html

from pipelines.authors import choose_authors
from pipelines.metadata import PageMetadata

TREE = html.document_fromstring("<html><body><p>x</p></body></html>")


def test_declared_authors_without_the_site_itself():
    declared = PageMetadata(authors=["Amina Diallo", "The Daily", "Amina  Diallo"])
    assert choose_authors(TREE, declared, None, "The Daily", "daily.test") == ["Amina Diallo"]


def test_extracted_byline_when_nothing_is_declared():
    names = choose_authors(TREE, PageMetadata(), "Ali Ba; Eve Li", None, "daily.test")
    assert names == ["Ali Ba", "Eve Li"]
