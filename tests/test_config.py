"""Tests for custreport.config: finding the project, reading YAML, regions and sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from custreport.analysis_settings import load_analysis
from custreport.config import (IndustryTable, RegionTable, UserError, default_store, fold_text, load_industries,
                               load_regions, load_sources, project_root, read_yaml)
from custreport.fx import load_fx
from custreport.stages import StageCatalog, StageList, load_stages

from conftest import REGIONS_YAML


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- project_root ----------------------------------------------------------


def test_project_root_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    # No params/ needed: the variable wins outright.
    assert project_root() == tmp_path.resolve()
    assert default_store() == tmp_path.resolve() / "data" / "clean"


def test_project_root_walks_up_to_params(tmp_path, monkeypatch):
    monkeypatch.delenv("CUSTREPORT_HOME", raising=False)
    write(tmp_path / "params" / "regions.yaml", "regions: []\n")
    deep = tmp_path / "notebooks" / "q3" / "east"
    deep.mkdir(parents=True)
    assert project_root(deep) == tmp_path.resolve()
    monkeypatch.chdir(deep)
    assert project_root() == tmp_path.resolve()


def test_project_root_ignores_params_without_regions(tmp_path, monkeypatch):
    monkeypatch.delenv("CUSTREPORT_HOME", raising=False)
    # An outer project whose inner folder has an unrelated params/ folder.
    write(tmp_path / "params" / "regions.yaml", "regions: []\n")
    inner = tmp_path / "sub"
    (inner / "params").mkdir(parents=True)
    assert project_root(inner) == tmp_path.resolve()


def test_project_root_not_found(tmp_path, monkeypatch):
    monkeypatch.delenv("CUSTREPORT_HOME", raising=False)
    lonely = tmp_path / "nowhere"
    lonely.mkdir()
    # tmp_path lives under /tmp, which has no params/regions.yaml in any ancestor.
    with pytest.raises(UserError, match="no custreport project found.*CUSTREPORT_HOME"):
        project_root(lonely)


# -- read_yaml -------------------------------------------------------------


def test_read_yaml_mapping_and_empty(tmp_path):
    assert read_yaml(write(tmp_path / "a.yaml", "a: 1\nb: [x, y]\n")) == {"a": 1, "b": ["x", "y"]}
    assert read_yaml(write(tmp_path / "empty.yaml", "# only a comment\n")) == {}


def test_read_yaml_missing_file(tmp_path):
    path = tmp_path / "gone.yaml"
    with pytest.raises(UserError) as info:
        read_yaml(path)
    assert str(info.value) == f"{path}: file not found"


def test_read_yaml_syntax_error_names_file_and_line(tmp_path):
    # The unclosed flow list on line 1 is only detected at the ':' on line 2.
    path = write(tmp_path / "bad.yaml", "a: [1, 2\nb: 3\n")
    with pytest.raises(UserError) as info:
        read_yaml(path)
    message = str(info.value)
    assert message.startswith(f"{path}: line 2 column ")
    assert "invalid YAML" in message
    assert "\n" not in message


def test_read_yaml_not_utf8(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("区域: 华东\n".encode("gbk"))
    with pytest.raises(UserError, match=r"gbk\.yaml: not UTF-8 text"):
        read_yaml(path)


def test_read_yaml_top_level_must_be_mapping(tmp_path):
    path = write(tmp_path / "list.yaml", "- 1\n- 2\n")
    with pytest.raises(UserError, match=r"list\.yaml: expected a mapping at the top level, found list"):
        read_yaml(path)


# -- regions ---------------------------------------------------------------


def test_fold_text():
    assert fold_text(" Ｓｈａｎｇｈａｉ ") == "shanghai"
    assert fold_text("East  China") == "eastchina"


@pytest.mark.parametrize("typed, code", [
    # region names, codes and aliases
    ("华东", "east"), ("华东区", "east"), ("East China", "east"), ("EAST", "east"), ("south", "south"),
    ("西南地区", "southwest"), ("Northeast", "northeast"),
    # provinces, with and without their administrative suffix
    ("浙江", "east"), ("浙江省", "east"), ("上海市", "east"), ("北京市", "north"),
    ("广西壮族自治区", "south"), ("广西", "south"), ("新疆维吾尔自治区", "northwest"),
    ("宁夏回族自治区", "northwest"), ("内蒙古自治区", "north"), ("西藏自治区", "southwest"),
    ("香港特别行政区", "south"),
    # one-character short names
    ("沪", "east"), ("粤", "south"), ("浙", "east"), ("川", "southwest"),
    # cities, with and without 市
    ("杭州", "east"), ("杭州市", "east"), ("深圳市", "south"), ("哈尔滨", "northeast"),
    # English province and city names, any case
    ("Guangdong", "south"), ("guangdong province", "south"), ("Hangzhou", "east"), ("CHENGDU", "southwest"),
    # full-width letters and surrounding spaces
    ("Ｓｈａｎｇｈａｉ", "east"), ("  广东  ", "south"), ("ＨＫ", "south"),
])
def test_resolve_known_places(regions, typed, code):
    assert regions.resolve(typed) == code


@pytest.mark.parametrize("typed", ["火星", "Atlantis", "", "   ", None, 12, float("nan")])
def test_resolve_unknown_is_none(regions, typed):
    assert regions.resolve(typed) is None


def test_resolve_province_returns_canonical_name(regions):
    assert regions.resolve_province("杭州市") == ("east", "浙江")
    assert regions.resolve_province("广东省") == ("south", "广东")
    assert regions.resolve_province("Canton") == ("south", "广东")
    # A region name is not a province.
    assert regions.resolve_province("华东") is None


def test_region_table_codes_and_names(regions):
    assert regions.codes == ["east", "south", "north", "central", "southwest", "northwest", "northeast"]
    assert regions.display_name("east") == "华东"
    assert regions.display_name("east", "en") == "East China"
    assert regions.display_name("all") == "全公司"
    assert regions.display_name("all", "en") == "Company-wide"
    assert regions.display_name("unknown") == "未知区域"
    with pytest.raises(KeyError):
        regions.by_code("mars")


@pytest.mark.parametrize("typed, code", [
    ("all", "all"), ("ALL", "all"), ("全公司", "all"), ("全部", "all"),
    ("unknown", "unknown"), ("未知区域", "unknown"), ("Unknown region", "unknown"),
    ("east", "east"), ("华南", "south"), ("华北大区", "north"), ("Central China", "central"),
])
def test_region_param_accepts(regions, typed, code):
    assert regions.region_param(typed) == code


def test_region_param_rejects_with_known_codes(regions):
    with pytest.raises(UserError) as info:
        regions.region_param("mars")
    message = str(info.value)
    assert "'mars'" in message
    for code in regions.codes:
        assert code in message
    assert "east (华东)" in message and "all" in message and "unknown" in message


def test_region_param_province_is_not_a_region(regions):
    # Reports are per region; a province name is a mistake to report, not to guess.
    with pytest.raises(UserError):
        regions.region_param("浙江")


@pytest.mark.parametrize("code", ["../east", "../../etc", "..", "east/../../x", "/etc", "east\\..", "华东", ""])
def test_region_code_must_be_path_safe(tmp_path, code):
    # codes name folders under outputs/<period>/: none may climb out of it
    path = write(tmp_path / "regions.yaml", f"regions:\n  - {{code: '{code}', zh: 华东, en: East}}\n")
    with pytest.raises(UserError, match=r"regions\.yaml: regions\.0\.code: .*must be ASCII"):
        load_regions(path)


def test_unknown_region_code_must_be_path_safe(tmp_path):
    path = write(tmp_path / "regions.yaml", "unknown: {code: ../../etc}\nregions:\n  - {code: east, zh: 华东, en: East}\n")
    with pytest.raises(UserError, match=r"unknown\.code"):
        load_regions(path)


@pytest.mark.parametrize("typed", ["../../etc", "../east", "east/../..", "/etc/passwd"])
def test_a_region_parameter_that_is_a_path_is_an_unknown_region(regions, typed):
    # --regions and the notebooks' region parameter only ever become a code of the table
    with pytest.raises(UserError, match="unknown region"):
        regions.region_param(typed)


def test_load_regions_missing_and_unknown_key(tmp_path):
    with pytest.raises(UserError, match="file not found"):
        load_regions(tmp_path / "none.yaml")
    path = write(tmp_path / "regions.yaml", "regions:\n  - {code: east, zh: 华东, en: East, colour: red}\n")
    with pytest.raises(UserError, match=r"regions\.0\.colour"):
        load_regions(path)


def test_load_regions_real_file_is_a_region_table():
    table = load_regions(REGIONS_YAML)
    assert isinstance(table, RegionTable)
    assert table.unknown.code == "unknown"


# -- industries ------------------------------------------------------------


def test_load_industries_without_a_file_is_an_empty_table(tmp_path):
    assert load_industries(tmp_path / "industries.yaml") == IndustryTable()


def test_load_industries_errors_name_the_file_and_the_entry(tmp_path):
    path = write(tmp_path / "industries.yaml", "industries:\n  - {code: a, zh: 甲, en: A, aliases: [X]}\n"
                                                "  - {code: b, zh: 乙, en: B, aliases: [x]}\n")
    with pytest.raises(UserError, match=r"industries\.yaml: .*'x' names two industries: a and b"):
        load_industries(path)
    write(path, "industries:\n  - {code: a, zh: 甲}\n")
    with pytest.raises(UserError, match=r"industries\.yaml: industries\.0\.en: Field required"):
        load_industries(path)


def test_the_projects_industries_name_both_languages_of_the_demo_data_as_one():
    from custreport.demo.industries import _INDUSTRIES

    table = load_industries(REGIONS_YAML.with_name("industries.yaml"))
    for industry in _INDUSTRIES:
        assert table.name_for(industry.zh, "en") == table.name_for(industry.en, "en") == industry.en
        assert table.name_for(industry.en, "zh") == industry.zh


# -- sources ---------------------------------------------------------------


SOURCES = """\
defaults:
  date_order: day-first
  phone_region: HK
