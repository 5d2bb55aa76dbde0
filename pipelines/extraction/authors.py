"""Authors as a list of people, as the page spells them.

Pages state their authors in several places (JSON-LD, meta tags, rel/itemprop markup, a
visible byline), and each of them is noisy in its own way: joined names ("A and B"),
byline words ("Von ..."), desk and agency names, e-mail addresses, URL slugs, image
credits, the publication itself. Every candidate string is cleaned into zero or more
person names by general rules (no per-site knowledge), then the sources are chosen from
in order of reliability, a more complete source winning where it agrees with a better one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree, html

from crawler.normalise import fold, tidy
from crawler.site_identity import host_brand, host_of, is_site_name
from pipelines.extraction.furniture import is_timestamp
from pipelines.extraction.metadata import PageMetadata

MAX_NAME_WORDS = 6  # besides particles: longer strings are sentences, roles or credits
MAX_NAME_CHARS = 70
MAX_BYLINE_CHARS = 120  # a visible byline element, prefix and separators included
MAX_BLOCK_CHARS = 200  # a block of marked-up author names, not a teaser list
LONG_PARAGRAPH = 150  # characters: article text rather than a byline or heading
MIN_LABEL = 3  # shortest host brand that marks a byline word as the publication

# Byline words before the names ("By", "Von", "Autor:", "Par" ...), in the languages of the
# news web. Italian "di" is also a name particle, so only in lower case.
_PREFIX_WORDS = (
    r"(?:(?i:written\s+by|words\s+by|reporting\s+by|story\s+by|text\s+and\s+photos?\s+by|"
    r"by|von|vom|autor(?:in)?(?:\s*/\s*autor(?:in)?)?|autoren|author(?:\(s\)|s)?|text|texto|"
    r"par|por|av|af|door|oleh|yazar|автор|авторы|kirjoittaja|skrevet\s+av)|di)"
)
_PREFIX = re.compile(rf"^{_PREFIX_WORDS}(?:\s*:\s*|\s+)(?=[^\W\d_])")
# An explicit author label, trusted anywhere on the page.
_LABEL_WORDS = (
    r"(?:(?i:autor(?:in)?(?:\s*/\s*autor(?:in)?)?|autoren|author(?:\(s\)|s)?|yazar|"
    r"автор|авторы|kirjoittaja)|作者|记者|記者|责编|責編|责任编辑|責任編輯)"
)
_LABEL_START = re.compile(rf"^{_LABEL_WORDS}(?:\s*[:：]|\s|$)")
_LABEL = re.compile(rf"^{_LABEL_WORDS}\b\s*[:：]?\s*(?=[^\W\d_])")
# A byline word after a few words of label: "Ein Kommentar von", "Analysis by".
_LEAD = re.compile(r"^(?:\S+\s+){1,3}?(?i:by|von|par|por|av|door)\s+(?=[^\W\d_])")
# A text node that opens a byline, alone ("<span>Von</span>") or with the name after it.
_BYLINE_START = re.compile(rf"^{_PREFIX_WORDS}(?:\s*:|\s|$)")
# Parts of a byline that name no one: e-mail addresses, URLs, social handles.
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_HANDLE = re.compile(r"(?<!\w)@\w+")
# A parenthesised or bracketed aside: initials "(obe)", roles, "(Image: Getty Images)".
_ASIDE = re.compile(r"\s*[(\[（][^()\[\]（）]*[)\]）]")
_CREDIT = re.compile(
    r"^\W*(?:images?|photos?|photographs?|pictures?|fotos?|bild|bilder|credits?|source|quelle|"
    r"grafik|video|illustrations?)\b\s*(?::|by\b|von\b)",
    re.I,
)
# Separators between names: punctuation always; conjunctions of many languages.
_HARD_SPLIT = re.compile(r"\s*(?:[;|/、，;•·]|\s[&+]\s|\s+[-–—]\s+)\s*")
_COMMA = re.compile(r"\s*,\s*")
_PIECES = re.compile(r"[,;/|]")
_CONJUNCTION = re.compile(r"\s+(?:and|und|og|och|ja|és|en|et|y|e|i|ve|та|и|і)\s+", re.I)
# Conjunctions that also occur inside names ("Ortega y Gasset", "Pinto e Costa"): they
# split only where both sides are full names.
_NAME_CONJUNCTIONS = {"y", "e", "i", "et", "en", "ja"}
# Honorific or job words around CJK names: "신현주 기자", "記者 山田太郎", "(责编：...)".
_CJK_ROLE = re.compile(
    r"^(?:记者|記者|责编|責編|责任编辑|責任編輯|编辑|編輯|作者|撰文)\s*[:：]?\s*|"
    r"\s*(?:기자|특파원|선임기자|논설위원|記者|特派員|编辑|編集委員|撮影)$"
)
_COMMENTS = re.compile(r"^(?:comments?|commentlist)(?:[-_].*)?$")
# Words after which a byline goes on about place, outlet or date, not people.
_TRAILER = re.compile(r"\s+(?:for|in|at|from|on|with|aus|à)\s+")
_PHOTO = re.compile(r"\b(?:photo|photos|foto|fotos|photography)\b", re.I)
_AUTHOR_PAGE = re.compile(r"auth?or|profil|journalist|reporter|writer|people|staff", re.I)
_ELIDED = re.compile(r"^(?:d|l|dell|degli|o)['’]")
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
_DOMAIN = re.compile(r"^(?:www\.)?[\w-]{2,}(?:\.[\w-]+)*\.[a-z]{2,6}$", re.I)
_DOMAIN_IN = re.compile(r"[\w-]{2,}\.[a-z]{2,6}\b")
_DIGIT = re.compile(r"\d")
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ɏ]")
_WORD = re.compile(r"[\w'’.-]+")

# Words that make a "name" an organisation, desk, agency or the publication itself.
ORGANISATION_WORDS = {
    "redaktion",
    "redaktionen",
    "redaction",
    "rédaction",
    "redazione",
    "redacción",
    "redaccion",
    "redação",
    "redactie",
    "newsroom",
    "newsdesk",
    "staff",
    "desk",
    "team",
    "agentur",
    "agency",
    "agence",
    "agencia",
    "agenzia",
    "ajansı",
    "ajansi",
    "nachrichten",
    "news",
    "online",
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "corp",
    "corporation",
    "plc",
    "verlag",
    "images",
    "shutterstock",
    "istock",
    "istockphoto",
    "getty",
    "admin",
    "administrator",
    "editor",
    "editors",
    "editorial",
    "contributor",
    "contributors",
    "reporter",
    "correspondent",
    "guest",
    "journalist",
    "journalistin",
    "redakteur",
    "redakteurin",
    "photographer",
    "fotograf",
    "writer",
    "writers",
    "columnist",
    "author",
    "authors",
    "autor",
    "autorin",
    "autoren",
    "freelancer",
    "producer",
    "presenter",
    "media",
    "business",
    "times",
    "journal",
    "tribune",
    "herald",
    "gazette",
    "zeitung",
    "magazine",
    "magazin",
    "radio",
    "tv",
    "television",
    "network",
    "daily",
    "weekly",
}
# Author markup (attribute steps: much faster than `//*[...]` on big pages).
AUTHOR_MARKUP = (
    '//@itemprop[. = "author"]/.. | //@rel[contains(concat(" ", ., " "), " author ")]/..'
)
# A paragraph that is only bold text: <p><strong>JANE DOE</strong></p>.
BOLD_PARAGRAPH = "//body//p[count(*) = 1][strong or b][normalize-space(.) = normalize-space(*)]"
_VISIBLE_TEXT = etree.XPath(
    "//body//text()[not(parent::script or parent::style)]", smart_strings=False
)
_TEXT_LENGTH = etree.XPath("string-length(normalize-space(.))")
_OPENING = " \t\n([（"  # before a byline word: "(责编：...)"
FIGURE = {"figure", "figcaption"}
SKIPPED = {"script", "style", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption"}
# Two to four capitalised words, and what ends a name beside a date ("Jane Doe |").
NAME_ONLY = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(?:[ -][^\W\d_][^\W\d_'’.-]*){1,3}$")
_NAME_END = " |·•,-–—\u00a0"
# Last path segments of author pages that belong to an admin account, not a person.
ACCOUNT_WORDS = {"admin", "administrator", "webmaster", "webadmin", "root", "system"}
# The same in Chinese, Japanese and Korean, where words are not separated by spaces:
# newspaper, daily, news agency, broadcaster, television, editorial office, "digital".
CJK_ORGANISATION_WORDS = (
    "新聞", "新闻", "日報", "日报", "日刊", "通信社", "通讯社", "電視", "电视", "放送",
    "編集部", "编辑部", "ニュース", "デジタル", "신문", "일보", "뉴스", "방송", "통신", "편집부",
)  # fmt: skip
# News agencies written as a whole name (folded), which are sources, not authors.
AGENCY_NAMES = {
    "dpa",
    "afp",
    "ap",
    "apa",
    "sda",
    "ats",
    "kna",
    "epd",
    "ddp",
    "anp",
    "belga",
    "ntb",
    "tt",
    "ritzau",
    "stt",
    "pap",
    "ctk",
    "mti",
    "tass",
    "xinhua",
    "kyodo",
    "yonhap",
    "upi",
    "aap",
    "pti",
    "ians",
    "bernama",
    "antara",
    "reuters",
    "thomsonreuters",
    "associatedpress",
    "theassociatedpress",
    "pressassociation",
    "agencefrancepresse",
    "deutschepresseagentur",
    "bloomberg",
}
# Agency names that are no one's name, even as one word of several ("AFP Deutschland").
AGENCY_WORDS = {
    "dpa",
    "afp",
    "reuters",
    "ritzau",
    "scanpix",
    "xinhua",
    "kyodo",
    "yonhap",
    "bernama",
}
# Whole "names" that abbreviate a desk or stand for several sources.
DESK_NAMES = {"red", "agenturen", "agencies", "agences", "agencias", "agenzie", "wires", "wire"}
# Words that make an all-lower-case "name" a phrase ("of the article").
FUNCTION_WORDS = {
    "a", "an", "the", "of", "and", "or", "for", "to", "in", "on", "at", "by", "with",
    "from", "this", "that", "is", "are", "was", "our", "your", "all", "more",
}  # fmt: skip
# Articles that open an outlet's name, never a person's ("The Guardian", "Der Postillon").
ARTICLES = {"The", "Der", "Die", "Das", "Het", "Il"}
# Lower-case words allowed inside a name: nobiliary and family particles.
PARTICLES = {
    "von",
    "van",
    "der",
    "den",
    "dem",
    "de",
    "del",
    "della",
    "di",
    "da",
    "das",
    "do",
    "dos",
    "du",
    "des",
    "la",
    "le",
    "los",
    "zu",
    "zum",
    "ten",
    "ter",
    "te",
    "y",
    "e",
    "bin",
    "binti",
    "ibn",
    "al",
    "el",
    "af",
    "av",
    "ben",
    "st.",
}


@dataclass(frozen=True)
class _Site:
    """What the publication calls itself, to tell it apart from its authors."""

    name: str | None
    host: str
    labels: frozenset[str]
    accounts: frozenset[str] = frozenset()  # folded display names of admin accounts

    @classmethod
    def of(cls, name: str | None, host: str, accounts: Iterable[str] = ()) -> _Site:
        host = host_of(host)
        brand = fold(host_brand(host))
        labels = {brand} if len(brand) >= MIN_LABEL else set()  # "dw", "fr" are words
        if name:
            labels.add(fold(name))
        return cls(name, host, frozenset(labels - {""}), frozenset(accounts))

    def names_itself(self, name: str) -> bool:
        """The publication's own name, host, a host label as a word of it, or an account."""
        if is_site_name(name, self.name, self.host) or fold(name) in self.accounts:
            return True
        return any(fold(word) in self.labels for word in name.split())


