"""A loopback HTTP server of hostile and broken input, one case per path.

Pages in legacy charsets and with lying charset headers, binary and empty bodies, a
50 MB page, a gzip bomb, HTML nested 100,000 deep, bot challenges, broken and
entity-bomb feeds and sitemaps, redirect loops, error statuses and a server that drips
one byte a second; beside them good articles, which must still come out of the same
crawl. Like `sample/serve.py` it binds port 0, prints its address on its first stdout
line, and answers both as an HTTP proxy and directly; it is threaded, so a drip does not
hold up the other cases. `/__served` lists what it has served, so a test can show that
a refused URL was never fetched.

Run it as `python -m tests.hostile_server` from the project folder.
"""

from __future__ import annotations

import contextlib
import functools
import json
import random
import sys
import threading
import time
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.conftest import article_page, prose

MB = 1024 * 1024
HUGE_BYTES = 50 * MB  # DOWNLOAD_MAXSIZE is 16 MiB
BOMB_BYTES = 64 * MB  # a gzip bomb's size once decompressed (the sitemap protocol allows 50)
BIG_SITEMAP_BYTES = 20 * MB  # past DOWNLOAD_MAXSIZE, within the sitemap protocol's 50 MB
DEEP_LEVELS = 100_000
HTML = "text/html"

# Text in the scripts each legacy charset exists for, as the pages must come out.
ARABIC = [
    "قالت وزارة الزراعة إن موسم الحصاد في المناطق الجنوبية بدأ مبكرا هذا العام بسبب ارتفاع"
    " درجات الحرارة.",
    "وأكد المزارعون أن الأسعار في الأسواق المحلية ما زالت مستقرة رغم الجفاف الذي ضرب البلاد.",
    "وأضاف مسؤول في الوزارة أن الحكومة ستقدم قروضا ميسرة للمزارعين المتضررين في الأشهر المقبلة.",
]
FRENCH = [
    "Le ministère de l'Agriculture a déclaré que la récolte avait commencé plus tôt cette"
    " année dans les régions du sud, à cause de la sécheresse.",
    "Les prix restent stables sur les marchés, précise-t-il, même si les éleveurs s'inquiètent"
    " déjà pour l'hiver à Güémar et à Aïn Defla.",
    "Le gouvernement prévoit des prêts à taux réduit pour les agriculteurs touchés, a ajouté"
    " un porte-parole à la télévision nationale.",
]
JAPANESE = [
    "政府は月曜日、南部地域の収穫期が例年より早く始まったと発表した。",
    "農家によると、干ばつにもかかわらず地元市場の価格は安定しているという。",
    "農林水産省の担当者は、被害を受けた農家に低金利の融資を行う方針を明らかにした。",
]
TEXTS = {"ar": ARABIC, "fr": FRENCH, "ja": JAPANESE}
CODECS = {"ar": "windows-1256", "fr": "iso-8859-1", "ja": "Shift_JIS"}
UTF8 = "utf-8"

# name: (language, bytes' real charset, charset in the header, <meta charset>)
CHARSET_CASES: dict[str, tuple[str, str, str | None, str | None]] = {
    "ar-meta": ("ar", "windows-1256", None, "windows-1256"),
    "ar-header": ("ar", "windows-1256", "windows-1256", None),
    "ar-both": ("ar", "windows-1256", "windows-1256", "windows-1256"),
    "fr-meta": ("fr", "iso-8859-1", None, "iso-8859-1"),
    "fr-header": ("fr", "iso-8859-1", "iso-8859-1", None),
    "fr-both": ("fr", "iso-8859-1", "iso-8859-1", "iso-8859-1"),
    "ja-meta": ("ja", "Shift_JIS", None, "Shift_JIS"),
    "ja-header": ("ja", "Shift_JIS", "Shift_JIS", None),
    "ja-both": ("ja", "Shift_JIS", "Shift_JIS", "Shift_JIS"),
    # The header lies: UTF-8 bytes under a single-byte claim, with or without a meta.
    "fr-utf8-body-latin1-header": ("fr", UTF8, "iso-8859-1", UTF8),
    "ja-utf8-body-latin1-header": ("ja", UTF8, "iso-8859-1", None),
    # The header lies: a utf-8 or server-default claim over windows-1256 with a true meta.
    "ar-utf8-header-true-meta": ("ar", "windows-1256", UTF8, "windows-1256"),
    "ar-latin1-header-true-meta": ("ar", "windows-1256", "iso-8859-1", "windows-1256"),
    # The header lies and nothing else is declared: the charset is detected.
    "ja-utf8-header-no-meta": ("ja", "Shift_JIS", UTF8, None),
    # Nothing is declared at all.
    "ar-undeclared": ("ar", "windows-1256", None, None),
}

