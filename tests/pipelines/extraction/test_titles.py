import pytest
from lxml import html

from crawler.items import Document, Page
from pipelines.extraction.document import extract_document
from pipelines.extraction.metadata import meta_tags, read_metadata
from pipelines.extraction.titles import (
    Furniture,
    agreed_title,
    choose_title,
    clean,
    sections,
    strip_site_name,
)


@pytest.mark.parametrize(
    ("title", "site_name", "expected"),
    [
        ("Big story | The Daily", "The Daily", "Big story"),
        ("The Daily - Big story", "The Daily", "Big story"),
        ("Big story - News - The Daily", "The Daily", "Big story - News"),
        (
            "Libya: Algeria, Libya to Bolster Security",
            "AfricaWire",
            "Libya: Algeria, Libya to Bolster Security",
        ),
        ("Big story :: daily.test", None, "Big story"),
        ("Big story | DAILY", None, "Big story"),
        ("Big story — Weekly", "The Daily", "Big story — Weekly"),
    ],
)
def test_strip_site_name(title, site_name, expected):
    assert strip_site_name(title, site_name, "daily.test") == expected


@pytest.mark.parametrize(
    ("title", "names", "site", "expected"),
    [
        # A date after the site name goes with it.
        ("Big story | DW | 28.04.2023", ["DW.COM"], "dw.com", "Big story"),
        ("Big story – DW – 13.06.2023", [], "dw.com", "Big story"),
        # The brand with a word or two, at the end only.
        ("Big story - Mirror Online", [], "mirror.co.uk", "Big story"),
        ("Big story | NTV Haber", ["NTV"], "ntv.com.tr", "Big story"),
        ("Big story - Báo VnExpress Sức khỏe", [], "vnexpress.net", "Big story"),
        ("Mirror Online | Big story", [], "mirror.co.uk", "Mirror Online | Big story"),
        # Spellings of the same name: umlauts, accents, a leading article.
        ("Big story | Börsen-Zeitung", [], "boersen-zeitung.de", "Big story"),
        ("Big story | Público", ["Display Ltd"], "publico.es", "Big story"),
        ("Big story - Times of India", ["The Times of India"], "toi.test", "Big story"),
        # A site name inside the title ends it: section, byline and date go too.
        ("Big story | The Gazette | by Jane Doe", ["The Gazette"], "gazette.test", "Big story"),
        ("Big story | NDR.de - Nachrichten - Hamburg", ["NDR"], "ndr.de", "Big story"),
        # Bars without spaces, full-width ones and the Hangul letter used as one.
        ("큰 기사ㅣ한국일보", ["한국일보"], "hankookilbo.test", "큰 기사"),
        ("大きな記事：朝日新聞デジタル", ["朝日新聞デジタル"], "asahi.com", "大きな記事"),
        # Each part of a compound site name names the site.
        (
            "Big story | Israel News – Chadashoth",
            ["Israel News – Chadashoth"],
            "i.test",
            "Big story",
        ),
        # A headline that starts with the brand keeps it.
        (
            "BBC licence fee row: what next | BBC News",
            [],
            "bbc.co.uk",
            "BBC licence fee row: what next",
        ),
        # An unspaced hyphen joins words; a date alone is not a site name but goes too.
        ("Big story-The Daily", ["The Daily"], "daily.test", "Big story-The Daily"),
        ("Big story | 28.04.2023", [], "daily.test", "Big story"),
    ],
)
def test_strip_site_furniture(title, names, site, expected):
    assert strip_site_name(title, names, site) == expected


def test_declared_sections_are_furniture_alone_or_with_a_word():
    furniture = Furniture.of(["The Daily"], "daily.test", ["Sport", "Politics"])
    strip = lambda title: strip_site_name(title, None, "daily.test", furniture=furniture)  # noqa: E731
    assert strip("Big story | Sport") == "Big story"
    assert strip("Big story | Politics News | The Daily") == "Big story"
    assert strip("Sport | Big story") == "Big story"
    assert strip("Big story | Sporting legends of the past") == (
        "Big story | Sporting legends of the past"
    )
    cjk = Furniture.of([], "daily.test", ["スポーツ"])
    title = "速報：スポーツ界に激震が走った"  # a sentence that starts with a section name
    assert strip_site_name(title, None, "daily.test", furniture=cjk) == title
    assert (
        strip_site_name("大きな記事：スポーツニュース", None, "x.test", furniture=cjk)
        == "大きな記事"
    )