def choose_authors(
    tree: html.HtmlElement,
    declared: PageMetadata,
    extracted: Callable[[], str | None],
    site_name: str | None,
    site: str,
) -> list[str]:
    """The article's authors (people only), from the most reliable source that names any.

    Declared metadata comes first; a marked-up byline (itemprop/rel="author") replaces it
    when it names the same people and more. Pages that declare no person fall back on the
    marked-up byline, a visible "By ..." line under the headline, trafilatura's byline and
    finally a bold name opening or closing the text.
    """
    marked, accounts = _author_markup(tree)
    names = _choose(tree, declared, extracted, marked, _Site.of(site_name, site, accounts))
    if not names and accounts:  # an admin account's display name, if nothing better
        names = _choose(tree, declared, extracted, marked, _Site.of(site_name, site))
    return names


def _choose(
    tree: html.HtmlElement,
    declared: PageMetadata,
    extracted: Callable[[], str | None],
    marked: list[list[str]],
    where: _Site,
) -> list[str]:
    """The first source, in order of reliability, that names a person."""
    declared_names = people(declared.authors, where)
    groups = [names for group in marked if (names := people(group, where))]
    if declared_names:
        # The first marked byline naming a declared author may name their co-authors too.
        first = next((g for g in groups if not _disjoint(g, declared_names)), [])
        fuller = len(first) > len(declared_names) and _contains(first, declared_names)
        return first if fuller else declared_names
    # Trafilatura reads the same metadata: what was rejected there stays rejected.
    rejected = {fold(piece) for raw in declared.authors for piece in _PIECES.split(raw)}
    extracted_names = [
        name for name in people((extracted() or "").split(";"), where) if fold(name) not in rejected
    ]
    if groups:  # the marked byline trafilatura agrees with, else the first
        return next((g for g in groups if not _disjoint(g, extracted_names)), groups[0])
    # A visible line needs more proof than markup: full names only ("By Category" is not).
    candidates = (_full_names(people([line], where)) for line in _visible_bylines(tree))
    byline = next(filter(None, candidates), []) or _full_names(people(_dated_names(tree), where))
    if byline:
        return byline
    if extracted_names:
        return _as_written(extracted_names, tree)
    return people(_bold_byline(tree), where)


