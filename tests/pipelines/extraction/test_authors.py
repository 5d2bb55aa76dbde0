import pytest
from lxml import html

from pipelines.extraction.authors import choose_authors, people
from pipelines.extraction.metadata import PageMetadata

TREE = html.document_fromstring("<html><body><p>x</p></body></html>")
TEXT = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 4  # a long paragraph


def page(body: str) -> html.HtmlElement:
    return html.document_fromstring(f"<html><body>{body}</body></html>")


def choose(
    declared: list[str] | None = None,
    extracted: str | None = None,
    tree: html.HtmlElement = TREE,
    site_name: str | None = "The Daily",
    site: str = "daily.test",
) -> list[str]:
    declared_meta = PageMetadata(authors=declared or [])
    return choose_authors(tree, declared_meta, lambda: extracted, site_name, site)


def test_declared_authors_without_the_site_itself():
    declared = PageMetadata(authors=["Amina Diallo", "The Daily", "Amina  Diallo"])
    assert choose_authors(TREE, declared, lambda: None, "The Daily", "daily.test") == [
        "Amina Diallo"
    ]


def test_extracted_byline_when_nothing_is_declared():
    names = choose_authors(TREE, PageMetadata(), lambda: "Ali Ba; Eve Li", None, "daily.test")
    assert names == ["Ali Ba", "Eve Li"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Samya Kullab and Vasilisa Stepanenko", ["Samya Kullab", "Vasilisa Stepanenko"]),
        ("Anna Martel und Lea Wagner", ["Anna Martel", "Lea Wagner"]),
        (
            "Trine Juncher Jørgensen og Tôrtia Reimer-Johansen",
            ["Trine Juncher Jørgensen", "Tôrtia Reimer-Johansen"],
        ),
        ("Ana Ruiz, Bo Li, Cy Dee and Di Eve", ["Ana Ruiz", "Bo Li", "Cy Dee", "Di Eve"]),
        ("Mathatisi Sebusi/Mohalenyane Phakela", ["Mathatisi Sebusi", "Mohalenyane Phakela"]),
        ("Ali Ba & Eve Li", ["Ali Ba", "Eve Li"]),
        ("Chus del Pino y Martí Abad", ["Chus del Pino", "Martí Abad"]),
        ("牛镛、岳弘彬", ["牛镛", "岳弘彬"]),
    ],
)
def test_joined_names_are_split(raw, expected):
    assert people([raw]) == expected


@pytest.mark.parametrize(
    "name", ["José Ortega y Gasset", "Otto von Bismarck", "Ursula von der Leyen", "viktor hedlund"]
)
def test_names_with_particles_or_conjunctions_stay_whole(name):
    assert people([name]) == [name]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe", "Jane Doe"),
        ("Von Max Muster", "Max Muster"),
        ("Autor Monika Bolliger", "Monika Bolliger"),
        ("Autorin/Autor: Roman Goncharenko", "Roman Goncharenko"),
        ("Par Jean Dupont", "Jean Dupont"),
        ("Por Juan Pérez", "Juan Pérez"),
        ("Av Ola Nordmann", "Ola Nordmann"),
        ("Ein Kommentar von Corinna Budras", "Corinna Budras"),
        ("Capital Von Jemima Kelly", "Jemima Kelly"),
    ],
)
def test_byline_words_are_removed(raw, expected):
    assert people([raw]) == [expected]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Elena Oberholzer (obe)", ["Elena Oberholzer"]),
        ("Felix Schröder und Jörg Soldwisch, dpa", ["Felix Schröder", "Jörg Soldwisch"]),
        ("Seb Dumitru, Lille", ["Seb Dumitru"]),
        ("David Straub, MDR THÜRINGEN", ["David Straub"]),
        ("Jane Doe, professor of history at Some University, example.org", ["Jane Doe"]),
        ("Jane Doe - Reuters", ["Jane Doe"]),
        ("@janedoe Jane Doe", ["Jane Doe"]),
    ],
)
def test_roles_places_and_agencies_after_a_name_are_dropped(raw, expected):
    assert people([raw], _site("MDR", "mdr.de")) == expected


def _site(name, host):
    from pipelines.extraction.authors import _Site

    return _Site.of(name, host)


@pytest.mark.parametrize(
    "raw",
    [
        "d.kuckelkorn@example.de",
        "https://daily.test/author/jane",
        "sophie-foster",
        "(Image: Getty Images/iStockphoto)",
        "Photo: Jane Doe",
        "Photos by Jane Doe",
        "105092",
        "of the article",
        "Professor at the university",
    ],
)
def test_addresses_slugs_credits_ids_and_phrases_are_not_names(raw):
    assert people([raw]) == []


