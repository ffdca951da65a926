"""delivery: messages to a real SMTP server (aiosmtpd on 127.0.0.1), the sent ledger, retries, the outbox.

The rendered period comes from the demo job's run (the demo_run session fixture), copied so
that sending never writes into the shared outputs.
"""

from __future__ import annotations

import io
import shutil
import socket
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from custreport import i18n
from custreport.config import load_regions
from custreport.errors import UserError
from custreport.recipients import Recipient, load_recipients
from custreport.delivery import SmtpSettings, send_period

from demo_project import cli
from scripted_smtp import ScriptedSmtp

PERIOD = "2025-Q4"
RECIPIENTS = [
    Recipient(name="华东区经理", email="east@example.com", region="华东", language="zh",
              reports=["summary", "allocation"], attach=["pdf", "xlsx"]),
    Recipient(name="North Director", email="north@example.com", region="north", language="en", reports=["summary"]),
    Recipient(name="王总", email="ceo@example.com", region="all", reports=["quality"], attach=["pdf"]),
]


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts; it can answer 4xx first, or refuse an address."""

    def __init__(self, busy_answers: int = 0, refuse: str | None = None):
        self.messages = []
        self.busy_answers = busy_answers
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.busy_answers:
            self.busy_answers -= 1
            return "451 4.3.0 busy, try again later"
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 OK"


@pytest.fixture
def folder(demo_run, tmp_path) -> Path:
    target = tmp_path / "outputs" / PERIOD
    shutil.copytree(demo_run / "outputs" / PERIOD, target)
    return target


@pytest.fixture
def regions(demo_run):
    return load_regions(demo_run / "params" / "regions.yaml")


def serve(handler: Mailbox):
    with socket.socket() as probe:          # a free port on the loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings = SmtpSettings("127.0.0.1", port, "none", "reports@example.com", retry_seconds=0.01)
    return controller, settings


@pytest.fixture
def mailbox():
    handler = Mailbox()
    controller, settings = serve(handler)
    yield handler, settings
    controller.stop()


def by_recipient(messages) -> dict:
    return {message["To"].addresses[0].addr_spec: message for message in messages}


def test_each_recipient_gets_their_regions_message_with_pdf_and_inline_chart(folder, regions, mailbox):
    handler, settings = mailbox
    summary = send_period(folder, RECIPIENTS, regions, settings)
    assert summary.ok and [d.status for d in summary.deliveries] == ["sent"] * 3
    got = by_recipient(handler.messages)
    assert set(got) == {"east@example.com", "north@example.com", "ceo@example.com"}
    east = got["east@example.com"]
    assert east["Subject"] == f"经营概览、客户分配 · 华东 · {PERIOD}"
    files = [part.get_filename() for part in east.iter_attachments()]
    assert files == [f"east-{PERIOD}-summary.pdf", f"east-{PERIOD}-allocation.pdf", f"east-{PERIOD}-east.xlsx"]
    from pypdf import PdfReader

    pdf = next(part for part in east.iter_attachments() if part.get_filename().endswith("summary.pdf"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages)
    assert "华东" in text
    html_body = east.get_body(("html",)).get_content()
    image = next(part for part in east.walk() if part.get_content_type() == "image/png")
    assert f'src="cid:{image["Content-ID"][1:-1]}"' in html_body
    assert "销售额" in html_body and "环比" in html_body
    assert "销售额" in east.get_body(("plain",)).get_content()
    north = got["north@example.com"]
    assert north["Subject"] == f"Business summary · North China · {PERIOD}"
    assert [p.get_filename() for p in north.iter_attachments()] == [f"north-{PERIOD}-summary.pdf"]
    assert "Revenue" in north.get_body(("html",)).get_content()
    company = got["ceo@example.com"]
    assert [p.get_filename() for p in company.iter_attachments()] == [f"all-{PERIOD}-quality.pdf"]


def test_a_second_send_sends_nothing_and_resend_sends_again(folder, regions, mailbox):
    handler, settings = mailbox
    send_period(folder, RECIPIENTS, regions, settings)
    again = send_period(folder, RECIPIENTS, regions, settings)
    assert [d.status for d in again.deliveries] == ["skipped"] * 3 and len(handler.messages) == 3
    east_only = send_period(folder, RECIPIENTS, regions, settings, only_regions=["east"], resend=True)
    assert [(d.recipient, d.status) for d in east_only.deliveries] == [("east@example.com", "sent")]
    assert len(handler.messages) == 4


def test_a_busy_server_is_retried_and_the_message_arrives_once(folder, regions):
    handler = Mailbox(busy_answers=2)
    controller, settings = serve(handler)
    try:
        summary = send_period(folder, RECIPIENTS[:1], regions, settings)
    finally:
        controller.stop()
    assert [d.status for d in summary.deliveries] == ["sent"]
    assert len(handler.messages) == 1 and handler.busy_answers == 0


def test_a_refused_recipient_fails_alone(folder, regions):
    handler = Mailbox(refuse="north@example.com")
    controller, settings = serve(handler)
    try:
        summary = send_period(folder, RECIPIENTS, regions, settings)
    finally:
        controller.stop()
    assert [d.status for d in summary.deliveries] == ["sent", "failed", "sent"] and not summary.ok
    assert "550" in summary.deliveries[1].detail
    assert set(by_recipient(handler.messages)) == {"east@example.com", "ceo@example.com"}
    # the failed one is not in the ledger: the next send tries it again
    handler = Mailbox()
    controller, settings = serve(handler)
    try:
        retry = send_period(folder, RECIPIENTS, regions, settings)
    finally:
        controller.stop()
    assert [d.status for d in retry.deliveries] == ["skipped", "sent", "skipped"]
    assert set(by_recipient(handler.messages)) == {"north@example.com"}


def test_without_a_server_or_with_dry_run_messages_go_to_the_outbox(folder, regions, mailbox):
    handler, settings = mailbox
    dry = send_period(folder, RECIPIENTS, regions, settings, dry_run=True)
    assert [d.status for d in dry.deliveries] == ["written"] * 3 and not handler.messages
    written = sorted(p.name for p in (folder / "outbox").glob("*.eml"))
    assert written == ["all-ceo_example.com.eml", "east-east_example.com.eml", "north-north_example.com.eml"]
    message = BytesParser(policy=policy.default).parsebytes((folder / "outbox" / written[1]).read_bytes())
    assert message["To"].addresses[0].addr_spec == "east@example.com"
    assert not (folder / "sent.json").exists()          # written is not sent
    # without a server nothing pretends to send: files only when asked for
    with pytest.raises(UserError, match="no mail server configured: set CUSTREPORT_SMTP_HOST"):
        send_period(folder, RECIPIENTS, regions, None)
    elsewhere = folder.parent / "mail"
    assert [d.status for d in send_period(folder, RECIPIENTS, regions, None, eml_dir=elsewhere).deliveries] == \
        ["written"] * 3
    assert sorted(p.name for p in elsewhere.glob("*.eml")) == written and not (folder / "sent.json").exists()


def test_missing_outputs_or_an_unknown_region_fail_that_recipient_with_a_clear_line(folder, regions, mailbox):
    handler, settings = mailbox
    (folder / "north" / "en" / "summary.pdf").unlink()     # the English director's copy
    lost = Recipient(name="Nobody", email="nobody@example.com", region="atlantis")
    summary = send_period(folder, [*RECIPIENTS, lost], regions, settings)
    assert [d.status for d in summary.deliveries] == ["sent", "failed", "sent", "failed"]
    assert "summary.pdf not rendered: run `custreport run`" in summary.deliveries[1].detail
    assert "unknown region 'atlantis'" in summary.deliveries[3].detail and len(handler.messages) == 2
    with pytest.raises(UserError, match="no rendered reports for this period"):
        send_period(folder.parent / "2024-Q1", RECIPIENTS, regions, settings)


def test_smtp_settings_come_from_the_environment():
    assert SmtpSettings.from_env({}) is None
    settings = SmtpSettings.from_env({"CUSTREPORT_SMTP_HOST": "smtp.example.com", "CUSTREPORT_SMTP_SECURITY": "ssl",
                                      "CUSTREPORT_SMTP_FROM": "r@example.com", "CUSTREPORT_SMTP_USER": "u",
                                      "CUSTREPORT_SMTP_PASSWORD": "secret"})
    assert (settings.port, settings.security, settings.user) == (465, "ssl", "u") and "secret" not in repr(settings)
    with pytest.raises(UserError, match="CUSTREPORT_SMTP_FROM is not set"):
        SmtpSettings.from_env({"CUSTREPORT_SMTP_HOST": "smtp.example.com"})
    with pytest.raises(UserError, match="CUSTREPORT_SMTP_SECURITY='tls'"):
        SmtpSettings.from_env({"CUSTREPORT_SMTP_HOST": "h", "CUSTREPORT_SMTP_FROM": "f@x.com",
                               "CUSTREPORT_SMTP_SECURITY": "tls"})


def test_recipients_with_header_injection_or_bad_addresses_are_refused(tmp_path):
    path = tmp_path / "recipients.yaml"
    path.write_text('recipients:\n  - {name: "Boss\\r\\nBcc: evil@example.com", email: a@example.com, region: east}\n',
                    encoding="utf-8")
    with pytest.raises(UserError, match=r"recipients\.yaml: recipients\.0\.name: .*no line breaks"):
        load_recipients(path)
    path.write_text("recipients:\n  - {name: Boss, email: not-an-address, region: east}\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"recipients\.0\.email"):
        load_recipients(path)


def test_the_shipped_recipients_are_examples_for_the_demo_regions(demo_run, regions):
    shipped = load_recipients(demo_run / "params" / "recipients.yaml").recipients
    assert shipped and all(r.email.endswith("@example.com") for r in shipped)
    assert {regions.region_param(r.region) for r in shipped} >= {"all", "east"}


def test_send_command_dry_run(demo_run, folder):
    result = cli(demo_run, "send", "--period", PERIOD, "--dry-run", "--out", str(folder.parent))
    assert "written" in result.stdout and "failed" not in result.stdout.split("\n", 1)[1]
    assert len(list((folder / "outbox").glob("*.eml"))) == 5


def test_send_command_exits_1_when_a_recipient_failed(demo_run, folder, tmp_path):
    import subprocess

    from demo_project import CLI

    recipients = tmp_path / "recipients.yaml"
    recipients.write_text("recipients:\n  - {name: A, email: a@example.com, region: east}\n"
                          "  - {name: B, email: b@example.com, region: atlantis}\n", encoding="utf-8")
    result = subprocess.run([CLI, "send", "--period", PERIOD, "--dry-run", "--out", str(folder.parent),
                             "--recipients", str(recipients)], cwd=demo_run, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 written" in result.stdout and "1 failed" in result.stdout and "Traceback" not in result.stderr


def test_a_deals_only_mail_leads_with_won_value_and_says_what_revenue_is():
    from custreport.recipients import Recipient
    from custreport.delivery.message import _html_body, _text_body
    from custreport.reporting.front_page import front_page_model

    figures = {"revenue_basis": "won_deals", "has_order_lines": False, "revenue": 900.0, "orders": 0, "aov": None,
               "customers": {"total": 3, "new": 1, "active": 2},
               "deals": {"won": 2, "win_rate": 0.5, "won_value": 900.0, "pipeline_value": 400.0},
               "deltas": {"vs_previous": {}, "vs_year_ago": {}}}
    page = front_page_model(figures, "en")
    assert [card["label"] for card in page["cards"]] == ["Won value", "Open pipeline", "Win rate", "Deals won",
                                                         "Customers", "New customers", "Active customers"]
    recipient = Recipient(name="A", email="a@example.com", region="all")
    assert page["note"].startswith("Revenue is the value of deals won")
    assert page["note"] in _text_body(recipient, "All", "2025-Q4", page, ["Summary"], "en")
    assert "Revenue is the value of deals won" in _html_body(recipient, "All", "2025-Q4", page, ["Summary"], "en",
                                                            None, "")


def test_mail_cards_are_the_report_cards_coloured_by_direction_and_a_missing_change_is_grey():
    from custreport.delivery.message import TONE_COLOURS
    from custreport.reporting.front_page import front_page_model

    figures = {"customers": {"total": 3, "new": 1}, "revenue": 100.0, "orders": 2, "aov": 50.0,
               "deals": {"win_rate": 0.25, "won": 1},
               "deltas": {"vs_previous": {"revenue": 0.5, "orders": -0.25, "aov": 0.1, "deals.win_rate": -0.061},
                          "vs_year_ago": {}},
               "directions": {"aov": "neutral"}}
    cards = {card["label"]: card for card in front_page_model(figures, "zh")["cards"]}
    assert list(cards)[:6] == ["客户总数", "新增客户", "活跃客户", "销售额", "订单数", "客单价"]
    assert cards["销售额"]["value"] == "¥100"
    assert cards["销售额"]["changes"] == [("环比", "+50.0%", "good"), ("同比", "—", "flat")]
    assert cards["订单数"]["changes"][0] == ("环比", "-25.0%", "bad")
    assert cards["客单价"]["changes"][0] == ("环比", "+10.0%", "neutral")        # params: neither way is better
    assert cards["赢单率"]["changes"][0] == ("环比", "-6.1个百分点", "bad")       # a rate moves in points
    assert cards["客户总数"]["changes"][0][2] == "flat"
    assert TONE_COLOURS["good"] == "#2e7d32" and TONE_COLOURS["neutral"] == TONE_COLOURS["flat"] == "#616e7c"


# --------------------------------------------------------------------------- languages, alerts, operators


def pdf_text(data: bytes) -> str:
    import pypdfium2

    return "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(data))


def test_each_recipient_gets_body_and_attachments_in_their_language(folder, regions, mailbox):
    handler, settings = mailbox
    assert send_period(folder, RECIPIENTS, regions, settings).ok
    messages = by_recipient(handler.messages)
    north = messages["north@example.com"]
    attached = {part.get_filename(): part.get_content() for part in north.iter_attachments()}
    english = pdf_text(attached["north-2025-Q4-summary.pdf"])
    assert "Business summary" in english and "经营概览" not in english
    body = north.get_body(("plain",)).get_content()
    assert "Key figures for North China" in body and "Data through 2025-12-31 · snapshot " in body
    east = messages["east@example.com"]
    chinese = {part.get_filename(): part.get_content() for part in east.iter_attachments()}
    assert "经营概览" in pdf_text(chinese["east-2025-Q4-summary.pdf"])
    assert "数据截至 2025-12-31 · 快照 " in east.get_body(("html",)).get_content()


def test_a_language_no_run_rendered_fails_that_recipient_with_its_remedy(folder, regions, mailbox):
    handler, settings = mailbox
    reader = Recipient(name="East reader", email="east.en@example.com", region="east", language="en")
    summary = send_period(folder, [reader], regions, settings)
    assert summary.deliveries[0].status == "failed" and not handler.messages
    assert "no en reports for region east" in summary.deliveries[0].detail
    assert "run `custreport run` again" in summary.deliveries[0].detail


def alerting(when: str, email: str = "watch@example.com", region: str = "east") -> Recipient:
    return Recipient(name="Watcher", email=email, region=region, language="zh", when=when)


def test_a_data_alert_mails_only_when_it_holds_and_names_figure_and_threshold(folder, regions, mailbox):
    import json

    handler, settings = mailbox
    figures = json.loads((folder / "east" / "metrics.json").read_text(encoding="utf-8"))
    change = figures["deltas"]["vs_previous"]["revenue"]
    holds, quiet = (f"revenue_change < {change * 100 + 1:.1f}%", f"revenue_change < {change * 100 - 1:.1f}%")
    summary = send_period(folder, [alerting(holds), alerting(quiet, "calm@example.com")], regions, settings)
    assert [d.status for d in summary.deliveries] == ["sent", "skipped"]
    assert summary.deliveries[1].detail.startswith("alert not triggered: revenue_change is ")
    (message,) = handler.messages
    from custreport.delivery.alerts import alert_sentence
    from custreport.figures import parse_alert

    sentence = alert_sentence(parse_alert(holds), figures, "zh")
    assert sentence == f"提醒：销售额 环比 {i18n.format_percent(change, 'zh')} < {change * 100 + 1:.1f}%"
    assert message["Subject"] == f"【{sentence}】经营概览 · 华东 · 2025-Q4"
    assert sentence in message.get_body(("plain",)).get_content()
    # a skipped alert is not in the ledger: the next period (or a later send) may trigger it
    assert "calm@example.com" not in (folder / "sent.json").read_text(encoding="utf-8")


def test_an_alert_on_a_figure_without_value_is_skipped_saying_so(folder, regions, mailbox):
    handler, settings = mailbox
    reader = alerting("monthly_lost > 0")     # the demo customers carry no recurring charges
    summary = send_period(folder, [reader], regions, settings)
    assert summary.deliveries[0].status == "skipped" and not handler.messages
    assert summary.deliveries[0].detail == "alert not checked: monthly_lost has no value this period (monthly_lost > 0)"


def test_an_unknown_alert_figure_is_one_line_naming_the_file_and_the_known_figures(tmp_path):
    path = tmp_path / "recipients.yaml"
    path.write_text("recipients:\n  - {name: A, email: a@example.com, region: east, when: 'revnue_change < -10%'}\n",
                    encoding="utf-8")
    with pytest.raises(UserError, match=r"recipients\.yaml: recipients\.0\.when: .*unknown figure 'revnue_change'; "
                                        r"known: customers_total, .*revenue_change"):
        load_recipients(path)
    path.write_text("recipients:\n  - {name: A, email: a@example.com, region: east, when: 'revenue falls'}\n",
                    encoding="utf-8")
    with pytest.raises(UserError, match=r"is not <figure> <op> <number>\[%\]"):
        load_recipients(path)


def test_send_tells_the_operators_of_each_failed_delivery(demo_run, folder, tmp_path, mailbox):
    import os
    import subprocess

    from demo_project import CLI

    handler, settings = mailbox
    recipients = tmp_path / "recipients.yaml"
    recipients.write_text("operators:\n  - {name: 运维, email: ops@example.com}\n"
                          "recipients:\n  - {name: A, email: a@example.com, region: east}\n"
                          "  - {name: B, email: b@example.com, region: atlantis}\n", encoding="utf-8")
    env = {"CUSTREPORT_SMTP_HOST": "127.0.0.1", "CUSTREPORT_SMTP_PORT": str(settings.port),
           "CUSTREPORT_SMTP_SECURITY": "none", "CUSTREPORT_SMTP_FROM": "reports@example.com"}
    result = subprocess.run([CLI, "send", "--period", PERIOD, "--out", str(folder.parent), "--recipients",
                             str(recipients)], cwd=demo_run, capture_output=True, text=True, timeout=300,
                            env={**os.environ, **env})
    assert result.returncode == 1, result.stdout + result.stderr
    messages = by_recipient(handler.messages)
    assert set(messages) == {"a@example.com", "ops@example.com"}
    body = messages["ops@example.com"].get_body(("plain",)).get_content()
    assert "mail to b@example.com (atlantis): unknown region 'atlantis'" in body
    assert messages["ops@example.com"]["Subject"] == "custreport send 2025-Q4: 1 failure(s)"
    assert "operators: sent ops@example.com" in result.stdout


def test_a_period_rendered_again_after_it_was_sent_says_so_when_skipped(folder, regions, mailbox):
    handler, settings = mailbox
    east = RECIPIENTS[:1]
    assert send_period(folder, east, regions, settings).deliveries[0].status == "sent"
    assert send_period(folder, east, regions, settings).deliveries[0].detail == "already sent (--resend sends again)"
    pdf = folder / "east" / "summary.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n%% rendered again\n")   # new data: the report was rendered again
    skipped = send_period(folder, east, regions, settings).deliveries[0]
    assert skipped.status == "skipped" and len(handler.messages) == 1
    assert "but summary.pdf changed since (rendered again): --resend sends the corrected reports" in skipped.detail


# --------------------------------------------------------------------------- once: faults around DATA


def scripted_settings(server: ScriptedSmtp) -> SmtpSettings:
    # a short timeout, so that a reply that never comes costs a second
    return SmtpSettings("127.0.0.1", server.port, "none", "reports@example.com", retry_seconds=0.01, timeout=1.0)


def ledger_status(folder: Path, recipient: str) -> set[str]:
    import json

    entries = json.loads((folder / "sent.json").read_text(encoding="utf-8"))["sent"]
    return {entry["status"] for key, entry in entries.items() if key.endswith(f"|{recipient}")}


@pytest.mark.hostile(expect="ok", risk="wrong")
@pytest.mark.parametrize("fault", ["quit_421", "quit_drop"])
def test_a_message_the_server_accepted_is_sent_once_whatever_quit_does(folder, regions, fault):
    east = RECIPIENTS[:1]
    with ScriptedSmtp(fault, fault) as server:
        settings = scripted_settings(server)
        (delivery,) = send_period(folder, east, regions, settings).deliveries
        assert delivery.status == "sent" and len(server.messages) == 1 and server.connections == 1
        assert ledger_status(folder, "east@example.com") == {"sent"}
        assert send_period(folder, east, regions, settings).deliveries[0].status == "skipped"
        assert len(server.messages) == 1
        assert send_period(folder, east, regions, settings, resend=True).deliveries[0].status == "sent"
        assert len(server.messages) == 2 and server.connections == 2


@pytest.mark.hostile(expect="ok", risk="wrong")
@pytest.mark.parametrize("fault", ["slow_reply", "drop_after_body"])
def test_a_message_sent_whole_without_an_answer_is_uncertain_and_never_sent_blindly(folder, regions, fault):
    east = RECIPIENTS[:1]
    with ScriptedSmtp(fault) as server:
        settings = scripted_settings(server)
        summary = send_period(folder, east, regions, settings)
        (delivery,) = summary.deliveries
        assert delivery.status == "uncertain" and not summary.ok
        assert len(server.messages) == 1 and server.connections == 1       # not retried
        assert delivery.detail.startswith("maybe delivered: the connection failed after the message was sent")
        assert "check with the recipient or the mail server's log" in delivery.detail
        assert "`custreport send --resend` sends it again" in delivery.detail
        assert summary.attention() == [f"mail to east@example.com (east): {delivery.detail}"]
        assert "0 failed, 1 uncertain" in summary.lines()[0]
        assert ledger_status(folder, "east@example.com") == {"uncertain"}
        later = send_period(folder, east, regions, settings)
        assert later.ok and later.deliveries[0].status == "skipped" and server.connections == 1
        assert later.deliveries[0].detail.startswith("maybe delivered ")
        assert "--resend` sends it again" in later.deliveries[0].detail
        again = send_period(folder, east, regions, settings, resend=True)
        assert again.deliveries[0].status == "sent" and len(server.messages) == 2
        assert ledger_status(folder, "east@example.com") == {"sent"}


@pytest.mark.hostile(expect="ok", risk="wrong")
def test_faults_before_the_message_was_complete_are_retried_and_it_arrives_once(folder, regions):
    with ScriptedSmtp("mail_421", "drop_before_data") as server:
        (delivery,) = send_period(folder, RECIPIENTS[:1], regions, scripted_settings(server)).deliveries
    assert delivery.status == "sent" and server.connections == 3 and len(server.messages) == 1


def test_the_message_id_is_the_same_for_the_same_message_and_new_for_new_reports(folder, regions):
    from custreport.delivery import build_message

    east, north = RECIPIENTS[0], RECIPIENTS[1]
    first = build_message(folder, east, "east", regions, "Reports <reports@example.com>")["Message-ID"]
    assert first == build_message(folder, east, "east", regions, "reports@example.com")["Message-ID"]
    assert first.startswith("<custreport.") and first.endswith("@example.com>")
    assert build_message(folder, north, "north", regions, "reports@example.com")["Message-ID"] != first
    pdf = folder / "east" / "summary.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n%% rendered again\n")
    assert build_message(folder, east, "east", regions, "reports@example.com")["Message-ID"] != first


def test_the_ledger_keeps_the_message_id_the_recipient_got(folder, regions):
    import json

    with ScriptedSmtp() as server:
        send_period(folder, RECIPIENTS[:1], regions, scripted_settings(server))
    (received,) = server.parsed()
    entries = json.loads((folder / "sent.json").read_text(encoding="utf-8"))["sent"]
    assert {entry["message_id"] for entry in entries.values()} == {received["Message-ID"]}


def test_smtp_timeout_and_plain_login_settings():
    base = {"CUSTREPORT_SMTP_HOST": "mail.example.com", "CUSTREPORT_SMTP_FROM": "r@example.com"}
    assert SmtpSettings.from_env(base).timeout == 30
    assert SmtpSettings.from_env({**base, "CUSTREPORT_SMTP_TIMEOUT": "1.5"}).timeout == 1.5
    with pytest.raises(UserError, match="CUSTREPORT_SMTP_TIMEOUT=0: "):
        SmtpSettings.from_env({**base, "CUSTREPORT_SMTP_TIMEOUT": "0"})
    plain = {**base, "CUSTREPORT_SMTP_SECURITY": "none", "CUSTREPORT_SMTP_USER": "u", "CUSTREPORT_SMTP_PASSWORD": "p"}
    with pytest.raises(UserError, match="would send the password unencrypted: use starttls or ssl, or set "
                                        "CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH=1"):
        SmtpSettings.from_env(plain)
    allowed = SmtpSettings.from_env({**plain, "CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH": "1"})
    assert allowed.warnings() == ["warning: CUSTREPORT_SMTP_SECURITY=none: the SMTP user and password travel "
                                  "unencrypted to mail.example.com:25 (allowed by CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH=1)"]
    assert SmtpSettings.from_env({**base, "CUSTREPORT_SMTP_SECURITY": "none"}).warnings() == []
    assert SmtpSettings.from_env({**plain, "CUSTREPORT_SMTP_SECURITY": "starttls"}).warnings() == []


@pytest.mark.hostile(expect="ok", risk="wrong")
def test_send_command_reports_an_uncertain_delivery_and_a_later_send_does_not_repeat_it(demo_run, folder, tmp_path):
    import os
    import subprocess

    from demo_project import CLI

    recipients = tmp_path / "recipients.yaml"
    recipients.write_text("operators:\n  - {name: Ops, email: ops@example.com}\n"
                          "recipients:\n  - {name: A, email: a@example.com, region: east}\n", encoding="utf-8")
    with ScriptedSmtp("drop_after_body") as server:
        env = {**os.environ, "CUSTREPORT_SMTP_HOST": "127.0.0.1", "CUSTREPORT_SMTP_PORT": str(server.port),
               "CUSTREPORT_SMTP_SECURITY": "none", "CUSTREPORT_SMTP_FROM": "reports@example.com",
               "CUSTREPORT_SMTP_TIMEOUT": "1", "CUSTREPORT_SMTP_RETRY_SECONDS": "0.01"}
        command = [CLI, "send", "--period", PERIOD, "--out", str(folder.parent), "--recipients", str(recipients)]
        first = subprocess.run(command, cwd=demo_run, capture_output=True, text=True, timeout=300, env=env)
        assert first.returncode == 1, first.stdout + first.stderr
        assert "0 failed, 1 uncertain" in first.stdout and "uncertain a@example.com" in " ".join(first.stdout.split())
        assert len(server.to("a@example.com")) == 1
        (notice,) = server.to("ops@example.com")
        assert notice["Subject"] == f"custreport send {PERIOD}: 1 failure(s)"
        body = notice.get_body(("plain",)).get_content()
        assert "mail to a@example.com (east): maybe delivered" in body and "--resend" in body
        second = subprocess.run(command, cwd=demo_run, capture_output=True, text=True, timeout=300, env=env)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "1 skipped" in second.stdout and "maybe delivered" in second.stdout
        assert len(server.to("a@example.com")) == 1 and len(server.messages) == 2


# --------------------------------------------------------------------------- a rep's own fix list


def east_reps(demo_run) -> list[tuple[str, str]]:
    """(rep_id, name) of the demo's reps selling in the east, by rep_id."""
    from custreport import store

    reps = store.read_table(store.current_snapshot(demo_run / "data" / "clean"), "reps")
    east = reps[reps["region"] == "east"].sort_values("rep_id")
    return list(zip(east["rep_id"], east["name"]))


