"""The summary's front page: its model from metrics.json, and the rendered page of the demo."""
from __future__ import annotations

import json
import re

import pytest

from custreport.reporting.front_page import chosen_insights, front_page_model, region_rows, whole_figures

FIGURES = {
    "revenue": 1_200_000.0, "orders": 30, "aov": 40_000.0, "currency": "CNY",
    "customers": {"total": 50, "new": 5, "active": 40}, "deals": {"won": 3, "win_rate": 0.3, "pipeline_value": 9e5},
    "deltas": {"vs_previous": {"revenue": 0.2, "deals.win_rate": 0.05}, "vs_year_ago": {}},
    "targets": {"revenue": {"target": 1_000_000.0, "goal": 1_000_000.0, "attainment": 1.2, "met": True,
                            "prorated": 1.0, "actual": 1_200_000.0, "period": "2025-Q4"}},
    "headline": {"zh": "华东 2025-Q4 销售额 ¥120.0万", "en": "East 2025-Q4: revenue ¥1.2M"},
    "insights": [
        {"kind": "driver", "key": "industry", "score": 0.5, "rank": 1, "figures": {}, "text": {"zh": "甲", "en": "a"}},
        {"kind": "driver", "key": "channel", "score": 0.4, "rank": 2, "figures": {}, "text": {"zh": "乙", "en": "b"}},
        {"kind": "unusual", "key": "revenue", "score": 0.3, "rank": 3, "figures": {}, "text": {"zh": "丙", "en": "c"}},
        {"kind": "bridge", "key": "revenue", "score": 0.1, "rank": 4, "figures": {}, "text": {"zh": "丁", "en": "d"}},
    ],
    "by_region": [{"region": "east", "revenue": 1_200_000.0, "previous": 1e6, "change": 0.2, "win_rate": 0.3,
                   "win_rate_change": -0.02, "target": 1e6, "goal": 1e6, "attainment": 1.2}],
}


def test_the_front_page_shows_the_bridge_first_then_the_best_of_each_other_kind():
    assert [(r["kind"], r["key"]) for r in chosen_insights(FIGURES)] == [
        ("bridge", "revenue"), ("driver", "industry"), ("unusual", "revenue")]


def test_cards_carry_their_target_and_rate_changes_in_points():
    model = front_page_model(FIGURES, "zh", cards=("revenue", "win_rate"))
    revenue, win_rate = model["cards"]
    assert revenue["target"] == {"text": "目标 ¥100.0万 · 达成 120%", "met": True}
    assert win_rate["changes"][0] == ("环比", "+5.0个百分点", "good") and win_rate["target"] is None
    assert model["headline"] == "华东 2025-Q4 销售额 ¥120.0万"
    assert [i["text"] for i in model["insights"]] == ["丁", "甲", "丙"]


def test_the_region_table_reads_each_change_by_its_direction():
    row, = region_rows(FIGURES, "en", "CNY", {"east": "East China"})
    assert (row["region"], row["revenue"], row["change"], row["change_tone"]) == ("East China", "¥1.2M", "+20.0%", "good")
    assert (row["attainment"], row["attainment_tone"]) == ("120%", "good")
    assert (row["win_rate"], row["win_rate_change"], row["win_rate_tone"]) == ("30.0%", "-2.0 pp", "bad")


def test_amounts_and_changes_in_a_sentence_are_kept_whole():
    text = whole_figures("销售额较上期增加 ¥2,727万：老客户减购 −¥1,718万，赢单率 +3.1个百分点，12.5%，3.0×")
    assert re.findall(r'<span class="fig">([^<]+)</span>', text) == [
        "¥2,727万", "−¥1,718万", "+3.1个百分点", "12.5%", "3.0×"]


# --------------------------------------------------------------------------- rendered


def _pdf_pages(path) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    return ["".join(page.get_textpage().get_text_range().split()) for page in document]


def _squeezed(text: str) -> str:
    return "".join(text.split())


def test_the_east_summary_is_two_pages_at_most_and_its_first_holds_the_headline_and_three_insights(demo_run):
    folder = next((demo_run / "outputs").glob("*/east"))
    figures = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    pages = _pdf_pages(folder / "summary.pdf")
    assert len(pages) <= 2
    assert _squeezed(figures["headline"]["zh"]) in pages[0]
    shown = [r for r in chosen_insights(figures) if _squeezed(r["text"]["zh"]) in pages[0]]
    assert len(shown) >= 3, [r["text"]["zh"] for r in chosen_insights(figures)]


def test_the_company_summary_front_page_holds_the_table_by_region(demo_run):
    folder = next((demo_run / "outputs").glob("*/all"))
    figures = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    first = _pdf_pages(folder / "summary.pdf")[0]
    assert "各区域概况" in first and len(figures["by_region"]) >= 3
    names = {"east": "华东", "south": "华南", "north": "华北", "central": "华中", "southwest": "西南",
             "northwest": "西北", "northeast": "东北", "unknown": "未知区域"}
    for row in region_rows(figures, "zh", figures["currency"] or "CNY", names):
        assert _squeezed(f"{row['region']}{row['revenue']}{row['change']}") in first
    assert round(sum(row["revenue"] for row in figures["by_region"]), 2) == pytest.approx(figures["revenue"])


def test_the_mail_body_is_the_front_page_with_its_charts(demo_run):
    from custreport.config import load_regions
    from custreport.delivery.message import build_message
    from custreport.recipients import Recipient

    period = next((demo_run / "outputs").glob("*/east")).parent
    figures = json.loads((period / "east" / "metrics.json").read_text(encoding="utf-8"))
    message = build_message(period, Recipient(name="王经理", email="w@example.com", region="east"), "east",
                            load_regions(), None)
    body = message.get_body(("html",)).get_content()
    plain = message.get_body(("plain",)).get_content()
    assert figures["headline"]["zh"] in plain
    for record in chosen_insights(figures):
        assert record["text"]["zh"] in plain
    inline = [part.get_filename() for part in message.walk() if (part.get_filename() or "").startswith("insight-")]
    assert inline and all(f'cid:' in body for _ in inline)
    assert 'style="white-space:nowrap"' in body