def people(raw: Iterable[str], where: _Site | None = None) -> list[str]:
    """Person names from raw author strings: split, cleaned, non-people dropped, deduplicated."""
    where = where or _Site.of(None, "")
    names: dict[str, str] = {}
    for value in raw:
        for name in split_names(value):
            key = fold(name)
            if key and key not in names and is_person(name, where):
                names[key] = name
    return list(names.values())


def split_names(value: str) -> list[str]:
    """One raw author string as separate, cleaned names (not yet judged as people)."""
    text = tidy(value)
    if not text or _CREDIT.match(text):
        return []
    if any(_URL.search(aside) or _DOMAIN_IN.search(aside) for aside in _ASIDE.findall(text)):
        return []  # "Deutsche Welle (www.dw.com)": a website naming itself
    text = _ASIDE.sub("", text)  # "(obe)", "(Image: Getty Images)"
    text = _HANDLE.sub("", _URL.sub("", _EMAIL.sub("", text)))
    text = _strip_prefix(text)  # before splitting: "Autorin/Autor: ..." is one label
    names: list[str] = []
    for part in _HARD_SPLIT.split(text):
        if _CREDIT.match(part) or _PHOTO.search(part):
            break  # "Text: A | Fotos: B", "AP Photo/B": the rest credits pictures
        names += _split_commas(_strip_prefix(part))
    return [name for name in (_clean(n) for n in names) if name]