def test_a_rep_gets_their_own_fix_list_and_no_one_elses(demo_run, folder, regions, mailbox):
    from openpyxl import load_workbook

    handler, settings = mailbox
    (first_id, first_name), (second_id, second_name) = east_reps(demo_run)[:2]
    recipients = [
        Recipient(name=first_name, email="rep1@example.com", region="east", rep=first_id, attach=["pdf", "fix_list"]),
        Recipient(name=second_name, email="rep2@example.com", region="华东", rep=f" {second_name} ",
                  attach=["fix_list"]),
        Recipient(name="华东区经理", email="boss@example.com", region="east", rep="unassigned", attach=["fix_list"]),
        # a reader of the whole company may get any rep's list: from the rep's region
        Recipient(name="王总", email="ceo@example.com", region="all", rep=second_id, attach=["fix_list"])]
    summary = send_period(folder, recipients, regions, settings)
    assert [d.status for d in summary.deliveries] == ["sent"] * 4, summary.lines()
    got = by_recipient(handler.messages)
    lists = folder / "east" / "fix_lists"
    for address, rep_id, expected in (("rep1@example.com", first_id, [f"east-{PERIOD}-summary.pdf"]),
                                      ("rep2@example.com", second_id, []), ("boss@example.com", None, [])):
        attached = {part.get_filename(): part.get_content() for part in got[address].iter_attachments()}
        name = f"{rep_id}.xlsx" if rep_id else "unassigned.xlsx"
        assert list(attached) == [*expected, f"east-{PERIOD}-fix_list-{name}"]
        assert attached[f"east-{PERIOD}-fix_list-{name}"] == (lists / name).read_bytes()   # masked as written
    (company,) = got["ceo@example.com"].iter_attachments()
    assert company.get_filename() == f"all-{PERIOD}-fix_list-{second_id}.xlsx"
    assert company.get_content() == (lists / f"{second_id}.xlsx").read_bytes()
    cover = load_workbook(io.BytesIO((lists / f"{first_id}.xlsx").read_bytes())).worksheets[0]
    assert cover["A1"].value == f"待修正数据清单 · {first_name}（{first_id}） · {PERIOD}"
    assert "附件：经营概览、待修正数据清单" in got["rep1@example.com"].get_body(("plain",)).get_content()
    # sent once: the fix list is in the ledger with the reports
    again = send_period(folder, recipients[:1], regions, settings)
    assert again.deliveries[0].status == "skipped" and len(handler.messages) == 4
    (lists / f"{first_id}.xlsx").write_bytes((lists / f"{first_id}.xlsx").read_bytes() + b"\0")
    assert f"but {first_id}.xlsx changed since" in send_period(folder, recipients[:1], regions, settings).deliveries[0].detail


