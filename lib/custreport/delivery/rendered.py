"""What a rendered period holds for one recipient: their region's folder in their language,
its figures (metrics.json), and the files their message attaches."""

from __future__ import annotations

import json
from pathlib import Path

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


def attached_files(region_folder: Path, region: str, recipient: Recipient) -> list[Path]:
    """The files ``recipient``'s message attaches: the PDFs of their reports, the region's workbook."""
    wanted = [region_folder / f"{report}.pdf" for report in recipient.reports if "pdf" in recipient.attach]
    if "xlsx" in recipient.attach:
        wanted.append(region_folder / f"{region}.xlsx")
    missing = [path.name for path in wanted if not path.is_file()]
    if missing:
        raise UserError(f"{region_folder}: {', '.join(missing)} not rendered: run `custreport run` with those "
                        "reports and formats first")
    return wanted