def _split_commas(text: str) -> list[str]:
    """Comma lists of names; a one-word part after a comma is a place or an agency."""
    parts = [p for p in _COMMA.split(text) if p.strip(" .")]
    if len(parts) <= 1:
        return _split_conjunctions(text)
    if len(parts) == 2 and all(_is_one_word(p) and _is_latin(p) for p in parts):
        return [text]  # "Surname, Given" keeps its order as written
    names: list[str] = []
    for index, part in enumerate(parts):
        if index and _is_one_word(part) and _is_latin(part):
            continue  # "Seb Dumitru, Lille", "A und B, dpa"
        names += _split_conjunctions(_strip_prefix(part))
    return names


def _split_conjunctions(text: str) -> list[str]:
    """Names joined by "and" in any language, splitting ambiguous words only between names."""
    pieces = _CONJUNCTION.split(text)
    if len(pieces) == 1:
        return [text]
    words = [m.group(0).strip().lower() for m in _CONJUNCTION.finditer(text)]
    if any(w in _NAME_CONJUNCTIONS for w in words) and any(_is_one_word(p) for p in pieces):
        return [text]
    return pieces


def _strip_prefix(text: str) -> str:
    """Without a leading byline word: "By Jane Doe" is Jane Doe, and so is "Ein Kommentar
    von Jane Doe"; "Otto von Bismarck" and "Ursula von der Leyen" stay whole."""
    text = text.strip(" \t:-–—|·•,.()（）")
    for _ in range(2):  # "Autor: Von ..." has two
        stripped = _LABEL.sub("", _PREFIX.sub("", text, count=1), count=1)
        if stripped == text:
            break
        text = stripped
    lead = _LEAD.match(text)
    if lead:
        rest = text[lead.end() :].split()
        if len(rest) >= 2 and not rest[0][0].islower():
            return " ".join(rest)
    return text