keep_snapshots: 3
sources:
  - name: crm
    path: data/crm.csv
    table: customers
  - name: orders
    path: data/orders*.csv
    table: orders
    date_order: month-first
    currency: USD
"""


def test_load_sources_applies_defaults_and_base(tmp_path):
    path = write(tmp_path / "params" / "sources.yaml", SOURCES)
    config, base = load_sources(path)
    assert base == tmp_path.resolve()
    assert config.keep_snapshots == 3
    crm, orders = config.sources
    assert (crm.date_order, crm.phone_region, crm.currency) == ("day-first", "HK", "CNY")
    assert (orders.date_order, orders.phone_region, orders.currency) == ("month-first", "HK", "USD")
    assert crm.sheets == "all" and crm.encoding == "auto" and crm.delimiter == ","
    assert crm.header_row is None and crm.columns is None and crm.column_map == {}


@pytest.mark.parametrize("defaults, own, expected", [
    ("", "", 0.01),                                    # the built-in limit: 1 %
    ("  max_quarantined: 5%\n", "", 0.05),             # a percentage under defaults:
    ("  max_quarantined: 5%\n", "    max_quarantined: 0.2\n", 0.2),  # a share on the source wins
])
def test_max_quarantined_reads_a_share_or_a_percentage(tmp_path, defaults, own, expected):
    text = f"defaults:\n  currency: CNY\n{defaults}sources:\n  - name: crm\n    path: a.csv\n    table: customers\n{own}"
    config, _ = load_sources(write(tmp_path / "params" / "sources.yaml", text))
    assert config.sources[0].max_quarantined == pytest.approx(expected)


@pytest.mark.parametrize("value", ["150%", "-0.1", "lots%"])
def test_max_quarantined_outside_0_to_100_percent_is_one_line(tmp_path, value):
    text = f"sources:\n  - {{name: crm, path: a.csv, table: customers, max_quarantined: '{value}'}}\n"
    with pytest.raises(UserError, match="max_quarantined"):
        load_sources(write(tmp_path / "params" / "sources.yaml", text))


def test_na_values_per_source_or_from_defaults(tmp_path):
    text = ("defaults:\n  na_values: [TBD]\nsources:\n  - {name: a, path: a.csv, table: customers}\n"
            "  - {name: b, path: b.csv, table: customers, na_values: [None, '?']}\n")
    config, _ = load_sources(write(tmp_path / "params" / "sources.yaml", text))
    assert [s.na_values for s in config.sources] == [["TBD"], ["None", "?"]]


def test_vocabulary_project_wide_and_per_source(tmp_path):
    text = ("vocabulary:\n  order_status: {In Process: completed, Disputed: cancelled}\n"
            "sources:\n  - {name: a, path: a.csv, table: orders}\n"
            "  - {name: b, path: b.csv, table: orders, vocabulary: {order_status: {Disputed: returned}}}\n")
    config, _ = load_sources(write(tmp_path / "params" / "sources.yaml", text))
    assert config.sources[0].vocabulary.order_status == {"In Process": "completed", "Disputed": "cancelled"}
    assert config.sources[1].vocabulary.order_status == {"In Process": "completed", "Disputed": "returned"}


def test_vocabulary_target_outside_the_canonical_values_is_one_line(tmp_path):
    text = "vocabulary:\n  order_status: {On Hold: paused}\nsources:\n  - {name: a, path: a.csv, table: orders}\n"
    with pytest.raises(UserError, match=r"sources.yaml.*vocabulary.*order_status") as error:
        load_sources(write(tmp_path / "params" / "sources.yaml", text))
    assert "\n" not in str(error.value)


def test_load_sources_outside_params_uses_its_own_folder(tmp_path):
    path = write(tmp_path / "cfg" / "sources.yaml", SOURCES)
    _, base = load_sources(path)
    assert base == (tmp_path / "cfg").resolve()


def test_load_sources_from_project_root(tmp_path, monkeypatch):
    write(tmp_path / "params" / "sources.yaml", SOURCES)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    config, base = load_sources()
    assert base == tmp_path.resolve()
    assert [s.name for s in config.sources] == ["crm", "orders"]


def test_load_sources_rejects_duplicate_names(tmp_path):
    path = write(tmp_path / "params" / "sources.yaml", """\
