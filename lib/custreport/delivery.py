"""Email delivery: each recipient gets one message with their region's reports, once.

The message: a subject naming the reports, region and period; an HTML body with the
region's key figures and their changes (table layout and inline styles, so it reads the
same in Outlook, Gmail and on a phone) and one chart embedded by Content-ID; a plain-text
alternative; the chosen PDFs and the region's workbook attached. Recipients only ever get
their own region's files.

What leaves by email is always masked: the reports are, and the workbook goes as a copy
with every phone number and email address in it masked, even when params/analysis.yaml
lets the analyst's workbook on disk show them in full. Recipient, region and report names
are escaped in the HTML body, a line break in any header is refused (it would let a name
add headers such as Bcc of its own), and so is a report name that is not a plain name (it
names the file attached from the recipient's region folder).

Each recipient reads their own language: the body, and the attached reports, from
``outputs/<period>/<region>/<locale>/`` when the run's main language is another. A recipient
with a data alert (``when:``) gets mail only when it holds, and the message says which.
The body states the data's last day and the snapshot, and when the period is partial.

SMTP settings come from the environment (CUSTREPORT_SMTP_HOST, _PORT, _SECURITY =
starttls | ssl | none, _USER, _PASSWORD, _FROM, _TIMEOUT in seconds, default 30). A user or
password with security none is refused unless CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH=1, and then
warned of. Without a host, sending stops with a one-line error: ``dry_run`` writes the
messages to ``outputs/<period>/outbox/*.eml``, and ``eml_dir`` into a folder of one's choice,
instead. A sent ledger (``outputs/<period>/sent.json``) keeps each (report, region, period,
recipient) sent, so a second send sends nothing unless ``resend``; a recipient that fails
does not stop the others.

Each message is sent once. Faults before the message was complete on the wire (a refused
connection, a 4xx answer, a connection dropped before the end of DATA) are retried with
exponential back-off. Once the server answered 2xx to the end of DATA the message is sent,
whatever QUIT or the connection do next. When the message went whole but no answer came (a
timeout, a dropped connection) it may have been delivered: it is not retried but kept in the
ledger as ``"status": "uncertain"``, reported as a failure (and to the operators), and later
sends skip it until ``resend``. The Message-ID is the same for the same recipient, reports,
period and files (see message_id), so a copy can be told for one.

>>> SmtpSettings.from_env({}) is None          # no host: messages go to the outbox
True
>>> SmtpSettings.from_env({"CUSTREPORT_SMTP_HOST": "mail.example.com", "CUSTREPORT_SMTP_FROM": "r@example.com"}).port
587
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import html
import json
import os
import re
import smtplib
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from pathlib import Path

from custreport import i18n
from custreport.config import RegionTable
from custreport.errors import UserError
from custreport.files import file_sha256, write_atomically
from custreport.privacy import mask_contacts_in_text
from custreport.recipients import Recipient
from custreport.render.excel import has_masked_contacts, rewrite_text

LEDGER = "sent.json"
OUTBOX = "outbox"
SECURITY = ("starttls", "ssl", "none")
_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}

# The summary report's cards the mail body shows (report.kpi_table formats them the same way).
EMAIL_CARDS = ("customers_total", "customers_new", "revenue", "orders", "aov", "win_rate")

ATTACHMENT_TYPES = {".pdf": ("application", "pdf"),
                    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")}

# Every character str.splitlines() breaks on: mail software may read any of them as the end
# of a header line, so none may reach one.
_LINE_BREAK = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    attempts: int = 4              # tries per message on transient errors
    retry_seconds: float = 2.0     # first wait; doubles each retry
    timeout: float = 30.0          # seconds to wait for the server at each step
    plain_auth_allowed: bool = False   # CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH=1: log in over an unencrypted connection

    @classmethod
    def from_env(cls, env=os.environ) -> "SmtpSettings | None":
        """The settings in the environment, or None when no host is set."""
        host = env.get("CUSTREPORT_SMTP_HOST", "").strip()
        if not host:
            return None
        security = env.get("CUSTREPORT_SMTP_SECURITY", "starttls").strip().lower()
        if security not in SECURITY:
            raise UserError(f"CUSTREPORT_SMTP_SECURITY={security!r}: use one of {', '.join(SECURITY)}")
        sender = env.get("CUSTREPORT_SMTP_FROM", "").strip()
        if not sender:
            raise UserError("CUSTREPORT_SMTP_FROM is not set: the address reports are sent from")
        try:
            port = int(env.get("CUSTREPORT_SMTP_PORT") or _DEFAULT_PORTS[security])
            retry = float(env.get("CUSTREPORT_SMTP_RETRY_SECONDS") or 2.0)
            timeout = float(env.get("CUSTREPORT_SMTP_TIMEOUT") or 30.0)
        except ValueError as exc:
            raise UserError(f"SMTP settings: {exc}") from None
        if not timeout > 0:
            raise UserError(f"CUSTREPORT_SMTP_TIMEOUT={timeout:g}: give the seconds to wait for the server, above 0")
        user, password = env.get("CUSTREPORT_SMTP_USER") or None, env.get("CUSTREPORT_SMTP_PASSWORD") or None
        allow_plain = env.get("CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH", "").strip() == "1"
        if security == "none" and (user or password) and not allow_plain:
            raise UserError("CUSTREPORT_SMTP_SECURITY=none with a user or password would send the password "
                            "unencrypted: use starttls or ssl, or set CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH=1 if the "
                            "connection cannot be read by others (a relay on this machine)")
        return cls(host, port, security, sender, user, password, retry_seconds=retry, timeout=timeout,
                   plain_auth_allowed=allow_plain)

    def warnings(self) -> list[str]:
        """Lines the send should log before it starts: credentials sent in the clear.

        >>> SmtpSettings("mail", 25, "none", "r@example.com", "reports", "pw", plain_auth_allowed=True).warnings()
        ['warning: CUSTREPORT_SMTP_SECURITY=none: the SMTP user and password travel unencrypted to mail:25 (allowed ...)']
        """
        if self.security == "none" and (self.user or self.password):
            allowed = " (allowed by CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH=1)" if self.plain_auth_allowed else ""
            return [f"warning: CUSTREPORT_SMTP_SECURITY=none: the SMTP user and password travel unencrypted to "
                    f"{self.host}:{self.port}{allowed}"]
        return []


@dataclass
class Delivery:
    recipient: str
    region: str
    reports: list[str]
    status: str                    # sent | written | skipped | failed | uncertain (maybe delivered)
    detail: str = ""


@dataclass
class SendSummary:
    period: str
    deliveries: list[Delivery]

    @property
    def ok(self) -> bool:
        return not self.attention()

    def attention(self) -> list[str]:
        """One line per delivery an operator must look at: failed, or maybe delivered (uncertain)."""
        return [f"mail to {d.recipient} ({d.region}): {d.detail}" for d in self.deliveries
                if d.status in ("failed", "uncertain")]

    def lines(self) -> list[str]:
        counts = {status: sum(d.status == status for d in self.deliveries)
                  for status in ("sent", "written", "skipped", "failed", "uncertain")}
        if not counts["uncertain"]:     # rare: named only when it happened, so the usual line stays short
            del counts["uncertain"]
        lines = [f"{self.period}: " + ", ".join(f"{n} {status}" for status, n in counts.items())]
        for d in self.deliveries:
            lines.append(f"  {d.status:<9} {d.recipient:<32} {d.region:<10} {','.join(d.reports)}"
                         + (f"  {d.detail}" if d.detail else ""))
        return lines


NO_SERVER = ("no mail server configured: set CUSTREPORT_SMTP_HOST (and CUSTREPORT_SMTP_FROM), or pass --dry-run "
             "(messages to outputs/<period>/outbox/) or --eml DIR to write the messages as files")


def send_period(folder: Path, recipients: list[Recipient], regions: RegionTable, settings: SmtpSettings | None,
                only_regions: list[str] | None = None, dry_run: bool = False, resend: bool = False,
                wait: float = 0.0, eml_dir: Path | None = None) -> SendSummary:
    """One message per recipient for the rendered period in ``folder`` (outputs/<period>/).

    Without ``settings`` (no mail server) it stops with a UserError unless ``dry_run`` or
    ``eml_dir`` asks for the messages as files. Holds the period's lock (see locks.py), so it
    never reads a half-rendered period or races another send for the same messages.
    """
    from custreport.locks import period_lock

    if settings is None and not dry_run and eml_dir is None:
        raise UserError(NO_SERVER)
    if not (folder / "run.json").is_file():
        raise UserError(f"{folder}: no rendered reports for this period: run `custreport run` first")
    with period_lock(folder, "send", wait):
        return _send(folder, recipients, regions, settings, only_regions, dry_run, resend, eml_dir)


def _send(folder: Path, recipients: list[Recipient], regions: RegionTable, settings: SmtpSettings | None,
          only_regions: list[str] | None, dry_run: bool, resend: bool, eml_dir: Path | None = None) -> SendSummary:
    as_files = dry_run or eml_dir is not None
    ledger = _read_ledger(folder)
    deliveries = []
    for recipient in recipients:
        try:
            region = regions.region_param(recipient.region)
        except UserError as exc:   # a typo in one recipient's region fails that recipient only
            deliveries.append(Delivery(recipient.email, recipient.region, list(recipient.reports), "failed", str(exc)))
            continue
        if only_regions is not None and region not in only_regions:
            continue
        delivery = Delivery(recipient.email, region, list(recipient.reports), "failed")
        deliveries.append(delivery)
        keys = [_ledger_key(report, region, folder.name, recipient.email) for report in recipient.reports]
        if not resend and not as_files and all(key in ledger for key in keys):
            delivery.status, delivery.detail = "skipped", _already_sent(folder, recipient, region, ledger, keys)
            continue
        try:
            quiet = _alert_quiet(folder, recipient, region)
            if quiet:   # nothing to say this period: written nowhere, so a later period may trigger it
                delivery.status, delivery.detail = "skipped", quiet
                continue
            message = build_message(folder, recipient, region, regions, settings.sender if settings else None)
            if as_files:
                delivery.detail = str(_write_eml(eml_dir or folder / OUTBOX, recipient, region, message))
                delivery.status = "written"
                continue
            _send_with_retries(settings, message)
            delivery.status = "sent"
        except UserError as exc:
            delivery.detail = str(exc)
            continue
        except DeliveryUncertain as exc:
            # in the ledger all the same: sending it again blindly could give the recipient two copies
            delivery.status, delivery.detail = "uncertain", f"{exc}; {UNCERTAIN_REMEDY} ({message['Message-ID']})"
        except (smtplib.SMTPException, OSError) as exc:
            delivery.detail = _smtp_error(exc)
            continue
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        sent_files = _attached_digests(folder, recipient, region)
        for key in keys:
            ledger[key] = {"sent_at": now, "message_id": message["Message-ID"], "files": sent_files,
                           "status": delivery.status}
        _write_ledger(folder, ledger)      # after each message: a crash never forgets a sent one
    return SendSummary(folder.name, deliveries)


def notify_operators(operators: list, subject: str, lines: list[str], log_path: Path | None,
                     settings: SmtpSettings | None, eml_dir: Path | None = None) -> list[Delivery]:
    """One plain-text message to every operator (params/recipients.yaml ``operators:``) naming
    each failure, one per line, and where the log is. Without a mail server it is written into
    ``eml_dir`` when given; otherwise its delivery fails, saying so (the caller logs it).

    >>> import tempfile; from custreport.recipients import Operator
    >>> folder = Path(tempfile.mkdtemp())
    >>> [d.status for d in notify_operators([Operator(name="Ops", email="ops@example.com")], "update: 1 failure",
    ...                                     ["region north: summary failed"], None, None, folder)]
    ['written']
    """
    if not operators:
        return []
    addresses = ", ".join(op.email for op in operators)
    body = [f"{subject}", "", *lines, "", f"log: {log_path}" if log_path else "log: (none)", "", "custreport"]
    check_header_values(addresses, {"Subject": subject, **{f"To {op.email}": op.name for op in operators}})
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender if settings else "custreport@localhost"
    message["To"] = ", ".join(formataddr((op.name, op.email)) for op in operators)
    message["Date"] = dt.datetime.now(dt.timezone.utc)
    message["Message-ID"] = make_msgid(domain=(settings.sender if settings else "custreport.localhost").rpartition("@")[2])
    message.set_content("\n".join(body))
    delivery = Delivery(addresses, "-", ["operators"], "failed")
    try:
        if settings is None:
            if eml_dir is None:
                delivery.detail = "no mail server configured (CUSTREPORT_SMTP_HOST): operators not mailed"
                return [delivery]
            eml_dir.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
            delivery.detail = str(write_atomically(eml_dir / f"operators-{stamp}.eml", bytes(message)))
            delivery.status = "written"
            return [delivery]
        _send_with_retries(settings, message)
        delivery.status = "sent"
    except DeliveryUncertain as exc:
        delivery.status, delivery.detail = "uncertain", f"{exc}: check the mail server's log"
    except (smtplib.SMTPException, OSError) as exc:
        delivery.detail = _smtp_error(exc)
    return [delivery]


def region_files(folder: Path, region: str, locale: str) -> Path:
    """The folder holding ``region``'s files in ``locale``: ``<region>/<locale>/`` when the run
    rendered that language beside its main one, else the region folder when its main language
    is ``locale`` (or unrecorded, for older outputs); a UserError when the run made none.

    >>> import tempfile; period = Path(tempfile.mkdtemp())
    >>> (period / "north" / "en").mkdir(parents=True); _ = (period / "north" / "job.json").write_text('{"locale": "zh"}')
    >>> region_files(period, "north", "en").relative_to(period).as_posix(), region_files(period, "north", "zh").name
    ('north/en', 'north')
    """
    region_folder = folder / region
    if (region_folder / locale).is_dir():
        return region_folder / locale
    try:
        main = json.loads((region_folder / "job.json").read_text(encoding="utf-8")).get("locale")
    except (OSError, ValueError):
        main = None
    if main in (None, locale):
        return region_folder
    raise UserError(f"no {locale} reports for region {region} in {folder}: run `custreport run` again; it renders "
                    "every language a recipient of the region reads")


def _figures(region_folder: Path, period: str) -> dict:
    try:
        return json.loads((region_folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UserError(f"{region_folder / 'metrics.json'}: missing or unreadable: run `custreport run` "
                        f"for {period} first") from None


def _alert_quiet(folder: Path, recipient: Recipient, region: str) -> str | None:
    """Why a recipient with a data alert gets no mail this period (it does not hold, or its
    figure has no value); None when the alert holds or there is none."""
    alert = recipient.alert
    if alert is None:
        return None
    holds, value = alert.holds(_figures(region_files(folder, region, recipient.language), folder.name))
    if holds is None:
        return f"alert not checked: {alert.figure} has no value this period ({alert.text})"
    if not holds:
        return f"alert not triggered: {alert.figure} is {_alert_value(alert, value, 'en')} ({alert.text})"
    return None


def _alert_value(alert, value: float, locale: str) -> str:
    return i18n.format_percent(value, locale) if alert.is_percent else i18n.format_count(value, locale) \
        if float(value).is_integer() else f"{value:,.2f}"


def alert_sentence(alert, figures: dict, locale: str) -> str:
    """The alert that made a message go, in words: the figure, its value and the threshold.

    >>> from custreport.figures import parse_alert
    >>> alert_sentence(parse_alert("revenue_change < -10%"), {"deltas": {"vs_previous": {"revenue": -0.123}}}, "en")
    'Alert: Revenue vs previous -12.3% < -10%'
    >>> alert_sentence(parse_alert("revenue_change < -10%"), {"deltas": {"vs_previous": {"revenue": -0.123}}}, "zh")
    '提醒：销售额 环比 -12.3% < -10%'
    """
    _, value = alert.holds(figures)
    name = i18n.label(alert.base, locale)
    if alert.change:
        name = f"{name} {i18n.label(alert.change, locale)}"
    threshold = (i18n.format_percent(alert.threshold, locale, decimals=1).replace(".0%", "%") if alert.percent
                 else f"{alert.threshold:g}")
    shown = _alert_value(alert, value, locale) if value is not None else "—"
    return f"{'提醒：' if locale == 'zh' else 'Alert: '}{name} {shown} {alert.op} {threshold}"


def build_message(folder: Path, recipient: Recipient, region: str, regions: RegionTable,
                  sender: str | None) -> EmailMessage:
    """The message for ``recipient``: their region's figures, one chart, the chosen files, all
    in their language; a data alert that holds leads the subject and the body."""
    from custreport.report import data_statement

    check_report_names(recipient)
    locale = recipient.language
    region_folder = region_files(folder, region, locale)
    figures = _figures(region_folder, folder.name)
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
    for path in _attachments(region_folder, region, recipient):
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
    keys = sorted(_ledger_key(report, region, folder.name, recipient.email) for report in recipient.reports)
    sources = [region_folder / "metrics.json", region_folder / "summary.html",
               *_attachments(region_folder, region, recipient)]
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
    from custreport.report import kpi_table

    changes = [("vs_previous", i18n.label("vs_previous", locale)), ("vs_year_ago", i18n.label("vs_year_ago", locale))]
    return [{"label": row["label"], "value": row["display"],
             "changes": [(name, i18n.format_delta(row[key], locale), _colour(row[key])) for key, name in changes]}
            for row in kpi_table(figures, locale, email_cards(figures)).to_dict("records")]


def _revenue_note(figures: dict, locale: str) -> str:
    from custreport.report import summary_note

    return summary_note(figures, locale)


def email_cards(figures: dict) -> tuple[str, ...]:
    """The cards the mail body shows: EMAIL_CARDS, or for a deals-only business (revenue = won
    deals, or no order lines) the summary's first six, led by won value and pipeline."""
    from custreport.report import ORDER_CARDS, headline_cards

    cards = headline_cards(figures)
    return EMAIL_CARDS if cards[:len(ORDER_CARDS)] == ORDER_CARDS else cards[:len(EMAIL_CARDS)]


