from lxml import html

from pipelines.extraction.visible import visible_text


def test_visible_text_leaves_out_what_no_reader_sees_and_keeps_reading_order():
    page = html.document_fromstring(
        "<html><head><title>Title</title></head><body>Top <p>First <b>bold</b> end</p>"
        '<script type="application/ld+json">{"description": "Hidden lead"}</script>after'
        "<noscript><p>Enable scripts</p> more</noscript>then<style>p {}</style>"
        "<template><p>Later</p></template><div>Last</div></body></html>"
    )
    assert visible_text(page).split() == ["Top", "First", "bold", "end", "after", "then", "Last"]


def test_a_fragment_without_a_body_shows_nothing():
    fragment = html.Element("div")
    fragment.text = "A fragment, not a page"
    assert visible_text(fragment) == ""