def test_a_declared_section_after_a_bare_dash_goes_with_the_site_name():
    furniture = Furniture.of(["한국일보"], "hankookilbo.com", ["정치"])
    title = "민주당 도입 또다시 불발-정치ㅣ한국일보"
    assert strip_site_name(title, None, "", furniture=furniture) == "민주당 도입 또다시 불발"
    politics = Furniture.of(["The Daily"], "daily.test", ["Politics"])
    kept = "Against Anti-Politics"  # spaced furniture: the dash joins words
    assert strip_site_name(kept, None, "", furniture=politics) == kept
    assert strip_site_name(kept + " | The Daily", None, "", furniture=politics) == kept
    compact = "Big story-Politics|The Daily"
    assert strip_site_name(compact, None, "", furniture=politics) == "Big story"


def test_sections_come_from_meta_jsonld_and_short_breadcrumbs():
    tree = html.document_fromstring(
        """<html><head><meta property="article:section" content="Sport">
        <script type="application/ld+json">{"@graph": [
          {"@type": "NewsArticle", "articleSection": ["Football", "Premier League"]},
          {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home"},
            {"@type": "ListItem", "position": 2, "item": {"@id": "/x", "name": "World"}},
            {"@type": "ListItem", "position": 3, "name": "The whole long headline of it"}]}
        ]}</script></head><body></body></html>"""
    )
    found = sections(tree, meta_tags(tree))
    assert found == ["Sport", "Football", "Premier League", "Home", "World"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Helikopter\xadlandeplatz", "Helikopterlandeplatz"),
        ("Ein bisschen Fortschritt\u200b", "Ein bisschen Fortschritt"),
        ("Tom &amp; Jerry", "Tom & Jerry"),  # entities encoded twice in the page
        ("Q&A with  the\u00a0mayor", "Q&A with the mayor"),
    ],
)
def test_clean(text, expected):
    assert clean(text) == expected


@pytest.mark.parametrize(
    ("title", "declared", "shown", "expected"),
    [
        # A declared title without the kicker: the kicker goes.
        ("Iran attack: Israel holds back", ["Israel holds back"], [], "Israel holds back"),
        ("«Eunuch maker»: Man jailed for life", ["Man jailed for life"], [], "Man jailed for life"),
        (
            '"It will start soon": Trump speaks of ground operations after tanker raid',
            ["Trump speaks of ground operations after tanker raid"],
            [],
            None,
        ),
        ("MSV-Coach Schubert: nothing to lose", ["Coach Schubert: nothing to lose"], [], None),
        ("Ex-Minister Raab heads think tank", ["Minister Raab heads think tank"], [], None),
        # A declared title or the visible heading without the suffix: the suffix goes.
        ("Big story leads the day | Sport", ["Big story leads the day"], [], None),
        ("Big story leads the day | Sport", [], ["Big story leads the day"], None),
        ("큰 기사가 오늘 나왔다-정치ㅣ한국일보", ["큰 기사가 오늘 나왔다"], [], None),
        # The visible heading cannot drop a kicker: pages show it on its own line.
        ("Iran attack: Israel holds back", [], ["Israel holds back"], "="),
        # A title that another one extends is confirmed as it is.
        ("Israel holds back", ["Iran attack: Israel holds back"], [], "="),
        # A part too small to be the headline is never taken for it.
        ("Sport: Big story of the week told at length", ["Sport"], ["Sport"], "="),
    ],
)
def test_agreed_title(title, declared, shown, expected):
    found = agreed_title(title, declared, shown)
    if expected == "=":
        assert found == title
    else:
        assert found == (expected or (declared or shown)[0])


def page(head: str, body: str = "") -> html.HtmlElement:
    return html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def title_of(tree: html.HtmlElement, site: str = "daily.test", extracted: str | None = None):
    declared = read_metadata(tree, f"https://{site}/story")
    return choose_title(tree, declared, None, extracted, declared.site_name, site)


def jsonld(headline: str) -> str:
    return (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        f'"headline": "{headline}"}}</script>'
    )


def test_kicker_in_headline_but_not_in_og_title():
    tree = page(
        jsonld("Neue Leipziger Schule: Judy Lybke, ganz und gar nicht eigenartig")
        + '<meta property="og:title" content="Judy Lybke, ganz und gar nicht eigenartig">',
        "<h1>Neue Leipziger Schule: Judy Lybke, ganz und gar nicht eigenartig</h1>",
    )
    assert title_of(tree) == "Judy Lybke, ganz und gar nicht eigenartig"


def test_section_in_headline_but_not_in_og_title():
    tree = page(
        jsonld("Bubi-Bomber wieder da: Thioune fordert Geduld | Sport")
        + '<meta property="og:title" content="Bubi-Bomber wieder da: Thioune fordert Geduld">'
    )
    assert title_of(tree) == "Bubi-Bomber wieder da: Thioune fordert Geduld"


def test_title_suffix_the_h1_does_not_have():
    tree = page(
        '<meta property="og:title" content="„Unermüdlicher Einsatz“ - Die Neue Zeitung">',
        "<header><h1>„Unermüdlicher Einsatz“</h1></header>",
    )
    assert title_of(tree, site="zeitung.test") == "„Unermüdlicher Einsatz“"