def _colour(change) -> str:
    if change is None or change != change or change == 0:   # no base to compare with (None, NaN), or flat
        return "#616e7c"
    return "#2e7d32" if change > 0 else "#c62828"


# The rendered page's first inline PNG (attribute order as the HTML writer leaves it).
_IMAGE = re.compile(r'<img alt="([^"]*)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def _chart(region_folder: Path) -> tuple[bytes, str] | None:
    """The summary report's first chart (the revenue trend) as PNG bytes and its alt text."""
    page = region_folder / "summary.html"
    if not page.is_file():
        return None
    found = _IMAGE.search(page.read_text(encoding="utf-8"))
    return (base64.b64decode(found.group(2)), html.unescape(found.group(1))) if found else None


def _attachments(region_folder: Path, region: str, recipient: Recipient) -> list[Path]:
    wanted = [region_folder / f"{report}.pdf" for report in recipient.reports if "pdf" in recipient.attach]
    if "xlsx" in recipient.attach:
        wanted.append(region_folder / f"{region}.xlsx")
    missing = [path.name for path in wanted if not path.is_file()]
    if missing:
        raise UserError(f"{region_folder}: {', '.join(missing)} not rendered: run `custreport run` with those "
                        "reports and formats first")
    return wanted


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


def _write_eml(outbox: Path, recipient: Recipient, region: str, message: EmailMessage) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", recipient.email)
    return write_atomically(outbox / f"{region}-{safe}.eml", bytes(message))


class DeliveryUncertain(smtplib.SMTPException):
    """The whole message went to the server, but its answer never came (a timeout, a dropped
    connection): it may have been delivered. Never retried: a retry could deliver it twice."""


UNCERTAIN_REMEDY = ("not sent again: check with the recipient or the mail server's log, and "
                    "`custreport send --resend` sends it again")


def _transient(exc: BaseException) -> bool:
    """Worth another try: a 4xx answer, a dropped or refused connection, a timeout, each before
    the message was complete (a DeliveryUncertain is never transient)."""
    if isinstance(exc, DeliveryUncertain):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    return isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout))