sources:
  - {name: crm, path: a.csv, table: customers}
  - {name: crm, path: b.csv, table: orders}
""")
    with pytest.raises(UserError) as info:
        load_sources(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert "'crm' is used twice" in message


def test_load_sources_bad_table_names_file_and_key(tmp_path):
    path = write(tmp_path / "params" / "sources.yaml", """\
sources:
  - {name: crm, path: a.csv, table: customers}
  - {name: ord, path: b.csv, table: custommers}
""")
    with pytest.raises(UserError) as info:
        load_sources(path)
    message = str(info.value)
    assert message.startswith(f"{path}: sources.1.table:")
    assert "customers" in message and "\n" not in message


@pytest.mark.parametrize("body, key", [
    ("sources:\n  - {name: a, path: a.csv, table: customers, bogus: 1}\n", "sources.0.bogus"),
    ("sources:\n  - {name: a, path: a.csv, table: orders, header_row: 0}\n", "sources.0.header_row"),
    ("sources:\n  - {name: a, path: a.csv, table: orders, date_order: sideways}\n", "sources.0.date_order"),
    ("sources:\n  - {name: '  ', path: a.csv, table: orders}\n", "sources.0.name"),
    ("sources:\n  - {path: a.csv, table: orders}\n", "sources.0.name"),
    ("keep_snapshots: 0\nsources: []\n", "keep_snapshots"),
    ("sourcez: []\n", "sources"),
])
def test_load_sources_errors_name_the_key(tmp_path, body, key):
    path = write(tmp_path / "params" / "sources.yaml", body)
    with pytest.raises(UserError) as info:
        load_sources(path)
    assert str(info.value).startswith(f"{path}: {key}")


def test_load_sources_trims_names(tmp_path):
    path = write(tmp_path / "params" / "sources.yaml", "sources:\n  - {name: ' crm ', path: a.csv, table: reps}\n")
    config, _ = load_sources(path)
    assert config.sources[0].name == "crm"


def test_a_folder_given_as_config_is_a_user_error(tmp_path):
    from custreport.config import read_yaml

    with pytest.raises(UserError, match="cannot read"):
        read_yaml(tmp_path)


def test_delimiter_must_be_one_character_or_whitespace(tmp_path):
    (tmp_path / "params").mkdir()
    path = tmp_path / "params" / "sources.yaml"
    path.write_text("sources:\n  - {name: a, path: x.csv, table: orders, delimiter: '||'}\n", encoding="utf-8")
    with pytest.raises(UserError, match="delimiter"):
        load_sources(path)


# -- deal stages -------------------------------------------------------------


STAGES_YAML = REGIONS_YAML.parent / "stages.yaml"

STAGES = """\
default: cn
lists:
  cn:
    open: [初步接触, 需求确认, 商务谈判]
    won: [赢单]
    lost: [输单]
    aliases: {成交: 赢单}
  en:
    open: [Lead, Demo, Offer]
    won: [Won]
    lost: [Lost, Lost to Competitor]
    lost_reached: demo
