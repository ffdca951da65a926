"""`custreport update`: the one command a schedule calls: ingest what changed, render, send.

1. **Ingest** when the raw files, params or code changed since the current snapshot (compared
   by content hash, see ingest.inputs.input_fingerprint); otherwise the current snapshot
   stays.
2. **Run** the period's reports. Files whose inputs did not change are not rendered again.
3. **Send** to every recipient whose reports exist; what was sent before is not sent again
   (the sent ledger), so an update with nothing new mails nobody. A message that may have
   been delivered without the server confirming it (uncertain) is a failure of this update,
   and later updates skip it: only ``custreport send --resend`` sends it again.

A failure is contained: a failed report or region never keeps the other regions' mail from
going out. Every failure is named in one message to the operators of params/recipients.yaml
(with the log's path) and makes the exit code non-zero: 2 when nothing could be done (a
period outside the data, a source over its quarantine limit, no mail server), else 1.
Each step is logged with an ISO timestamp, to the terminal and to ``outputs/logs/``.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from custreport.errors import UserError, os_refusal
from custreport.privacy import mask_contacts_in_text


@dataclass
class UpdateOptions:
    period: str
    regions: str = "all"
    reports: str = "all"
    formats: str = "html,pdf,xlsx"
    locale: str = "zh"
    workers: int = 2
    send: bool = True
    dry_run: bool = False          # write messages to outputs/<period>/outbox/ instead of sending
    eml: Path | None = None        # write messages into this folder instead of sending
    wait: float = 0.0
    config: Path | None = None     # sources file
    store: Path | None = None
    out: Path | None = None
    recipients: Path | None = None
    force: bool = False
    timeout: float | None = None   # seconds a report may run (default: params/run.yaml)


@dataclass
class UpdateResult:
    exit_code: int = 0
    failures: list[str] = field(default_factory=list)
    log: Path | None = None
    ingested: bool = False
    rendered: int = 0              # region jobs that rendered something (not up to date)
    sent: int = 0


def timestamped(line: str, now: dt.datetime | None = None) -> str:
    """A log line with its local ISO time first.

    >>> timestamped("ingest: unchanged", dt.datetime(2026, 12, 4, 6, 0, 1, tzinfo=dt.timezone.utc))
    '2026-12-04T06:00:01+00:00 ingest: unchanged'
    """
    return f"{(now or dt.datetime.now().astimezone()).isoformat(timespec='seconds')} {line}"


class _Log:
    """Writes each line, timestamped, to the terminal (``echo``) and to the log file."""

    def __init__(self, path: Path, echo: Callable[[str], None]):
        self.path, self.echo = path, echo
        self.unwritable: str | None = None   # why the log file cannot be written (the terminal still gets it all)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._give_up(exc)

    def __call__(self, line: str) -> None:
        stamped = timestamped(line)
        self.echo(stamped)
        if self.unwritable:
            return
        try:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(stamped + "\n")
        except OSError as exc:
            self._give_up(exc)

    def _give_up(self, exc: OSError) -> None:
        refusal = os_refusal(exc)
        if refusal is None:
            raise exc
        self.unwritable = str(refusal)
        self.echo(timestamped(f"error: log not written: {refusal}"))


def update(options: UpdateOptions, echo: Callable[[str], None] = print, console=None) -> UpdateResult:
    """Ingest if needed, render, send; tell the operators of every failure. Never raises a
    UserError: each one is logged, mailed to the operators and turned into exit code 2."""
    from custreport.config import project_root
    from custreport.delivery import SmtpSettings
    from custreport.recipients import load_recipients

    root = project_root()
    out = Path(options.out) if options.out else root / "outputs"
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    result = UpdateResult(log=out / "logs" / f"update-{stamp}.log")
    log = _Log(result.log, echo)
    settings = SmtpSettings.from_env()
    for line in settings.warnings() if settings else []:
        log(line)
    operators = []
    try:
        recipients_file = load_recipients(options.recipients) if options.send or options.recipients else None
        operators = list(recipients_file.operators) if recipients_file is not None else []
        if options.send and settings is None and not (options.dry_run or options.eml):
            raise UserError("no mail server configured: set CUSTREPORT_SMTP_HOST (and CUSTREPORT_SMTP_FROM), or pass "
                            "--dry-run or --eml DIR to write the messages as files, or --no-send")
        _ingest_if_changed(options, log, result)
        request, summary = _render(options, log, result, console)
        if options.send:
            _send(options, request, summary.folder, recipients_file.recipients, settings, log, result)
    except (UserError, OSError) as exc:
        failure = exc if isinstance(exc, UserError) else os_refusal(exc)
        if failure is None:   # not the user's machine refusing: a fault of custreport, with its traceback
            raise
        # an error may name several sources, one per line: each line is a failure and a log line;
        # a cell it quotes may hold a customer's contact, masked as in the reports
        lines = mask_contacts_in_text(str(failure)).splitlines() or [type(failure).__name__]
        result.failures += lines
        result.exit_code = 2
        for line in lines:
            log(f"error: {line}")
    if log.unwritable:
        result.failures.append(log.unwritable)
        result.exit_code, result.log = result.exit_code or 2, None
    if result.failures:
        _tell_operators(operators, options, result, settings, log)
    log(f"update done: exit {result.exit_code}; ingested: {'yes' if result.ingested else 'no'}, "
        f"regions rendered: {result.rendered}, messages sent: {result.sent}, failures: {len(result.failures)}; "
        f"log {result.log or 'not written'}")
    return result


def _ingest_if_changed(options: UpdateOptions, log, result: UpdateResult) -> None:
    from custreport import store
    from custreport.config import default_store, load_sources
    from custreport.ingest.inputs import pending_input_fingerprint
    from custreport.ingest.pipeline import QuarantineLimitExceeded, ingest_to_store
    from custreport.ingest.read_sql import refresh_extracts
    from custreport.locks import store_lock

    folder = Path(options.store) if options.store else default_store()
    try:
        current = store.current_snapshot(folder)
    except UserError:
        current = None
    config, _ = load_sources(options.config)
    # The database sources, read once for both, under the store's lock: an ingest running now
    # must not see its extract replaced between hashing and reading it.
    with store_lock(folder, "update", options.wait) if any(s.type == "sql" for s in config.sources) \
            else nullcontext():
        extracts = refresh_extracts(config.sources, folder)
    for name, extract in extracts.items():
        log(f"ingest: {extract.describe(name)}")
    pending = pending_input_fingerprint(options.config, current.manifest.get("inputs") if current else None,
                                        extracts)
    if current is not None and current.manifest.get("input_fingerprint") == pending:
        log(f"ingest: raw files, params and code unchanged since snapshot {current.id}: nothing to ingest")
        return
    log("ingest: " + ("first ingest" if current is None else "raw files, params or code changed") + ": ingesting")
    try:
        ingested, snapshot = ingest_to_store(options.config, folder, helper_process=True, extracts=extracts)
    except QuarantineLimitExceeded as exc:
        raise UserError(f"ingest stopped, nothing written: {str(exc).splitlines()[0]}") from None
    counts = ", ".join(f"{name} {count:,}" for name, count in ingested.stored_rows().items())
    log(f"ingest: snapshot {snapshot.id} ({counts}; {len(ingested.quarantine):,} rows quarantined)")
    log(f"ingest: added {ingested.added} to the snapshot before" if ingested.added else
        f"ingest: full ({ingested.full_because})" if ingested.full_because else "ingest: full")
    for warning in ingested.warnings.itertuples(index=False):
        log(f"ingest warning: {warning.message}. Remedy: {warning.remedy}")
    for note in snapshot.notes:
        log(f"ingest warning: store: {note}")
    result.ingested = True


def _render(options: UpdateOptions, log, result: UpdateResult, console):
    from custreport.runner import RunRequest, run_matrix

    request = RunRequest.build(period=options.period, regions=options.regions, reports=options.reports,
                               formats=options.formats, locale=options.locale, workers=options.workers,
                               store=options.store, out=options.out, force=options.force, wait=options.wait,
                               recipients=options.recipients, timeout=options.timeout)
    log(f"run: {request.period.token} ({request.period.start} – {request.period.end}) from snapshot "
        f"{request.snapshot}, {len(request.regions)} regions")
    summary = run_matrix(request, console=console)
    for line in summary.lines():
        log("run: " + line.strip())
    result.rendered = sum(not job.skipped and job.ok for job in summary.jobs)
    for job in summary.jobs:
        if not job.ok:
            result.failures.append(f"region {job.region}: {job.error}")
            for report in job.reports:
                if not report.ok and report.notebook:
                    result.failures.append(f"  notebook of the failed {report.name}: {report.notebook}")
    if not summary.ok:
        result.exit_code = max(result.exit_code, 1)
    return request, summary


def _send(options: UpdateOptions, request, folder: Path, recipients, settings, log, result: UpdateResult) -> None:
    from custreport import store
    from custreport.delivery import send_period

    # the regions table of the snapshot the run rendered, not of one an ingest made since
    regions = store.snapshot_regions(store.open_snapshot(request.store, request.snapshot))
    only = None if options.regions.strip() in ("", "all") else request.regions   # the codes the run resolved
    summary = send_period(folder, recipients, regions, settings, only_regions=only, dry_run=options.dry_run,
                          eml_dir=options.eml, wait=options.wait)
    for line in summary.lines():
        log("send: " + line.strip())
    result.sent = sum(d.status in ("sent", "written") for d in summary.deliveries)
    result.failures += summary.attention()     # failed, and maybe delivered (uncertain)
    if not summary.ok:
        result.exit_code = max(result.exit_code, 1)


def _tell_operators(operators, options: UpdateOptions, result: UpdateResult, settings, log) -> None:
    from custreport.delivery import notify_operators

    if not operators:
        log("no operators: in params/recipients.yaml, so nobody is mailed about these failures")
        return
    subject = f"custreport update {options.period}: {len(result.failures)} failure(s)"
    deliveries = notify_operators(operators, subject, result.failures, result.log, settings, options.eml)
    for delivery in deliveries:
        log(f"operators: {delivery.status} {delivery.recipient}" + (f"  {delivery.detail}" if delivery.detail else ""))
