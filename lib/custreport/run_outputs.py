"""What a run leaves in ``outputs/<period>/`` besides the reports themselves: each region's
record of what it rendered, from what (job.json), and the run's manifest (run.json; the index
page is run_index.py's); whether a region's files are still up to date; carrying a region's
other files over into a new result, swapping it into place, and clearing what killed runs
left behind.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import subprocess
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from custreport import __version__, code_digest
from custreport.config import content_params, notebooks_folder
from custreport.i18n import LOCALES
from custreport.privacy import mask_contacts_in_notebook
from custreport.files import TEMPORARY_SUFFIX, file_sha256, write_atomically

if TYPE_CHECKING:
    from custreport.runner import ReportResult, RunRequest, RunSummary

JOB_FILE = "job.json"        # a region's record of what it rendered, from what
FAILED_FOLDER = "_failed"    # executed notebooks of failed reports, for inspection
REGION_FILES = "metrics+workbook"   # what a region writes besides its reports


def describe(path: Path, name: str) -> dict:
    """A file as job.json and run.json describe it: its path in the folder, its size and sha256."""
    return {"path": name, "bytes": path.stat().st_size, "sha256": file_sha256(path)}


def code_version(root: Path | None = None) -> dict:
    """The package version, a hash of its source and templates, and the git commit when known."""
    package = Path(__file__).resolve().parent
    commit = None
    try:
        found = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root or package, capture_output=True, text=True,
                               timeout=10)
        commit = found.stdout.strip() or None if found.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        pass
    return {"version": __version__, "source": code_digest(), "git": commit}


def up_to_date_record(folder: Path, expected: dict[str, str]) -> dict | None:
    """The job record of ``folder`` when every file the request would write is there, rendered
    from the same inputs (its fingerprint) and unchanged since (its sha256)."""
    try:
        record = json.loads((folder / JOB_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    described = {output["path"]: output for output in record.get("outputs", [])}
    for name, fingerprint in expected.items():
        output = described.get(name)
        if output is None or output.get("fingerprint") != fingerprint:
            return None
        path = folder / name
        if not path.is_file() or file_sha256(path) != output["sha256"]:
            return None
    return record


def region_file_names(request: RunRequest, region: str) -> list[str]:
    """What reporting/jobs.py writes for a region: metrics.json, the trend chart, the front
    page's small charts, the workbook, its full customer list and the fix lists of its reps."""
    from custreport.reporting.front_page import FRONT_CHARTS
    from custreport.reporting.metrics import METRICS_FILE, TREND_CHART, customer_list_name

    workbook = []
    if "xlsx" in request.formats:
        workbook = [f"{region}.xlsx", customer_list_name(region),
                    *_fix_list_files(request.store, request.snapshot, region)]
    return [METRICS_FILE, TREND_CHART, FRONT_CHARTS, *workbook]


@functools.lru_cache(maxsize=64)
def _fix_list_files(store_path: Path, snapshot_id: str, region: str) -> tuple[str, ...]:
    """The fix lists a region's folder holds (one per rep of the region, and its unassigned list)."""
    from custreport import store
    from custreport.reporting.fix_lists import snapshot_fix_list_files

    return tuple(snapshot_fix_list_files(store.open_snapshot(store_path, snapshot_id), region))


# What a region's files and its quality report show of the last period's fix lists (fixed since, new).
COMPARES_FIX_LISTS = (REGION_FILES, "quality")


def _previous_fix_lists(request: RunRequest) -> str | None:
    """The sha256 of the fix lists kept for the period before the request's (None when there are none)."""
    from custreport.store import fix_list_path

    path = fix_list_path(request.store, request.period.previous.label)
    return file_sha256(path) if path.is_file() else None


def keep_fix_lists(request: RunRequest) -> str:
    """Find the period's fix lists once, before the regions render, and keep them in the store for
    the next period (when the run writes workbooks or a quality report); "" or the line saying why
    they could not be kept."""
    if "xlsx" not in request.formats and "quality" not in request.reports:
        return ""
    from custreport.analysis_settings import load_analysis
    from custreport.reporting.fix_lists import keep_period_problems

    settings = load_analysis(request.root / "params" / "analysis.yaml")
    return keep_period_problems(request.store, request.snapshot, request.period, settings, request.locale)


def report_files(request: RunRequest, region: str, locale: str, report: str) -> list[str]:
    """The region-folder paths one report (or ``metrics+workbook``) writes in ``locale``."""
    prefix = "" if locale == request.locale else f"{locale}/"
    if report == REGION_FILES:
        names = region_file_names(request, region)
    else:
        names = [*(f"{report}.{fmt}" for fmt in ("html", "pdf") if fmt in request.formats), f"{report}.ipynb"]
    return [prefix + name for name in names]


def expected_files(request: RunRequest, region: str) -> dict[str, str]:
    """Every file the request writes in the region's folder, with the fingerprint of what it
    depends on: the data's content, the period, the region, its language, the report notebook,
    the settings (params/*.yaml but who gets mail and when) and the code; the region's files and
    the quality report also on the fix lists kept for the period before (they say what was fixed)."""
    params = request.root / "params"
    common = {
        "content": request.content, "store": str(request.store), "region": region, "period": request.period.token,
        "settings": {p.name: file_sha256(p) for p in content_params(params)},
        "code": code_digest(),
    }
    previous_lists = _previous_fix_lists(request)
    expected = {}
    for locale in request.locales(region):
        for report in [*request.reports, REGION_FILES]:
            notebook = None if report == REGION_FILES else \
                file_sha256(notebooks_folder(request.root) / f"{report}.ipynb")
            inputs = {**common, "locale": locale, "report": report, "notebook": notebook}
            if report in COMPARES_FIX_LISTS:
                inputs["previous_fix_lists"] = previous_lists
            fingerprint = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
            for name in report_files(request, region, locale, report):
                expected[name] = fingerprint
    return expected


