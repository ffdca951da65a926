"""A recipient's message: subject, plain-text and HTML bodies holding the summary's front page
(headline, insights with their small charts, cards, the table by region), the revenue trend,
the charts embedded by Content-ID, the chosen PDFs, the workbook and their rep's own fix list
attached, and a Message-ID that is the same for the same message.

Recipient, region and report names are escaped in the HTML body, a line break in any header
is refused (it would let a name add headers such as Bcc of its own), and so is a report name
that is not a plain name (it names the file attached from the recipient's region folder).
The workbook goes as a copy with every phone number and email address in it masked.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from pathlib import Path

from custreport import i18n
from custreport.analysis.fixlists import FOLDER as FIX_LISTS
from custreport.config import RegionTable
from custreport.delivery.alerts import alert_sentence
from custreport.delivery.ledger import recipient_keys
from custreport.delivery.rendered import recipient_files, region_figures, region_files
from custreport.errors import UserError
from custreport.privacy import mask_contacts_in_text
from custreport.recipients import Recipient
from custreport.render.excel import has_masked_contacts, rewrite_text
from custreport.files import file_sha256
from custreport.render.images import read_described_png
from custreport.reporting.front_page import (FRONT_CHARTS, REGION_COLUMNS, front_page_model, read_front_charts,
                                             whole_figures)
from custreport.reporting.metrics import METRICS_FILE, TREND_CHART

ATTACHMENT_TYPES = {".pdf": ("application", "pdf"),
                    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")}

# Every character str.splitlines() breaks on: mail software may read any of them as the end
# of a header line, so none may reach one.
_LINE_BREAK = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


def build_message(folder: Path, recipient: Recipient, region: str, regions: RegionTable,
                  sender: str | None) -> EmailMessage:
    """The message for ``recipient``: their region's figures, one chart, the chosen files, all
    in their language; a data alert that holds leads the subject and the body."""
    from custreport.reporting.provenance import data_statement

    check_report_names(recipient)
    locale = recipient.language
    region_folder = region_files(folder, region, locale)
    figures = region_figures(region_folder, folder.name)
    region_name = regions.display_name(region, locale)
    names = [i18n.report_name(report, locale) for report in recipient.reports]
    subject = (f"{'、'.join(names)} · {region_name} · {folder.name}" if locale == "zh"
               else f"{', '.join(names)} · {region_name} · {folder.name}")
    alert = alert_sentence(recipient.alert, figures, locale) if recipient.alert else ""
    if alert:   # brackets, not a spaced separator: the space between two encoded words of a header is lost
        subject = f"【{alert}】{subject}" if locale == "zh" else f"[{alert}] {subject}"
    attached = [*names, *([i18n.label("report_fix_list", locale)] if "fix_list" in recipient.attach else [])]
    facts = data_statement(figures, locale)
    check_header_values(recipient.email, {"Subject": subject, "From": sender or "", "To": recipient.name,
                                          "To address": recipient.email})
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender or "custreport@localhost"
    message["To"] = formataddr((recipient.name, recipient.email))
    message["Date"] = dt.datetime.now(dt.timezone.utc)
    message["Message-ID"] = message_id(folder, recipient, region, sender, regions.unknown.code)
    page = front_page_model(figures, locale, region_names=_region_names(regions, locale))
    images = _front_charts(region_folder, page)
    chart = _chart(region_folder)
    chart_id = make_msgid(domain="custreport")
    message.set_content(_text_body(recipient, region_name, folder.name, page, attached, locale, alert, facts))
    message.add_alternative(_html_body(recipient, region_name, folder.name, page, attached, locale,
                                       chart_id if chart else None, chart[1] if chart else "", alert, facts, images),
                            subtype="html")
    body = message.get_payload()[1]
    for rank, (data, _, cid) in images.items():
        body.add_related(data, "image", "png", cid=cid, filename=f"insight-{rank}.png")
    if chart:
        body.add_related(chart[0], "image", "png", cid=chart_id, filename="chart.png")
    for path in recipient_files(folder, region, recipient, regions.unknown.code):
        kind = "fix_list-" if path.parent.name == FIX_LISTS else ""
        message.add_attachment(emailed_copy(path), *ATTACHMENT_TYPES[path.suffix],
                               filename=f"{region}-{folder.name}-{kind}{path.name}")
    return message


def message_id(folder: Path, recipient: Recipient, region: str, sender: str | None,
               unknown_region: str = "unknown") -> str:
    """The Message-ID of ``recipient``'s message: the same for the same recipient, region,
    reports, period and content, so that a mail system (or a person) can tell a second copy
    of it for what it is.

    Derived from the message's ledger keys and the sha256 of the files it is made from (the
    region's figures, its chart page, the attachments): a resend of the same files carries the
    original's Message-ID, so where the first one did arrive the two are recognised as one
    message (some mail systems keep only one); reports rendered again since are a new message,
    with a new Message-ID, so a correction is never taken for a copy.
    """
    region_folder = region_files(folder, region, recipient.language)
    keys = sorted(recipient_keys(recipient, region, folder.name))
    sources = [region_folder / METRICS_FILE, region_folder / TREND_CHART, region_folder / FRONT_CHARTS,
               *recipient_files(folder, region, recipient, unknown_region)]
    identity = hashlib.sha256("\n".join(keys).encode())
    for path in sources:
        if path.is_file():
            identity.update(f"\n{path.name} {file_sha256(path)}".encode())
    domain = parseaddr(sender or "")[1].rpartition("@")[2] or "custreport.localhost"
    return f"<custreport.{identity.hexdigest()[:32]}@{domain}>"


def check_header_values(recipient: str, headers: dict[str, str]) -> None:
    r"""Refuse, in one line, a header value holding a line break (from a region, report or person's name).

    >>> check_header_values("a@example.com", {"Subject": "经营概览 · 华东 · 2025-Q4"})
    >>> check_header_values("a@example.com", {"Subject": "华东\r\nBcc: x@evil.com"})
    Traceback (most recent call last):
    custreport.errors.UserError: a@example.com: the Subject header would hold a line break (...): refused, ...
    """
    for name, value in headers.items():
        if _LINE_BREAK.search(value):
            raise UserError(f"{recipient}: the {name} header would hold a line break ({value!r}): refused, "
                            "as it could add headers of its own")


def check_report_names(recipient: Recipient) -> None:
    """Refuse a report name that is not a notebook's name: it names the PDF attached from the
    recipient's region folder, and ``../all/summary`` would attach another region's report.

    >>> check_report_names(Recipient(name="A", email="a@example.com", region="east", reports=["summary", "月报"]))
    >>> check_report_names(Recipient(name="A", email="a@example.com", region="east", reports=["../all/summary"]))
    Traceback (most recent call last):
    custreport.errors.UserError: a@example.com: report '../all/summary' is not a report name (letters, digits, - or _)
    """
    for report in recipient.reports:
        if not re.fullmatch(r"[\w-]+", report):
            raise UserError(f"{recipient.email}: report {report!r} is not a report name (letters, digits, - or _)")


def emailed_copy(path: Path) -> bytes:
    """The bytes of a rendered file as it leaves by email.

    Reports are masked as rendered; the workbook may be the analyst's, with contacts in full
    (params/analysis.yaml ``privacy``), so it goes as a copy with every phone number and email
    address in its text masked. Masking twice changes nothing: a masked workbook goes as it is.
    """
    if path.suffix != ".xlsx" or has_masked_contacts(path):
        return path.read_bytes()
    stat = path.stat()
    return _masked_workbook(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _masked_workbook(path: Path, mtime_ns: int, size: int) -> bytes:
    # One masked copy per region workbook and version, however many recipients get it.
    try:
        return rewrite_text(path, mask_contacts_in_text)
    except Exception as exc:  # openpyxl's errors for a damaged file are of many kinds
        raise UserError(f"{path}: cannot read the workbook to mask it for mail ({exc}); render it again") from None


def _region_names(regions: RegionTable, locale: str) -> dict[str, str]:
    return {code: regions.display_name(code, locale) for code in [*regions.codes, regions.unknown.code]}


def _front_charts(region_folder: Path, page: dict) -> dict[int, tuple[bytes, str, str]]:
    """The small charts of the front page's insights, as the run wrote them: rank -> (PNG, alt text, Content-ID)."""
    path = region_folder / FRONT_CHARTS
    if not path.is_file():   # rendered before the front page had charts: the mail shows its words
        return {}
    try:
        charts = read_front_charts(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(f"{path}: unreadable: run `custreport run` for {region_folder.parent.name} again") from None
    return {insight["rank"]: (*charts[insight["rank"]], make_msgid(domain="custreport"))
            for insight in page["insights"] if insight["rank"] in charts}


# Mail clients drop style sheets: the tones of the front page as inline colours.
TONE_COLOURS = {"good": "#2e7d32", "bad": "#c62828", "neutral": "#616e7c", "flat": "#616e7c"}


def _chart(region_folder: Path) -> tuple[bytes, str] | None:
    """The region's revenue trend (the chart the summary report opens with), as the run wrote it
    beside metrics.json: PNG bytes and the alt text it carries."""
    path = region_folder / TREND_CHART
    return read_described_png(path) if path.is_file() else None


def _text_body(recipient: Recipient, region_name: str, period: str, page: dict, names: list[str],
               locale: str, alert: str = "", facts: list[str] = ()) -> str:
    zh = locale == "zh"
    lines = [f"{recipient.name}{'，您好：' if zh else ','}", "", *([alert, ""] if alert else []),
             page["headline"], "", *[f"- {insight['title']}: {insight['text']}" for insight in page["insights"]], "",
             (f"{region_name} {period} 的关键指标：" if zh else f"Key figures for {region_name}, {period}:"), *facts]
    for card in page["cards"]:
        changes = "  ".join(f"{name} {text}" for name, text, _ in card["changes"])
        target = f"  {card['target']['text']}" if card["target"] else ""
        lines.append(f"- {card['label']}: {card['value']}  ({changes}){target}")
    if page["note"]:   # what revenue is, when it is not completed orders
        lines += ["", page["note"]]
    if page["regions"]:
        lines += ["", i18n.label("by_region", locale)]
    for row in page["regions"]:
        lines.append(f"- {row['region']}: {row['revenue']} ({row['change']}), "
                     f"{i18n.label('win_rate', locale)} {row['win_rate']}")
    lines += ["", ("附件：" if zh else "Attached: ") + ("、" if zh else ", ").join(names), "", "custreport"]
    return "\n".join(lines)


def _html_body(recipient: Recipient, region_name: str, period: str, page: dict, names: list[str],
               locale: str, chart_id: str | None, chart_alt: str, alert: str = "",
               facts: list[str] = (), images: dict | None = None) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    # select_autoescape() goes by the last suffix, which for email.html.j2 is .j2: name html.j2
    # too, or names reach the body as markup
    env = Environment(loader=PackageLoader("custreport.render", "templates"),
                      autoescape=select_autoescape(["html", "html.j2"]))
    # amounts and changes in sentences never split across lines (whole_figures escapes the rest)
    env.filters["whole_figures"] = lambda text: Markup(
        whole_figures(str(text)).replace('class="fig"', 'style="white-space:nowrap"'))
    insights = [{**insight, "cid": images[insight["rank"]][2][1:-1] if insight["rank"] in (images or {}) else None,
                 "alt": images[insight["rank"]][1] if insight["rank"] in (images or {}) else ""}
                for insight in page["insights"]]
    return env.get_template("custreport/email.html.j2").render(
        zh=locale == "zh", name=recipient.name, region=region_name, period=period, page=page, insights=insights,
        cards=page["cards"], tones=TONE_COLOURS, reports=names, chart_cid=chart_id[1:-1] if chart_id else None,
        chart_alt=chart_alt, note=page["note"], alert=alert, facts=facts,
        columns=[i18n.label(key, locale) for key in REGION_COLUMNS])