@pytest.mark.parametrize(
    "raw",
    [
        "Redaktion",
        "MM-Redaktion",
        "BR24 Redaktion",
        "dpa",
        "AFP",
        "Reuters",
        "The Associated Press",
        "Deutsche Presse-Agentur",
        "Guardian staff reporter",
        "Gear Team",
        "Nikkei Inc",
        "LBCI",
        "Red",
        "Agenturen",
        "Nachrichten",
        "FOCUS online",
        "Anadolu Ajansı",
        "日刊現代",
        "朝日新聞デジタル",
    ],
)
def test_organisations_desks_and_agencies_are_not_people(raw):
    assert people([raw]) == []


@pytest.mark.parametrize(
    ("raw", "site_name", "site"),
    [
        ("n-tv NACHRICHTEN", "n-tv.de", "n-tv.de"),
        ("Deutsche Welle (www.dw.com)", "DW.COM", "dw.com"),
        ("hessenschau.de, Frankfurt, Germany", "hessenschau.de", "hessenschau.de"),
        ("NDR.de", "ndr.de", "ndr.de"),
        ("Lesotho Times", "Lesotho Times", "lestimes.com"),
        ("srf", "SRF", "srf.ch"),
    ],
)
def test_the_publication_is_not_an_author(raw, site_name, site):
    assert choose([raw], site_name=site_name, site=site) == []


def test_cjk_job_titles_are_removed():
    assert people(["신현주 기자"]) == ["신현주"]
    assert people(["記者 山田太郎"]) == ["山田太郎"]


def test_rejected_metadata_is_not_taken_back_from_trafilatura():
    """Trafilatura re-reads the same meta tags; its pieces of them are no better."""
    names = choose(
        ["hessenschau.de, Frankfurt, Germany"],
        "Hessenschau De; Frankfurt; Germany",
        site_name="hessenschau.de",
        site="hessenschau.de",
    )
    assert names == []


def test_trafilatura_fills_in_for_an_e_mail_address():
    assert choose(["d.kuckelkorn@example.de"], "Dieter Kuckelkorn") == ["Dieter Kuckelkorn"]


def test_trafilatura_names_keep_the_page_spelling():
    tree = page("<p>amw</p><p>Miguel A. Herguedas, Madrid</p>")
    assert choose([], "Amw; Miguel A Herguedas", tree) == ["amw", "Miguel A. Herguedas"]


def test_marked_byline_adds_co_authors_of_a_declared_author():
    tree = page(
        '<div class="bylines"><a rel="author" href="mailto:i@x.test">Ingrid Treborg</a>'
        '<a rel="author" href="mailto:m@x.test">Marlene Holm</a></div>'
        f"<p>{TEXT}</p>"
    )
    assert choose(["Marlene Holm"], tree=tree) == ["Ingrid Treborg", "Marlene Holm"]


def test_teaser_bylines_do_not_add_authors():
    tree = page(
        '<div><span rel="author">Von Ralf Euler</span></div>'
        f"<p>{TEXT}</p><p>{TEXT}</p>"
        '<ul><li><a href="/a">Other story</a><span rel="author">Rainer Schulze und Ralf Euler'
        "</span></li><li><a href='/b'>More</a><span rel='author'>Anna Lang</span></li></ul>"
    )
    assert choose(["Ralf Euler"], tree=tree) == ["Ralf Euler"]


def test_marked_author_without_declared_metadata():
    tree = page(
        '<span itemprop="author" itemscope><span itemprop="name">Monika Bolliger und '
        "Anna Trechsel, Sweidah</span></span>"
    )
    assert choose([], None, tree) == ["Monika Bolliger", "Anna Trechsel"]


def test_commenters_are_not_authors():
    tree = page(
        f'<p>{TEXT}</p><div class="comments"><span itemprop="author">Kim Reader</span></div>'
    )
    assert choose([], None, tree) == []


def test_visible_byline_under_the_headline():
    tree = page(
        '<h1>Headline</h1><p class="meta">von <a href="/autoren/mk">Dr. Max Kolter</a></p>'
        f"<p>{TEXT}</p><p>Von Peter Other und mehr</p>"
    )
    assert choose(["LTO"], None, tree, "Legal Tribune Online", "lto.de") == ["Dr. Max Kolter"]


def test_visible_byline_split_over_elements():
    tree = page(
        '<h1>Headline</h1><span class="brand">capital</span><ul><li><span>von</span> '
        f"<span>Jemima Kelly</span></li></ul><p>{TEXT}</p>"
    )
    assert choose([], "Capital Von Jemima Kelly", tree) == ["Jemima Kelly"]


def test_by_in_the_text_or_teasers_is_not_a_byline():
    tree = page(
        f"<h1>Headline</h1><p>{TEXT}</p><p>By Jane Doe</p>"
        '<div class="teaser"><a href="/x"><span>Von Max Muster</span></a></div>'
    )
    assert choose([], None, tree) == []


