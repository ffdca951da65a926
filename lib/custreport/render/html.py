"""Executed notebook -> one self-contained HTML page (our nbconvert template), and the run index page.

The page carries no code, no prompts and no external references: styles are inlined
and charts are embedded PNGs, so it opens offline and inside mail clients.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
from jinja2 import Environment, select_autoescape
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

TEMPLATES = Path(__file__).parent / "templates"
HIDDEN_TAGS = {"notes", "parameters", "injected-parameters", "remove"}
_HEADING = re.compile(r"^(#{2,3})\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w\u4e00-\u9fff-]+", "-", text.strip().lower()).strip("-") or "section"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _table_of_contents(nb: nbformat.NotebookNode) -> list[dict]:
    """Level-2 headings from markdown cells and markdown outputs, in order."""
    taken: set[str] = set()
    entries = []
    for cell in nb.cells:
        if "notes" in cell.get("metadata", {}).get("tags", []):
            continue
        texts = [cell.source] if cell.cell_type == "markdown" else [
            out.get("data", {}).get("text/markdown", "") for out in cell.get("outputs", [])]
        for text in texts:
            for level, heading in _HEADING.findall(text or ""):
                if level == "##":
                    entries.append({"id": _slug(heading, taken), "text": heading})
    return entries


def _has_front_page(nb: nbformat.NotebookNode) -> bool:
    return any('class="front-page"' in str(out.get("data", {}).get("text/html", ""))
               for cell in nb.cells for out in cell.get("outputs", []))


def notebook_to_html(nb: nbformat.NotebookNode, title: str, locale: str, footer: str = "") -> str:
    """Render an executed notebook as a report page."""
    exporter = HTMLExporter(template_name="custreport", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=HIDDEN_TAGS, enabled=True), enabled=True)
    # a report that opens with a front page (the summary) says what matters itself: no contents list
    toc = [] if _has_front_page(nb) else _table_of_contents(nb)
    contents = "目录" if locale == "zh" else "Contents"
    resources = {"custreport": {"title": title, "lang": "zh-CN" if locale == "zh" else "en",
                                "toc": toc, "contents_label": contents, "footer": footer}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return _insert_toc(_anchor_headings(body, toc), toc, contents)


def _anchor_headings(body: str, toc: list[dict]) -> str:
    """Give each level-2 heading the id its table-of-contents entry links to."""
    pending = list(toc)

    def replace(match: re.Match) -> str:
        if not pending:
            return match.group(0)
        entry = pending.pop(0)
        return f'<h2 id="{entry["id"]}">'

    return re.sub(r"<h2(?:\s[^>]*)?>", replace, body)


def _insert_toc(body: str, toc: list[dict], title: str) -> str:
    """Place the table of contents right after the report's title block (or at the top of main)."""
    if not toc:
        return body
    items = "".join(f'<li><a href="#{entry["id"]}">{html.escape(entry["text"])}</a></li>' for entry in toc)
    nav = f'<nav class="toc"><div class="toc-title">{html.escape(title)}</div><ol>{items}</ol></nav>'
    marker = "</header>" if "</header>" in body else "<main>"
    return body.replace(marker, marker + nav, 1)


_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title><style>{{ css }}</style></head>
<body class="index"><header class="report-title"><h1>{{ title }}</h1><dl>
{% for key, value in meta %}<div><dt>{{ key }}</dt><dd>{{ value }}</dd></div>{% endfor %}</dl></header>
<p class="index-overview{% if failures %} failures{% endif %}" role="status">{{ overview }}</p>
{% if regions | length > 1 %}<nav class="index-nav" aria-label="{{ words.regions_nav }}">
{% for region in regions %}<a href="#region-{{ region.code }}"{% if not region.ok %} class="failed"{% endif %}>{{ region.name }}</a>
{% endfor %}</nav>{% endif %}
{% for region in regions %}
<section class="index-region{% if not region.ok %} failed{% endif %}" id="region-{{ region.code }}">
<h2>{{ region.name }} <span class="index-status {{ 'ok' if region.ok else 'failed' }}">{{ '✓ ' ~ words.status_ok if region.ok else '✗ ' ~ words.status_failed }}</span></h2>
{% if region.problem %}<p class="index-problem">{{ region.problem }}</p>{% endif %}
{% if region.headline %}<p class="index-headline">{{ region.headline }}</p>{% endif %}
{% if region.figures %}<div class="index-figures">{% for figure in region.figures %}<div class="index-figure">
<div class="index-figure-label">{{ figure.label }}</div><div class="index-figure-value">{{ figure.value }}</div>
{% if figure.change %}<div class="index-figure-change {{ figure.tone }}">{{ {'up': '▲ ', 'down': '▼ '}.get(figure.direction, '') }}{{ figure.change }}</div>{% endif %}
{% if figure.target %}<div class="index-figure-target">{{ figure.target }}</div>{% endif %}
</div>{% endfor %}</div>{% else %}<p class="index-note">{{ words.no_figures }}</p>{% endif %}
{% if region.main %}<p class="index-main"><span class="index-main-name">{{ region.main.name }}</span>
{% for link in region.main.links %}<a class="index-button" href="{{ link.href }}">{{ link.text }}</a>{% endfor %}</p>{% endif %}
{% if region.reports or region.workbook %}<ul class="index-links" aria-label="{{ words.other_reports }}">
{% for report in region.reports %}<li><span>{{ report.name }}</span> {% for link in report.links %}<a href="{{ link.href }}">{{ link.text }}</a>{% if not loop.last %} · {% endif %}{% endfor %}</li>
{% endfor %}{% if region.workbook %}<li><a href="{{ region.workbook.href }}">{{ region.workbook.text }}</a></li>{% endif %}</ul>{% endif %}
{% for language in region.languages %}<p class="index-language">{{ language.name }}: {% for link in language.links %}<a href="{{ link.href }}">{{ link.text }}</a>{% if not loop.last %} · {% endif %}{% endfor %}</p>
{% endfor %}{% if region.more %}<details class="index-more"><summary>{{ words.more_files }}</summary>
{% for link in region.more %}<a href="{{ link.href }}">{{ link.text }}</a>{% if not loop.last %} · {% endif %}{% endfor %}</details>{% endif %}
</section>
{% endfor %}</body></html>
"""


def index_page(title: str, meta: list[tuple[str, str]], overview: str, failures: bool, regions: list[dict],
               words: dict[str, str], lang: str) -> str:
    """The run's index, one self-contained page (all text escaped): its title and what the data
    is, a line on how many regions rendered and which failed, then a section per region.

    Each of ``regions`` (see run_index.region_entry): ``code``, ``name``, ``ok``, ``problem`` (the
    failure, said under its name), ``figures`` (label, value, change, direction), ``main`` (the
    summary report: name and links, shown first), ``reports`` (the others), ``workbook``,
    ``languages`` (the files in other languages) and ``more`` (notebooks and data files).
    ``words``: the page's own labels (status_ok, status_failed, no_figures, other_reports,
    more_files, regions_nav).
    """
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    css = (TEMPLATES / "custreport" / "report.css").read_text(encoding="utf-8")
    from markupsafe import Markup

    return env.from_string(_INDEX_TEMPLATE).render(title=title, meta=meta, overview=overview, failures=failures,
                                                   regions=regions, words=words, lang=lang, css=Markup(css))
