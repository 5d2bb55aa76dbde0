"""The syndication report as one self-contained HTML file: static SVG charts, one small script.

Charts are SVG drawn here, in Python: no library to pin or ship, nothing fetched, and
they show with scripts off (a mail client, a locked-down browser). The one inline script
only lists the stories (a page of them at a time, details built when opened) and
searches them, from the stories embedded as JSON: 10,000 stories as static rows made a
page of tens of thousands of elements; as data, the page draws in well under a second
(`bench/report.py`).

Every string that comes from a crawled page (titles, sites, URLs, source names, reasons)
is escaped with `html.escape` where it goes into markup, and the script puts strings in
the page as text (`textContent`), never as markup, and links only http(s) URLs. The JSON
inside the `<script type="application/json">` element has `<`, `>` and `&` as `\\u003c`,
`\\u003e`, `\\u0026`, so no string can close the element. A Content-Security-Policy
allows no network at all and runs only the page's own script (by its hash): a string
that got through as markup would still not run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from crawler.report_data import KINDS, LAG_BUCKETS, NO_DATE, Report, ReportPage, ReportStory
from crawler.source_health import RunHealth

PAGE_SIZE = 100  # stories listed at a time
HEALTH_RUNS = 30  # runs per source drawn in its small charts
COLORS = {"articles": "#2b6cb0", "copies": "#dd6b20", "dropped": "#a0aec0", "errors": "#c53030"}


def attr(value: object) -> str:
    return escape(str(value), quote=True)


def script_json(data: Any) -> str:
    """JSON that cannot end the `<script>` element it sits in, nor open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    items: Sequence[tuple[str, int]], title: str, color: str, width: int = 420, height: int = 200
) -> str:
    """Vertical bars with their counts, one per label."""
    top, bottom, left = 18, 34, 8
    peak = max([count for _, count in items] + [1])
    slot = (width - left * 2) / max(len(items), 1)
    parts = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    for n, (label, count) in enumerate(items):
        h = (height - top - bottom) * count / peak
        x = left + n * slot
        y = height - bottom - h
        parts.append(
            f'<rect class="bar" x="{_fmt(x + 3)}" y="{_fmt(y)}" width="{_fmt(slot - 6)}" '
            f'height="{_fmt(max(h, 0.5))}" fill="{color}"><title>{escape(label)}: {count}'
            "</title></rect>"
            f'<text x="{_fmt(x + slot / 2)}" y="{_fmt(y - 4)}" class="v">{count}</text>'
            f'<text x="{_fmt(x + slot / 2)}" y="{height - bottom + 14}" class="l">'
            f"{escape(label)}</text>"
        )
    parts.append(
        f'<line x1="{left}" x2="{width - left}" y1="{height - bottom}" '
        f'y2="{height - bottom}" class="axis"/></svg>'
    )
    return "".join(parts)