def test_labelled_byline_anywhere_after_the_headline():
    tree = page(
        f"<h1>Headline</h1><p>{TEXT}</p><ul><li><strong>Autorin/Autor</strong> "
        "Roman Goncharenko</li></ul><p>(责编：牛镛、岳弘彬)</p>"
    )
    assert choose(["Deutsche Welle (www.dw.com)"], "Deutsche Welle", tree) == ["Roman Goncharenko"]


def test_cjk_editor_label():
    tree = page(f"<h1>标题</h1><p>{TEXT}</p><div>(责编：牛镛、岳弘彬)</div>")
    assert choose(["105092"], None, tree) == ["牛镛", "岳弘彬"]


def test_bold_name_opening_the_text():
    tree = page(f"<div><p><strong>MTHOBISI SITHOLE</strong></p><p>{TEXT}</p><p>{TEXT}</p></div>")
    assert choose([], None, tree) == ["MTHOBISI SITHOLE"]


def test_bold_subheading_between_paragraphs_is_not_a_byline():
    tree = page(f"<div><p>{TEXT}</p><p><b>Key Takeaways</b></p><p>{TEXT}</p></div>")
    assert choose([], None, tree) == []


def test_admin_account_name_gives_way_to_a_byline_in_the_text():
    byline = f"<div><p><strong>Jane Okafor</strong></p><p>{TEXT}</p><p>{TEXT}</p></div>"
    account = '<a rel="author" href="https://daily.test/author/admin/">Ilanga D</a>'
    assert choose(["Ilanga D"], None, page(account + byline)) == ["Jane Okafor"]
    assert choose(["Ilanga D"], None, page(account)) == ["Ilanga D"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Text: Maria Müller | Fotos: Hans Meier", ["Maria Müller"]),
        ("AP Photo/John Roe", []),
        ("John Smith for The Guardian", ["John Smith"]),
        ("Jane Doe and John Roe in Kyiv", ["Jane Doe", "John Roe"]),
        ("By Jane Doe • Updated 3 hours ago", ["Jane Doe"]),
        ("Jane Doe, CNN Business", ["Jane Doe"]),
        ("Bill MCCARTHY, AFP Deutschland", ["Bill MCCARTHY"]),
        ("山田太郎（やまだ・たろう）", ["山田太郎"]),
        ("Dr. med. Hans Müller", ["Dr. med. Hans Müller"]),
        ("Doe, Jane", ["Doe, Jane"]),
    ],
)
def test_credits_places_outlets_and_dates_around_names(raw, expected):
    assert people([raw]) == expected


def test_visible_byline_linked_to_the_author_page():
    tree = page(
        '<h1>Headline</h1><a href="/stories/other">By the way, read this</a>'
        f'<a href="/authors/jane-doe">By Jane Doe</a><p>{TEXT}</p>'
    )
    assert choose([], None, tree) == ["Jane Doe"]


def test_photographer_marked_up_in_a_caption_is_not_an_author():
    tree = page(
        '<figure><img src="a.jpg"><figcaption itemprop="author">Mads Rasmussen/Scanpix'
        f"</figcaption></figure><p>{TEXT}</p>"
    )
    assert choose([], None, tree) == []
    portrait = page(
        '<figure><img src="p.jpg"><figcaption itemprop="author">Hannah Ritzmann</figcaption>'
        f"</figure><p>{TEXT}</p>"
    )
    assert choose([], None, portrait) == ["Hannah Ritzmann"]


@pytest.mark.parametrize(
    "name",
    [
        "Bashar al-Assad",
        "Jean d'Ormesson",
        "María de los Ángeles García de la Fuente",
        "Ahmed bin Salman",
        "Maria da Silva",
    ],
)
def test_names_with_lower_case_parts(name):
    assert people([name]) == [name]


def test_outlet_names_open_with_an_article():
    assert people(["Jane Doe and John Roe, The Washington Post", "Der Postillon"]) == [
        "Jane Doe",
        "John Roe",
    ]


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("<span>Sehernur Karsu &nbsp;|</span><span>05.04.2025 - 14:02</span>", ["Sehernur Karsu"]),
        ("<span>Ana María Pérez</span> <span>12 March 2024</span>", ["Ana María Pérez"]),
        ("<span>Economy News</span> <span>Budget</span>", []),  # no date beside it
        ("<span>breaking news today</span> <span>05.04.2025</span>", []),  # not a name
    ],
)
def test_a_name_beside_the_date_under_the_headline_is_the_byline(byline, expected):
    body = (
        f"<h1>Charging points pass eleven thousand</h1><div>{byline}</div>"
        f"<p>{'The minister said the number of charging points rose sharply. ' * 4}</p>"
    )
    assert choose(tree=page(body)) == expected
