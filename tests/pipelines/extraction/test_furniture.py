"""Furniture lines around the story, recognised by what they say."""

import pytest

from pipelines.extraction.furniture import is_byline, is_timestamp, strip_lead_furniture


def test_strip_lead_furniture():
    body = ["Kenya:", "Kenya: Court halts tender", "First paragraph.", "Second."]
    assert strip_lead_furniture(body, "Kenya: Court halts tender") == [
        "First paragraph.",
        "Second.",
    ]
    assert strip_lead_furniture(["Home / Normal / Story", "Text."], None) == ["Text."]
    long_lead = ["A long first paragraph that happens to come before a line " * 2, "Title", "x"]
    assert strip_lead_furniture(long_lead, "Title") == long_lead


def test_headline_variants_and_timestamp_lines_go():
    body = [
        "Deutscher Handel mit Teheran: Druck durch Wirtschaftssanktionen",
        "Stand: 22.04.2024, 06:00 Uhr",
        "The first real paragraph, dated 12.05.2024 at 10:00, in the Berlin office.",
        "Second.",
        "2025年1月14日 01時28分",
    ]
    title = "Deutscher Handel mit Teheran: Druck durch Wirtschaftssanktionen?"
    assert strip_lead_furniture(body, title) == body[2:4]


@pytest.mark.parametrize(
    "line",
    [
        "Posted by Redacción on 3 de marzo de 2025",
        "By Jody Robbins - Posted 04/22/2025",
        "Geplaatst door redactie op 12-03-2024",
        "Von Max Muster | 12.03.2024, 14:32 Uhr",
        "Par Anne Roux, publié le 3 mars 2025",
        "By Jane Doe and John Smith, Reuters",
        "Door Els de Vries",
        "Publicado el 3 de marzo de 2025",
    ],
)
def test_bylines(line):
    assert is_byline(line)


@pytest.mark.parametrize(
    "line",
    [
        "By Tuesday, officials hope to finish the work on the bridge.",
        "By the end of the year the council will decide on the budget.",
        "Von Berlin aus fliegen täglich drei Maschinen nach Lissabon.",
        "Par ailleurs, le ministre a rappelé le calendrier des travaux.",
    ],
)
def test_sentences_starting_like_bylines_are_prose(line):
    assert not is_byline(line)


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        ("Monday, 12 May 2025", True),
        ("March 07, 2025", True),
        ("Aktualisiert: 12. Mai 2025", True),
        ("mercredi 4 juin 2025", True),
        ("May the 4th be with you", False),
        ("In May 2024 the council met to decide on the budget for the year.", False),
    ],
)
def test_date_lines(line, stamp):
    assert is_timestamp(line) is stamp


def test_a_breadcrumb_ending_in_the_headline_a_byline_and_a_widget_go():
    title = "Obras / Ponte: a 2. fase arranca em maio"
    body = [
        "Terça-feira, 6 de maio de 2025",
        f"Início › Região › {title}",
        "Por Ana Ribeiro",
        "A segunda fase das obras da ponte começa na próxima semana.",
        "Second.",
    ]
    assert strip_lead_furniture(body, title) == body[3:]
    # A sentence that ends with the headline's words is no breadcrumb.
    prose = [f"Os vereadores discutiram ontem {title}", "Second."]
    assert strip_lead_furniture(prose, title) == prose


def test_a_line_of_particulars_around_a_date_goes():
    body = [
        "12. Mai 2025, 08:45 Uhr | Rubrik: Politik, Stadt | 3 Kommentare",
        "Por Ana Ribeiro · 4 min de leitura",
        "Der Rat hat gestern Abend beschlossen | und das war gut so, sagen alle Beteiligten.",
        "Second.",
    ]
    assert strip_lead_furniture(body, "Brücke") == body[2:]


def test_the_site_s_name_and_lines_of_separators_go():
    """A div-only template with no metadata: the site's name over the story, and the
    separators between its widgets, come through the extractor on every page."""
    story = [
        "A long first paragraph of the story, with many words that go on and on.",
        "*",
        "Second paragraph of the story, also long enough to be read as prose.",
    ]
    body = ["Metro Pulse", "|", "Posted 12 May 2025", story[0], "·", story[1], story[2], "»"]
    assert strip_lead_furniture(body, "A title", "Metro Pulse") == story
    # The name is only furniture above the story: a paragraph naming it stays.
    assert strip_lead_furniture([story[0], "Metro Pulse"], "A title", "Metro Pulse") == [
        story[0],
        "Metro Pulse",
    ]


def test_the_site_s_notices_under_the_story_go_but_credits_and_prose_stay():
    story = [
        "A long first paragraph of the story, with many words that go on and on.",
        "The last paragraph says who powered by the wind farm will pay the most.",
    ]
    footer = [
        "All material on this site is protected. Webmaster contact page.",
        "Powered by a content management system. Site map | RSS | Advertise with us",
    ]
    assert strip_lead_furniture([*story, *footer], "A title") == story
    credit = "© 2024 Reuters. All rights reserved."
    assert strip_lead_furniture([*story, credit], "A title") == [*story, credit]
    long_line = "Powered by " + "a sentence of the story that runs on and on, " * 5
    assert strip_lead_furniture([story[0], long_line], "A title") == [story[0], long_line]


def test_subscription_newsletter_and_share_notices_under_the_story_go():
    story = [
        "A long first paragraph of the story, with many words that go on and on.",
        "Voters can sign up until Friday; subscribers to the paper get a guide.",
    ]
    notices = [
        "To view the full story, please subscribe to The Island Times.",
        "Get our newsletter every morning.",
        "Teilen mit:",
    ]
    assert strip_lead_furniture([*story, *notices], "A title") == story
    # Inside the story, and in a story's last line, such words stay.
    assert strip_lead_furniture([story[0], notices[1], story[1]], "A title")[1] == notices[1]
    assert strip_lead_furniture(story, "A title") == story


def test_a_paywall_box_under_the_story_goes_whole():
    story = [
        "A long first paragraph of the story, with many words that go on and on.",
        "The second paragraph, which the paywall cuts after its last sentence.",
    ]
    box = [
        "To view the full story, please subscribe to The Island Times.",
        "First-time subscribers also receive a welcome gift.",
        "Already a subscriber? Log in for immediate access.",
    ]
    assert strip_lead_furniture([*story, *box], "A title") == story
    # A credit after it is not the box's.
    credit = "© 2024 Reuters. All rights reserved."
    assert strip_lead_furniture([*story, box[0], credit], "A title")[-1] == credit
