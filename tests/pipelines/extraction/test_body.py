from lxml import html

from pipelines.extraction.body import (
    PageView,
    below_headline,
    inner_headings,
    is_menu_line,
    linked_share,
    page_view,
    refine_body,
)

PAGE = """<html><head><meta name="description" content="{lead}"></head><body>
<p class="standfirst">{lead}</p>
<article><p>First paragraph of the story with plenty of words in it.</p>
<p>READ MORE: <a href="/other">Minister resigns after budget row</a></p>
<ul><li><a href="/x">Floods hit the northern province again this week</a></li></ul>
<p>Foto: NTB</p><p>Last paragraph, which mentions <a href="/y">a linked report</a>.</p>
</article></body></html>"""
LEAD = "The standfirst that the page shows under its headline, a sentence long enough."
TEXT = "\n".join(
    [
        "First paragraph of the story with plenty of words in it.",
        "READ MORE: Minister resigns after budget row",
        "- Floods hit the northern province again this week",
        "Foto: NTB",
        "Last paragraph, which mentions a linked report.",
    ]
)


def view(lead=LEAD):
    return page_view(html.document_fromstring(PAGE.format(lead=lead)))


def test_linked_share():
    links = view().link_texts
    assert linked_share("- Floods hit the northern province again this week", links) == 1.0
    assert linked_share("READ MORE: Minister resigns after budget row", links) > 0.7
    assert linked_share("Last paragraph, which mentions a linked report.", links) < 0.4


def test_teasers_and_photo_credits_go_and_the_displayed_lead_comes_first():
    text, changes = refine_body(TEXT, view(), LEAD)
    assert text.splitlines() == [
        LEAD,
        "First paragraph of the story with plenty of words in it.",
        "Last paragraph, which mentions a linked report.",
    ]
    assert changes == ["teasers_or_credits", "lead"]


def test_a_description_the_page_does_not_show_is_not_added():
    hidden = PAGE.format(lead=LEAD).replace(f'<p class="standfirst">{LEAD}</p>', "")
    text, _ = refine_body(TEXT, page_view(html.document_fromstring(hidden)), LEAD)
    assert LEAD not in text


def test_a_text_made_only_of_links_is_left_alone():
    only_links = "- Floods hit the northern province again this week"
    text, changes = refine_body(only_links, view(), None)
    assert text == only_links
    assert changes == []


def test_a_linked_credit_line_is_left_for_the_credits():
    page = PAGE.format(lead=LEAD).replace(
        "</article>",
        '<p>Read the full story on <a href="/o">AfricaWire, the origin</a></p></article>',
    )
    text = TEXT + "\nRead the full story on AfricaWire, the origin"
    refined, _ = refine_body(text, page_view(html.document_fromstring(page)), None)
    assert refined.endswith("Read the full story on AfricaWire, the origin")


LISTICLE = """<html><body><main><div class="story">
<p>Premier paragraphe de l'article, assez long pour être lu comme du texte.</p>
<p>Voici les chiffres qui comptent, dans l'ordre.</p>
<h3>1. Trois cents kilomètres de voies nouvelles.</h3>
<h3>2. Douze gares rénovées d'ici à la fin de l'année.</h3>
{after}</div>{aside}</main></body></html>"""
EXTRACTED = "Premier paragraphe de l'article, assez long pour être lu comme du texte.\n" + (
    "Voici les chiffres qui comptent, dans l'ordre."
)


def refined(after: str = "", aside: str = "") -> list[str]:
    tree = html.document_fromstring(LISTICLE.format(after=after, aside=aside))
    return refine_body(EXTRACTED, page_view(tree), None)[0].split("\n")


def test_headings_that_end_the_article_are_restored():
    assert refined()[-2:] == [
        "1. Trois cents kilomètres de voies nouvelles.",
        "2. Douze gares rénovées d'ici à la fin de l'année.",
    ]
    # Outside the story's block, a box's headings are not the story's.
    assert len(refined(aside="<section><h3>À lire aussi</h3></section>")) == 4


def test_headings_followed_by_text_or_linking_elsewhere_are_left_to_trafilatura():
    assert len(refined(after="<p>Un paragraphe que trafilatura a écarté.</p>")) == 2
    assert len(refined(after='<h3><a href="/autre">Une autre histoire</a></h3>')) == 2


MENU_PAGE = """<html><body><div><a href="/">Start</a> · <a href="/stad/">Stad</a> ·
<a href="/sport/">Sport</a></div><div><a href="/t/brug">brug</a>, <a href="/t/raad">raad</a></div>
<p>De raad stemde in met de brug. Thuis en op straat werd er lang over gepraat.</p></body></html>"""


def test_lines_of_links_before_and_after_the_story_go_but_not_inside_it():
    menu = page_view(html.document_fromstring(MENU_PAGE))
    story = "De raad stemde in met de brug. Thuis en op straat werd er lang over gepraat."
    lines = ["Start · Stad · Sport", "Stad", story, "Sport", story, "brug, raad"]
    text, changes = refine_body("\n".join(lines), menu, None)
    assert text.split("\n") == [story, "Sport", story]
    assert "menus" in changes
    # A line that only contains a short link text inside prose stays.
    assert is_menu_line("Sportief gezien was het een goed jaar.", menu.menu_texts) is False