sources:
  crm_deals: en
"""


def test_load_stages_reads_lists_and_names_them(tmp_path):
    catalog = load_stages(write(tmp_path / "stages.yaml", STAGES))
    assert isinstance(catalog, StageCatalog)
    assert [stage_list.name for stage_list in catalog.lists.values()] == ["cn", "en"]
    en = catalog.lists["en"]
    assert en.lost_reached == "Demo"             # typed "demo": stored as the list spells it
    assert en.lost_reached_position == 1
    assert catalog.lists["cn"].lost_reached_position == 0
    assert en.labels == ["Lead", "Demo", "Offer", "Won"]


def test_stage_position_folds_case_space_and_width():
    stages = StageList(name="x", open=["Needs Analysis", "Proposal/Price Quote"], won=["Closed Won"],
                       lost=["Closed Lost"], aliases={"signed": "closed won"})
    assert stages.position("needs  analysis") == 0
    assert stages.position(" PROPOSAL/PRICE QUOTE ") == 1
    assert stages.position("ＣＬＯＳＥＤ　ＷＯＮ") == 2       # full-width letters and space
    assert stages.position("Signed") == 2                      # alias
    assert stages.position("closed lost") == -1
    assert stages.position("On Hold") is None
    assert stages.position(None) is None
    assert stages.canonical("signed") == "Closed Won" and stages.canonical("x") is None
    assert stages.aliases == {"signed": "Closed Won"}


def test_for_source_override_then_most_recognised_then_default(tmp_path):
    catalog = load_stages(write(tmp_path / "stages.yaml", STAGES))
    assert catalog.for_source("crm_deals", ["初步接触"]).name == "en"        # the override wins
    assert catalog.for_source("other", ["Lead", "Won", "Lost", "赢单"]).name == "en"   # 3 against 1
    assert catalog.for_source("other", ["Won", "赢单"]).name == "cn"         # tie: the default
    assert catalog.for_source("other", ["Paused"]).name == "cn"              # nothing known
    assert catalog.for_source("other", []).name == "cn"


def test_for_source_tie_without_default_goes_to_file_order(tmp_path):
    text = STAGES.replace("default: cn", "default: third") + """\
  third:
    open: [Start]
    won: [Done]
