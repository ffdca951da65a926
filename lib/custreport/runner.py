"""The region x report matrix: papermill runs each report notebook, render/ writes the files.

Each region is one job, run in a worker process with its own warm notebook kernel. A job
writes into a hidden staging folder and only then is it renamed to
``outputs/<period>/<region>/``, so a killed job never leaves a half-written report behind.
The files of the run's locale are in the region folder; every other language a recipient
of the region reads (params/recipients.yaml) is rendered beside them, in ``<region>/<locale>/``.
A run of some reports or formats replaces only those files: the region's other files are
carried over. A failing report does not stop the others (of its region or of other
regions): its executed notebook is kept under ``outputs/<period>/_failed/<region>/`` for
inspection (cleared once it renders again) and the run ends non-zero. Files that are
already up to date (same data content, period, notebook, parameters and code, file
unchanged) are not rendered again unless forced.

Every report of one run reads the snapshot the run started with, passed to the notebooks
with the period as a token that reads back identically (``ytd@2026-11-22``).

What a run leaves beside the reports (job.json, run.json, the index page), the up-to-date
checks, carrying files over and swapping a result into place are in run_outputs.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from custreport import i18n
from custreport.config import default_store, notebooks_folder, project_root
from custreport.errors import UserError, first_line
from custreport.files import private_folder
from custreport.periods import Period
from custreport.privacy import mask_contacts_in_text
from custreport.run_outputs import (REGION_FILES, carry_over, clear_failed_notebooks, describe, expected_files,
                                    keep_failed_notebook, keep_fix_lists, publish, region_file_names,
                                    remove_leftovers, report_files, up_to_date_record, write_job_record,
                                    write_manifest)
from custreport.run_index import write_index

FORMATS = ("html", "pdf", "xlsx")


# The shipped reports in reading order (executive summary first, data quality last); a report
# notebook of the project's own follows them, alphabetically.
REPORT_ORDER = ("summary", "segments", "funnel", "value", "allocation", "quality")


def available_reports(root: Path) -> list[str]:
    """Every report notebook of the project, in reading order: the notebooks whose tagged
    parameters cell takes a region and a period (an analyst's scratch notebook is no report)."""
    names = [p.stem for p in notebooks_folder(root).glob("*.ipynb") if _is_report(p)]
    rank = {name: i for i, name in enumerate(REPORT_ORDER)}
    return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))


def _is_report(path: Path) -> bool:
    # Plain JSON rather than nbformat.read: its schema validation took about a second per run
    # for six notebooks, and only the parameters cell's text is needed here.
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return False   # not a notebook: not a report
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        if "parameters" in (cell.get("metadata") or {}).get("tags", []):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            return all(re.search(rf"^{name}\b", source, re.M) for name in ("region", "period"))
    return False


