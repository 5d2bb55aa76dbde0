"""Markup read for what it is: layout tables, bare divs, comment boxes, captioned photos."""

from lxml import html

from crawler.items import Page
from pipelines.extraction.document import extract_document
from pipelines.extraction.layout import paragraphs, prepare, story_container

# A story in Portuguese, one in Dutch and one in French: four paragraphs each.
PT = [
    "A câmara municipal aprovou ontem à noite o orçamento para o próximo ano, depois de uma"
    " reunião que durou mais de cinco horas e terminou com os votos contra da oposição.",
    "O presidente da autarquia defendeu que as contas são equilibradas e que o investimento"
    " nas escolas e nos transportes públicos vai aumentar de forma significativa.",
    "A oposição criticou a subida das taxas municipais e lembrou que muitas famílias ainda"
    " sentem os efeitos da inflação dos últimos dois anos no custo da habitação.",
    "O documento segue agora para a assembleia municipal, que deverá votá-lo antes do fim"
    " do mês, numa sessão extraordinária marcada para o auditório da biblioteca.",
]
NL = [
    "De gemeenteraad heeft dinsdagavond ingestemd met de bouw van een nieuwe brug over het"
    " kanaal, na jaren van discussie over de kosten en de gevolgen voor de scheepvaart.",
    "Volgens de wethouder moet de brug over drie jaar klaar zijn en wordt de oude pont dan"
    " uit de vaart genomen, tot teleurstelling van een groep bewoners.",
    "Die bewoners verzamelden ruim tweeduizend handtekeningen voor het behoud van de pont,"
    " die al sinds het begin van de vorige eeuw tussen de twee oevers vaart.",
    "De provincie draagt een derde van de kosten bij; het Rijk heeft nog niet besloten of"
    " het ook een bijdrage levert aan het project.",
]
FR = [
    "Le conseil départemental a voté jeudi un plan de rénovation des collèges qui prévoit"
    " la reconstruction complète de trois établissements d'ici la fin de la décennie.",
    "Les travaux commenceront à la rentrée prochaine par le collège de la vallée, dont les"
    " bâtiments préfabriqués datent des années soixante-dix.",
    "Les parents d'élèves saluent l'annonce mais regrettent que la cantine ne soit pas"
    " concernée par cette première tranche de travaux.",
    "Le coût total du plan est estimé à quarante millions d'euros, financés en partie par"
    " un emprunt auprès de la Banque des territoires.",
]


def extract(markup: str, url: str = "http://jornal.test/noticias/2024/orcamento.htm") -> str:
    page = Page(url=url, body=markup.encode(), encoding="utf-8", fetched_at="2024-05-02T10:00:00Z")
    return extract_document(page).text


def legacy_page(story: str, side: str) -> str:
    """A page of nested tables: masthead, a menu row, a column of sections, and a table
    holding the story cell beside a column of linked headlines."""
    return f"""<html><head><title>Jornal da Serra - Orçamento aprovado</title></head>
<body><table width="780" border="0" cellpadding="0">
<tr><td colspan="2"><font size="7" face="Times"><b>Jornal da Serra</b></font></td></tr>
<tr><td colspan="2" bgcolor="#990000"><font size="1"><a href="/">Início</a> ::
 <a href="/ultimas/">Últimas</a> :: <a href="/contato/">Contato</a></font></td></tr>
<tr><td width="110" valign="top"><a href="/politica/">Política</a><br>
<a href="/economia/">Economia</a><br><a href="/esporte/">Esporte</a></td>
<td><table width="100%"><tr>{side}{story}</tr></table></td></tr>
<tr><td colspan="2"><font size="1">Todos os direitos reservados</font></td></tr>
</table></body></html>"""


HEADLINES = """<td width="180" valign="top"><table><tr><td><b>MANCHETES</b></td></tr>
<tr><td><font size="1">- <a href="/n/1.htm">Chuva forte causa estragos na zona rural</a><br>
- <a href="/n/2.htm">Feira do livro regressa à praça central em junho</a><br>
- <a href="/n/3.htm">Clube local vence o campeonato distrital de futsal</a><br></font></td></tr>
</table></td>"""


