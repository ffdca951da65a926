"""Unattended runs through the CLI, against a real SMTP server: a failed report among good ones,
partial periods and reruns, alerts, to-date comparisons. (A module of its own beside
test_update.py so that the two run on different workers.)"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from test_update import CLI, mailbox, pdf_text, project, raw_files, update  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


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
    about = openpyxl.load_workbook(folder / "east" / "east.xlsx")["封面"]
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