@dataclass
class RunRequest:
    period: Period
    regions: list[str]
    reports: list[str]
    formats: list[str]
    locale: str
    workers: int
    store: Path
    out: Path
    root: Path
    snapshot: str = ""
    force: bool = False
    wait: float = 0.0          # seconds to wait for another run of the same period to finish
    scheduler: str | None = None   # a Dask scheduler address: render the regions on that cluster
    # more languages per region, for the recipients who read another than ``locale``
    other_locales: dict[str, list[str]] = field(default_factory=dict)
    content: str = ""          # the snapshot's content hash: outputs depend on it, not on its id
    timeout: float = 600.0     # seconds a report (or a region's workbook) may run: params/run.yaml

    def locales(self, region: str) -> list[str]:
        """The languages rendered for ``region``: the run's own first."""
        return [self.locale, *self.other_locales.get(region, [])]

    @classmethod
    def build(cls, period: str, regions: str = "all", reports: str = "all", formats: str = "html,pdf,xlsx",
              locale: str = "zh", workers: int = 2, store: Path | None = None, out: Path | None = None,
              today: dt.date | None = None, force: bool = False, wait: float = 0.0,
              scheduler: str | None = None, recipient_locales: bool = True,
              recipients: Path | None = None, timeout: float | None = None) -> "RunRequest":
        """Validate every parameter up front, so nothing is rendered for a request that cannot finish.

        ``recipient_locales``: also render, per region, each language its recipients read (in
        ``recipients``, default params/recipients.yaml). ``timeout``: seconds a report may run
        (default: params/run.yaml report_timeout_seconds).
        """
        from custreport.run_settings import load_run_settings

        from custreport import store as store_module
        from custreport.reporting.request import resolve_period
        from custreport.store_integrity import check_files

        root = project_root()
        store = Path(store) if store else default_store(root)
        snapshot = store_module.current_snapshot(store)
        check_files(snapshot)   # a damaged store stops here, before any report renders
        table = store_module.snapshot_regions(snapshot)
        resolved = resolve_period(period, snapshot, today=today)
        wanted = [p.strip() for p in regions.split(",") if p.strip()]
        if not wanted or wanted == ["all"]:
            codes = [*table.codes, table.unknown.code, "all"]
        else:
            codes = list(dict.fromkeys(table.region_param(name) for name in wanted))
        names = list(dict.fromkeys(r.strip() for r in reports.split(",") if r.strip()))
        known = available_reports(root)
        if not known:
            raise UserError(f"no report notebooks in {notebooks_folder(root)}: a report is a .ipynb whose "
                            "parameters cell takes region and period")
        if names == ["all"]:
            names = known
        for name in names:
            if name not in known:
                raise UserError(f"unknown report {name!r}: available are {', '.join(known)}")
        chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
        for fmt in chosen:
            if fmt not in FORMATS:
                raise UserError(f"unknown format {fmt!r}: use any of {', '.join(FORMATS)}")
        if not names:
            raise UserError(f"no report chosen: available are {', '.join(known)}")
        if not chosen:
            raise UserError(f"no format chosen: use any of {', '.join(FORMATS)}")
        if timeout is not None and timeout <= 0:
            raise UserError(f"--timeout {timeout:g}: a report needs some seconds to run; give a positive number")
        timeout = timeout or load_run_settings(root / "params" / "run.yaml").report_timeout_seconds
        locale = i18n.check_locale(locale)
        others = _recipient_locales(Path(recipients) if recipients else root / "params" / "recipients.yaml",
                                    table, codes, locale) if recipient_locales else {}
        return cls(resolved, codes, names, chosen, locale, workers, store.resolve(),
                   (Path(out) if out else root / "outputs").resolve(), root, snapshot.id, force, wait, scheduler,
                   others, snapshot_content(snapshot), float(timeout))

    @property
    def folder(self) -> Path:
        return self.out / self.period.label


def _recipient_locales(path: Path, table, codes: list[str], locale: str) -> dict[str, list[str]]:
    """Per region of ``codes``, the languages other than ``locale`` its recipients (of the
    recipients file ``path``, if there is one) read."""
    from custreport.recipients import load_recipients

    if not path.is_file():
        return {}
    others: dict[str, list[str]] = {}
    for recipient in load_recipients(path).recipients:
        try:
            code = table.region_param(recipient.region)
        except UserError:    # send names the recipient whose region is wrong
            continue
        if code in codes and recipient.language != locale and recipient.language not in others.get(code, []):
            others.setdefault(code, []).append(recipient.language)
    return others


def snapshot_content(snapshot) -> str:
    """What a snapshot's data was made from (its ``input_fingerprint``): identical raw files,
    params and code give the same one, so re-ingesting them re-renders nothing. Older
    snapshots, which carry none, are known by their id."""
    return snapshot.manifest.get("input_fingerprint") or f"snapshot:{snapshot.id}"


@dataclass
class ReportResult:
    name: str
    ok: bool
    seconds: float
    error: str | None = None
    notebook: str | None = None       # where a failed report's executed notebook was kept
    locale: str = "zh"
    extra_locale: bool = False        # rendered for recipients in another language, into <region>/<locale>/


@dataclass
class JobResult:
    region: str
    ok: bool
    seconds: float
    files: list[str] = field(default_factory=list)
    error: str | None = None
    reports: list[ReportResult] = field(default_factory=list)
    skipped: bool = False             # outputs were already up to date
    outputs: list[dict] = field(default_factory=list)   # path, bytes, sha256 of every file
    carried: list[str] = field(default_factory=list)    # files kept from earlier runs (not asked for)


@dataclass
class RunSummary:
    period: str
    folder: Path
    jobs: list[JobResult]
    seconds: float
    note: str = ""             # said before the regions: a partial period, what the data covers

    @property
    def ok(self) -> bool:
        return all(job.ok for job in self.jobs)

    def lines(self) -> list[str]:
        done = sum(job.ok for job in self.jobs)
        skipped = sum(job.skipped for job in self.jobs)
        note = f" ({skipped} up to date, skipped; --force renders them again)" if skipped else ""
        lines = [f"{done}/{len(self.jobs)} regions rendered for {self.period} in {self.seconds:.1f}s{note}"]
        if self.note:
            lines.append(self.note)
        for job in self.jobs:
            if job.ok:
                lines.append(f"  {job.region:<10} {self.folder / job.region}{'  (up to date)' if job.skipped else ''}")
                continue
            lines.append(f"  {job.region:<10} FAILED: {job.error}")
            for report in job.reports:
                if not report.ok:
                    kept = f" (notebook: {report.notebook})" if report.notebook else ""
                    lines.append(f"    {_report_key(report)}: {report.error}{kept}")
        lines.append(f"index: {self.folder / 'index.html'}")
        return lines