"""
    text = text.replace("sources:\n  crm_deals: en\n", "") + "sources: {}\n"
    catalog = load_stages(write(tmp_path / "stages.yaml", text))
    # "Lead" is known to en only; "Won" to en only; "成交" to cn only: en 2, cn 1, third 0.
    assert catalog.for_source("s", ["Lead", "Won", "成交"]).name == "en"
    # "赢单" to cn, "Won" to en: a tie without the default -> the first in file order.
    assert catalog.for_source("s", ["赢单", "Won"]).name == "cn"


def test_real_stages_file_recognises_the_example_exports():
    import csv

    catalog = load_stages(STAGES_YAML)
    assert catalog.default == "chinese"
    for folder, export, expected in [("salesforce", "opportunities.csv", "salesforce"),
                                     ("zoho", "Deals.csv", "zoho")]:
        path = STAGES_YAML.parents[1] / "tests" / "data" / folder / export
        with path.open(encoding="utf-8-sig") as handle:
            stages = [row["Stage"] for row in csv.DictReader(handle)]
        chosen = catalog.for_source("unnamed", stages)
        assert chosen.name == expected
        assert all(chosen.position(stage) is not None for stage in stages)
    assert catalog.for_source("sales_pipeline", []).name == "maven"
    assert catalog.lists["maven"].lost_reached_position == 1


def test_real_stages_file_names_the_example_deals_sources():
    examples = STAGES_YAML.parent / "examples"
    catalog = load_stages(STAGES_YAML)
    for source, list_name in catalog.sources.items():
        found = [spec for config in examples.glob("*.yaml") if "sources" in read_yaml(config)
                 for spec in load_sources(config)[0].sources if spec.name == source]
        assert [spec.table for spec in found] == ["deals"], source


@pytest.mark.parametrize("body, key", [
    (STAGES.replace("default: cn", "default: nope"), "default"),
    (STAGES.replace("crm_deals: en", "crm_deals: nope"), "sources"),
    (STAGES.replace("lost_reached: demo", "lost_reached: Won"), "lists.en.lost_reached"),
    (STAGES.replace("{成交: 赢单}", "{成交: 签约}"), "lists.cn.aliases"),
    (STAGES.replace("open: [Lead, Demo, Offer]", "open: []"), "lists.en.open"),
    (STAGES.replace("won: [Won]", "won: []"), "lists.en.won"),
    (STAGES.replace("open: [Lead, Demo, Offer]", "open: [Lead, Demo, lead]"), "lists.en"),
    (STAGES.replace("{成交: 赢单}", "{输单: 赢单}"), "lists.cn"),
    (STAGES.replace("    lost_reached: demo", "    colour: red"), "lists.en.colour"),
    (STAGES + "pipelines: {}\n", "pipelines"),
    ("lists: {}\ndefault: x\n", "lists"),
])
def test_load_stages_errors_name_file_and_key(tmp_path, body, key):
    path = write(tmp_path / "stages.yaml", body)
    with pytest.raises(UserError) as info:
        load_stages(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}:") and "\n" not in message


def test_load_stages_bad_yaml_and_missing_file(tmp_path):
    with pytest.raises(UserError, match="file not found"):
        load_stages(tmp_path / "none.yaml")
    path = write(tmp_path / "stages.yaml", "lists: [unclosed\n")
    with pytest.raises(UserError, match=r"stages\.yaml: line \d+ column \d+ invalid YAML"):
        load_stages(path)


def test_load_stages_cache_follows_the_file(tmp_path):
    import os

    path = write(tmp_path / "stages.yaml", STAGES)
    assert load_stages(path) is load_stages(path)
    write(path, STAGES.replace("default: cn", "default: en"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert load_stages(path).default == "en"


def test_load_stages_default_path(tmp_path, monkeypatch):
    write(tmp_path / "params" / "stages.yaml", STAGES)
    monkeypatch.setenv("CUSTREPORT_HOME", str(tmp_path))
    assert load_stages().default == "cn"


# -- privacy (params/analysis.yaml) ------------------------------------------


def test_contacts_are_masked_unless_the_analysis_file_says_otherwise(tmp_path):
    assert load_analysis(tmp_path / "none.yaml").privacy.show_full_contacts_in_workbook is False
    assert load_analysis(Path(__file__).resolve().parents[1] / "params" / "analysis.yaml").privacy \
        .show_full_contacts_in_workbook is False   # the shipped default
    path = write(tmp_path / "analysis.yaml", "privacy:\n  show_full_contacts_in_workbook: true\n")
    assert load_analysis(path).privacy.show_full_contacts_in_workbook is True


@pytest.mark.parametrize("body, message", [
    ("privacy:\n  show_full_contacts_in_workbook: 'yes'\n",
     r"analysis\.yaml: privacy\.show_full_contacts_in_workbook: Input should be a valid boolean"),
    ("privacy:\n  show_full_contacts_in_workbook: 1\n",
     r"privacy\.show_full_contacts_in_workbook: Input should be a valid boolean"),
    ("privacy:\n  show_full_contacts: true\n", r"privacy\.show_full_contacts: Extra inputs are not permitted"),
    ("privacy: true\n", r"analysis\.yaml: privacy: Input should be a valid dictionary"),
])
def test_the_privacy_setting_takes_a_yaml_boolean_only(tmp_path, body, message):
    # a quoted or misspelt switch must not open (or silently fail to open) the contacts
    with pytest.raises(UserError, match=message):
        load_analysis(write(tmp_path / "analysis.yaml", body))


# -- value (params/analysis.yaml) --------------------------------------------


def test_the_at_risk_band_of_the_analysis_file(tmp_path):
    shipped = load_analysis(Path(__file__).resolve().parents[1] / "params" / "analysis.yaml").value
    assert (shipped.at_risk_p_alive_min, shipped.at_risk_p_alive, shipped.at_risk_gap_factor) == (0.3, 0.8, 1.5)
    path = write(tmp_path / "analysis.yaml", "value:\n  at_risk_p_alive_min: 0.6\n  at_risk_p_alive: 0.5\n")
    with pytest.raises(UserError, match=r"analysis\.yaml: value: .*at_risk_p_alive_min \(0\.6\) must be below "
                                        r"at_risk_p_alive \(0\.5\)"):
        load_analysis(path)


# --------------------------------------------------------------------------- currencies and exchange rates


@pytest.mark.parametrize("where", ["defaults", "source"])
def test_currency_is_an_iso_4217_code(tmp_path, where):
    own = "    currency: usd\n" if where == "source" else ""
    defaults = "defaults:\n  currency: eur\n" if where == "defaults" else ""
    text = f"{defaults}sources:\n  - name: orders\n    path: a.csv\n    table: orders\n{own}"
    config, _ = load_sources(write(tmp_path / "params" / "sources.yaml", text))
    assert config.sources[0].currency == ("USD" if where == "source" else "EUR")   # case does not matter


@pytest.mark.parametrize("code, hint", [("RMB", "write CNY"), ("US Dollar", "such as CNY, USD"), ("XYZ", "such as CNY, USD")])
def test_unknown_currency_is_one_line(tmp_path, code, hint):
    text = f"sources:\n  - {{name: orders, path: a.csv, table: orders, currency: '{code}'}}\n"
    with pytest.raises(UserError, match=f"sources.0.currency: .*{code!r} is not an ISO 4217 code.*{hint}") as caught:
        load_sources(write(tmp_path / "params" / "sources.yaml", text))
    assert "\n" not in str(caught.value)


FX = """
reporting_currency: usd
rates:
  EUR:
    2024-01: 1.10
    2024-02: 1.08
    2024-02-29: 1.05
  GBP: {2024-01: 1.27}
