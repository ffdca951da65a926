"""The `custreport` command: parses, calls, prints. Logic lives in the modules it calls.

User mistakes (bad files, bad parameters) end with one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from custreport.errors import UserError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Customer-data reports: messy customer files in, clean store and region reports out.")
store_app = typer.Typer(no_args_is_help=True, help="List and roll back store snapshots.")
app.add_typer(store_app, name="store")
sources_app = typer.Typer(no_args_is_help=True, help="Configure sources: suggest params for a new export.")
app.add_typer(sources_app, name="sources")
export_app = typer.Typer(no_args_is_help=True, help="Hand clean data back: the golden customer records for a CRM.")
app.add_typer(export_app, name="export")

# Logs of scheduled runs are read in files, not terminals: do not wrap them at 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 300)


class Stopped(BaseException):
    """SIGTERM or Ctrl-C: a BaseException, so no ``except Exception`` on the way takes it for a failed report."""


def _stop(signum, frame) -> None:
    raise Stopped()


def main() -> None:
    """Console entry point: runs the app and turns user errors into one line and exit code 2."""
    import signal

    from custreport.errors import os_refusal

    # A scheduler's stop (SIGTERM) and Ctrl-C end a job alike: locks released, one line, exit 130.
    # Raised as our own exception: click would swallow a KeyboardInterrupt into a silent exit.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        try:
            result = app(standalone_mode=False)
        except OSError as exc:   # disk full, read-only or forbidden folders: the user's to fix
            raise os_refusal(exc) or exc
    except UserError as exc:
        from custreport.privacy import mask_contacts_in_text

        # A multi-line error (one line per offending source) says error: on each line; a cell it
        # quotes may hold a customer's contact, masked as in the reports.
        for line in mask_contacts_in_text(str(exc)).splitlines() or [""]:
            errors.print(f"[bold red]error:[/] {escape(line)}", highlight=False, markup=True, soft_wrap=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt, Stopped):
        import logging

        # The report cut short leaves its client's pending task behind: not the reader's concern.
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        errors.print("stopped before the end: what was published stays complete, unfinished work is cleared by the "
                     "next run (the store keeps its last complete snapshot)", highlight=False)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: unknown option, missing value
        exc.show()
        sys.exit(getattr(exc, "exit_code", 2))
    sys.exit(result if isinstance(result, int) else 0)


@app.command("demo-data")
def demo_data(customers: int = typer.Option(3000, min=1, help="Number of distinct customers."),
              seed: int = typer.Option(7, help="Random seed: the same seed gives the same files."),
              out: Path = typer.Option(Path("data/raw"), help="Folder to write the raw files to.")) -> None:
    """Generate deterministic, realistically messy raw customer files for demos and benchmarks."""
    from custreport.demo import generate

    with console.status(f"generating {customers:,} customers into {out} ..."):
        counts = generate(out, customers=customers, seed=seed)
    table = RichTable("file", "rows", title=f"demo data in {out}")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    from custreport.config import project_root
    from custreport.demo.targets import write_demo_targets

    root = project_root()
    # the demo's own data only: generating files elsewhere (a benchmark, a test) leaves params alone
    written = (write_demo_targets(root / "params", customers)
               if out.resolve() == (root / "data" / "raw").resolve() else None)
    if written:
        console.print(f"demo targets written to {written} (edit or delete it: reports show attainment against it)")


@app.command()
def ingest(config: Optional[Path] = typer.Option(None, help="Sources file (default params/sources.yaml)."),
           store: Optional[Path] = typer.Option(None, help="Store folder (default data/clean)."),
           dry_run: bool = typer.Option(False, "--dry-run", help="Read and account for every row and print "
                                        "the quarantine by reason; write nothing."),
           wait: float = typer.Option(0.0, help="Seconds to wait for another ingest into the same store."),
           full: bool = typer.Option(False, "--full", help="Read every source again, even when only new order "
                                     "files would be added to the current snapshot.")) -> None:
    """Read every source into a new store snapshot and print per-source accounting.

    When the only change since the current snapshot is new order files, they are added to it
    (the other files are shared, not read again); --full reads everything. Stops (exit 2,
    nothing written) when a source quarantines more than its max_quarantined share.
    """
    from custreport.ingest.pipeline import QuarantineLimitExceeded, ingest_to_store
    from custreport.schema import store_currencies

    stopped = None
    with console.status("ingesting ...") as status:
        try:
            result, snapshot = ingest_to_store(
                config, store, on_file=lambda source, path: status.update(f"reading {source}: {path.name}"),
                helper_process=True, dry_run=dry_run, wait=wait, full=full)
        except QuarantineLimitExceeded as exc:
            stopped, result, snapshot = exc, exc.result, None
    heading = f"snapshot {snapshot.id}" if snapshot else "stopped" if stopped else "dry run"
    table = RichTable("source", "table", "rows read", "loaded", "merged", "non-data", "quarantined",
                      title=f"{heading}: rows read = loaded + merged + non-data + quarantined")
    for row in result.accounting.itertuples(index=False):
        table.add_row(row.source, row.table, f"{row.rows_read:,}", f"{row.loaded:,}", f"{row.merged:,}",
                      f"{row.non_data:,}", f"{row.quarantined:,}")
    console.print(table)
    for line in result.database_reads:
        _log(line)
    if result.added:
        _log(f"added to snapshot {snapshot.manifest['increment']['base'] if snapshot else 'current'}: "
             f"{result.added} (every other file shared, not read again)")
    elif result.full_because:
        _log(f"full ingest: {result.full_because}")
    if result.profile.stages:
        _log(result.profile.line())
    counts = ", ".join(f"{name} {count:,}" for name, count in result.stored_rows().items())
    _log(f"store: {snapshot.path}  ({counts})" if snapshot else
         f"dry run, no snapshot written  (would store {counts})" if dry_run and not stopped else
         f"no snapshot written  ({counts} not stored)")
    currencies = snapshot.manifest.get("currencies", []) if snapshot else store_currencies(result.tables)
    if len(currencies) > 1:
        _log(f"amounts in {len(currencies)} currencies: {', '.join(currencies)}. Reports convert them with "
             "params/fx.yaml, or without it give each apart, never added (README: Currencies and exchange rates)")
    if dry_run and len(result.quarantine):
        by_reason = result.quarantine.groupby(["source", "reason"]).size().sort_values(ascending=False)
        reasons = RichTable("source", "reason", "rows", title="quarantined by reason")
        for (source, reason), rows in by_reason.items():
            reasons.add_row(source, reason, f"{rows:,}")
        console.print(reasons)
    elif len(result.quarantine):
        reasons = result.quarantine.groupby("reason").size().sort_values(ascending=False)
        _log("quarantined by reason: " + "; ".join(f"{r} {n:,}" for r, n in reasons.items()))
    for warning in result.warnings.itertuples(index=False):
        _log(f"warning: {warning.message}. Remedy: {warning.remedy}")
    for note in snapshot.notes if snapshot else ():
        _log(f"warning: store: {note}")
    if stopped:
        raise stopped


@store_app.command("list")
def store_list(store: Optional[Path] = typer.Option(None, help="Store folder (default data/clean).")) -> None:
    """Show the snapshots kept in the store, newest first."""
    from custreport import store as store_module
    from custreport.config import default_store

    folder = store or default_store()
    try:
        current = store_module.current_snapshot(folder).id
    except UserError:
        current = None
    table = RichTable("", "snapshot", "created", "customers", "orders", "deals")
    for snap in store_module.list_snapshots(folder):
        rows = snap.manifest.get("rows", {})
        table.add_row("*" if snap.id == current else "", snap.id, snap.created_at,
                      *(f"{rows.get(t, 0):,}" for t in ("customers", "orders", "deals")))
    for snapshot_id, problem in store_module.damaged_snapshots(folder):
        table.add_row("!", snapshot_id, f"damaged: {problem}", "", "", "")
    console.print(table)


@store_app.command("verify")
def store_verify(snapshot: Optional[str] = typer.Argument(None, help="Snapshot id (default: the current one)."),
                 every: bool = typer.Option(False, "--all", help="Verify every snapshot kept."),
                 store: Optional[Path] = typer.Option(None, help="Store folder (default data/clean).")) -> int:
    """Hash every file of a snapshot against what its manifest recorded when it was written;
    print each missing or changed file. Exit 0 when sound, 1 when anything is damaged."""
    from custreport import store as store_module
    from custreport.config import default_store
    from custreport.store_integrity import verify_snapshot

    folder = store or default_store()
    snapshots = store_module.list_snapshots(folder) if every else [store_module.open_snapshot(folder, snapshot)]
    damaged = [(snapshot_id, f"{folder / 'snapshots' / snapshot_id}: {problem}")
               for snapshot_id, problem in store_module.damaged_snapshots(folder) if every]
    for snap in snapshots:
        problems = verify_snapshot(snap)
        sound = not problems or all("written before checksums" in p for p in problems)
        _log(f"snapshot {snap.id}: {'sound' if sound else f'{len(problems)} damaged'}")
        for problem in problems:
            _log(f"  {problem}")
        if not sound:
            damaged.append((snap.id, problems[0]))
    for snapshot_id, problem in damaged:
        if not any(s.id == snapshot_id for s in snapshots):
            _log(f"snapshot {snapshot_id}: damaged\n  {problem}")
    if damaged:
        _log("remedy: `custreport store rollback [SNAPSHOT]` makes a sound snapshot current; "
             "`custreport ingest` writes a new one from the raw files")
        return 1
    return 0


@store_app.command("rollback")
def store_rollback(snapshot: Optional[str] = typer.Argument(None, help="Snapshot id (default: the previous one)."),
                   store: Optional[Path] = typer.Option(None, help="Store folder (default data/clean).")) -> None:
    """Make an older snapshot current again."""
    from custreport import store as store_module
    from custreport.config import default_store

    from custreport.locks import store_lock

    folder = store or default_store()
    with store_lock(folder, "store rollback"):
        target = store_module.rollback(folder, snapshot)
    console.print(f"current snapshot is now {target.id}")


@export_app.command("customers")
def export_customers(fmt: str = typer.Option("csv", "--format", help="csv, xlsx or database."),
                     out: Optional[Path] = typer.Option(None, help="Folder for csv and xlsx (default outputs/export)."),
                     url_env: Optional[str] = typer.Option(None, "--url-env", help="--format database: the "
                                                           "environment variable holding the database's URL."),
                     db_table: str = typer.Option("custreport_customers", "--db-table",
                                                  help="--format database: the customers table; the source rows "
                                                       "go to <name>_source_rows. Both are replaced."),
                     snapshot: Optional[str] = typer.Option(None, help="Snapshot id (default: the current one)."),
                     store: Optional[Path] = typer.Option(None, help="Store folder (default data/clean).")) -> None:
    """Write the golden customer records (stable ids, sources merged) and every raw customer
    row with the customer id it became, ready to re-import into a CRM."""
    from custreport import store as store_module
    from custreport.config import default_store, project_root
    from custreport.render.customer_export import export_customers as export

    chosen = store_module.open_snapshot(store or default_store(), snapshot)
    done = export(chosen, fmt, out or project_root() / "outputs" / "export", url_env, db_table)
    _log(f"exported {done.customers:,} customers and {done.source_rows:,} source rows of snapshot {chosen.id}: "
         + "; ".join(done.written))


@sources_app.command("suggest")
def sources_suggest(files: list[Path] = typer.Argument(..., help="Raw export files (CSV or workbooks); read only."),
                    out: Optional[Path] = typer.Option(None, help="Write the suggested sources YAML here "
                                                       "(default: print it)."),
                    force: bool = typer.Option(False, "--force", help="Overwrite --out even if it is "
                                               "params/sources.yaml or exists.")) -> None:
    """Read raw files as ingest would and print, per column, the role recognised, the date order
    and why, the vocabulary with unknown values, the currency and the region columns; then the
    sources YAML to edit (into --out, never over an existing file without --force)."""
    from custreport.config import load_regions, project_root
    from custreport.stages import load_stages
    from custreport.ingest.suggest import read_and_suggest, source_name, sources_yaml

    try:
        regions = load_regions()
        stages = load_stages()
    except UserError:  # outside a project: the built-in vocabularies still apply
        regions = stages = None
    if out is not None and out.exists() and not force:
        raise UserError(f"{out} exists; choose another --out or pass --force to overwrite it")
    root = project_root() if regions is not None else Path.cwd()
    entries, taken = [], set()
    for path in files:
        sheets = read_and_suggest(path, regions, stages)
        by_table: dict[str, list] = {}
        for sheet, guess in sheets:
            _print_suggestion(f"{path.name} [{sheet}]" if sheet else path.name, guess)
            by_table.setdefault(guess.table, []).append((sheet, guess))
        # Source paths are read from the project folder.
        shown = path.resolve().relative_to(root.resolve()) if path.resolve().is_relative_to(root.resolve()) \
            else path.resolve()
        # One source per table a file's sheets hold, described by its largest sheet.
        for table, group in by_table.items():
            name = source_name(Path(f"{path.stem}_{table}" if len(by_table) > 1 else path.stem), taken)
            taken.add(name)
            chosen = None if len(by_table) == 1 else [sheet for sheet, _ in group]
            entries.append((name, shown.as_posix(), chosen, max(group, key=lambda item: item[1].rows)[1]))
    text = sources_yaml(entries)
    if out is None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}: check each commented guess, then `custreport ingest --config {out} --dry-run`",
                      highlight=False)


def _print_suggestion(where: str, guess) -> None:
    columns = RichTable("column", "role", "notes", title=f"{where}: {guess.table} table, {guess.rows:,} rows")
    vocab = {v.header: v for v in guess.vocabularies}
    for column in guess.columns:
        notes = []
        if column.role is None:
            notes.append("closest: " + ", ".join(column.closest) if column.closest else "no close alias")
        if column.region_share:
            notes.append(f"{column.region_share:.0%} resolve to regions")
        if column.header in vocab:
            v = vocab[column.header]
            notes.append(", ".join(f"{value} {count:,}" + (" (unknown)" if value in v.unknown else "")
                                   for value, count in list(v.counts.items())[:12]))
        columns.add_row(column.header, column.role or "[yellow]not recognised[/]", "; ".join(notes))
    console.print(columns)
    if guess.date_order:
        console.print(f"date order: {guess.date_order.reason}", highlight=False)
    if guess.currency:
        console.print(f"currency: {guess.currency.code} ({guess.currency.reason})", highlight=False)
    regions = ", ".join(f"{header} ({share:.0%} resolved)" for header, share in guess.region_candidates)
    console.print(f"region columns: {regions or 'none resolve through params/regions.yaml'}", highlight=False)


# Options run and update share (one definition, one help text).
REGIONS = typer.Option("all", help="all, or region codes/names separated by commas.")
REPORTS = typer.Option("all", help="all, or reports (notebooks) separated by commas: summary,funnel.")
FORMATS = typer.Option("html,pdf,xlsx", help="Output formats, comma-separated.")
LOCALE = typer.Option("zh", help="The reports' main language, zh or en (each recipient's own is rendered too).")
WORKERS = typer.Option(2, min=1, help="Parallel report jobs.")
STORE = typer.Option(None, help="Store folder (default data/clean).")
OUT = typer.Option(None, help="Outputs folder (default outputs/).")
FORCE = typer.Option(False, "--force", help="Render again even when outputs are up to date.")
WAIT = typer.Option(0, min=0, help="Seconds to wait for another run or send of the same period.")
TIMEOUT = typer.Option(None, help="Seconds a report may run before it is stopped and marked failed "
                       "(default: report_timeout_seconds of params/run.yaml, 600).")


@app.command()
def run(period: str = typer.Option(..., help="2025-Q4, 2025-09, last-quarter, ytd@2026-11-22, ..."),
        regions: str = REGIONS, reports: str = REPORTS, formats: str = FORMATS, locale: str = LOCALE,
        workers: int = WORKERS, store: Optional[Path] = STORE, out: Optional[Path] = OUT, force: bool = FORCE,
        wait: float = WAIT, timeout: Optional[float] = TIMEOUT,
        executor: str = typer.Option("local", help="local (a process pool on this machine) or dask."),
        scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address, tcp://HOST:8786 (with --executor dask).")) -> int:
    """Render the region x report matrix for one period into outputs/<period>/.

    Only the named reports and formats are replaced; files up to date (same data content,
    period, notebook, parameters, settings and code) are not rendered again unless --force.
    A period after the data is refused (exit 2); one the data ends in is cut and marked
    partial. Exits 1 when any report failed.
    """
    from custreport.runner import RunRequest, run_matrix

    if executor not in ("local", "dask"):
        raise UserError(f"unknown executor {executor!r}: use local or dask")
    if (executor == "dask") != bool(scheduler):
        raise UserError("--executor dask needs --scheduler tcp://HOST:8786 (and --scheduler needs --executor dask)")
    request = RunRequest.build(period=period, regions=regions, reports=reports, formats=formats,
                               locale=locale, workers=workers, store=store, out=out, force=force, wait=wait,
                               scheduler=scheduler, timeout=timeout)
    summary = run_matrix(request, console=console)
    for line in summary.lines():
        _log(line)
    return 0 if summary.ok else 1


def _log(line: str) -> None:
    """A result line with its ISO time first: scheduled runs are read in log files."""
    from custreport.update import timestamped

    console.print(timestamped(line), highlight=False, markup=False, soft_wrap=True)


@app.command()
def update(period: str = typer.Option(..., help="last-month, last-quarter, ytd, 2025-Q4, ..."),
           regions: str = REGIONS, reports: str = REPORTS, formats: str = FORMATS, locale: str = LOCALE,
           workers: int = WORKERS,
           send: bool = typer.Option(True, "--send/--no-send", help="Email the recipients after rendering."),
           dry_run: bool = typer.Option(False, "--dry-run", help="Write the messages to outputs/<period>/outbox/."),
           eml: Optional[Path] = typer.Option(None, "--eml", help="Write the messages as .eml files into this folder."),
           wait: float = WAIT, force: bool = FORCE, timeout: Optional[float] = TIMEOUT,
           config: Optional[Path] = typer.Option(None, help="Sources file (default params/sources.yaml)."),
           recipients: Optional[Path] = typer.Option(None, help="Recipients file (default params/recipients.yaml)."),
           store: Optional[Path] = STORE, out: Optional[Path] = OUT) -> int:
    """Ingest when raw files or params changed, render the period, send: the schedule's command.

    Nothing unchanged is rendered or sent again. Failures are contained (the other regions'
    mail still goes), named in one message to the operators: of params/recipients.yaml, and
    give a non-zero exit: 2 when nothing could be done, 1 when some report or message failed.
    """
    from custreport.update import UpdateOptions, update as run_update

    options = UpdateOptions(period=period, regions=regions, reports=reports, formats=formats, locale=locale,
                            workers=workers, send=send, dry_run=dry_run, eml=eml, wait=wait, config=config,
                            store=store, out=out, recipients=recipients, force=force, timeout=timeout)
    result = run_update(options, echo=lambda line: console.print(line, highlight=False, markup=False,
                                                                 soft_wrap=True), console=console)
    return result.exit_code


@app.command()
def send(period: str = typer.Option(..., help="2025-Q4, last-quarter, ... (as rendered by custreport run)."),
         regions: str = typer.Option("all", help="all, or region codes/names separated by commas."),
         dry_run: bool = typer.Option(False, "--dry-run", help="Write the messages to outputs/<period>/outbox/."),
         eml: Optional[Path] = typer.Option(None, "--eml", help="Write the messages as .eml files into this folder."),
         resend: bool = typer.Option(False, "--resend", help="Send again what the sent ledger already has."),
         recipients: Optional[Path] = typer.Option(None, help="Recipients file (default params/recipients.yaml)."),
         out: Optional[Path] = typer.Option(None, help="Outputs folder (default outputs/)."),
         wait: float = typer.Option(0, min=0, help="Seconds to wait for a run or send of the same period.")) -> int:
    """Email each recipient of params/recipients.yaml their region's reports for one period.

    SMTP settings come from CUSTREPORT_SMTP_HOST, _PORT, _SECURITY (starttls|ssl|none), _USER,
    _PASSWORD, _FROM and _TIMEOUT; without a host it stops (exit 2) unless --dry-run or --eml DIR
    asks for the messages as files. Exits 1 when any recipient failed or their message may have
    been delivered without the server confirming it (uncertain: never sent again without
    --resend), and then mails the operators: of params/recipients.yaml one message naming each.
    """
    from custreport import store as store_module
    from custreport.reporting.request import resolve_period
    from custreport.config import default_store, project_root
    from custreport.recipients import load_recipients
    from custreport.delivery import SmtpSettings, notify_operators, send_period

    root = project_root()
    settings = SmtpSettings.from_env()
    for line in settings.warnings() if settings else []:
        _log(line)
    snapshot = store_module.current_snapshot(default_store(root))
    table = store_module.snapshot_regions(snapshot)
    label = resolve_period(period, snapshot).label
    wanted = [r.strip() for r in regions.split(",") if r.strip()]
    only = None if not wanted or wanted == ["all"] else [table.region_param(name) for name in wanted]
    folder = (Path(out) if out else root / "outputs") / label
    listed = load_recipients(recipients)
    summary = send_period(folder, listed.recipients, table, settings, only_regions=only, dry_run=dry_run,
                          resend=resend, wait=wait, eml_dir=eml)
    for line in summary.lines():
        _log(line)
    failed = summary.attention()
    if failed:
        subject = f"custreport send {label}: {len(failed)} failure(s)"
        for delivery in notify_operators(listed.operators, subject, failed, None, settings, eml):
            _log(f"operators: {delivery.status} {delivery.recipient}" + (f"  {delivery.detail}" if delivery.detail
                                                                          else ""))
    return 0 if summary.ok else 1


@app.command()
def schedule(file: Optional[Path] = typer.Option(None, "--file", help="Schedule (default params/schedule.yaml).")) -> int:
    """Print the crontab lines for params/schedule.yaml (install them with `crontab -e`).

    Each line renders (then sends) a relative period in this project folder, under a lock so
    that two runs of a job never overlap.
    """
    import datetime as dt

    from custreport.config import project_root
    from custreport.schedule import crontab_lines, load_schedule, next_runs

    plan = load_schedule(file)
    root = project_root().resolve()
    executable = Path(sys.argv[0]).resolve() if Path(sys.argv[0]).name == "custreport" else \
        Path(sys.executable).with_name("custreport")
    for line in crontab_lines(plan, root, executable):
        print(line)
    for name, when in next_runs(plan, dt.datetime.now()):
        errors.print(f"next {name}: {when:%Y-%m-%d %H:%M}", highlight=False)
    return 0


if __name__ == "__main__":
    main()