def test_a_rep_the_reps_table_does_not_know_or_of_another_region_fails_that_recipient_in_one_line(
        demo_run, folder, regions, mailbox, tmp_path):
    handler, settings = mailbox
    (rep_id, _), *_ = east_reps(demo_run)
    path = tmp_path / "recipients.yaml"
    path.write_text("recipients:\n"
                    "  - {name: A, email: a@example.com, region: east}\n"
                    "  - {name: B, email: b@example.com, region: east, rep: 查无此人, attach: [fix_list]}\n"
                    f"  - {{name: C, email: c@example.com, region: south, rep: {rep_id}, attach: [pdf, fix_list]}}\n",
                    encoding="utf-8")
    summary = send_period(folder, load_recipients(path).recipients, regions, settings)
    assert [d.status for d in summary.deliveries] == ["sent", "failed", "failed"]
    assert summary.deliveries[1].detail == (f"{path}: recipients.1 (b@example.com): rep '查无此人' is not in the reps "
                                            f"table of {PERIOD}'s reports: give a rep_id or name from it (or "
                                            "unassigned)")
    assert summary.deliveries[2].detail == (f"{path}: recipients.2 (c@example.com): rep '{rep_id}' ({rep_id}) sells "
                                            "in region east, not south: their fix list is in east's reports; set "
                                            "region: east (or all)")
    assert set(by_recipient(handler.messages)) == {"a@example.com"}


