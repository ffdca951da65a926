"""Output safety, checked on real rendered outputs and real built messages.

- Hostile text (customer and region names such as ``<script>``, ``<img onerror>``, ``=HYPERLINK``)
  shows as text in every HTML report, the run index, the email bodies, and as text cells in
  every workbook, where no cell is a formula.
- No full phone number or email address of the store reaches a report, metrics, a workbook
  or an email by default; with ``privacy.show_full_contacts_in_workbook`` only the analyst's
  workbook on disk shows them, and its emailed copy is still masked.
- A line break in a mail header is refused in one line; region values cannot leave outputs/.
- Each recipient's message mentions only their region's customers.

The hostile project is the tiny project (tests/tiny_project.py) with hostile names, rendered
once by ``custreport run``; the privacy scan and the isolation test read the demo job's run.
No CSV is checked: the project writes no CSV output (only ``demo-data`` writes CSV inputs).
"""

from __future__ import annotations

import io
import re
import shutil
from email.message import EmailMessage
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import tiny_project
from custreport import store
from custreport.config import RegionTable, load_regions
from custreport.errors import UserError
from custreport.recipients import Recipient, load_recipients
from custreport.delivery import build_message, send_period
from demo_project import cli

PERIOD = "2025-Q4"
REPORTS = ["summary", "segments", "funnel", "value", "allocation", "quality"]
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("x")'
AT_FORMULA = "@SUM(A1)"
HOSTILE_SOUTH = f"华南{IMG}"
SENDER = "reports@example.com"


# --------------------------------------------------------------------------- reading outputs


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def workbook_cells(data: bytes) -> list:
    """Every non-empty cell of every sheet of an .xlsx file's bytes."""
    workbook = load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]


def workbook_text(data: bytes) -> str:
    return "\n".join(str(cell.value) for cell in workbook_cells(data))


def file_text(name: str, data: bytes) -> str:
    """What a reader of a rendered file or an attachment sees, as text."""
    if name.endswith(".pdf"):
        return pdf_text(data)
    if name.endswith(".xlsx"):
        return workbook_text(data)
    return data.decode("utf-8")


def output_texts(folder: Path) -> dict[str, str]:
    """Relative path -> text of every report, workbook, customer list, metrics and manifest file under ``folder``."""
    return {str(path.relative_to(folder)): file_text(path.name, path.read_bytes())
            for path in sorted(folder.rglob("*"))
            if path.suffix in (".html", ".pdf", ".xlsx", ".csv", ".json", ".ipynb")}


def message_texts(message: EmailMessage) -> dict[str, str]:
    """Part name -> text of a built message: headers, both bodies, every attachment."""
    texts = {"headers": "\n".join(f"{key}: {value}" for key, value in message.items()),
             "html body": message.get_body(("html",)).get_content(),
             "text body": message.get_body(("plain",)).get_content()}
    for part in message.iter_attachments():
        texts[part.get_filename()] = file_text(part.get_filename(), part.get_content())
    return texts


def attachment(message: EmailMessage, suffix: str) -> bytes:
    return next(part.get_content() for part in message.iter_attachments() if part.get_filename().endswith(suffix))


def rendered(project: Path) -> tuple[Path, RegionTable]:
    """The rendered period folder of ``project`` and the regions its messages are built with."""
    return project / "outputs" / PERIOD, load_regions(project / "params" / "regions.yaml")


def renamed(regions: RegionTable, code: str, zh: str) -> RegionTable:
    """``regions`` with region ``code`` called ``zh``, as a regions.yaml could say."""
    data = regions.model_dump()
    next(region for region in data["regions"] if region["code"] == code)["zh"] = zh
    return RegionTable.model_validate(data)


def reader(region: str, name: str = "Reader", reports=REPORTS, language: str = "zh") -> Recipient:
    """A recipient of ``region`` who gets the PDFs of ``reports`` and the workbook."""
    return Recipient(name=name, email=f"{region}@example.com", region=region, language=language,
                     reports=list(reports), attach=["pdf", "xlsx"])


# --------------------------------------------------------------------------- the hostile project