def run_matrix(request: RunRequest, console=None) -> RunSummary:
    """Render every region of the request, in parallel worker processes, with a progress bar.

    Holds the period's lock: a second run of the same period waits ``request.wait`` seconds
    for it, then stops with a UserError naming the run that holds it. Pins the run's snapshot:
    an ingest meanwhile makes another current but never prunes this one under the run.
    """
    from custreport.locks import period_lock
    from custreport.store import pinned

    with period_lock(request.folder, "run", request.wait), pinned(request.store, request.snapshot):
        return _run_matrix(request, console)


def _run_matrix(request: RunRequest, console=None) -> RunSummary:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    started = time.perf_counter()
    folder = request.folder
    folder.mkdir(parents=True, exist_ok=True)
    remove_leftovers(folder)
    lists_note = keep_fix_lists(request)   # found once for every region, and kept for the next period
    results: list[JobResult] = []

    def counts() -> str:
        failed = sum(not job.ok for job in results)
        return (f"done {len(results) - failed} · failed {failed} · "
                f"remaining {len(request.regions) - len(results)}")

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[counts]}"), TimeElapsedColumn(), TextColumn("ETA"),
                  TimeRemainingColumn(), console=console, transient=False, disable=console is None) as progress:
        task = progress.add_task(f"rendering {request.period.label}", total=len(request.regions), counts=counts())

        def finished(job: JobResult) -> None:
            results.append(job)
            progress.update(task, advance=1, counts=counts())

        # Regions already up to date are settled here: no worker (nor its kernel) starts for them.
        pending = []
        for region in request.regions:
            kept = None if request.force else up_to_date_job(request, region)
            if kept is not None:
                finished(kept)
            else:
                pending.append(region)
        if request.scheduler and pending:
            for job in _on_dask(request, pending):
                finished(job)
        elif request.workers == 1 or len(pending) <= 1:
            for region in pending:
                finished(render_region(request, region))
        else:
            _preload_renderers()
            with ProcessPoolExecutor(max_workers=min(request.workers, len(pending)),
                                     initializer=_start_worker, initargs=(notebooks_folder(request.root),)) as pool:
                futures = {pool.submit(render_region, request, region): region for region in largest_first(pending)}
                for future in as_completed(futures):
                    try:
                        job = future.result()
                    except Exception as exc:  # a worker that died (killed, out of memory)
                        job = JobResult(futures[future], False, 0.0, error=_one_line(exc))
                    finished(job)
    order = {code: i for i, code in enumerate(request.regions)}
    results.sort(key=lambda job: order[job.region])
    summary = RunSummary(request.period.label, folder, results, time.perf_counter() - started,
                         "; ".join(filter(None, [_period_note(request.period), lists_note])))
    write_index(request, summary)
    write_manifest(request, summary)
    return summary


def largest_first(regions: list[str]) -> list[str]:
    """``regions`` in the order workers should take them: the whole company first (it holds every
    customer: started last, the run would wait for it alone at the end), the others as given.

    >>> largest_first(["east", "unknown", "all"])
    ['all', 'east', 'unknown']
    """
    return sorted(regions, key=lambda region: region != "all")


def _period_note(period: Period) -> str:
    if not period.partial:
        return ""
    return (f"partial period: {period.label} runs to {period.full_end}, the reports cover {period.start} – "
            f"{period.end} only (where the data ends), compared with as many days before; every page says so")


DASK_CONNECT_TIMEOUT = "20s"