def test_a_fix_list_without_a_rep_is_a_one_line_error_naming_the_file_and_entry(tmp_path):
    path = tmp_path / "recipients.yaml"
    path.write_text("recipients:\n  - {name: A, email: a@example.com, region: east, attach: [pdf, fix_list]}\n",
                    encoding="utf-8")
    with pytest.raises(UserError, match=r"recipients\.yaml: recipients\.0: Value error, attach: fix_list needs rep: "
                                        r"the rep \(rep_id or name\) whose own fix list this recipient gets"):
        load_recipients(path)
    path.write_text("recipients:\n  - {name: A, email: a@example.com, region: east, attach: [fixlist], rep: S1}\n",
                    encoding="utf-8")
    with pytest.raises(UserError, match=r"recipients\.0\.attach\.0: Input should be 'pdf', 'xlsx' or 'fix_list'"):
        load_recipients(path)


def test_one_address_getting_two_reps_fix_lists_has_a_ledger_entry_for_each():
    from custreport.delivery.ledger import recipient_keys

    manager = {"name": "华东区经理", "email": "east@example.com", "region": "east", "attach": ["fix_list"]}
    first = recipient_keys(Recipient(**manager, rep="S1"), "east", "2025-Q4")
    second = recipient_keys(Recipient(**manager, rep="S2"), "east", "2025-Q4")
    assert first[0] == second[0] and first[1] != second[1]   # the summary once; each list apart
