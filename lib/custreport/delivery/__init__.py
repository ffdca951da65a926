"""Email delivery: each recipient gets one message with their region's reports, once.

The message: a subject naming the reports, region and period; an HTML body with the
region's key figures and their changes (table layout and inline styles, so it reads the
same in Outlook, Gmail and on a phone) and one chart embedded by Content-ID; a plain-text
alternative; the chosen PDFs and the region's workbook attached, and for a recipient naming a
``rep:`` with ``attach: [fix_list]`` that rep's own fix list. Recipients only ever get
their own region's files, and no rep's list but their own.

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
period and files (see message.message_id), so a copy can be told for one.

Here: sending a period, and mailing the operators. The parts: smtp.py (settings, sending
once with retries), message.py (a recipient's message), ledger.py (sent.json), alerts.py
(``when:``), rendered.py (what a message reads from the period's folder).

>>> SmtpSettings.from_env({}) is None          # no host: messages go to the outbox
True
>>> SmtpSettings.from_env({"CUSTREPORT_SMTP_HOST": "mail.example.com", "CUSTREPORT_SMTP_FROM": "r@example.com"}).port
587
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

from custreport.config import RegionTable
from custreport.delivery.alerts import alert_quiet
from custreport.delivery.ledger import already_sent, attached_digests, read_ledger, recipient_keys, write_ledger
from custreport.delivery.message import build_message, check_header_values
from custreport.delivery.rendered import region_files
from custreport.delivery.smtp import (UNCERTAIN_REMEDY, DeliveryUncertain, SmtpSettings, send_with_retries,
                                      smtp_error)
from custreport.errors import UserError
from custreport.recipients import Recipient
from custreport.files import write_atomically

# What the rest of custreport uses; the parts are in the package's modules.
__all__ = ["Delivery", "DeliveryUncertain", "SendSummary", "SmtpSettings", "build_message", "notify_operators",
           "region_files", "send_period"]

OUTBOX = "outbox"


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
    ledger = read_ledger(folder)
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
        keys = recipient_keys(recipient, region, folder.name)
        if not resend and not as_files and all(key in ledger for key in keys):
            delivery.status, delivery.detail = "skipped", already_sent(folder, recipient, region, ledger, keys,
                                                                       regions.unknown.code)
            continue
        try:
            quiet = alert_quiet(folder, recipient, region)
            if quiet:   # nothing to say this period: written nowhere, so a later period may trigger it
                delivery.status, delivery.detail = "skipped", quiet
                continue
            message = build_message(folder, recipient, region, regions, settings.sender if settings else None)
            if as_files:
                delivery.detail = str(_write_eml(eml_dir or folder / OUTBOX, recipient, region, message))
                delivery.status = "written"
                continue
            send_with_retries(settings, message)
            delivery.status = "sent"
        except UserError as exc:
            delivery.detail = str(exc)
            continue
        except DeliveryUncertain as exc:
            # in the ledger all the same: sending it again blindly could give the recipient two copies
            delivery.status, delivery.detail = "uncertain", f"{exc}; {UNCERTAIN_REMEDY} ({message['Message-ID']})"
        except (smtplib.SMTPException, OSError) as exc:
            delivery.detail = smtp_error(exc)
            continue
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        sent_files = attached_digests(folder, recipient, region, regions.unknown.code)
        for key in keys:
            ledger[key] = {"sent_at": now, "message_id": message["Message-ID"], "files": sent_files,
                           "status": delivery.status}
        write_ledger(folder, ledger)      # after each message: a crash never forgets a sent one
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
        send_with_retries(settings, message)
        delivery.status = "sent"
    except DeliveryUncertain as exc:
        delivery.status, delivery.detail = "uncertain", f"{exc}: check the mail server's log"
    except (smtplib.SMTPException, OSError) as exc:
        delivery.detail = smtp_error(exc)
    return [delivery]


def _write_eml(outbox: Path, recipient: Recipient, region: str, message: EmailMessage) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", recipient.email)
    return write_atomically(outbox / f"{region}-{safe}.eml", bytes(message))