def _send_with_retries(settings: SmtpSettings, message: EmailMessage) -> None:
    from tenacity import retry_if_exception, stop_after_attempt, wait_exponential, Retrying

    for attempt in Retrying(stop=stop_after_attempt(settings.attempts), reraise=True,
                            wait=wait_exponential(multiplier=settings.retry_seconds, max=60),
                            retry=retry_if_exception(_transient)):
        with attempt:
            _send_once(settings, message)


class _Session(smtplib.SMTP):
    """smtplib.SMTP that records how far the message got in DATA: ``body_sent`` once the whole
    message and its final "." were handed to the socket, ``data_reply`` the code the server
    answered to that (None while none came). Everything else is smtplib's own."""

    body_sent = False
    data_reply: int | None = None

    def data(self, msg: bytes) -> tuple[int, bytes]:
        # smtplib.SMTP.data, with the phase recorded between sending the message and its answer
        code, reply = self.docmd("DATA")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        stuffed = re.sub(rb"(?m)^\.", b"..", msg)          # a line's leading dot doubled (RFC 5321 4.5.2)
        if not stuffed.endswith(b"\r\n"):
            stuffed += b"\r\n"
        self.send(stuffed + b".\r\n")    # fails before its last byte: the server cannot have the message
        self.body_sent = True
        code, reply = self.getreply()
        self.data_reply = code
        return code, reply

    @property
    def accepted(self) -> bool:
        return self.data_reply is not None and 200 <= self.data_reply < 300

    @property
    def uncertain(self) -> bool:
        """The message is complete on the wire and no answer (2xx, 4xx, 5xx) says what became of it."""
        return self.body_sent and not (self.data_reply is not None and 200 <= self.data_reply < 600)