def _clean(name: str) -> str:
    """A name without CJK role words and stray punctuation around it."""
    name = _CJK_ROLE.sub("", name.strip())
    name = _CJK_ROLE.sub("", name)
    words = _TRAILER.split(name, maxsplit=1)
    if len(words) > 1 and len(words[0].split()) >= 2:
        name = words[0]  # "Jane Doe in Kyiv", "John Smith for The Guardian"
    return tidy(name.strip(" \t:;,|·•*-–—\"'“”„«»"))


def is_person(name: str, where: _Site) -> bool:
    """Whether a cleaned name can be a person rather than an organisation or a credit."""
    words = name.split()
    key = fold(name)
    if not key or len(name) > MAX_NAME_CHARS or words[0] in ARTICLES:
        return False  # a sentence, or "The Washington Post", "Der Postillon"
    if len([w for w in words if not _is_particle(w)]) > MAX_NAME_WORDS:
        return False
    if _DIGIT.search(name) or "@" in name or _SLUG.match(name):
        return False
    if key in AGENCY_NAMES or key in DESK_NAMES or where.names_itself(name):
        return False
    if any(_DOMAIN.match(word) for word in words):
        return False  # "hessenschau.de", "Lrt.lt": the publication
    tokens = {fold(w) for w in _WORD.findall(name.replace("-", " "))}
    if tokens & ORGANISATION_WORDS or tokens & AGENCY_WORDS:
        return False
    if any(word in name for word in CJK_ORGANISATION_WORDS):
        return False
    if len(words) == 1 and name.isupper() and _is_latin(name) and len(name) <= 6:
        return False  # an acronym: "LBCI", "SID"
    lower = [w for w in words if w[0].islower() and not _is_particle(w)]
    # A mix of capitalised and lower-case words is a phrase ("professor at ..."); names
    # written all in lower case ("viktor hedlund") are names, unless they read as words.
    if lower and len(lower) < len(words):
        return False
    return not (len(lower) == len(words) and any(w in FUNCTION_WORDS for w in lower))


def _is_particle(word: str) -> bool:
    """A lower-case part of a name: "van", "al-Assad", "d'Ormesson", "Dr. med."."""
    if word.endswith(".") and word[0].islower():
        return True  # an abbreviated title
    word = word.lower()
    return word in PARTICLES or word.split("-")[0] in PARTICLES or bool(_ELIDED.match(word))