def heat(count: int, peak: int) -> str:
    """A blue of the count's share of the peak (square root: a few big pairs must not
    wash out the rest)."""
    share = math.sqrt(count / peak) if peak else 0.0
    low, high = (237, 242, 250), (8, 69, 148)
    r, g, b = (round(a + (z - a) * share) for a, z in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def matrix_chart(matrix: dict[tuple[str, str], int], sites: Sequence[str]) -> str:
    """Rows: the site of the story's article; columns: the site that republished it."""
    if not matrix:
        return '<p class="none">No story was republished on another site.</p>'
    cell, label = 26, 150
    size = label + cell * len(sites) + 10
    width = size + 90  # the last column's label leans out to the right
    peak = max(matrix.values())
    parts = [
        f'<svg class="chart" id="matrix" role="img" width="{width}" height="{size}" '
        f'viewBox="0 0 {width} {size}"><title>Who republishes whom: stories by site pair'
        "</title>"
    ]
    for n, site in enumerate(sites):
        y = label + n * cell + cell * 0.65
        x = label + n * cell + cell * 0.65
        parts.append(f'<text x="{label - 6}" y="{_fmt(y)}" class="rl">{escape(site)}</text>')
        parts.append(
            f'<text transform="translate({_fmt(x)},{label - 6}) rotate(-60)" class="cl">'
            f"{escape(site)}</text>"
        )
    for r, origin in enumerate(sites):
        for c, site in enumerate(sites):
            count = matrix.get((origin, site), 0)
            x, y = label + c * cell, label + r * cell
            fill = heat(count, peak) if count else "#fafafa"
            tip = f"{site} republished {count} stories of {origin}"
            parts.append(
                f'<rect class="cell" x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="{fill}"><title>{escape(tip)}</title></rect>'
            )
            if count:
                ink = "#fff" if count > peak / 3 else "#1a202c"
                parts.append(
                    f'<text x="{x + cell / 2 - 0.5}" y="{y + cell * 0.65}" class="n" '
                    f'fill="{ink}">{count}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def runs_chart(report: Report, width: int = 860, height: int = 220) -> str:
    """Records and drops of each run, stacked, oldest on the left."""
    runs = report.runs
    if not runs:
        return '<p class="none">No run is listed in the state.</p>'
    top, bottom, left = 12, 40, 40
    keys = ("articles", "copies", "dropped", "errors")
    peak = max([sum(getattr(run, k) for k in keys) for run in runs] + [1])
    slot = min((width - left - 10) / len(runs), 48)
    parts = [
        f'<svg class="chart" id="runs" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>Runs over time</title>'
        f'<text x="{left - 4}" y="{top + 8}" class="yl">{peak}</text>'
        f'<text x="{left - 4}" y="{height - bottom}" class="yl">0</text>'
    ]
    step = max(1, math.ceil(len(runs) / 8))
    for n, run in enumerate(runs):
        x, base = left + n * slot, height - bottom
        tip = (
            f"run {run.run} ({run.status}, exit {run.exit_code}): {run.articles} articles, "
            f"{run.copies} copies, {run.dropped} dropped, {run.errors} errors"
        )
        parts.append(f"<g><title>{escape(tip)}</title>")
        for key in keys:
            value = getattr(run, key)
            h = (height - top - bottom) * value / peak
            if h:
                base -= h
                parts.append(
                    f'<rect class="bar" x="{_fmt(x + 1)}" y="{_fmt(base)}" '
                    f'width="{_fmt(max(slot - 2, 1))}" height="{_fmt(h)}" fill="{COLORS[key]}"/>'
                )
        if run.warnings:
            parts.append(
                f'<text x="{_fmt(x + slot / 2)}" y="{_fmt(base - 3)}" class="warn">!</text>'
            )
        parts.append("</g>")
        if n % step == 0:
            parts.append(
                f'<text x="{_fmt(x + slot / 2)}" y="{height - bottom + 14}" class="l">'
                f"{escape(run.started[:10])}</text>"
            )
    parts.append(
        f'<line x1="{left}" x2="{width - 10}" y1="{height - bottom}" '
        f'y2="{height - bottom}" class="axis"/></svg>'
    )
    legend = "".join(
        f'<span class="key"><i style="background:{color}"></i>{name}</span>'
        for name, color in COLORS.items()
    )
    return "".join(parts) + f'<p class="legend">{legend}</p>'


def sparkline(values: Sequence[float | None], flags: Sequence[bool], title: str) -> str:
    """A small line over a source's runs, the latest at the right end; a flagged run is a
    red dot."""
    width, height, pad = 100, 28, 3
    known = [v for v in values if v is not None]
    peak = max([*known, 1.0])
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points, dots = [], []
    for n, value in enumerate(values):
        if value is None:
            continue
        x = width - pad - (len(values) - 1 - n) * step
        y = height - pad - (height - 2 * pad) * value / peak
        points.append(f"{_fmt(x)},{_fmt(y)}")
        if flags[n]:
            dots.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="3" class="flagdot"/>')
    line = (
        f'<polyline points="{" ".join(points)}" class="spark"/>'
        if len(points) > 1
        else "".join(
            f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2" class="sparkdot"/>'
            for p in points
        )
    )
    return (
        f'<svg class="chart spark" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
        f'<line x1="{pad}" x2="{width - pad}" y1="{height - pad}" y2="{height - pad}" '
        f'class="base"/>{line}{"".join(dots)}'
        "</svg>"
    )


HEALTH_COLUMNS: tuple[tuple[str, Callable[[RunHealth], float | None]], ...] = (
    ("pages", lambda run: run.pages),
    ("records", lambda run: run.articles + run.copies),
    ("drops", lambda run: run.drops),
    ("errors", lambda run: run.error_count),
    ("empty", lambda run: run.empty),
    ("median chars", lambda run: run.text_chars),
)


def health_table(health: dict[str, list[RunHealth]]) -> str:
    if not health:
        return '<p class="none">No run manifest was found (see --manifests).</p>'
    head = "".join(f"<th>{name}</th>" for name, _ in HEALTH_COLUMNS)
    rows = []
    order = sorted(health, key=lambda s: (not (health[s] and health[s][-1].drift), s.lower()))
    for source in order:
        runs = health[source][-HEALTH_RUNS:]
        last = runs[-1]
        flags = [run.drift is not None for run in runs]
        cells = []
        for name, value in HEALTH_COLUMNS:
            values = [value(run) for run in runs]
            shown = values[-1]
            tip = f"{source}: {name} over its last {len(runs)} runs; latest {shown}"
            if name == "drops" and last.dropped:
                reasons = ", ".join(f"{r} {n}" for r, n in sorted(last.dropped.items()))
                tip += f" ({reasons})"
            cells.append(
                f'<td><span class="num">{"" if shown is None else round(shown)}</span>'
                f"{sparkline(values, flags, tip)}</td>"
            )
        reasons = ", ".join(f"{r} {n}" for r, n in sorted(last.dropped.items())) or "none"
        flag = (
            f'<div class="flag">drift in run {escape(last.run)}: {escape(last.drift)}</div>'
            if last.drift
            else ""
        )
        rows.append(
            f'<tr class="{"flagged" if last.drift else ""}"><th scope="row">'
            f'<span class="src">{escape(source)}</span>{flag}'
            f'<div class="why">latest drops: {escape(reasons)}</div></th>{"".join(cells)}</tr>'
        )
    return f'<table class="health"><tr><th>source</th>{head}</tr>{"".join(rows)}</table>'


def _page_data(page: ReportPage, article: ReportPage, sites: dict[str, int]) -> list[Any]:
    """A page as the script reads it: [site, url, title (null: the article's), published,
    relation or kind, method, similarity, containment, lag in hours]."""
    title = None if page is not article and page.title == article.title else page.title
    return [
        sites.setdefault(page.site, len(sites)),
        page.url,
        title,
        (page.published or "")[:16],
        page.kind or page.relation,
        page.method,
        None if page.similarity is None else round(page.similarity, 2),
        None if page.containment is None else round(page.containment, 2),
        None if page.lag_hours is None else round(page.lag_hours, 1),
    ]


def stories_data(stories: Sequence[ReportStory]) -> dict[str, Any]:
    sites: dict[str, int] = {}
    rows = [
        [s.cluster, *(_page_data(p, s.article, sites) for p in [s.article, *s.copies])]
        for s in stories
    ]
    return {"sites": list(sites), "stories": rows}


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px;
color:#1a202c}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #e2e8f0}
.summary span{margin-right:18px}.none{color:#718096}
.chart text{font-size:11px;fill:#2d3748}.chart .l,.chart .v,.chart .n{text-anchor:middle}
.chart .rl,.chart .yl{text-anchor:end}.axis{stroke:#4a5568}
.spark{fill:none;stroke:#2b6cb0;stroke-width:1.5}.sparkdot{fill:#2b6cb0}
.flagdot{fill:#c53030}.base{stroke:#e2e8f0}
.warn{fill:#c53030;font-weight:bold;text-anchor:middle}
.row{display:flex;flex-wrap:wrap;gap:24px}
.legend .key{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;
margin-right:4px}
table.health{border-collapse:collapse}.health td,.health th{padding:2px 6px;
border-bottom:1px solid #edf2f7;text-align:left;vertical-align:middle}
.health td{white-space:nowrap}.health .num{font-size:12px;display:inline-block;
min-width:34px;text-align:right;margin-right:4px}
.health .why{font-size:11px;color:#718096;font-weight:normal}
th[scope=row]{min-width:190px}tr.flagged th[scope=row]{background:#fff5f5}
.flag{color:#c53030;font-weight:normal;font-size:12px;max-width:340px}
#search{width:60%;padding:6px;font-size:14px}
details.story{border-bottom:1px solid #edf2f7;padding:3px 0}
details.story summary{cursor:pointer}.story .size{display:inline-block;min-width:28px;
font-weight:bold}.story .sites{color:#4a5568;font-size:12px;margin-left:8px}
.story .date{color:#718096;font-size:12px;margin-left:8px}
.pages{border-collapse:collapse;margin:4px 0 8px 28px;font-size:12px}
.pages td{padding:1px 6px;border-bottom:1px solid #f7fafc}
.pages td:nth-child(-n+4){white-space:nowrap}
"""

SCRIPT = """
(function(){
var data=JSON.parse(document.getElementById('stories-data').textContent);
var sites=data.sites,all=data.stories,shown=all,count=0,hay=null;
var list=document.getElementById('stories'),more=document.getElementById('more');
var total=document.getElementById('shown');
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;
if(text!=null)e.textContent=String(text);return e;}
function link(url){if(/^https?:\\/\\//i.test(url)){var a=el('a',null,url);a.href=url;
a.rel='noreferrer noopener';return a;}return el('span',null,url);}
function how(p){if(p[4]==='article')return 'article';var s=p[4]+' ('+p[5];
if(p[6]!=null)s+=', similarity '+p[6];if(p[7]!=null)s+=', containment '+p[7];return s+')';}
function lag(h){if(h==null)return '';var a=Math.abs(h),t=a<48?a.toFixed(1)+' h':
(a/24).toFixed(1)+' d';return h<0?t+' before':t+' after';}
function table(story){var t=el('table','pages'),art=story[1];
for(var i=1;i<story.length;i++){var p=story[i],r=t.insertRow();
r.appendChild(el('td',null,sites[p[0]]));r.appendChild(el('td',null,p[3]));
r.appendChild(el('td',null,how(p)));r.appendChild(el('td',null,lag(p[8])));
var c=el('td');c.appendChild(link(p[1]));
if(p[2]!=null&&i>1){c.appendChild(el('div','ctitle',p[2]));}r.appendChild(c);}
return t;}
function row(story){var d=el('details','story'),s=el('summary'),art=story[1];
s.appendChild(el('span','size',story.length-1));s.appendChild(el('span','title',
art[2]||art[1]));var names=[];for(var i=1;i<story.length;i++){var n=sites[story[i][0]];
if(names.indexOf(n)<0)names.push(n);}s.appendChild(el('span','sites',names.join(', ')));
s.appendChild(el('span','date',art[3]));d.appendChild(s);
d.addEventListener('toggle',function(){if(d.open&&d.children.length<2)
d.appendChild(table(story));});return d;}
function render(){var f=document.createDocumentFragment(),end=Math.min(count+PAGE,
shown.length);for(var i=count;i<end;i++)f.appendChild(row(shown[i]));list.appendChild(f);
count=end;more.hidden=count>=shown.length;total.textContent=shown.length+' of '+
all.length+' stories';}
function text(story){var s='';for(var i=1;i<story.length;i++){var p=story[i];
s+=' '+(p[2]||'')+' '+sites[p[0]]+' '+p[1];}return s.toLowerCase();}
function search(q){q=q.trim().toLowerCase();if(!hay)hay=all.map(text);
shown=q?all.filter(function(s,i){return hay[i].indexOf(q)>=0;}):all;
list.textContent='';count=0;render();}
var timer;document.getElementById('search').addEventListener('input',function(e){
clearTimeout(timer);var q=e.target.value;timer=setTimeout(function(){search(q);},120);});
more.addEventListener('click',render);render();document.body.dataset.ready='1';
})();
""".replace("PAGE", str(PAGE_SIZE))


def render(report: Report) -> str:
    """The whole page."""
    script = SCRIPT
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'"
    )
    data = script_json(stories_data(report.stories))
    copies = sum(report.kinds.values())
    flagged = report.flagged
    lags = [(label, report.lags.get(label, 0)) for label, _ in LAG_BUCKETS]
    lags.append((NO_DATE, report.lags.get(NO_DATE, 0)))
    kinds = [(kind, report.kinds.get(kind, 0)) for kind in KINDS]
    warning = (
        '<p class="flag">Drifted in their latest run: '
        + ", ".join(escape(source) for source in flagged)
        + " (see Source health)</p>"
        if flagged
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{attr(policy)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>newsfold syndication report</title><style>{STYLE}</style></head>
<body>
<h1>newsfold syndication report</h1>
<p class="summary"><span>generated {escape(report.generated)}</span>
<span><b>{len(report.stories)}</b> stories</span><span><b>{report.pages}</b> pages</span>
<span><b>{copies}</b> copies</span><span><b>{len(report.runs)}</b> runs</span>
<span><b>{len(flagged)}</b> sources flagged</span></p>
{warning}
<h2 id="who">Who republishes whom</h2>
<p>Stories whose article is on the row's site and that the column's site republished
(each story once per pair of sites).</p>
{matrix_chart(report.matrix, report.matrix_sites)}
<div class="row"><section><h2 id="lag">Lag from the article to each copy</h2>
{bar_chart(lags, "Copies by lag after their article's publication", "#2b6cb0")}</section>
<section><h2 id="kinds">Kinds of copy</h2>
{bar_chart(kinds, "Copies by kind", "#dd6b20", width=360)}</section></div>
<h2 id="runs-over-time">Runs over time</h2>
{runs_chart(report)}
<h2 id="health">Source health</h2>
<p>Each source over its last {HEALTH_RUNS} runs: pages fetched, records written, drops,
errors, empty extractions, median text length of its articles; a red dot is a run that
drifted from the source's own history.</p>
{health_table(report.health)}
<h2 id="stories-title">Stories</h2>
<p><input id="search" type="search" placeholder="Search titles, sites, URLs"
 aria-label="Search stories"> <span id="shown"></span></p>
<noscript><p>The story list needs JavaScript; the charts above do not.</p></noscript>
<div id="stories"></div><p><button id="more" hidden>Show more</button></p>
<script type="application/json" id="stories-data">{data}</script>
<script>{script}</script>
</body></html>
"""
