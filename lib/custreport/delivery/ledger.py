"""The sent ledger (``outputs/<period>/sent.json``): each (report, region, period, recipient)
sent, with when, its Message-ID, the sha256 of the files it attached and its status
(``sent``, or ``uncertain`` when it may have been delivered), so that a second send sends
nothing unless ``resend``."""

from __future__ import annotations

import json
from pathlib import Path

from custreport.delivery.rendered import recipient_files
from custreport.delivery.smtp import UNCERTAIN_REMEDY
from custreport.errors import UserError
from custreport.recipients import Recipient
from custreport.files import file_sha256, write_atomically

LEDGER = "sent.json"


def attached_digests(folder: Path, recipient: Recipient, region: str,
                     unknown_region: str = "unknown") -> dict[str, str]:
    """The sha256 of each file a recipient's message attaches (as rendered), by file name."""
    try:
        paths = recipient_files(folder, region, recipient, unknown_region)
    except UserError:
        return {}
    return {path.name: file_sha256(path) for path in paths}


def recipient_keys(recipient: Recipient, region: str, period: str) -> list[str]:
    """The ledger keys of a recipient's message: one per report, and one for their fix list."""
    # by rep: one address may get several reps' lists (a manager for each of their reps)
    attached = [f"fix_list:{recipient.rep}"] if "fix_list" in recipient.attach else []
    return [ledger_key(report, region, period, recipient.email) for report in [*recipient.reports, *attached]]


def already_sent(folder: Path, recipient: Recipient, region: str, ledger: dict, keys: list[str],
                 unknown_region: str = "unknown") -> str:
    """Why a recipient is skipped: sent before; and, when the files it got were rendered again
    since (new data, corrected params), which ones, so that nobody believes they have the latest."""
    entry = ledger[keys[0]]
    if any(ledger[key].get("status") == "uncertain" for key in keys):
        return (f"maybe delivered {entry.get('sent_at', '')} (no answer came after the message was sent); "
                f"{UNCERTAIN_REMEDY} ({entry.get('message_id', '')})")
    sent = entry.get("files")
    now = attached_digests(folder, recipient, region, unknown_region) if sent is not None else {}
    changed = sorted(name for name, digest in now.items() if sent.get(name) != digest) if sent is not None else []
    if changed:
        return (f"already sent {entry.get('sent_at', '')}, but {', '.join(changed)} changed since (rendered again): "
                "--resend sends the corrected reports")
    return "already sent (--resend sends again)"


def ledger_key(report: str, region: str, period: str, recipient: str) -> str:
    return f"{report}|{region}|{period}|{recipient.lower()}"


def read_ledger(folder: Path) -> dict:
    try:
        return json.loads((folder / LEDGER).read_text(encoding="utf-8"))["sent"]
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError):
        raise UserError(f"{folder / LEDGER}: unreadable sent ledger (move it aside to start afresh)") from None


def write_ledger(folder: Path, ledger: dict) -> None:
    write_atomically(folder / LEDGER, json.dumps({"sent": ledger}, ensure_ascii=False, indent=2))