class _SslSession(_Session, smtplib.SMTP_SSL):
    pass


def _send_once(settings: SmtpSettings, message: EmailMessage) -> None:
    """One connection, one message, and what became of it.

    Returns once the server accepted the message (2xx to the end of DATA), whatever QUIT or the
    connection do afterwards; raises DeliveryUncertain when the message was sent whole but no
    answer came; any other error (the message not complete, or refused) is raised as it is,
    for the caller to retry or report.
    """
    connect = _SslSession if settings.security == "ssl" else _Session
    session = connect(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            session.starttls()
        if settings.user:
            session.login(settings.user, settings.password or "")
        session.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        if session.accepted:     # e.g. a 2xx other than 250, which smtplib refuses: the server has it
            return
        if session.uncertain:
            raise DeliveryUncertain(f"maybe delivered: the connection failed after the message was sent, before "
                                    f"the server confirmed it ({_smtp_error(exc)})") from exc
        raise
    finally:
        _quit_quietly(session)


def _quit_quietly(session: smtplib.SMTP) -> None:
    # The message's fate is decided by now: a 421 or a dropped connection at QUIT changes nothing.
    try:
        session.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        session.close()


def _smtp_error(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"SMTP {exc.smtp_code}: {text.strip()}"
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def _attached_digests(folder: Path, recipient: Recipient, region: str) -> dict[str, str]:
    """The sha256 of each file a recipient's message attaches (as rendered), by file name."""
    try:
        paths = _attachments(region_files(folder, region, recipient.language), region, recipient)
    except UserError:
        return {}
    return {path.name: file_sha256(path) for path in paths}


def _already_sent(folder: Path, recipient: Recipient, region: str, ledger: dict, keys: list[str]) -> str:
    """Why a recipient is skipped: sent before; and, when the files it got were rendered again
    since (new data, corrected params), which ones, so that nobody believes they have the latest."""
    entry = ledger[keys[0]]
    if any(ledger[key].get("status") == "uncertain" for key in keys):
        return (f"maybe delivered {entry.get('sent_at', '')} (no answer came after the message was sent); "
                f"{UNCERTAIN_REMEDY} ({entry.get('message_id', '')})")
    sent = entry.get("files")
    now = _attached_digests(folder, recipient, region) if sent is not None else {}
    changed = sorted(name for name, digest in now.items() if sent.get(name) != digest) if sent is not None else []
    if changed:
        return (f"already sent {entry.get('sent_at', '')}, but {', '.join(changed)} changed since (rendered again): "
                "--resend sends the corrected reports")
    return "already sent (--resend sends again)"


def _ledger_key(report: str, region: str, period: str, recipient: str) -> str:
    return f"{report}|{region}|{period}|{recipient.lower()}"


def _read_ledger(folder: Path) -> dict:
    try:
        return json.loads((folder / LEDGER).read_text(encoding="utf-8"))["sent"]
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError):
        raise UserError(f"{folder / LEDGER}: unreadable sent ledger (move it aside to start afresh)") from None


def _write_ledger(folder: Path, ledger: dict) -> None:
    write_atomically(folder / LEDGER, json.dumps({"sent": ledger}, ensure_ascii=False, indent=2))
