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
<body><header class="report-title"><h1>{{ title }}</h1><dl>
{% for key, value in meta %}<div><dt>{{ key }}</dt><dd>{{ value }}</dd></div>{% endfor %}</dl></header>
<div class="table-scroll"><table class="data"><thead><tr>{% for h in headings %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr><td>{{ row.name }}</td><td>{% for link in row.links %}<a href="{{ link.href }}">{{ link.text }}</a>{% if not loop.last %} · {% endif %}{% endfor %}</td><td>{{ row.status }}</td></tr>
{% endfor %}</tbody></table></div></body></html>
"""


def index_page(title: str, meta: list[tuple[str, str]], headings: list[str], rows: list[dict], lang: str) -> str:
    """The run's index: one row per region with links to its files (all text escaped)."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    css = (TEMPLATES / "custreport" / "report.css").read_text(encoding="utf-8")
    from markupsafe import Markup

    return env.from_string(_INDEX_TEMPLATE).render(title=title, meta=meta, headings=headings, rows=rows,
                                                   lang=lang, css=Markup(css))