def _on_dask(request: RunRequest, regions: list[str]):
    """Each of ``regions`` as a task of the Dask cluster at ``request.scheduler``; its results as they finish.

    The store, the project and the outputs folder must be on storage every worker sees at the
    same paths. A worker that dies fails its region only.
    """
    try:
        from distributed import Client, as_completed as completed
    except ImportError:
        raise UserError("--scheduler needs Dask distributed: pip install 'custreport[cluster]'") from None
    try:
        client = Client(request.scheduler, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise UserError(f"cannot reach the Dask scheduler {request.scheduler}: {_one_line(exc)}") from None
    with client:
        futures = {client.submit(render_region, request, region, key=f"custreport-{request.period.label}-{region}",
                                 pure=False): region for region in regions}
        for future in completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # the worker died or the task could not run there
                yield JobResult(futures[future], False, 0.0, error=_one_line(exc))


# A Dask worker runs tasks on threads: the regions it gets take turns at its one kernel.
_KERNEL_TURN = threading.Lock()


def render_region(request: RunRequest, region: str) -> JobResult:
    """Run every report notebook for one region and write its files; never raises.

    Reports that render are published even when another report of the region fails.
    """
    with _KERNEL_TURN:
        return _render_region(request, region)


def up_to_date_job(request: RunRequest, region: str, expected: dict[str, str] | None = None) -> JobResult | None:
    """The region's result, skipped, when every file the request would write (``expected``:
    expected_files, computed when not given) is up to date."""
    started = time.perf_counter()
    kept = up_to_date_record(request.folder / region, expected or expected_files(request, region))
    if kept is None:
        return None
    return JobResult(region, True, time.perf_counter() - started, kept["files"],
                     reports=[ReportResult(**r) for r in kept["reports"]], skipped=True, outputs=kept["outputs"])


def _render_region(request: RunRequest, region: str) -> JobResult:
    started = time.perf_counter()
    folder = request.folder
    target = folder / region
    staging = None
    expected = expected_files(request, region)
    try:
        if not request.force:
            kept = up_to_date_job(request, region, expected)   # again: another run may have rendered it meanwhile
            if kept is not None:
                return kept
        folder.mkdir(parents=True, exist_ok=True)
        staging = private_folder(folder, f".staging-{region}-")
        files: list[str] = []
        reports: list[ReportResult] = []
        for locale in request.locales(region):
            place = staging if locale == request.locale else staging / locale
            place.mkdir(exist_ok=True)
            rendered, results = _render_into(request, region, locale, place)
            files += [_relative(place, staging, name) for name in rendered]
            reports += results
        failed = [r for r in reports if not r.ok]
        for report in failed:
            report.notebook = keep_failed_notebook(staging, report, folder, region)
        outputs = [{**describe(staging / name, name), "fingerprint": expected[name], "snapshot": request.snapshot,
                    "period": request.period.token} for name in files]
        withdrawn = {name for report in failed for name in report_files(request, region, report.locale, report.name)}
        carried = carry_over(target, staging, set(files) | withdrawn)
        outputs += carried
        clear_failed_notebooks(folder, region, [r for r in reports if r.ok])
        record = write_job_record(staging, region, request.locale, reports, outputs, [_report_key(r) for r in failed])
        publish(staging, target)
        error = "; ".join(f"{_report_key(r)}: {r.error}" for r in failed) or None
        return JobResult(region, not failed, time.perf_counter() - started, record["files"], error, reports,
                         outputs=outputs, carried=[o["path"] for o in carried])
    except Exception as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        detail = _one_line(exc)
        if not isinstance(exc, UserError):
            detail += " | " + mask_contacts_in_text(traceback.format_exc().strip().splitlines()[-1][:200])
        return JobResult(region, False, time.perf_counter() - started, error=detail)


def _relative(place: Path, staging: Path, name: str) -> str:
    return (place / name).relative_to(staging).as_posix()


def _report_key(report: "ReportResult") -> str:
    """A report as the run's lines name it: ``summary``, or ``summary (en)`` in another language."""
    return report.name if not report.extra_locale else f"{report.name} ({report.locale})"


def _render_into(request: RunRequest, region: str, locale: str, place: Path) -> tuple[list[str], list[ReportResult]]:
    """Each report's notebook (and html/pdf) in ``locale``, then the region's metrics.json and
    workbook, into ``place``.

    The data is loaded and analysed inside the kernel, once per region and language: every
    notebook and the workbook reuse it (report.load keeps the last slice it loaded).
    """
    from custreport.kernel import TimeLimit, warm_kernel
    from custreport.render.html import notebook_to_html
    from custreport.render.pdf import html_to_pdf

    parameters = {"region": region, "period": request.period.token, "locale": locale,
                  "store": str(request.store), "snapshot": request.snapshot}
    files: list[str] = []
    reports: list[ReportResult] = []
    extra = locale != request.locale
    footer = provenance(request, locale)
    notebooks = notebooks_folder(request.root)
    for name in request.reports:
        started = time.perf_counter()
        executed = place / f"{name}.ipynb"
        limit = None
        try:
            kernel = warm_kernel(notebooks)   # a fresh one if the last report killed it
            with TimeLimit(kernel, request.timeout) as limit:
                nb = kernel.execute_notebook(_with_fresh_namespace(notebooks / f"{name}.ipynb"), str(executed),
                                             parameters, cwd=str(notebooks))
            page = notebook_to_html(nb, title=report_title(request, region, name, locale), locale=locale,
                                    footer=footer)
            if "html" in request.formats:
                (place / f"{name}.html").write_text(page, encoding="utf-8")
                files.append(f"{name}.html")
            if "pdf" in request.formats:
                html_to_pdf(page, place / f"{name}.pdf")
                files.append(f"{name}.pdf")
            files.append(f"{name}.ipynb")
            reports.append(ReportResult(name, True, round(time.perf_counter() - started, 3), locale=locale,
                                        extra_locale=extra))
        except Exception as exc:
            error = _timed_out(request) if limit is not None and limit.exceeded else _execution_error(exc)
            reports.append(ReportResult(name, False, round(time.perf_counter() - started, 3), error,
                                        locale=locale, extra_locale=extra))
    started = time.perf_counter()
    limit = None
    try:
        kernel = warm_kernel(notebooks)
        with TimeLimit(kernel, request.timeout) as limit:
            files += _write_region_files(kernel, request, region, locale, place)
        reports.append(ReportResult(REGION_FILES, True, round(time.perf_counter() - started, 3), locale=locale,
                                    extra_locale=extra))
    except Exception as exc:
        error = _timed_out(request) if limit is not None and limit.exceeded else _one_line(exc)
        reports.append(ReportResult(REGION_FILES, False, round(time.perf_counter() - started, 3),
                                    error, locale=locale, extra_locale=extra))
    return files, reports


def _timed_out(request: RunRequest) -> str:
    return (f"stopped after {request.timeout:g} s, its time limit (report_timeout_seconds in params/run.yaml, "
            "or --timeout): find what it waits on, or raise the limit")


def provenance(request: RunRequest, locale: str) -> str:
    """The line every page of a report ends with: the period (partial or not), how far the data
    reaches and which snapshot it is, made when."""
    from custreport.reporting import provenance
    from custreport.store import open_snapshot

    return provenance.provenance_line(request.period, open_snapshot(request.store, request.snapshot), locale)


# The first cell of every report run in a shared kernel: the previous report's variables go
# (tagged "remove": the rendered report does not show it; the executed notebook does).
RESET_CELL = "%reset -f"


def _with_fresh_namespace(path: Path):
    """The notebook at ``path`` with a first cell that empties the kernel's namespace.

    Run inside the notebook, the reset costs no extra round trip to the kernel.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cell = nbformat.v4.new_code_cell(RESET_CELL, metadata={"tags": ["remove"]})
    cell["id"] = "custreport-reset"
    nb.cells.insert(0, cell)
    return nb


def report_title(request: RunRequest, region: str, report: str, locale: str | None = None) -> str:
    """The title of one rendered report, as the notebook's own header shows it."""
    from custreport.store import open_snapshot, snapshot_regions

    locale = locale or request.locale
    regions = snapshot_regions(open_snapshot(request.store, request.snapshot))
    return i18n.report_title(report, regions.display_name(region, locale), request.period.label, locale)


def _write_region_files(kernel, request: RunRequest, region: str, locale: str, place: Path) -> list[str]:
    """The region's files (run_outputs.region_file_names), written by the kernel that holds its analyses."""
    kernel.call("custreport.reporting.jobs", "write_region_files",
                {"region": region, "period": request.period.token, "store": str(request.store), "locale": locale,
                 "snapshot": request.snapshot, "folder": str(place),
                 "workbook": f"{region}.xlsx" if "xlsx" in request.formats else None})
    return region_file_names(request, region)


def _execution_error(exc: BaseException) -> str:
    """One line for a failed report: the notebook's own error name and message when it has one."""
    name, value = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    return _one_line(RuntimeError(f"{name}: {value}")) if name else _one_line(exc)


def _preload_renderers() -> None:
    """Import the rendering stack once before workers fork, so each worker starts warm.

    papermill -> nbformat -> jsonschema alone takes seconds to import (it compiles
    grammars for URI formats); paid once here instead of once per worker.
    """
    import papermill  # noqa: F401
    import weasyprint  # noqa: F401

    from custreport.reporting import provenance, request  # noqa: F401
    from custreport.render import excel, html  # noqa: F401


def _start_worker(cwd: Path) -> None:
    """Pool initializer: start the worker's kernel before its first region arrives."""
    from custreport.kernel import warm_kernel

    warm_kernel(cwd)


def _one_line(exc: BaseException) -> str:
    """An error as one line for run.json, job.json, the index and the console: contacts in it
    (a value a notebook's error quotes) masked as in the reports."""
    return mask_contacts_in_text(first_line(exc))
