"""Places: the markup a short line at the text's edges is shown in, when it is its own."""

from lxml import html

from pipelines.places import edge_places

STORY = [
    "The council voted on Tuesday to build a bridge over the canal after years of talks.",
    "Work starts in spring and should take three years, the mayor said after the vote.",
    "The province pays a third of the cost; the state has yet to decide on its share.",
]


def page(label: str, end: str = "") -> html.HtmlElement:
    paras = "".join(f"<p>{p}</p>" for p in STORY)
    return html.document_fromstring(
        f'<html><body><div class="content-42"><p class="kicker">{label}</p>'
        f'<div class="issue"><b>Issue</b> 4521</div><h2>A bridge at last</h2>{paras}'
        f"{end}</div></body></html>"
    )


def test_short_lines_at_the_edges_in_markup_of_their_own_have_a_place():
    lines = ["WORLD", "Issue 4521", *STORY, "Tip of the day: water your plants"]
    tree = page("WORLD", '<p class="tip">Tip of the day: water your plants</p>')
    assert edge_places(lines, tree) == {
        "WORLD": "top:div.content > p.kicker",
        "Issue 4521": "top:div.content > div.issue",
        "Tip of the day: water your plants": "end:div.content > p.tip",
    }


def test_paragraphs_subheadings_and_lines_inside_the_text_have_none():
    tree = page("WORLD", "<p>Short last line.</p><h3>Not</h3>")
    # A plain paragraph shares its markup with its siblings; a heading with no class names
    # nothing; a line inside the text is no edge; a long line is prose.
    lines = [STORY[0], "A bridge at last", "WORLD", STORY[1], STORY[2], "Short last line."]
    assert edge_places(lines, tree) == {}
    twins = html.document_fromstring(
        '<html><body><p class="note">One note</p><p class="note">Two notes</p></body></html>'
    )
    assert edge_places(["One note", *STORY], twins) == {}