def test_a_story_cell_of_nested_tables_comes_out_alone_and_in_paragraphs():
    body = "<br><br>\n".join(PT)
    story = f"""<td valign="top"><font size="1">Quinta-feira, 2 de maio de 2024</font><br>
<font size="4"><b>Orçamento aprovado depois de cinco horas</b></font><br>
<font size="1">Por Ana Ribeiro</font><br><br>
<font face="Verdana" size="2">{body}</font></td>"""
    text = extract(legacy_page(story, HEADLINES))
    assert text.split("\n") == PT
    for chrome in ("Início", "Últimas", "MANCHETES", "Feira do livro", "Política", "direitos"):
        assert chrome not in text


def test_unclosed_paragraphs_in_a_story_cell_on_the_left():
    body = "".join(f"<p>{p}\n" for p in NL)
    story = f'<td valign="top"><center><b>Brug over het kanaal</b></center>{body}</td>'
    text = extract(legacy_page(HEADLINES + story, ""), url="http://krant.test/2024/brug.html")
    assert text.split("\n") == NL


def test_a_data_table_inside_the_story_stays_a_table():
    data = (
        "<table><tr><th>Setor</th><th>Milhões</th></tr><tr><td>Escolas</td><td>12,5</td></tr>"
        "<tr><td>Transportes</td><td>8,1</td></tr></table>"
    )
    story = f'<td valign="top">{"".join(f"<p>{p}</p>" for p in PT[:2])}{data}<p>{PT[2]}</p></td>'
    text = extract(legacy_page(story, HEADLINES))
    assert "| Escolas | 12,5 |" in text
    assert PT[0] in text and PT[2] in text


def bare_page(paragraphs: str) -> str:
    """Divs with made-up class names, no metadata, the site's name before the headline."""
    return f"""<html><head><title>Stadsblad : Brug over het kanaal</title></head><body>
<div class="w"><div class="s1"><div class="s2"><a href="/">Stadsblad</a></div>
<div class="s3"><a href="/">Home</a> <a href="/nieuws/">Nieuws</a> <a href="/r">RSS</a></div></div>
<div class="s4">STADSBLAD » Nieuws</div>
<div class="s5">Brug over het kanaal</div>
<div class="s6">Geplaatst door redactie op 12-03-2024</div>
<div class="s7">{paragraphs}</div>
<div class="s9"><div>Meest gelezen</div><a href="/a.html">Nieuwe sporthal opent volgende maand</a>
<div>Nieuwsbrief</div><div>Elke ochtend het belangrijkste nieuws uit de stad in uw mailbox.</div>
</div><div class="s10">© Stadsblad</div></div></body></html>"""


def test_bare_divs_without_any_container_keep_the_story_only():
    for story in ("<br><br>\n".join(NL), "".join(f"<div>{p}</div>" for p in NL)):
        text = extract(bare_page(story), url="http://stadsblad.test/lees/8812.html")
        assert text.split("\n") == NL


def test_a_paragraph_beside_the_container_stops_the_descent():
    tree = html.fromstring(
        f"<html><body><div id='top'><div id='lead'><p>{FR[0]}</p></div>"
        f"<div id='rest'>{''.join(f'<p>{p}</p>' for p in FR[1:] * 3)}</div></div></body></html>"
    )
    found = story_container(tree.find("body"))
    assert found is not None and found.get("id") == "top"


def test_comment_sections_go_by_their_class_word_but_not_a_live_ticker():
    comments = (
        '<div class="nwsComments"><b>3 reacties</b><ul><li><b>kees_71</b> 2u geleden'
        "<p>Eindelijk een besluit, dat werd tijd.</p></li></ul></div>"
    )
    story = "".join(f"<p>{p}</p>" for p in NL)
    page = f"<html><body><article><h1>Brug</h1>{story}{comments}</article></body></html>"
    text = extract(page, url="http://krant.test/2024/brug.html")
    assert "Eindelijk" not in text and NL[-1] in text
    ticker = "".join(f'<div class="live-comment"><p>{p}</p></div>' for p in FR)
    live = f'<html><body><article><div class="live-comments">{ticker}</div></article></body></html>'
    assert extract(live, url="http://direct.test/match.html").split("\n") == FR