"""


def test_load_fx_reads_rates_by_month_and_day(tmp_path):
    import pandas as pd

    fx = load_fx(write(tmp_path / "params" / "fx.yaml", FX))
    assert fx.reporting_currency == "USD" and set(fx.rates) == {"EUR", "GBP"}
    dates = pd.Series(pd.to_datetime(["2024-01-15", "2024-02-01", "2024-02-29", "2024-03-01"]))
    assert fx.rates_on("EUR", dates).tolist()[:3] == [1.10, 1.08, 1.05]   # the day's rate wins over its month's
    assert pd.isna(fx.rates_on("EUR", dates).iloc[3])                       # no March rate: missing, not 0 or 1
    assert fx.rates_on("USD", dates).tolist() == [1.0] * 4
    assert fx.latest_rate("EUR") == 1.05 and fx.latest_rate("JPY") is None


def test_without_fx_yaml_there_is_no_table(tmp_path):
    assert load_fx(tmp_path / "params" / "fx.yaml") is None


@pytest.mark.parametrize("text, message", [
    ("rates: {EUR: {2024-01: 1.1}}\n", "reporting_currency: Field required"),
    ("reporting_currency: RMB\n", "write CNY"),
    ("reporting_currency: USD\nrates: {EUR: {Jan 2024: 1.1}}\n", "'Jan 2024' is not a month"),
    ("reporting_currency: USD\nrates: {EUR: {2024-01: 0}}\n", "greater than 0"),
    ("reporting_currency: USD\nrates: {EUR: 1.1}\n", "give rates by month or day"),
])
def test_fx_mistakes_are_one_line(tmp_path, text, message):
    with pytest.raises(UserError, match=message):
        load_fx(write(tmp_path / "params" / "fx.yaml", text))


def test_a_stage_list_s_english_names_must_name_its_stages(tmp_path):
    from custreport.stages import load_stages

    path = tmp_path / "stages.yaml"
    path.write_text("default: a\nlists:\n  a: {open: [初步接触], won: [赢单], en: {赢单: Won, 签约: Signed}}\n",
                    encoding="utf-8")
    with pytest.raises(UserError, match=r"stages\.yaml: .*en: '签约' is not a stage of this list \(its stages: 初步接触, 赢单\)"):
        load_stages(path)
