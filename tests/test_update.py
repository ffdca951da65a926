"""update: the schedule's one command, end to end through the CLI against a real SMTP server.

A project with the demo's raw files and a recipients file whose readers read Chinese and
English; `custreport update` ingests, renders and sends; aiosmtpd on 127.0.0.1 receives.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from custreport import update as update_module
from custreport.errors import UserError
from custreport.update import timestamped
from demo_project import copy_params
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
    copy_params(tmp_path)
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
    assert "Business summary" in english and "Monthly revenue" in english and "经营概览" not in english
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
    assert not (project / "data" / "clean" / "CURRENT").exists() and not (project / "outputs" / "2025-Q4").exists()


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


def test_update_reads_a_database_source_and_ingests_only_when_its_rows_changed(tmp_path, monkeypatch):
    import sql_fixture

    url = f"sqlite:///{tmp_path / 'crm.db'}"
    sql_fixture.write_tables(url)
    monkeypatch.setenv("CRM_URL", url)
    root = sql_fixture.database_project(tmp_path / "project")
    options = update_module.UpdateOptions(period="2025-Q2", config=root / "params" / "sources.yaml",
                                   store=root / "data" / "clean")

    def ingest_once() -> tuple[bool, list[str]]:
        lines: list[str] = []
        result = update_module.UpdateResult()
        update_module._ingest_if_changed(options, lines.append, result)
        return result.ingested, lines

    ingested, lines = ingest_once()
    assert ingested and "ingest: source 'crm_customers': 8 rows read, 8 rows in all" in lines
    ingested, lines = ingest_once()
    assert not ingested and any("nothing to ingest" in line for line in lines), lines
    sql_fixture.execute(url, "UPDATE customers SET 行业 = '医药', updated_at = '2026-01-01 00:00:00' WHERE id = 103")
    ingested, lines = ingest_once()
    assert ingested and "ingest: source 'crm_customers': 2 rows changed since the last read fetched, 8 rows in all" \
        in lines
    # another ingest holding the store: the databases are not read into it meanwhile
    from custreport.locks import store_lock

    with store_lock(root / "data" / "clean", "ingest"), pytest.raises(UserError, match="ingest"):
        ingest_once()