def test_kicker_only_the_h1_lacks_is_kept():
    tree = page(
        '<meta property="og:title" content="Nach Gaetz-Rückzug: Trump-Anwältin wird Ministerin">',
        "<p>Nach Gaetz-Rückzug</p><h1>Trump-Anwältin wird Ministerin</h1>",
    )
    assert title_of(tree) == "Nach Gaetz-Rückzug: Trump-Anwältin wird Ministerin"


def test_unspaced_section_and_site_agreed_with_meta_headline():
    tree = page(
        '<meta property="og:site_name" content="한국일보">'
        "<title>장동혁, 한동훈 제명했지만 부담 커졌다-정치ㅣ한국일보</title>"
        '<meta name="headline" content="장동혁, 한동훈 제명했지만 부담 커졌다">'
        '<meta property="og:title" content="장동혁, 한동훈 제명했지만 부담 커졌다-정치ㅣ한국일보">'
    )
    assert title_of(tree, site="hankookilbo.com") == "장동혁, 한동훈 제명했지만 부담 커졌다"


def test_a_heading_that_is_the_site_name_cuts_nothing():
    tree = page(
        '<meta property="og:title" content="The Daily Chronicle | Big story">',
        "<h1>The Daily Chronicle</h1>",
    )
    assert title_of(tree, site="chronicle.test") == "The Daily Chronicle | Big story"


def test_site_name_date_and_soft_hyphens_from_the_title_tag():
    tree = page(
        "<title>Ukrainische Gegen\u00adoffensive: Ziele, Chancen | DW | 28.04.2023</title>"
        '<meta property="og:site_name" content="DW.COM">'
    )
    assert title_of(tree, site="dw.com") == "Ukrainische Gegenoffensive: Ziele, Chancen"


def test_section_declared_in_jsonld_is_removed_from_the_title():
    tree = page(
        '<meta property="og:title" content="Berlin-Marathon: Hendel im Porträt - Sport">'
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "articleSection": "Sport"}</script>'
    )
    assert title_of(tree) == "Berlin-Marathon: Hendel im Porträt"


def test_headline_without_separators_is_kept_and_extracted_is_the_last_resort():
    tree = page(jsonld("Big story: what we know"))
    assert title_of(tree) == "Big story: what we know"
    assert title_of(page(""), extracted="Big story - The Daily") == "Big story"
    assert title_of(page("")) is None


FOLHA = "http://folha-da-ribeira.test"


def _document(title_tag: str, url: str) -> Document:
    """What extraction makes of a page of bare divs: no metadata but its <title>."""
    body = f"<html><head><title>{title_tag}</title></head><body><div>text</div></body></html>"
    page = Page(url=url, body=body.encode(), encoding="utf-8", fetched_at="2024-05-02T10:00:00Z")
    return extract_document(page)


@pytest.mark.parametrize(
    ("title_tag", "url", "expected"),
    [
        # The site's name and a colon before the headline, in any case.
        (
            "Folha da Ribeira: Ponte reabre em maio",
            "http://folha-da-ribeira.test/a/1",
            "Ponte reabre em maio",
        ),
        ("STADSBLAD: Brug over het kanaal", "http://stadsblad.test/lees/2", "Brug over het kanaal"),
        # A kicker's colon stays: the part before it does not name the site.
        (
            "Brexit: Talks resume in Brussels",
            "http://folha-da-ribeira.test/a/3",
            "Brexit: Talks resume in Brussels",
        ),
        # A headline with a slash and a dot after the name: not the site's name.
        (
            "Folha da Ribeira | Obras / Ponte: a 2. fase arranca em maio",
            f"{FOLHA}/a/4",
            "Obras / Ponte: a 2. fase arranca em maio",
        ),
        (
            "ORÇAMENTO 2.0 | Câmara corta nas taxas | Folha da Ribeira",
            f"{FOLHA}/a/5",
            "ORÇAMENTO 2.0 | Câmara corta nas taxas",
        ),
    ],
)
def test_site_name_before_the_headline_and_headlines_with_separators(title_tag, url, expected):
    assert _document(title_tag, url).title == expected


def test_a_domain_name_ending_the_title_tag_is_the_site_name():
    from crawler.items import Page
    from pipelines.extraction.document import extract_document

    body = (
        b"<html><head><title>Ponte reabre em maio | ribeira.pt</title></head><body></body></html>"
    )
    page = Page(
        url="http://ribeira.pt/a/1", body=body, encoding="utf-8", fetched_at="2024-05-02T10:00:00Z"
    )
    doc = extract_document(page)
    assert (doc.title, doc.site_name) == ("Ponte reabre em maio", "ribeira.pt")