def make_hostile_project(root: Path) -> Path:
    """tiny_project with hostile names: customers A and B (east buyers, so in the top tables)
    carry markup, C (south) and D (unknown) text Excel would run as a formula; south's region
    name carries markup too."""
    customers = tiny_project.customers().assign(name=pd.array([IMG, SCRIPT, FORMULA, AT_FORMULA], dtype="string"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tiny_project, "customers", lambda: customers)
        tiny_project.make_project(root)
    regions = root / "params" / "regions.yaml"
    text = regions.read_text(encoding="utf-8")
    assert "    zh: 华南\n" in text
    regions.write_text(text.replace("    zh: 华南\n", f"    zh: '{HOSTILE_SOUTH}'\n", 1), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, RegionTable]:
    """The hostile project rendered by `custreport run` (every report, html, pdf and xlsx) for
    east, south and the company: outputs/<period> and the regions. Read-only for the tests sharing it."""
    root = make_hostile_project(tmp_path_factory.mktemp("hostile"))
    cli(root, "run", "--period", PERIOD, "--regions", "east,south,all", "--workers", "1")
    return rendered(root)


@pytest.fixture(scope="module")
def hostile_run(hostile) -> Path:
    return hostile[0]


@pytest.fixture(scope="module")
def hostile_regions(hostile) -> RegionTable:
    return hostile[1]


def test_hostile_names_show_as_text_in_every_html_report_and_the_index(hostile_run):
    pages = {str(path.relative_to(hostile_run)): path.read_text(encoding="utf-8")
             for path in hostile_run.rglob("*.html")}
    assert len(pages) == 3 * len(REPORTS) + 1
    for name, page in pages.items():
        assert not re.search(r"<script|<img src=x", page, re.IGNORECASE), name
    east = pages["east/summary.html"]   # A and B are east's top customers
    assert "&lt;img src=x onerror=alert(1)&gt;" in east and "&lt;script&gt;alert(1)&lt;/script&gt;" in east
    assert "华南&lt;img src=x onerror=alert(1)&gt;" in pages["index.html"]
    assert "华南&lt;img src=x onerror=alert(1)&gt;" in pages["south/summary.html"]   # title block and <title>
    # a reader of the PDF sees the names as typed
    assert SCRIPT in pdf_text((hostile_run / "east" / "summary.pdf").read_bytes())


def test_no_workbook_cell_is_a_formula_and_formula_like_names_stay_text(hostile_run):
    workbooks = sorted(hostile_run.rglob("*.xlsx"))
    assert [path.relative_to(hostile_run).as_posix() for path in workbooks] == [
        "all/all.xlsx", "all/fix_lists/unassigned.xlsx", "east/east.xlsx", "east/fix_lists/unassigned.xlsx",
        "south/fix_lists/unassigned.xlsx", "south/south.xlsx"]     # the fix lists: no reps, every customer unowned
    for path in workbooks:
        formulas = [cell.coordinate for cell in workbook_cells(path.read_bytes()) if cell.data_type == "f"]
        assert not formulas, f"{path.name}: {formulas}"
    for path in (hostile_run / "all" / "all.xlsx", hostile_run / "all" / "fix_lists" / "unassigned.xlsx"):
        cells = workbook_cells(path.read_bytes())
        for name in (FORMULA, AT_FORMULA, SCRIPT, IMG):
            found = [cell for cell in cells if cell.value == name]
            assert found and all(cell.data_type == "s" for cell in found), (path.name, name)
    cells = workbook_cells((hostile_run / "all" / "all.xlsx").read_bytes())
    numbers = [cell for cell in cells if isinstance(cell.value, (int, float))]
    assert numbers and all(cell.data_type == "n" for cell in numbers)


def test_hostile_names_show_as_text_in_both_email_bodies(hostile_run, hostile_regions):
    message = build_message(hostile_run, reader("south", name=IMG), "south", hostile_regions, SENDER)
    html_body = message.get_body(("html",)).get_content()
    assert not re.search(r"<img src=x|<script", html_body, re.IGNORECASE)
    assert html_body.count("&lt;img src=x onerror=alert(1)&gt;") >= 2   # the reader's name and the region's
    text_body = message.get_body(("plain",))
    assert text_body.get_content_type() == "text/plain" and IMG in text_body.get_content()   # plain text is text
    emailed = workbook_cells(attachment(message, ".xlsx"))   # the masked copy: rewritten, still no formula
    assert {cell.data_type for cell in emailed if cell.value == FORMULA} == {"s"}
    assert not [cell.coordinate for cell in emailed if cell.data_type == "f"]


@pytest.mark.parametrize("field, value", [
    ("region", "华南\r\nBcc: x@evil.com"),
    ("region", "华南\nBcc: x@evil.com"),
    ("name", "Boss\u2028Bcc: x@evil.com"),     # config refuses CR and LF; the message refuses every line break
    ("sender", "reports@example.com\r\nBcc: x@evil.com"),
])
def test_a_line_break_in_any_mail_header_is_refused_in_one_line(hostile_run, hostile_regions, field, value):
    regions, recipient, sender = hostile_regions, reader("south"), SENDER
    if field == "region":    # a region name from regions.yaml goes into the subject
        regions = renamed(hostile_regions, "south", value)
    elif field == "name":
        recipient = reader("south", name=value)
    else:
        sender = value
    with pytest.raises(UserError, match="header would hold a line break") as refused:
        build_message(hostile_run, recipient, "south", regions, sender)
    assert len(str(refused.value).splitlines()) == 1 and "Bcc" in str(refused.value)


def test_a_recipient_whose_subject_would_inject_headers_fails_alone_and_nothing_is_written(
        hostile_run, hostile_regions, tmp_path):
    folder = tmp_path / PERIOD
    shutil.copytree(hostile_run, folder)
    regions = renamed(hostile_regions, "south", "华南\r\nBcc: x@evil.com")
    summary = send_period(folder, [reader("south"), reader("east")], regions, None, dry_run=True)
    assert [d.status for d in summary.deliveries] == ["failed", "written"]
    assert "header would hold a line break" in summary.deliveries[0].detail
    assert [p.name for p in (folder / "outbox").iterdir()] == ["east-east_example.com.eml"]


# --------------------------------------------------------------------------- paths


@pytest.fixture
def tiny(tmp_path, monkeypatch) -> Path:
    tiny_project.make_project(tmp_path)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("kwargs, message", [
    ({"regions": "../../etc"}, "unknown region '../../etc'"),
    ({"regions": "east,../east"}, "unknown region '../east'"),
    ({"regions": "/etc"}, "unknown region '/etc'"),
    ({"period": "../../etc"}, "unknown period '../../etc'"),
    ({"period": "2025-Q4/../../x"}, "unknown period"),
])
def test_region_and_period_values_cannot_name_a_folder_outside_outputs(tiny, kwargs, message):
    from custreport.runner import RunRequest

    with pytest.raises(UserError, match=re.escape(message)):
        RunRequest.build(**{"period": PERIOD, **kwargs})
    assert not (tiny / "outputs").exists()


@pytest.mark.parametrize("report", ["../all/summary", "../../../etc/x", "summary/../../all/summary"])
def test_a_report_name_cannot_attach_files_of_another_folder(hostile_run, hostile_regions, report):
    assert (hostile_run / "all" / "summary.pdf").is_file()   # what ../all/summary would attach to east's reader
    with pytest.raises(UserError, match="is not a report name") as refused:
        build_message(hostile_run, reader("east", reports=[report]), "east", hostile_regions, SENDER)
    assert len(str(refused.value).splitlines()) == 1


def test_rendered_folders_are_named_by_region_codes_and_period_labels_only(tiny):
    from custreport.runner import RunRequest

    request = RunRequest.build(period="2025-10-01..2025-12-31", regions="华东, 华南区")
    assert request.regions == ["east", "south"] and request.period.label == "2025-10-01..2025-12-31"
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", code) for code in request.regions)
    assert "/" not in request.period.label and request.period.label not in (".", "..")


# --------------------------------------------------------------------------- privacy


def store_contacts(project: Path) -> tuple[set[str], set[str]]:
    """The full phone numbers (national digits, as any spelling of them would hold) and emails of the store."""
    import phonenumbers

    customers = store.read_table(store.current_snapshot(project / "data" / "clean"), "customers")
    phones = {str(phonenumbers.parse(phone).national_number) for phone in customers["phone"].dropna()}
    return phones, set(customers["email"].dropna())


def leaks(texts: dict[str, str], phones: set[str], emails: set[str]) -> dict[str, list[str]]:
    """Per text that holds any, the full phone numbers and emails found in it."""
    found = {}
    for name, text in texts.items():
        digits = re.sub(r"[\s-]", "", text)   # a number split by spacing is still the number
        hits = sorted(p for p in phones if p in digits) + sorted(e for e in emails if e in text)
        if hits:
            found[name] = hits[:5]
    return found


def test_no_full_phone_or_email_reaches_any_output_of_the_demo_run(demo_run):
    phones, emails = store_contacts(demo_run)
    assert len(phones) > 100 and len(emails) > 100
    folder, regions = rendered(demo_run)
    texts = output_texts(folder)
    # every region, and north once more in English (its director reads English)
    assert sum(name.endswith(".pdf") for name in texts) == (9 + 1) * len(REPORTS)
    assert leaks(texts, phones, emails) == {}
    assert "****" in texts["east/east.xlsx"]   # the customers sheet shows them masked
    shipped = load_recipients(demo_run / "params" / "recipients.yaml").recipients
    # north is also rendered in English: its director reads English
    for recipient in [*shipped, reader("east"), reader("north", language="en")]:
        code = regions.region_param(recipient.region)
        message = build_message(folder, recipient, code, regions, SENDER)
        assert leaks(message_texts(message), phones, emails) == {}, recipient.email


@pytest.fixture(scope="module")
def full_contacts_run(tmp_path_factory) -> Path:
    """The tiny project rendered (east, summary, pdf and xlsx) with the workbook allowed full contacts."""
    root = tmp_path_factory.mktemp("full-contacts")
    tiny_project.make_project(root)
    (root / "params" / "analysis.yaml").write_text("privacy:\n  show_full_contacts_in_workbook: true\n",
                                                   encoding="utf-8")
    cli(root, "run", "--period", PERIOD, "--regions", "east", "--reports", "summary", "--formats", "pdf,xlsx",
        "--workers", "1")
    return root


def test_full_contacts_reach_the_analyst_workbook_only_never_an_email(full_contacts_run):
    phones, emails = store_contacts(full_contacts_run)
    folder, regions = rendered(full_contacts_run)
    workbook = (folder / "east" / "east.xlsx").read_bytes()
    assert {"+8613812345678", "boss@jia.com"} <= {cell.value for cell in workbook_cells(workbook)}
    texts = output_texts(folder)
    # the analyst's files on disk only: not the PDF, metrics or manifest
    assert set(leaks(texts, phones, emails)) == {"east/east.xlsx", "east/east_customers.csv"}
    message = build_message(folder, reader("east", reports=["summary"]), "east", regions, SENDER)
    assert leaks(message_texts(message), phones, emails) == {}
    emailed = {cell.value for cell in workbook_cells(attachment(message, ".xlsx"))}
    assert {"+86138****5678", "b***@jia.com"} <= emailed


# --------------------------------------------------------------------------- region isolation


def test_each_recipients_message_mentions_only_their_regions_customers(demo_run):
    folder, regions = rendered(demo_run)
    customers = store.read_table(store.current_snapshot(demo_run / "data" / "clean"), "customers")
    names = customers[["region", "name"]].astype("string")
    codes = set(names["region"])
    assert codes >= set(regions.codes)
    for code in sorted(codes):
        own = set(names.loc[names["region"] == code, "name"])
        # a name of another region that is also (part of) one of this region's names is no leak
        foreign = {name for name in set(names.loc[names["region"] != code, "name"]) - own
                   if not any(name in mine for mine in own)}
        texts = message_texts(build_message(folder, reader(code), code, regions, SENDER))
        assert len(texts) == 3 + len(REPORTS) + 1
        mentioned = {part: sorted(name for name in foreign if name in text) for part, text in texts.items()}
        assert not any(mentioned.values()), (code, {part: hits[:3] for part, hits in mentioned.items() if hits})
        workbook = texts[f"{code}-{PERIOD}-{code}.xlsx"]
        assert any(name in workbook for name in own), code
