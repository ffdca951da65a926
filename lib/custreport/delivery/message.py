"""A recipient's message: subject, plain-text and HTML bodies with the region's key figures
(cards), one chart embedded by Content-ID, the chosen PDFs and the workbook attached, and a
Message-ID that is the same for the same message.

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
from custreport.config import RegionTable
from custreport.delivery.alerts import alert_sentence
from custreport.delivery.ledger import ledger_key
from custreport.delivery.rendered import attached_files, region_figures, region_files
from custreport.errors import UserError
from custreport.privacy import mask_contacts_in_text
from custreport.recipients import Recipient
from custreport.render.excel import has_masked_contacts, rewrite_text
from custreport.files import file_sha256
from custreport.render.images import read_described_png
from custreport.reporting.metrics import METRICS_FILE, TREND_CHART

# The summary report's cards the mail body shows (report.kpi_table formats them the same way).
EMAIL_CARDS = ("customers_total", "customers_new", "revenue", "orders", "aov", "win_rate")

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
    facts = data_statement(figures, locale)
    check_header_values(recipient.email, {"Subject": subject, "From": sender or "", "To": recipient.name,
                                          "To address": recipient.email})
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender or "custreport@localhost"
    message["To"] = formataddr((recipient.name, recipient.email))
    message["Date"] = dt.datetime.now(dt.timezone.utc)
    message["Message-ID"] = message_id(folder, recipient, region, sender)
    cards = _cards(figures, locale)
    note = _revenue_note(figures, locale)
    chart = _chart(region_folder)
    chart_id = make_msgid(domain="custreport")
    message.set_content(_text_body(recipient, region_name, folder.name, cards, names, locale, note, alert, facts))
    message.add_alternative(_html_body(recipient, region_name, folder.name, cards, names, locale,
                                       chart_id if chart else None, chart[1] if chart else "", note, alert, facts),
                            subtype="html")
    if chart:
        message.get_payload()[1].add_related(chart[0], "image", "png", cid=chart_id, filename="chart.png")
    for path in attached_files(region_folder, region, recipient):
        message.add_attachment(emailed_copy(path), *ATTACHMENT_TYPES[path.suffix],
                               filename=f"{region}-{folder.name}-{path.name}")
    return message


def message_id(folder: Path, recipient: Recipient, region: str, sender: str | None) -> str:
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
    keys = sorted(ledger_key(report, region, folder.name, recipient.email) for report in recipient.reports)
    sources = [region_folder / METRICS_FILE, region_folder / TREND_CHART,
               *attached_files(region_folder, region, recipient)]
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


def _cards(figures: dict, locale: str) -> list[dict]:
    from custreport.reporting.metrics import kpi_table

    changes = [("vs_previous", i18n.label("vs_previous", locale)), ("vs_year_ago", i18n.label("vs_year_ago", locale))]
    return [{"label": row["label"], "value": row["display"],
             "changes": [(name, i18n.format_delta(row[key], locale), _colour(row[key])) for key, name in changes]}
            for row in kpi_table(figures, locale, email_cards(figures)).to_dict("records")]


def _revenue_note(figures: dict, locale: str) -> str:
    from custreport.reporting.notes import summary_note

    return summary_note(figures, locale)


def email_cards(figures: dict) -> tuple[str, ...]:
    """The cards the mail body shows: EMAIL_CARDS, or for a deals-only business (revenue = won
    deals, or no order lines) the summary's first six, led by won value and pipeline."""
    from custreport.reporting.metrics import ORDER_CARDS, headline_cards

    cards = headline_cards(figures)
    return EMAIL_CARDS if cards[:len(ORDER_CARDS)] == ORDER_CARDS else cards[:len(EMAIL_CARDS)]


def _colour(change) -> str:
    if change is None or change != change or change == 0:   # no base to compare with (None, NaN), or flat
        return "#616e7c"
    return "#2e7d32" if change > 0 else "#c62828"


def _chart(region_folder: Path) -> tuple[bytes, str] | None:
    """The region's revenue trend (the chart the summary report opens with), as the run wrote it
    beside metrics.json: PNG bytes and the alt text it carries."""
    path = region_folder / TREND_CHART
    return read_described_png(path) if path.is_file() else None


def _text_body(recipient: Recipient, region_name: str, period: str, cards: list[dict], names: list[str],
               locale: str, note: str = "", alert: str = "", facts: list[str] = ()) -> str:
    zh = locale == "zh"
    lines = [f"{recipient.name}{'，您好：' if zh else ','}", "", *([alert, ""] if alert else []),
             (f"{region_name} {period} 的关键指标：" if zh else f"Key figures for {region_name}, {period}:"),
             *facts]
    for card in cards:
        changes = "  ".join(f"{name} {text}" for name, text, _ in card["changes"])
        lines.append(f"- {card['label']}: {card['value']}  ({changes})")
    if note:   # what revenue is, when it is not completed orders
        lines += ["", note]
    lines += ["", ("附件：" if zh else "Attached: ") + ("、" if zh else ", ").join(names), "", "custreport"]
    return "\n".join(lines)


def _html_body(recipient: Recipient, region_name: str, period: str, cards: list[dict], names: list[str],
               locale: str, chart_id: str | None, chart_alt: str, note: str = "", alert: str = "",
               facts: list[str] = ()) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    # select_autoescape() goes by the last suffix, which for email.html.j2 is .j2: name html.j2
    # too, or names reach the body as markup
    env = Environment(loader=PackageLoader("custreport.render", "templates"),
                      autoescape=select_autoescape(["html", "html.j2"]))
    return env.get_template("custreport/email.html.j2").render(
        zh=locale == "zh", name=recipient.name, region=region_name, period=period, cards=cards, reports=names,
        chart_cid=chart_id[1:-1] if chart_id else None, chart_alt=chart_alt, note=note, alert=alert, facts=facts)
