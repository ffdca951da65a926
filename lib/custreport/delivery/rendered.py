"""What a rendered period holds for one recipient: their region's folder in their language,
its figures (metrics.json), and the files their message attaches (their rep's own fix list among
them, for a recipient with ``rep:`` and ``attach: [fix_list]``)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd

from custreport.analysis.fixlists import FOLDER, UNASSIGNED_FILE, find_rep, list_file_names, rep_regions
from custreport.config import fold_text
from custreport.errors import UserError
from custreport.recipients import Recipient


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


def region_figures(region_folder: Path, period: str) -> dict:
    """The region's metrics.json, as the run wrote it."""
    try:
        return json.loads((region_folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UserError(f"{region_folder / 'metrics.json'}: missing or unreadable: run `custreport run` "
                        f"for {period} first") from None


def attached_files(region_folder: Path, region: str, recipient: Recipient,
                   fix_list: Path | None = None) -> list[Path]:
    """The files ``recipient``'s message attaches: the PDFs of their reports, the region's workbook,
    and ``fix_list`` (their rep's, see fix_list_file) when given."""
    wanted = [region_folder / f"{report}.pdf" for report in recipient.reports if "pdf" in recipient.attach]
    if "xlsx" in recipient.attach:
        wanted.append(region_folder / f"{region}.xlsx")
    if fix_list is not None:
        wanted.append(fix_list)
    missing = [path.name if path.parent == region_folder else str(path) for path in wanted if not path.is_file()]
    if missing:
        raise UserError(f"{region_folder}: {', '.join(missing)} not rendered: run `custreport run` with those "
                        "reports and formats first")
    return wanted


def recipient_files(folder: Path, region: str, recipient: Recipient, unknown_region: str = "unknown") -> list[Path]:
    """Every file ``recipient``'s message attaches, from the rendered period ``folder``."""
    fix_list = fix_list_file(folder, region, recipient, unknown_region) if "fix_list" in recipient.attach else None
    return attached_files(region_files(folder, region, recipient.language), region, recipient, fix_list)


UNASSIGNED = "unassigned"   # rep: unassigned names the list of the region's customers without an owner


def fix_list_file(folder: Path, region: str, recipient: Recipient, unknown_region: str = "unknown") -> Path:
    """The fix list of ``recipient``'s rep (``rep:``, a rep_id or name of the reps table the period was
    rendered from) in the rep's region's folder (the recipient's, or theirs is all) and language;
    ``rep: unassigned``: the region's list of customers without an owner. A rep the table does not know, or one selling in another region,
    is a UserError naming the recipients file and entry: a recipient gets no one else's list."""
    if fold_text(recipient.rep or "") == UNASSIGNED:
        return region_files(folder, region, recipient.language) / FOLDER / UNASSIGNED_FILE
    reps = rendered_reps(folder)
    found = find_rep(reps, recipient.rep or "")
    if not found:
        raise UserError(f"{recipient.entry}: rep {recipient.rep!r} is not in the reps table of {folder.name}'s "
                        "reports: give a rep_id or name from it (or unassigned)")
    if len(found) > 1:
        raise UserError(f"{recipient.entry}: rep {recipient.rep!r} names several reps ({', '.join(found)}): "
                        "give the rep_id")
    rep_id = found[0]
    sells_in = rep_regions(reps, unknown_region)[reps["rep_id"].astype(str).eq(rep_id).to_numpy()].iloc[0]
    if region not in ("all", sells_in):
        raise UserError(f"{recipient.entry}: rep {recipient.rep!r} ({rep_id}) sells in region {sells_in}, not "
                        f"{region}: their fix list is in {sells_in}'s reports; set region: {sells_in} (or all)")
    # a reader of the whole company may be sent any rep's list: it is in the rep's region's folder,
    # in the reader's language when that region was rendered in it, else in the region's own
    try:
        place = region_files(folder, sells_in, recipient.language)
    except UserError:
        if region == sells_in:
            raise
        place = folder / sells_in
    return place / FOLDER / list_file_names(reps["rep_id"])[rep_id]


def rendered_reps(folder: Path) -> pd.DataFrame:
    """The reps table (rep_id, name, region) of the snapshot the period's reports were rendered from
    (run.json), else of the store's current snapshot when that one is gone."""
    record = folder / "run.json"
    try:
        stamp = record.stat().st_mtime_ns
    except OSError:
        raise UserError(f"{folder}: no rendered reports for this period: run `custreport run` first") from None
    return _reps_of_run(record, stamp).copy()


@functools.lru_cache(maxsize=4)
def _reps_of_run(record: Path, stamp: int) -> pd.DataFrame:
    from custreport import store

    try:
        run = json.loads(record.read_text(encoding="utf-8"))
        store_path = Path(run["store"])
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(f"{record}: unreadable: run `custreport run` for {record.parent.name} again") from None
    try:
        snapshot = store.open_snapshot(store_path, run.get("snapshot"))
    except UserError:   # pruned since: the reps are those of the data now
        snapshot = store.current_snapshot(store_path)
    return store.read_table(snapshot, "reps", columns=["rep_id", "name", "region"])