def test_subheadings_a_table_of_contents_links_to_and_written_out_addresses_stay():
    """Links within the page (a table of contents repeating the subheadings) and links
    whose text is their own address lead to no other page: their lines are the article's.
    A teaser of another page, beside them, still goes."""
    page = html.document_fromstring(
        "<html><body><ul class='toc'>"
        "<li><a href='#where'>Where can you buy the fluid for diesel cars?</a></li></ul>"
        "<article><p>First paragraph of the story with plenty of words in it.</p>"
        "<h2 id='where'>Where can you buy the fluid for diesel cars?</h2>"
        "<p>At most filling stations, in canisters of ten litres.</p>"
        "<p><a href='https://petition.example.org'>https://petition.example.org</a></p>"
        "<p>Last paragraph of the story, which asks readers to sign.</p>"
        "<p><a href='/other-story.html'>Minister resigns after a long budget row</a></p>"
        "</article></body></html>"
    )
    text = "\n".join(
        [
            "First paragraph of the story with plenty of words in it.",
            "Where can you buy the fluid for diesel cars?",
            "At most filling stations, in canisters of ten litres.",
            "https://petition.example.org",
            "Last paragraph of the story, which asks readers to sign.",
            "Minister resigns after a long budget row",
        ]
    )
    kept, changes = refine_body(text, page_view(page), None)
    assert kept.splitlines() == text.splitlines()[:-1]
    assert changes == ["teasers_or_credits"]


FRAMED = """<html><body><div class="left"><a href="/">World</a> <a href="/">Sport</a></div>
<div class="content"><p class="kicker">WORLD</p><h2>Bridge opens after ten years</h2>
<p class="meta">12/03/2025 | Ann Lee</p><p>LONDON</p>
<p>The bridge opened on Monday, ten years after work began on the world's longest span.</p>
<h2>A long wait</h2><p>Work stopped twice for lack of money.</p>{end}</div></body></html>"""
STORY = ["The bridge opened on Monday, ten years after work began on the world's longest span."]
TITLE = "Bridge opens after ten years"


def framed(end: str = "") -> PageView:
    return page_view(html.document_fromstring(FRAMED.format(end=end)))


def test_short_lines_shown_only_above_the_headline_go():
    assert below_headline(["WORLD", *STORY], framed(), TITLE) == STORY
    assert below_headline(["Sport", "WORLD", *STORY], framed(), TITLE) == STORY
    # A dateline and a byline are shown below the headline (bylines are furniture's).
    kept = ["LONDON", *STORY]
    assert below_headline(kept, framed(), TITLE) is kept
    assert below_headline(["12/03/2025 | Ann Lee", *STORY], framed(), TITLE)[0] != STORY[0]
    # A label the text says again below, as written, stays; so does all when no heading
    # of the page shows the headline.
    assert below_headline(["WORLD", *STORY, "The WORLD news."], framed(), TITLE)[0] == "WORLD"
    assert below_headline(["WORLD", *STORY, "The world news."], framed(), TITLE)[0] != "WORLD"
    assert below_headline(["WORLD", *STORY], framed(), "Not on the page")[0] == "WORLD"


def test_subheadings_between_two_lines_of_the_text_are_put_back():
    tree = html.document_fromstring(FRAMED.format(end=""))
    lines = [
        "The bridge opened on Monday, ten years after work began on the world's longest span.",
        "Work stopped twice for lack of money.",
    ]
    assert inner_headings(lines, tree) == [lines[0], "A long wait", lines[1]]
    # Not before the text's first line (the headline's place), nor twice.
    assert inner_headings([*lines[1:], "x"], tree) == [*lines[1:], "x"]
    again = [lines[0], "A long wait", lines[1]]
    assert inner_headings(again, tree) is again


def test_a_short_linked_name_in_the_story_is_not_a_teaser():
    """Another story's headline is a teaser alone or after a label; a linked product or
    place, as recipes and guides list them, is the story's."""
    page = html.document_fromstring(
        "<html><body><article><p>Mix the flour with the sugar.</p>"
        '<ul><li><a href="/p/vanilla">Dr. Oetker Vanillin-Zucker</a></li></ul>'
        '<p>Also: <a href="/news/1">Bakery wins prize</a></p>'
        '<ul><li><a href="/news/2">Town bakery wins a national prize for its bread</a></li></ul>'
        "<p>Bake for twenty minutes.</p></article></body></html>"
    )
    lines = [
        "Mix the flour with the sugar.",
        "- Dr. Oetker Vanillin-Zucker",
        "Also: Bakery wins prize",
        "- Town bakery wins a national prize for its bread",
        "Bake for twenty minutes.",
    ]
    text, changes = refine_body("\n".join(lines), page_view(page), None)
    assert text.split("\n") == [*lines[:2], lines[-1]] and changes == ["teasers_or_credits"]


def test_the_heading_of_a_box_the_text_left_out_does_not_end_it():
    page = html.document_fromstring(
        "<html><body><article><p>Mix the flour with the sugar.</p><p>Bake it.</p>"
        "<h3>Weitere Artikel zum Thema</h3><ul><li><a href='/a'>Brot backen</a></li></ul>"
        "<h3>Serving</h3></article></body></html>"
    )
    lines = ["Mix the flour with the sugar.", "Bake it.", "Weitere Artikel zum Thema"]
    text, changes = refine_body("\n".join(lines), page_view(page), None)
    assert text.split("\n") == lines[:2] and "dangling_heading" in changes
    # A heading with its text after it, or with nothing after it, ends the text.
    kept = ["Mix the flour with the sugar.", "Bake it.", "Serving"]
    assert refine_body("\n".join(kept), page_view(page), None)[0].split("\n") == kept