CHALLENGES = {
    "cloudflare": """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"><script>(function(){window._cf_chl_opt={cvId: '3',
cZone: 'news.test', cType: 'managed'};var a=document.createElement('script');
a.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8a1';
document.getElementsByTagName('head')[0].appendChild(a);}());</script></head>
<body><div class="main-wrapper"><h1>news.test</h1><h2>Verifying you are human. This may take
a few seconds.</h2><noscript>Enable JavaScript and cookies to continue</noscript>
<div>news.test needs to review the security of your connection before proceeding.</div>
</div></body></html>""",
    "datadome": """<html><head><title>news.test</title><style>#cmsg{animation: A 1.5s;}</style>
</head><body style="margin:0"><p id="cmsg">Please enable JS and disable any ad blocker</p>
<script data-cfasync="false">var dd={'rt':'c','cid':'AHrlqAAAAAMA','hsh':'2211F5','t':'bv',
'host':'geo.captcha-delivery.com'}</script>
<script data-cfasync="false" src="https://ct.captcha-delivery.com/c.js"></script></body></html>""",
    "perimeterx": """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Access to this page has been denied</title></head><body>
<div class="px-captcha-container"><h1>Before we continue...</h1>
<p>Press &amp; Hold to confirm you are a human (and not a bot).</p><div id="px-captcha"></div>
</div><script>window._pxAppId = 'PXa1b2c3';window._pxJsClientSrc='/a1b2c3/init.js';</script>
<script src="/a1b2c3/captcha/captcha.js?a=c&m=0"></script></body></html>""",
    "checking": """<html><head><title>Checking your browser</title></head><body>
<h1>Checking your browser before accessing news.test.</h1>
<p>This process is automatic. Your browser will redirect to your requested content shortly.</p>
<p>Please allow up to 5 seconds&hellip;</p><p>DDoS protection by Cloudflare</p></body></html>""",
}

# An article about browsers that quotes challenge pages: a real page, to be kept.
JAVASCRIPT_ARTICLE = article_page(
    "Browser update breaks ministry portal",
    [
        "Users of the tax ministry's online portal said on Monday that the site had stopped"
        " working after a browser update changed how JavaScript and cookies are handled.",
        'Many were shown a page reading "Just a moment..." and then "Enable JavaScript and'
        ' cookies to continue", even though JavaScript was switched on in their browsers.',
        "A spokesman for the ministry said its engineers were checking the portal's"
        " protection service and that filing deadlines would be extended by a week.",
        *prose(900, paragraphs=3),
    ],
    published="2024-03-05T10:00:00Z",
).replace(
    "<footer>",
    "<noscript><p>Please enable JavaScript to view the comments.</p></noscript><footer>",
)

# Billion laughs: &lol9; would expand to 10**9 "lol"s.
LOL = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)
XML_BOMB_PROLOGUE = f'<?xml version="1.0"?><!DOCTYPE lolz [{LOL}]>'
SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def good_url(base: str, number: int) -> str:
    return f"{base}/good/{number}.html"


def good_page(number: int) -> str:
    """A plain article: every crawl serves some beside the hostile cases."""
    return article_page(
        f"Good story {number}", prose(500 + number), published="2024-03-05T10:00:00Z"
    )


def charset_page(case: str) -> tuple[str, bytes]:
    """(Content-Type, body) of a charset case."""
    language, charset, header, meta = CHARSET_CASES[case]
    paragraphs = "\n".join(f"<p>{p}</p>" for p in TEXTS[language])
    meta_tag = f'<meta charset="{meta}">' if meta else ""
    page = f"""<!DOCTYPE html><html lang="{language}"><head>{meta_tag}
<title>{TEXTS[language][0][:30]}</title><meta property="og:type" content="article">
<meta property="article:published_time" content="2024-03-05T10:00:00Z"></head>
<body><main><article><h1>{case}</h1>{paragraphs}</article></main></body></html>"""
    content_type = f"{HTML}; charset={header}" if header else HTML
    return content_type, page.encode(charset)


