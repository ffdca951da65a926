"""The region x report matrix: papermill runs each report notebook, render/ writes the files.

Each region is one job. A job writes into a hidden staging folder and only a
complete result is renamed to ``outputs/<period>/<region>/``, so a failed or
killed job never leaves a half-written report behind. One job failing does not
stop the others; the summary says which failed and why.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import time
import traceback
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from custreport import i18n
from custreport.config import UserError, default_store, project_root
from custreport.periods import Period

FORMATS = ("html", "pdf", "xlsx")


def notebooks_folder(root: Path) -> Path:
    return root / "notebooks"


def available_reports(root: Path) -> list[str]:
    return sorted(p.stem for p in notebooks_folder(root).glob("*.ipynb"))


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

    @classmethod
    def build(cls, period: str, regions: str = "all", reports: str = "summary", formats: str = "html,pdf,xlsx",
              locale: str = "zh", workers: int = 2, store: Path | None = None, out: Path | None = None,
              today: dt.date | None = None) -> "RunRequest":
        """Validate every parameter up front, so nothing is rendered for a request that cannot finish."""
        from custreport import report, store as store_module

        root = project_root()
        store = Path(store) if store else default_store(root)
        snapshot = store_module.current_snapshot(store)
        table = store_module.snapshot_regions(snapshot)
        resolved = report.resolve_period(period, snapshot, today=today)
        wanted = [p.strip() for p in regions.split(",") if p.strip()]
        if not wanted or wanted == ["all"]:
            codes = [*table.codes, table.unknown.code, "all"]
        else:
            codes = list(dict.fromkeys(table.region_param(name) for name in wanted))
        names = [r.strip() for r in reports.split(",") if r.strip()]
        known = available_reports(root)
        for name in names:
            if name not in known:
                raise UserError(f"unknown report {name!r}: available are {', '.join(known)}")
        chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
        for fmt in chosen:
            if fmt not in FORMATS:
                raise UserError(f"unknown format {fmt!r}: use any of {', '.join(FORMATS)}")
        return cls(resolved, codes, names, chosen, i18n.check_locale(locale), workers, store.resolve(),
                   (Path(out) if out else root / "outputs").resolve(), root)


@dataclass
class JobResult:
    region: str
    ok: bool
    seconds: float
    files: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class RunSummary:
    period: str
    folder: Path
    jobs: list[JobResult]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(job.ok for job in self.jobs)

    def lines(self) -> list[str]:
        done = sum(job.ok for job in self.jobs)
        lines = [f"{done}/{len(self.jobs)} regions rendered for {self.period} in {self.seconds:.1f}s"]
        for job in self.jobs:
            if job.ok:
                lines.append(f"  {job.region:<10} {self.folder / job.region}")
            else:
                lines.append(f"  {job.region:<10} FAILED: {job.error}")
        lines.append(f"index: {self.folder / 'index.html'}")
        return lines


def run_matrix(request: RunRequest, console=None) -> RunSummary:
    """Render every region of the request, in parallel worker processes, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    started = time.perf_counter()
    folder = request.out / request.period.label
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(folder)
    results: list[JobResult] = []
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False, disable=console is None) as progress:
        task = progress.add_task(f"rendering {request.period.label}", total=len(request.regions))
        if request.workers == 1 or len(request.regions) == 1:
            for region in request.regions:
                results.append(render_region(request, region))
                progress.advance(task)
        else:
            _preload_renderers()
            with ProcessPoolExecutor(max_workers=min(request.workers, len(request.regions)),
                                     initializer=warm_kernel, initargs=(notebooks_folder(request.root),)) as pool:
                futures = {pool.submit(render_region, request, region): region for region in request.regions}
                for future in as_completed(futures):
                    try:
                        results.append(future.result())
                    except Exception as exc:  # a worker that died (killed, out of memory)
                        results.append(JobResult(futures[future], False, 0.0, error=_one_line(exc)))
                    progress.advance(task)
    order = {code: i for i, code in enumerate(request.regions)}
    results.sort(key=lambda job: order[job.region])
    summary = RunSummary(request.period.label, folder, results, time.perf_counter() - started)
    _write_index(request, summary)
    _write_manifest(request, summary)
    return summary


def render_region(request: RunRequest, region: str) -> JobResult:
    """Run every report notebook for one region and write its files; never raises."""
    started = time.perf_counter()
    folder = request.out / request.period.label
    staging = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{region}-", dir=folder))
        files = _render_into(request, region, staging)
        _publish(staging, folder / region)
        return JobResult(region, True, time.perf_counter() - started, files)
    except Exception as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        detail = _one_line(exc)
        if not isinstance(exc, UserError):
            detail += " | " + traceback.format_exc().strip().splitlines()[-1][:200]
        return JobResult(region, False, time.perf_counter() - started, error=detail)