def _is_one_word(text: str) -> bool:
    return len(text.split()) == 1


def _is_latin(text: str) -> bool:
    return bool(_LATIN_LETTER.search(text))


def _disjoint(names: list[str], others: list[str]) -> bool:
    return not {fold(n) for n in names} & {fold(n) for n in others}


def _contains(names: list[str], others: list[str]) -> bool:
    keys = {fold(n) for n in names}
    return all(fold(n) in keys for n in others)


def _as_written(names: list[str], tree: html.HtmlElement) -> list[str]:
    """Names in the page's own spelling: trafilatura title-cases "amw" and drops the dot
    of "Miguel A. Herguedas"; the page's text still has them as written."""
    text = " ".join(_VISIBLE_TEXT(tree))
    lowered = ""
    written = []
    for name in names:
        if name in text:
            written.append(name)
            continue
        # Searched in lower case rather than with re.I, which is slow on big pages.
        lowered = lowered or text.lower()
        if len(lowered) != len(text):
            written.append(name)
            continue
        pattern = r"(?:\.\s*|\s+)".join(re.escape(word) for word in name.lower().split())
        spelled = next(
            (
                text[found.start() : found.end()]
                for found in re.finditer(pattern, lowered)
                if not _word_at(lowered, found.start() - 1) and not _word_at(lowered, found.end())
            ),
            name,
        )
        written.append(spelled if fold(spelled) == fold(name) else name)
    return written


def _word_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


def _full_names(names: list[str]) -> list[str]:
    """The names of two words or more (any name in a script without spaces)."""
    return [name for name in names if len(name.split()) >= 2 or not _is_latin(name)]


def _author_markup(tree: html.HtmlElement) -> tuple[list[list[str]], set[str]]:
    """Names marked up as the author (itemprop="author", rel="author") by byline block, and
    the display names of admin accounts (author links to ".../author/admin/" and the like).

    Marked names that share a short block ("<div>A | B</div>") are one byline; a teaser
    list elsewhere on the page makes other blocks. A CMS shows whoever pressed "publish";
    an admin account's display name is often the publication's ("Posts by Ilanga D").
    """
    groups: dict[html.HtmlElement, list[str]] = {}
    accounts: set[str] = set()
    for element in tree.xpath(AUTHOR_MARKUP):
        if element.tag == "a" and element.get("href"):
            path = urlsplit(element.get("href", "")).path.rstrip("/")
            if fold(path.rsplit("/", 1)[-1]) in ACCOUNT_WORDS:
                accounts.add(fold(element.text_content()))
        if _in_comments(element):
            continue
        names = element.xpath('.//*[@itemprop="name"]')
        if names:
            found = [n.get("content") or n.text_content() for n in names]
        elif element.tag == "meta":
            found = [element.get("content") or ""]
        else:
            found = [element.text_content()]
        if _in_figure(element) and any(_is_credit(text) for text in found):
            continue
        groups.setdefault(_block(element), []).extend(found)
    return list(groups.values()), accounts - {""}


def _block(element: html.HtmlElement) -> html.HtmlElement:
    """The largest ancestor still short enough to be a byline (the element itself at least)."""
    block = element
    for ancestor in element.iterancestors():
        if ancestor.tag in {"body", "html", "head"} or _longer(ancestor, MAX_BLOCK_CHARS):
            break
        block = ancestor
    return block


def _longer(element: html.HtmlElement, limit: int) -> bool:
    """Whether the element holds more than `limit` characters of text."""
    return bool(_TEXT_LENGTH(element) > limit)


def _in_figure(element: html.HtmlElement) -> bool:
    """In a figure or its caption: an author's portrait, or a picture's credit."""
    return element.tag in FIGURE or any(a.tag in FIGURE for a in element.iterancestors())


def _is_credit(text: str) -> bool:
    """A picture credit rather than a caption naming the author: "Foto: A", "A/Agency"."""
    if "©" in text or _CREDIT.match(tidy(text)):
        return True
    anyone = _Site.of(None, "")
    return not all(is_person(name, anyone) for name in split_names(text))


