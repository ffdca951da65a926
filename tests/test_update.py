"""update: the schedule's one command, end to end through the CLI against a real SMTP server.

A project with the demo's raw files and a recipients file whose readers read Chinese and
English; `custreport update` ingests, renders and sends; aiosmtpd on 127.0.0.1 receives.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from custreport.update import timestamped
from test_delivery import Mailbox, serve
from tiny_project import PROJECT

pytestmark = pytest.mark.slow

CLI = Path(sys.executable).with_name("custreport")

RECIPIENTS = """
operators:
  - {name: 值班运维, email: ops@example.com}
recipients:
  - {name: 华东区经理, email: east@example.com, region: east, language: zh, reports: [summary], attach: [pdf, xlsx]}
  - {name: North Director, email: north@example.com, region: north, language: en, reports: [summary], attach: [pdf]}
  - {name: 王总, email: ceo@example.com, region: all, language: zh, reports: [summary], attach: [pdf]}
"""


@pytest.fixture(scope="module")
def raw_files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("raw")
    subprocess.run([str(CLI), "demo-data", "--customers", "400", "--out", str(folder)], check=True,
                   capture_output=True, timeout=120)
    return folder


@pytest.fixture
def project(tmp_path, raw_files) -> Path:
    shutil.copytree(PROJECT / "params", tmp_path / "params")
    shutil.copytree(PROJECT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(raw_files, tmp_path / "data" / "raw")
    (tmp_path / "params" / "recipients.yaml").write_text(RECIPIENTS, encoding="utf-8")
    return tmp_path


@pytest.fixture
def mailbox():
    handler = Mailbox()
    controller, settings = serve(handler)
    handler.env = {"CUSTREPORT_SMTP_HOST": "127.0.0.1", "CUSTREPORT_SMTP_PORT": str(settings.port),
                   "CUSTREPORT_SMTP_SECURITY": "none", "CUSTREPORT_SMTP_FROM": "reports@example.com"}
    yield handler
    controller.stop()


def update(project: Path, mailbox: Mailbox | None, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CUSTREPORT_")}
    env |= {"CUSTREPORT_HOME": str(project), **(mailbox.env if mailbox else {})}
    return subprocess.run([str(CLI), "update", "--regions", "east,north,all", "--reports", "summary",
                           "--formats", "pdf,xlsx", *args], cwd=project, env=env, capture_output=True, text=True,
                          timeout=900)


def pdf_text(data: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    return "".join(page.get_textpage().get_text_range() for page in document)


def attachments(message) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def test_update_ingests_renders_and_mails_each_reader_in_their_language_then_nothing_twice(project, mailbox):
    first = update(project, mailbox, "--period", "2025-Q4")
    assert first.returncode == 0, first.stdout + first.stderr
    by_address = {message["To"].addresses[0].addr_spec: message for message in mailbox.messages}
    assert sorted(by_address) == ["ceo@example.com", "east@example.com", "north@example.com"]
    north = by_address["north@example.com"]
    assert north["Subject"].startswith("Business summary · North China · 2025-Q4")
    english = pdf_text(attachments(north)["north-2025-Q4-summary.pdf"])
    assert "Business summary" in english and "Key figures" in english and "经营概览" not in english
    east = attachments(by_address["east@example.com"])
    assert "经营概览" in pdf_text(east["east-2025-Q4-summary.pdf"]) and "east-2025-Q4-east.xlsx" in east
    log = first.stdout
    assert "ingest: first ingest: ingesting" in log and "customers 400" in log
    logs = list((project / "outputs" / "logs").glob("update-*.log"))
    assert len(logs) == 1
    stamped = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2} ")
    assert all(stamped.match(line) for line in logs[0].read_text(encoding="utf-8").splitlines())
    rendered = {p: p.stat().st_mtime_ns for p in (project / "outputs" / "2025-Q4").rglob("*.pdf")}

    again = update(project, mailbox, "--period", "2025-Q4")
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(mailbox.messages) == 3                                  # nothing sent twice
    assert "unchanged since snapshot" in again.stdout and "nothing to ingest" in again.stdout
    assert "regions rendered: 0, messages sent: 0" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in rendered} == rendered   # nothing rendered again


def test_re_ingesting_identical_files_renders_nothing_again(project, mailbox):
    assert update(project, mailbox, "--period", "2025-Q4", "--no-send").returncode == 0
    env = {**os.environ, "CUSTREPORT_HOME": str(project)}
    subprocess.run([str(CLI), "ingest"], cwd=project, env=env, check=True, capture_output=True, timeout=300)
    run = subprocess.run([str(CLI), "run", "--period", "2025-Q4", "--regions", "east", "--reports", "summary",
                          "--formats", "pdf,xlsx"], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "(up to date)" in run.stdout, run.stdout


def test_a_period_past_the_data_stops_with_exit_2_mails_no_reader_and_tells_the_operators(project, mailbox):
    result = update(project, mailbox, "--period", "2027-Q1")
    assert result.returncode == 2
    assert "starts after the data ends: the data runs 2023-01-03 – 2025-12-31" in result.stdout
    assert [m["To"].addresses[0].addr_spec for m in mailbox.messages] == ["ops@example.com"]
    body = mailbox.messages[0].get_body(("plain",)).get_content()
    assert "starts after the data ends" in body and "outputs/logs/update-" in body
    assert not (project / "outputs" / "2027-Q1").exists()


def test_a_failed_report_spares_the_other_regions_mail_and_the_operators_hear_of_it(project, mailbox):
    # a report that fails for north only; north's director asked for it
    nb = json.loads((project / "notebooks" / "summary.ipynb").read_text(encoding="utf-8"))
    nb["cells"].append({"id": "flaky", "cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                        "source": "if region == 'north':\n    raise RuntimeError('north feed broke')"})
    (project / "notebooks" / "flaky.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    recipients = project / "params" / "recipients.yaml"
    recipients.write_text(recipients.read_text(encoding="utf-8").replace(
        "region: north, language: en, reports: [summary]", "region: north, language: en, reports: [summary, flaky]"),
        encoding="utf-8")
    result = update(project, mailbox, "--period", "2025-Q4", "--reports", "summary,flaky")
    assert result.returncode == 1, result.stdout
    readers = sorted(m["To"].addresses[0].addr_spec for m in mailbox.messages if "ops@" not in str(m["To"]))
    assert readers == ["ceo@example.com", "east@example.com"]
    operators = [m for m in mailbox.messages if "ops@example.com" in str(m["To"])]
    assert len(operators) == 1
    body = operators[0].get_body(("plain",)).get_content()
    assert "region north" in body and "north feed broke" in body and "_failed/north/flaky.ipynb" in body
    assert "north@example.com" in body and "outputs/logs/update-" in body


def test_to_date_periods_compare_the_same_days_through_the_cli(project):
    env = {**os.environ, "CUSTREPORT_HOME": str(project)}
    subprocess.run([str(CLI), "ingest"], cwd=project, env=env, check=True, capture_output=True, timeout=300)

    def east_figures(period: str, folder: str) -> dict:
        run = subprocess.run([str(CLI), "run", "--period", period, "--regions", "east", "--reports", "summary",
                              "--formats", "html"], cwd=project, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr
        return json.loads((project / "outputs" / folder / "east" / "metrics.json").read_text(encoding="utf-8"))

    def span(figures: dict, which: str) -> tuple[str, str]:
        return figures[which]["start"], figures[which]["end"]

    qtd = east_figures("qtd@2025-11-22", "2025-10-01..2025-11-22")
    assert qtd["period"]["token"] == "qtd@2025-11-22"
    assert span(qtd, "previous") == ("2025-07-01", "2025-08-22") and span(qtd, "year_ago") == ("2024-10-01", "2024-11-22")
    ytd = east_figures("ytd@2025-11-22", "2025-01-01..2025-11-22")
    assert span(ytd, "previous") == ("2024-01-01", "2024-11-22") == span(ytd, "year_ago")
    mtd = east_figures("mtd@2025-03-30", "2025-03-01..2025-03-30")
    assert span(mtd, "previous") == ("2025-02-01", "2025-02-28") and span(mtd, "year_ago") == ("2024-03-01", "2024-03-30")


def test_log_lines_carry_the_local_iso_time():
    import datetime as dt

    line = timestamped("run: done", dt.datetime(2026, 12, 4, 6, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert line == "2026-12-04T06:00:01+08:00 run: done"


def test_an_ingest_over_its_quarantine_limit_stops_the_update_and_the_operators_hear_of_it(project, mailbox):
    sources = project / "params" / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace("max_quarantined: 1%", "max_quarantined: 0%")
                       .replace("max_quarantined: 3%", "max_quarantined: 0%"), encoding="utf-8")
    result = update(project, mailbox, "--period", "2025-Q4")
    assert result.returncode == 2, result.stdout
    assert "error: ingest stopped, nothing written" in result.stdout
    assert [m["To"].addresses[0].addr_spec for m in mailbox.messages] == ["ops@example.com"]
    assert "ingest stopped" in mailbox.messages[0].get_body(("plain",)).get_content()
    assert not (project / "data" / "clean").exists() and not (project / "outputs" / "2025-Q4").exists()


def test_update_without_sending_needs_no_mail_server(project):
    result = update(project, None, "--period", "2025-Q4", "--no-send", "--regions", "east")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "outputs" / "2025-Q4" / "east" / "summary.pdf").is_file()


def test_a_new_recipient_neither_re_ingests_nor_re_renders(project, mailbox):
    assert update(project, mailbox, "--period", "2025-Q4").returncode == 0
    recipients = project / "params" / "recipients.yaml"
    recipients.write_text(recipients.read_text(encoding="utf-8") +
                          "  - {name: 华东副经理, email: east2@example.com, region: east, reports: [summary]}\n",
                          encoding="utf-8")
    again = update(project, mailbox, "--period", "2025-Q4")
    assert again.returncode == 0, again.stdout
    assert "nothing to ingest" in again.stdout and "regions rendered: 0, messages sent: 1" in again.stdout
    assert [m["To"].addresses[0].addr_spec for m in mailbox.messages][-1] == "east2@example.com"


def test_partial_periods_partial_reruns_alerts_and_permissions_through_the_cli(project, mailbox):
    import openpyxl

    recipients = project / "params" / "recipients.yaml"
    recipients.write_text(recipients.read_text(encoding="utf-8") +
                          "  - {name: 华东看板, email: quiet@example.com, region: east, when: 'revenue < 0'}\n"
                          "  - {name: 华东提醒, email: loud@example.com, region: east, when: 'orders > 0'}\n",
                          encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("CUSTREPORT_")}
    env |= {"CUSTREPORT_HOME": str(project), **mailbox.env}
    # the demo data ends 2025-12-31: a period running to 2026-03-31 is cut there and said to be partial
    period = "2025-10-01..2026-03-31"
    old = os.umask(0o022)
    try:
        first = update(project, mailbox, "--period", period)
    finally:
        os.umask(old)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "partial period: 2025-10-01..2026-03-31 runs to 2026-03-31, the reports cover 2025-10-01 – 2025-12-31" \
        in first.stdout
    folder = project / "outputs" / period
    assert "不完整期间：数字仅覆盖 2025-10-01 – 2025-12-31" in pdf_text((folder / "east" / "summary.pdf").read_bytes())
    about = openpyxl.load_workbook(folder / "east" / "east.xlsx")["说明"]
    assert {row[0]: row[1] for row in about.iter_rows(min_row=2, values_only=True)}["数据截至"] == "2025-12-31"
    assert (folder / "east").stat().st_mode & 0o777 == 0o755
    # alerts: the one that holds leads its subject; the other is skipped, saying why
    subjects = {m["To"].addresses[0].addr_spec: str(m["Subject"]) for m in mailbox.messages}
    assert "quiet@example.com" not in subjects and subjects["loud@example.com"].startswith("【提醒：订单数 ")
    assert "alert not triggered: revenue is " in first.stdout

    # one report, one format, one region again: nothing else in the folder or the index is lost
    before = {p.relative_to(folder): p.stat().st_mtime_ns for p in folder.rglob("*.pdf")}
    rerun = subprocess.run([str(CLI), "run", "--period", period, "--regions", "east", "--reports", "summary",
                            "--formats", "html", "--force"], cwd=project, env=env, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert {p.relative_to(folder): p.stat().st_mtime_ns for p in folder.rglob("*.pdf")} == before
    assert (folder / "east" / "summary.html").is_file() and (folder / "east" / "east.xlsx").is_file()
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{region}/summary.pdf"' in index for region in ("east", "north", "all"))