def test_a_thread_named_only_by_its_comments_goes_however_long():
    """On an article, each comment's class names one comment; nothing names the section.
    The thread is longer than the story, so no share of the page's text tells them apart."""
    reply = '<a class="reply" href="#">Reply</a>'
    thread = "".join(
        f'<div class="c-comment"><b>user{n}</b> 2 hours ago<div class="c-comment-body">'
        f"<p>{PT[n % 4]} {PT[(n + 1) % 4]}</p></div>{reply}</div>"
        for n in range(8)
    )
    story = "".join(f"<p>{p}</p>" for p in NL)
    page = (
        '<html><head>{meta}</head><body><div class="post"><h1>Brug</h1>' + story + "</div>"
        f'<div class="discussion"><h3>Discussion</h3>{thread}</div></body></html>'
    )
    article = page.format(meta='<meta property="og:type" content="article">')
    text = extract(article, url="http://krant.test/2024/brug.html")
    assert text.split("\n")[-len(NL) :] == NL and not any(p[:40] in text for p in PT)
    # On a page that does not say it is an article (a forum), replies are content.
    forum = extract(page.format(meta=""), url="http://krant.test/2024/brug.html")
    assert PT[0] in forum
    # Two items of that class are not a thread: a photo's "comment", a note.
    notes = "".join(f'<div class="c-comment"><p>{p}</p></div>' for p in PT[:2])
    page = f"<html><body><div><h1>Brug</h1>{story}{notes}</div></body></html>"
    text = extract(page, url="http://krant.test/2024/brug.html")
    assert text.split("\n")[-6:] == NL + PT[:2]


def test_an_image_with_the_short_text_under_it_is_a_figure():
    photo = (
        '<div><img src="/img/pont.jpg" width="300"><br>'
        "A velha ponte ao pôr do sol. Foto: Rui Lopes</div>"
    )
    icon = '<div><img src="/i/pdf.gif" width="16"> Descarregar o documento em PDF</div>'
    card = (
        '<div><img src="/p/1.jpg"><span class="n">Vinho tinto</span><span>9,99 €</span>'
        + "<span>*</span>" * 10
        + "</div>"
    )
    story = f"<p>{PT[0]}</p>{photo}<p>{PT[1]}</p>{icon}{card}<p>{PT[2]}</p>"
    tree = html.fromstring(f"<html><body><article>{story}</article></body></html>")
    prepare(tree)
    figures = tree.findall(".//figure")
    assert [f.findtext("figcaption") for f in figures] == [
        "A velha ponte ao pôr do sol. Foto: Rui Lopes"
    ]
    text = extract(f"<html><body><article><h1>Ponte</h1>{story}</article></body></html>")
    assert "Foto: Rui Lopes" not in text and PT[2] in text


def test_a_photo_box_table_is_a_figure_but_a_data_table_with_a_picture_is_not():
    box = (
        '<table align="right"><tr><td><img src="/f/1.jpg"></td></tr>'
        "<tr><td><i>Les élèves devant le collège de la vallée.</i></td></tr></table>"
    )
    data = (
        '<table><tr><td><img src="/f/logo.png"></td><td>Collège</td><td>1972</td></tr>'
        "<tr><td></td><td>Lycée</td><td>1988</td></tr></table>"
    )
    tree = html.fromstring(f"<html><body><p>{FR[0]}</p>{box}{data}<p>{FR[1]}</p></body></html>")
    prepare(tree)
    assert [f.findtext("figcaption") for f in tree.iter("figure")] == [
        "Les élèves devant le collège de la vallée."
    ]
    assert tree.find(".//table") is not None


def test_text_between_blocks_and_breaks_is_put_into_paragraphs():
    div = html.fromstring(
        "<div>Um<br><br>Dois <b>negrito</b><br>linha<div class='ad'></div>Três</div>"
    )
    paragraphs(div)
    assert [p.text_content() for p in div.iter("p")] == ["Um", "Dois negritolinha", "Três"]
    assert [child.tag for child in div] == ["p", "p", "div", "p"]