def _in_comments(element: html.HtmlElement) -> bool:
    """Inside a comment thread ("comments", "comment-body" ...): commenters are marked up as
    authors too. "has-comments" and "commentary" describe the article itself."""
    for ancestor in element.iterancestors():
        marks = f"{ancestor.get('class', '')} {ancestor.get('id', '')}".lower()
        if "comment" in marks and any(_COMMENTS.match(token) for token in marks.split()):
            return True
    return False


def _visible_bylines(tree: html.HtmlElement) -> Iterator[str]:
    """Short lines reading "By ..." / "Von ..." / "Autor: ..." after the headline.

    Bylines sit under the headline and above the first paragraph; the same words in
    teasers, captions and the text itself are left alone. Further down only an explicit
    label ("Autorin/Autor", "Author:", "责编：") still marks a byline.
    """
    headline = tree.find(".//body//h1")
    following = headline.xpath("following::*") if headline is not None else tree.xpath("//body//*")
    start = _BYLINE_START
    for element in following:
        if start is _BYLINE_START and element.tag == "p" and _longer(element, LONG_PARAGRAPH):
            start = _LABEL_START
        text, tail = element.text, element.tail
        owners = []
        if text and start.match(text.strip(_OPENING)):
            owners.append(element)
        if tail and start.match(tail.strip(_OPENING)):
            owners.append(element.getparent())
        for owner in owners:
            if owner is None or _skipped(owner) or any(_skipped(a) for a in owner.iterancestors()):
                continue
            line = _line_of(owner)
            if line:
                yield line


def _dated_names(tree: html.HtmlElement) -> list[str]:
    """A name alone beside the date under the headline, with no byline word: "<span>Jane
    Doe |</span> <span>05.04.2025</span>" (names only; the date says it is the byline)."""
    headline = tree.find(".//body//h1")
    if headline is None:
        return []
    for element in headline.itersiblings():
        if element.tag == "p" and _longer(element, LONG_PARAGRAPH):
            return []  # the story has begun
        for part in element.iter():
            after = part.getnext()
            if part is element or after is None or _longer(part, MAX_NAME_CHARS):
                continue
            name = tidy(part.text_content()).rstrip(_NAME_END)
            capitalised = all(word[0].isupper() for word in name.split())
            if capitalised and NAME_ONLY.match(name) and is_timestamp(tidy(after.text_content())):
                return [name]
    return []


def _skipped(element: html.HtmlElement) -> bool:
    """Headings, captions, scripts and links, except a link to the author's own page."""
    if element.tag == "a":
        return not _AUTHOR_PAGE.search(element.get("href", ""))
    return element.tag in SKIPPED


def _line_of(element: html.HtmlElement) -> str | None:
    """The byline's text without its prefix, climbing from "<span>von</span>" to its name."""
    for _ in range(3):
        if element is None or _longer(element, MAX_BYLINE_CHARS):
            return None
        line = tidy(element.text_content())
        rest = _strip_prefix(line)
        if rest and rest != line:
            return rest
        element = element.getparent()
    return None


def _bold_byline(tree: html.HtmlElement) -> list[str]:
    """A paragraph that is only a bold name, just before or after the article's paragraphs.

    Print-style bylines ("<p><strong>JANE DOE</strong></p>") above the first or below the
    last paragraph of the text; subheadings sit between paragraphs, so those are skipped.
    """
    for paragraph in tree.xpath(BOLD_PARAGRAPH):
        name = tidy(paragraph.text_content())
        if (
            len(name.split()) < 2
            or len(name) > MAX_NAME_CHARS
            or name.endswith((".", ":", "?", "!"))
        ):
            continue
        before = [
            p for p in paragraph.itersiblings("p", preceding=True) if _longer(p, LONG_PARAGRAPH)
        ]
        after = [p for p in paragraph.itersiblings("p") if _longer(p, LONG_PARAGRAPH)]
        if len(before) + len(after) >= 2 and not (before and after):
            return [name]
    return []