def feeds(base: str, port: int) -> dict[str, tuple[str, str]]:
    """Feeds by path: (Content-Type, body); `port` is this server's, for loopback links."""
    rss = "application/rss+xml"
    item = "<item><title>Good {n}</title><link>{url}</link></item>"
    good = "".join(item.format(n=n, url=good_url(base, n)) for n in (10, 11))
    private = "".join(
        item.format(n=n, url=url)
        for n, url in enumerate(
            [
                f"http://127.0.0.1:{port}/secret/1.html",
                f"http://localhost:{port}/secret/2.html",
                "http://10.0.0.1/secret/3.html",
                "http://169.254.169.254/latest/meta-data/",
                f"{base}/redirect/to-metadata",
                f"{base}/redirect/to-loopback",
                good_url(base, 20),
            ]
        )
    )
    return {
        "/feeds/good.xml": (
            rss,
            f'<rss version="2.0"><channel><title>G</title>{good}</channel></rss>',
        ),
        # Cut off inside its second item: the complete first item is still read.
        "/feeds/truncated.xml": (
            rss,
            '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
            + item.format(n=12, url=good_url(base, 12))
            + f"<item><title>Cut</title><link>{base}/good/13.ht",
        ),
        "/feeds/truncated-atom.xml": (
            "application/atom+xml",
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            '<entry><title>Cut</title><link href="' + base + "/goo",
        ),
        "/feeds/garbage.xml": (rss, '<?xml version="1.0"?><rss version="2.0"><<<&&&>>>'),
        "/feeds/bomb.xml": (
            rss,
            XML_BOMB_PROLOGUE
            + '<rss version="2.0"><channel><title>&lol9;</title>'
            + item.format(n=14, url=good_url(base, 14)).replace("Good 14", "&lol9;")
            + "</channel></rss>",
        ),
        "/feeds/bomb-atom.xml": (
            "application/atom+xml",
            XML_BOMB_PROLOGUE + '<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title>'
            f'<entry><title>&lol9;</title><link href="{good_url(base, 15)}"/></entry></feed>',
        ),
        "/feeds/private.xml": (
            rss,
            f'<rss version="2.0"><channel><title>P</title>{private}</channel></rss>',
        ),
        # A valid feed with nothing in it today: empty, not broken.
        "/feeds/empty.xml": (rss, EMPTY_RSS),
        "/feeds/empty-untyped.xml": ("", EMPTY_RSS),  # sent without a Content-Type
    }


EMPTY_RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title>'
    "<link>http://news.test/</link><description>Nothing yet</description></channel></rss>"
)


def sitemaps(base: str) -> dict[str, tuple[str, str]]:
    """Sitemaps by path: (Content-Type, body)."""
    xml = "application/xml"
    url = "<url><loc>{}</loc></url>"
    return {
        "/sitemaps/good.xml": (
            xml,
            f"<urlset {SITEMAP_NS}>{url.format(good_url(base, 16))}</urlset>",
        ),
        # Cut off inside its second entry: only the first, complete one may be fetched.
        "/sitemaps/truncated.xml": (
            xml,
            f'<?xml version="1.0"?><urlset {SITEMAP_NS}>{url.format(good_url(base, 17))}'
            f"<url><loc>{base}/good/18.ht",
        ),
        "/sitemaps/truncated-empty.xml": (xml, f"<urlset {SITEMAP_NS}><url><loc>{base}/go"),
        "/sitemaps/garbage.xml": (xml, '<?xml version="1.0"?>\x01\x02<urlset <<< &&& >>>'),
        "/sitemaps/bomb.xml": (
            xml,
            XML_BOMB_PROLOGUE + f"<urlset {SITEMAP_NS}><url><loc>{good_url(base, 19)}&lol9;"
            "</loc></url></urlset>",
        ),
    }