def _render_into(request: RunRequest, region: str, staging: Path) -> list[str]:
    import papermill

    from custreport import report
    from custreport.render.excel import write_workbook
    from custreport.render.html import notebook_to_html
    from custreport.render.pdf import html_to_pdf

    ctx = report.load(region, request.period.label, request.store, request.locale)
    files = []
    for name in request.reports:
        executed = staging / f"{name}.ipynb"
        nb = papermill.execute_notebook(
            str(notebooks_folder(request.root) / f"{name}.ipynb"), str(executed),
            parameters={"region": region, "period": request.period.label, "locale": request.locale,
                        "store": str(request.store)},
            kernel_name="python3", progress_bar=False, log_output=False,
            km=warm_kernel(notebooks_folder(request.root)))
        title = report.report_title(ctx, name)
        page = notebook_to_html(nb, title=title, locale=request.locale,
                                footer=f"custreport · {ctx.snapshot.id} · {request.period.label}")
        if "html" in request.formats:
            (staging / f"{name}.html").write_text(page, encoding="utf-8")
            files.append(f"{name}.html")
        if "pdf" in request.formats:
            html_to_pdf(page, staging / f"{name}.pdf")
            files.append(f"{name}.pdf")
    figures = report.metrics(ctx)
    (staging / "metrics.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    files.append("metrics.json")
    if "xlsx" in request.formats:
        write_workbook(staging / f"{region}.xlsx", report.workbook_sheets(ctx))
        files.append(f"{region}.xlsx")
    return files


_WARM_KERNEL: dict = {}


def _preload_renderers() -> None:
    """Import the rendering stack once before workers fork, so each worker starts warm.

    papermill -> nbformat -> jsonschema alone takes seconds to import (it compiles
    grammars for URI formats); paid once here instead of once per worker.
    """
    import papermill  # noqa: F401
    import weasyprint  # noqa: F401

    from custreport import report  # noqa: F401
    from custreport.render import excel, html  # noqa: F401


def warm_kernel(cwd: Path):
    """This process's notebook kernel, started once and reused with a fresh namespace.

    Starting a kernel and importing pandas and matplotlib costs seconds; a report
    notebook itself runs in a fraction of that. Each notebook still starts from an
    empty namespace (``%reset -f``), so no variable leaks from one report into the next.
    """
    from jupyter_client.manager import KernelManager

    km = _WARM_KERNEL.get("km")
    if km is not None and km.is_alive():
        client = km.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            client.execute_interactive("%reset -f", timeout=60, output_hook=lambda msg: None)
        finally:
            client.stop_channels()
        return km
    km = KernelManager(kernel_name="python3")
    # The kernel's own start-up chatter (transport warnings) is not for report readers;
    # cell errors still reach us through the kernel protocol.
    km.start_kernel(cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atexit.register(_shutdown_kernel, km)
    _WARM_KERNEL["km"] = km
    return km


def _shutdown_kernel(km) -> None:
    try:
        km.shutdown_kernel(now=True)
    except Exception:  # the kernel may already be gone at interpreter exit
        pass


def _publish(staging: Path, target: Path) -> None:
    """Swap a finished staging folder into place; the old result is removed only afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f".old-{target.name}-{uuid.uuid4().hex[:8]}")
        os.rename(target, old)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove_stale_staging(folder: Path) -> None:
    """Remove what killed runs left behind; recent folders may belong to a run in progress."""
    from custreport.store import is_stale

    for leftover in [*folder.glob(".staging-*"), *folder.glob(".old-*")]:
        if is_stale(leftover):
            shutil.rmtree(leftover, ignore_errors=True)


def _write_index(request: RunRequest, summary: RunSummary) -> None:
    from custreport.render.html import index_page
    from custreport.store import current_snapshot, snapshot_regions

    table = snapshot_regions(current_snapshot(request.store))
    zh = request.locale == "zh"
    rows = []
    for job in summary.jobs:
        links = [{"href": f"{job.region}/{name}", "text": name} for name in job.files]
        rows.append({"name": table.display_name(job.region, request.locale), "links": links,
                     "status": ("完成" if zh else "ok") if job.ok else (("失败: " if zh else "failed: ") + (job.error or ""))})
    title = (f"客户报告 · {request.period.label}" if zh else f"Customer reports · {request.period.label}")
    meta = [("期间" if zh else "Period", f"{request.period.start} – {request.period.end}"),
            ("生成时间" if zh else "Generated", dt.datetime.now().strftime("%Y-%m-%d %H:%M"))]
    headings = ["区域", "文件", "状态"] if zh else ["Region", "Files", "Status"]
    page = index_page(title, meta, headings, rows, "zh-CN" if zh else "en")
    _atomic_write(summary.folder / "index.html", page)


def _write_manifest(request: RunRequest, summary: RunSummary) -> None:
    manifest = {
        "period": {"label": request.period.label, "start": request.period.start.isoformat(),
                   "end": request.period.end.isoformat()},
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(summary.seconds, 2),
        "reports": request.reports, "formats": request.formats, "locale": request.locale,
        "store": str(request.store),
        "jobs": [asdict(job) for job in summary.jobs],
    }
    _atomic_write(summary.folder / "run.json", json.dumps(manifest, ensure_ascii=False, indent=2))


def _atomic_write(target: Path, text: str) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