def carry_over(previous: Path, staging: Path, replaced: set[str]) -> list[dict]:
    """Hard-link (else copy) into ``staging`` the files of the region's previous result that
    this run neither wrote nor withdrew; their descriptions as the previous record had them."""
    try:
        record = json.loads((previous / JOB_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    carried = []
    for output in record.get("outputs", []):
        name = output["path"]
        source = previous / name
        if name in replaced or not source.is_file() or file_sha256(source) != output.get("sha256"):
            continue    # a file changed since it was described is no longer what the record says
        destination = staging / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, destination)
        except OSError:
            shutil.copy2(source, destination)
        carried.append(output)
    return carried


def write_job_record(staging: Path, region: str, locale: str, reports: list, outputs: list[dict],
                     failed: list[str]) -> dict:
    """job.json in ``staging``: what the region's folder holds (every file described, with the
    fingerprint it was rendered from), each report's result, and which reports failed."""
    record = {"region": region, "locale": locale,
              "locales": sorted({locale, *(p.name for p in staging.iterdir() if p.is_dir() and p.name in LOCALES)}),
              "files": sorted(o["path"] for o in outputs), "reports": [asdict(r) for r in reports],
              "outputs": outputs, "failed": failed,
              "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    (staging / JOB_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return record


def _failed_notebook_path(folder: Path, region: str, report: ReportResult) -> Path:
    """Where a failed report's executed notebook is kept: _failed/<region>/[<locale>/]<report>.ipynb."""
    place = folder / FAILED_FOLDER / region
    return (place / report.locale if report.extra_locale else place) / f"{report.name}.ipynb"


def keep_failed_notebook(staging: Path, report: ReportResult, folder: Path, region: str) -> str | None:
    """Move a failed report's executed notebook (papermill saves it with the error) out of staging."""
    executed = (staging / report.locale if report.extra_locale else staging) / f"{report.name}.ipynb"
    if not executed.is_file():
        return None
    target = _failed_notebook_path(folder, region, report)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        masked = mask_contacts_in_notebook(json.loads(executed.read_text(encoding="utf-8")))
    except ValueError:   # cut short by a dying kernel: not kept rather than kept unmasked
        executed.unlink()
        return None
    write_atomically(target, json.dumps(masked, ensure_ascii=False, indent=1))
    executed.unlink()
    return str(target)


def clear_failed_notebooks(folder: Path, region: str, rendered: list[ReportResult]) -> None:
    """Remove the kept notebooks of reports that now rendered, and the region's _failed folder
    once it is empty: what stays there is what still fails."""
    for report in rendered:
        _failed_notebook_path(folder, region, report).unlink(missing_ok=True)
    place = folder / FAILED_FOLDER / region
    for sub in sorted((p for p in place.rglob("*") if p.is_dir()), reverse=True) if place.is_dir() else []:
        if not any(sub.iterdir()):
            sub.rmdir()
    for empty in (place, folder / FAILED_FOLDER):
        if empty.is_dir() and not any(empty.iterdir()):
            empty.rmdir()


def publish(staging: Path, target: Path) -> None:
    """Swap a finished staging folder into place; the old result is removed only afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f".old-{target.name}-{uuid.uuid4().hex[:8]}")
        os.rename(target, old)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_leftovers(folder: Path) -> None:
    """Clear what killed runs left in the period folder: staging folders, temporary files,
    and the previous result of a region whose swap was cut between its two renames (put
    back, so a run of other regions does not lose it).

    Runs under the period's lock, so no live run or send can own any of it.
    """
    for old in folder.glob(".old-*"):
        region = old.name[len(".old-"):].rsplit("-", 1)[0]
        if not (folder / region).exists():
            os.rename(old, folder / region)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in folder.glob(".staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for temporary in [*folder.glob(f".*{TEMPORARY_SUFFIX}"), *folder.glob(f"outbox/.*{TEMPORARY_SUFFIX}")]:
        temporary.unlink(missing_ok=True)


def write_manifest(request: RunRequest, summary: RunSummary) -> None:
    """run.json: what was asked, from which snapshot and code, and what came out (with sha256)."""
    manifest = {
        "period": {"label": request.period.label, "token": request.period.token,
                   "start": request.period.start.isoformat(), "end": request.period.end.isoformat(),
                   "partial": request.period.partial},
        "parameters": {"regions": request.regions, "reports": request.reports, "formats": request.formats,
                       "locale": request.locale, "other_locales": request.other_locales,
                       "workers": request.workers, "force": request.force},
        "content": request.content,
        "store": str(request.store), "snapshot": request.snapshot,
        "code": code_version(request.root),
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(summary.seconds, 2),
        "ok": summary.ok,
        "jobs": [{**asdict(job), "outputs": [{**o, "path": f"{job.region}/{o['path']}"} for o in job.outputs]}
                 for job in summary.jobs],
    }
    write_atomically(summary.folder / "run.json", json.dumps(manifest, ensure_ascii=False, indent=2))