@functools.cache
def gzip_bomb() -> bytes:
    """Some 64 KB of gzip that decompresses to 64 MB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    body = b"".join(compressor.compress(b" " * MB) for _ in range(BOMB_BYTES // MB))
    return body + compressor.flush()


@functools.cache
def big_sitemap(base: str, first: int) -> bytes:
    """A 20 MB urlset, gzipped to some 60 KB: good page `first`, 20 MB of comments, and
    good page `first + 1`, which only a reader of the whole sitemap finds."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    opening = f"<urlset {SITEMAP_NS}><url><loc>{good_url(base, first)}</loc></url>"
    closing = f"<url><loc>{good_url(base, first + 1)}</loc></url></urlset>"
    padding = b"<!--" + b" " * 1000 + b"-->\n"
    return b"".join(
        [
            compressor.compress(opening.encode()),
            *(compressor.compress(padding) for _ in range(BIG_SITEMAP_BYTES // len(padding))),
            compressor.compress(closing.encode()),
            compressor.flush(),
        ]
    )


class HostileHandler(BaseHTTPRequestHandler):
    server_version = "newsfold-hostile/1"
    served: list[tuple[str, str]]
    lock: threading.Lock
    port: int  # where this server listens, for links back to it by loopback address

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        host = (parts.hostname or self.headers.get("Host", "").rsplit(":", 1)[0]).lower()
        path = parts.path
        if path == "/__served":
            with self.lock:
                self.send(200, "application/json", json.dumps(self.served).encode())
            return
        with self.lock:
            self.served.append((host, path))
        # The crawler hangs up on a page too large or too slow, as it should.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.route(host, path)

    def route(self, host: str, path: str) -> None:
        base = f"http://{self.headers.get('Host', host)}"
        routes: dict[str, Callable[[], None]] = {
            "/robots.txt": lambda: self.robots(host),
            "/body/binary.html": lambda: self.send(200, HTML, random.Random(7).randbytes(20_000)),
            "/body/empty.html": lambda: self.send(200, HTML, b""),
            "/body/huge.html": lambda: self.stream(HUGE_BYTES, declare_length=True),
            "/body/huge-undeclared.html": lambda: self.stream(HUGE_BYTES, declare_length=False),
            "/body/gzip-bomb.html": self.gzip_bomb,
            "/body/deep.html": self.deep,
            "/article/javascript.html": lambda: self.send(200, HTML, JAVASCRIPT_ARTICLE.encode()),
            "/challenge/cloudflare-403.html": lambda: self.send(
                403, HTML, CHALLENGES["cloudflare"].encode()
            ),
            "/sitemaps/bomb.xml.gz": lambda: self.send(200, "application/x-gzip", gzip_bomb()),
            # The same two with Content-Encoding: gzip, which Scrapy decodes before the spider.
            "/sitemaps/bomb-encoded.xml": lambda: self.send(
                200, "application/xml", gzip_bomb(), Content_Encoding="gzip"
            ),
            "/sitemaps/big-encoded.xml": lambda: self.send(
                200, "application/xml", big_sitemap(base, 21), Content_Encoding="gzip"
            ),
            "/sitemaps/big.xml.gz": lambda: self.send(
                200, "application/x-gzip", big_sitemap(base, 23)
            ),
            "/redirect/loop-a": lambda: self.redirect("/redirect/loop-b"),
            "/redirect/loop-b": lambda: self.redirect("/redirect/loop-a"),
            "/redirect/self": lambda: self.redirect("/redirect/self"),
            "/redirect/to-metadata": lambda: self.redirect("http://169.254.169.254/latest/"),
            "/redirect/to-loopback": lambda: self.redirect(
                f"http://127.0.0.1:{self.port}/secret/6.html"
            ),
            "/slow/drip.html": self.drip,
        }
        documents = {**feeds(base, self.port), **sitemaps(base)}
        if path in routes:
            routes[path]()
        elif path in documents:
            content_type, text = documents[path]
            self.send(200, content_type, text.encode())
        elif path.startswith("/good/") and path.endswith(".html"):
            number = int(path.removeprefix("/good/").removesuffix(".html"))
            self.send(200, f"{HTML}; charset=utf-8", good_page(number).encode())
        elif path.startswith("/charset/") and path.removeprefix("/charset/") in CHARSET_CASES:
            self.send(200, *charset_page(path.removeprefix("/charset/")))
        elif path.removeprefix("/challenge/").removesuffix(".html") in CHALLENGES:
            self.send(200, HTML, CHALLENGES[path.removeprefix("/challenge/")[:-5]].encode())
        elif path.startswith("/redirect/chain/"):
            self.redirect(f"/redirect/chain/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path.startswith("/status/"):
            status = int(path.removeprefix("/status/"))
            self.send(status, HTML, f"<html><body><p>Status {status}</p></body></html>".encode())
        else:
            self.send(404, HTML, b"<html><body><p>Not found</p></body></html>")

    def send(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
        """A response; an empty `content_type` sends none."""
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def robots(self, host: str) -> None:
        rules = "Disallow: /" if host.startswith("blocked.") else "Disallow:"
        self.send(200, "text/plain", f"User-agent: *\n{rules}\n".encode())

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def stream(self, size: int, declare_length: bool) -> None:
        """A page of `size` bytes, sent a megabyte at a time (never held in memory)."""
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        if declare_length:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b"<p>" + b"a" * (MB - 8) + b"</p>\n"
        self.wfile.write(b"<html><body>")
        for _ in range(size // len(chunk)):
            self.wfile.write(chunk)

    def gzip_bomb(self) -> None:
        self.send(200, HTML, gzip_bomb(), Content_Encoding="gzip")

    def deep(self) -> None:
        nested = "<div>" * DEEP_LEVELS + "deep" + "</div>" * DEEP_LEVELS
        page = article_page("Deep page", prose(700)).replace("<main>", "<main>" + nested)
        self.send(200, HTML, page.encode())

    def drip(self) -> None:
        """A page sent one byte a second: long past any sane DOWNLOAD_TIMEOUT."""
        body = good_page(99).encode()
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for byte in body[:120]:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(1)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: `/__served` says what was fetched."""


class HostileServer(ThreadingHTTPServer):
    request_queue_size = 1024  # socketserver's 5 drops a crawl's handshakes: see sample/serve.py


def serve(bind: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    handler: type[HostileHandler] = type(
        "Handler", (HostileHandler,), {"served": [], "lock": threading.Lock()}
    )
    server = HostileServer((bind, port), handler)
    server.daemon_threads = True
    handler.port = server.server_port
    return server


def main() -> None:
    server = serve()
    host, port = server.server_address[:2]
    print(f"http://{host!s}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
