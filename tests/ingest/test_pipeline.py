"""Tests for custreport.ingest.pipeline on tiny projects written into tmp_path."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from custreport.files import file_sha256
from custreport import store
from custreport.config import SourcesConfig, load_regions, load_sources
from custreport.errors import UserError
from custreport.ingest import pipeline, read_all
from custreport.ingest.accounting import STATUSES
from custreport.ingest.pipeline import ingest, ingest_to_store

from conftest import REGIONS_YAML

# Two customer sources (CSV first, so it has priority), orders, deals and reps.
SOURCES_YAML = """\
defaults:
  max_quarantined: 100%    # tiny files whose bad rows are the point: quarantining them must not stop ingest
sources:
  - name: crm
    path: data/crm.csv
    table: customers
  - name: book
    path: data/book.xlsx
    table: customers
  - name: orders
    path: data/orders.csv
    table: orders
  - name: deals
    path: data/deals.csv
    table: deals
  - name: reps
    path: data/reps.csv
    table: reps
"""

CRM_CSV = (
    "客户名称,电话,省份,建档日期\n"                        # row 1
    "杭州华信科技有限公司,13800138000,浙江,2023-05-01\n"      # row 2
    "北京中关村软件,,北京,2022-01-01\n"                     # row 3
    ",13900139000,上海,\n"                                # row 4: no name -> quarantined
)

ORDERS_CSV = (
    "订单号,客户名称,下单日期,金额,状态\n"                  # row 1
    "O1,杭州 华信科技,2024-03-05,100,已完成\n"             # row 2: 华信 typed without 有限公司
    "O2,北京中关村软件,2024-03-06,50,退货\n"               # row 3
    "O3,火星贸易,2024-03-07,20,\n"                        # row 4: unknown customer
    "O1,杭州华信科技,2024-03-05,100,\n"                   # row 5: same order id again -> merged
    "合计,,,270,\n"                                       # row 6: total row
)

DEALS_CSV = (
    "商机编号,客户名称,阶段,创建日期,负责人,区域\n"
    "D1,杭州华信科技,赢单,2024-01-01,王五,\n"      # no own region: the rep's (西南)
    "D2,北京中关村软件,谈判,2024-01-02,,\n"        # no rep: the customer's (north)
    "D3,,谈判,2024-01-03,王五,华南\n"              # its own region wins
    "D4,,谈判,2024-01-04,,\n"                    # nothing: unknown
)

REPS_CSV = "姓名,区域\n王五,西南\n"


def write_book(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "华东"
    sheet["A1"] = "华东客户表"                         # row 1: title
    sheet.merge_cells("A1:D1")
    sheet.append(["客户名称", "联系电话", "邮箱", "建档日期"])   # row 2: header
    sheet.append(["杭州 华信科技", "0571-88889999", "hx@huaxin.com", dt.datetime(2021, 6, 1)])  # row 3
    sheet.append(["上海新客户有限公司", None, None, None])        # row 4
    workbook.save(path)


def make_project(tmp_path: Path) -> Path:
    (tmp_path / "params").mkdir()
    shutil.copy(REGIONS_YAML, tmp_path / "params" / "regions.yaml")
    (tmp_path / "params" / "sources.yaml").write_text(SOURCES_YAML, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "crm.csv").write_text(CRM_CSV, encoding="utf-8")
    write_book(data / "book.xlsx")
    (data / "orders.csv").write_text(ORDERS_CSV, encoding="utf-8")
    (data / "deals.csv").write_text(DEALS_CSV, encoding="utf-8")
    (data / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    return tmp_path


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path)


@pytest.fixture(scope="module")
def standard(tmp_path_factory):
    """The standard project's ingest result, shared by the tests that only read it."""
    return run(make_project(tmp_path_factory.mktemp("standard")))


def write_sources(project: Path, name: str, *sources: str) -> str:
    """A sources file with some of the standard sources (by name) plus any extra entries."""
    blocks = {block.split("\n", 1)[0].split(": ")[1]: "  - " + block
              for block in SOURCES_YAML.split("  - ")[1:]}
    text = SOURCES_YAML.split("sources:\n")[0] + "sources:\n" + "".join(blocks.get(s, s) for s in sources)
    (project / "params" / name).write_text(text, encoding="utf-8")
    return name


def run(project: Path, sources: str = "sources.yaml", helper_process: bool = False):
    config, base = load_sources(project / "params" / sources)
    return ingest(config, base, load_regions(project / "params" / "regions.yaml"), helper_process=helper_process)


def ids_by_name(result) -> dict[str, str]:
    customers = result.tables["customers"]
    return dict(zip(customers["name"], customers["customer_id"]))


def test_accounting_identity_holds_per_source(standard):
    result = standard
    accounting = result.accounting.set_index("source")
    for source, row in accounting.iterrows():
        assert row["rows_read"] == sum(row[s] for s in STATUSES), source
    # crm: 3 rows read -> 2 loaded + 1 quarantined (no name).
    # book: title + 2 rows = 3 -> 1 loaded (上海新客户), 1 merged (华信), 1 non-data (title).
    # orders: 5 rows -> O1, O2 loaded; O1 again merged; O3 quarantined; 合计 non-data.
    # deals: 4 loaded; reps: 1 loaded.
    assert accounting[["rows_read", *STATUSES]].to_dict("index") == {
        "crm": {"rows_read": 3, "loaded": 2, "merged": 0, "non_data": 0, "quarantined": 1},
        "book": {"rows_read": 3, "loaded": 1, "merged": 1, "non_data": 1, "quarantined": 0},
        "orders": {"rows_read": 5, "loaded": 2, "merged": 1, "non_data": 1, "quarantined": 1},
        "deals": {"rows_read": 4, "loaded": 4, "merged": 0, "non_data": 0, "quarantined": 0},
        "reps": {"rows_read": 1, "loaded": 1, "merged": 0, "non_data": 0, "quarantined": 0},
    }
    assert accounting["files"].tolist() == [1, 1, 1, 1, 1]
    assert accounting["table"].tolist() == ["customers", "customers", "orders", "deals", "reps"]


def test_lineage_has_one_entry_per_raw_row(standard):
    result = standard
    lineage = result.lineage
    key = ["source", "source_file", "source_sheet", "source_row"]
    assert not lineage.duplicated(subset=key).any()
    assert len(lineage) == int(result.accounting["rows_read"].sum())
    row = lineage[(lineage["source"] == "book") & (lineage["source_row"] == 3)].iloc[0]
    assert row["status"] == "merged"
    assert row["record_id"] == ids_by_name(result)["杭州华信科技有限公司"]


def test_same_customer_in_two_sources_is_one_golden_record(standard):
    result = standard
    customers = result.tables["customers"].set_index("name")
    assert sorted(customers.index) == ["上海新客户有限公司", "北京中关村软件", "杭州华信科技有限公司"]
    huaxin = customers.loc["杭州华信科技有限公司"]
    # crm comes first: its name, phone and province win; the email only the workbook has.
    assert huaxin["phone"] == "+8613800138000"
    assert huaxin["email"] == "hx@huaxin.com"
    assert huaxin["province"] == "浙江" and huaxin["region"] == "east"
    assert huaxin["source"] == "crm" and huaxin["source_row"] == 2
    # created_at is the earliest seen: 2021-06-01 (workbook) before 2023-05-01 (crm).
    assert huaxin["created_at"] == pd.Timestamp("2021-06-01")
    assert customers.loc["上海新客户有限公司", "region"] == "unknown"


def test_customer_ids_stable_across_runs_and_new_sources(project, standard):
    full = ids_by_name(standard)
    assert all(len(i) == 13 and i.startswith("C") for i in full.values())
    # Another project folder, the same inputs: the same ids.
    assert ids_by_name(run(project)) == full


    (project / "data" / "extra.csv").write_text(
        "客户名称,电话\n广州新客户,13700137000\n杭州华信科技,\n", encoding="utf-8")
    extra = "  - {name: extra, path: data/extra.csv, table: customers}\n"
    third = ids_by_name(run(project, write_sources(project, "three.yaml", "crm", "book", extra)))
    assert len(third) == 4
    assert {name: third[name] for name in full} == full


def test_order_with_unknown_customer_is_quarantined(standard):
    result = standard
    quarantine = result.quarantine
    row = quarantine[quarantine["source"] == "orders"].iloc[0]
    assert row["source_row"] == 4
    assert row["column"] == "customer_name"
    assert row["value"] == "火星贸易"
    assert row["reason"] == "names a customer found in no customer source (or several equally)"
    assert "O3" not in result.tables["orders"]["order_id"].tolist()


def test_orders_attach_to_golden_customers(standard):
    result = standard
    ids = ids_by_name(result)
    orders = result.tables["orders"].set_index("order_id")
    assert sorted(orders.index) == ["O1", "O2"]
    assert orders.loc["O1", "customer_id"] == ids["杭州华信科技有限公司"]
    assert orders.loc["O2", "customer_id"] == ids["北京中关村软件"]
    # The region is copied from the customer so the store can prune orders by region.
    assert orders.loc["O1", "region"] == "east" and orders.loc["O2", "region"] == "north"
    assert orders.loc["O2", "status"] == "returned"


def test_deal_region_falls_back_to_rep_then_customer(standard):
    result = standard
    deals = result.tables["deals"].set_index("deal_id")
    assert deals["region"].to_dict() == {"D1": "southwest", "D2": "north", "D3": "south", "D4": "unknown"}
    assert deals.loc["D1", "outcome"] == "won" and deals.loc["D2", "outcome"] == "open"
    assert deals.loc["D2", "customer_id"] == ids_by_name(result)["北京中关村软件"]


def test_orders_attach_by_source_customer_id(project):
    (project / "data" / "crm.csv").write_text(
        "客户编号,客户名称\nA-1,杭州华信科技有限公司\nA-2,北京中关村软件\n", encoding="utf-8")
    (project / "data" / "orders.csv").write_text(
        "订单号,客户编号,下单日期,金额\nO1,A-2,2024-03-05,10\nO2,A-9,2024-03-06,20\n", encoding="utf-8")
    result = run(project, write_sources(project, "by_id.yaml", "crm", "orders"))
    ids = ids_by_name(result)
    orders = result.tables["orders"]
    assert orders[["order_id", "customer_id"]].values.tolist() == [["O1", ids["北京中关村软件"]]]
    quarantined = result.quarantine[result.quarantine["source"] == "orders"]
    assert quarantined[["source_row", "column", "value"]].values.tolist() == [[3, "customer_id", "A-9"]]


def test_orders_only_config_creates_customers(project, standard):
    result = run(project, write_sources(project, "orders_only.yaml", "orders"))
    customers = result.tables["customers"].set_index("name_key")
    # One customer per distinct name key; 杭州 华信科技 and 杭州华信科技 are one.
    assert sorted(customers.index) == ["北京中关村软件", "杭州华信科技", "火星贸易"]
    assert (customers["region"] == "unknown").all()
    # Their creation date is their (first) order date.
    assert customers.loc["火星贸易", "created_at"] == pd.Timestamp("2024-03-07")
    assert sorted(result.tables["orders"]["order_id"]) == ["O1", "O2", "O3"]
    assert result.quarantine.empty
    row = result.accounting.iloc[0]
    # 5 rows: O1, O2, O3 loaded, O1 again merged, 合计 non-data.
    assert (row["rows_read"], row["loaded"], row["merged"], row["non_data"]) == (5, 3, 1, 1)
    # The same name gets the same id whether it came from a customer source or from orders.
    assert customers.loc["北京中关村软件", "customer_id"] == ids_by_name(standard)["北京中关村软件"]


def test_a_channel_account_on_hundreds_of_rows_is_one_customer(project):
    lines = "".join(f"天猫旗舰店,138{i:08d}\n" for i in range(300))   # one account, 300 rows, each its own phone
    (project / "data" / "crm.csv").write_text("客户名称,电话\n" + lines, encoding="utf-8")
    result = run(project, write_sources(project, "channel.yaml", "crm"))
    assert len(result.tables["customers"]) == 1
    # the name block (300 rows) is over max_block 200: compared by neighbourhood, and said so
    warning = result.warnings.iloc[0]
    assert (warning["code"], warning["count"]) == ("dedupe_window", 300)
    assert "dedupe: {max_block: 300}" in warning["remedy"]


def test_required_column_missing_is_a_user_error(project):
    (project / "data" / "orders.csv").write_text("订单号,客户名称,金额\nO1,甲,10\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        run(project, write_sources(project, "orders_only.yaml", "orders"))
    message = str(info.value)
    assert "orders.csv" in message
    assert "'order_date'" in message


def test_no_matching_file_is_a_user_error(project):
    (project / "data" / "reps.csv").unlink()
    with pytest.raises(UserError, match=r"source 'reps': no file matches 'data/reps.csv'"):
        run(project, write_sources(project, "reps.yaml", "reps"))


def test_glob_reads_every_matching_file(project):
    glob = "  - {name: crm, path: 'data/crm*.csv', table: customers}\n"
    (project / "data" / "crm2.csv").write_text("客户名称,电话\n广州新客户,13700137000\n", encoding="utf-8")
    result = run(project, write_sources(project, "glob.yaml", glob))
    row = result.accounting.set_index("source").loc["crm"]
    # crm.csv: 3 rows, crm2.csv: 1 row.
    assert (row["files"], row["rows_read"], row["loaded"]) == (2, 4, 3)
    assert [i["file"] for i in result.inputs if i["source"] == "crm"] == ["data/crm.csv", "data/crm2.csv"]


def test_tables_are_canonical(standard):
    result = standard
    assert set(result.tables) == {"customers", "orders", "deals", "interactions", "leads", "reps"}
    assert result.tables["interactions"].empty
    assert str(result.tables["orders"]["order_date"].dtype) == "datetime64[ms]"
    assert result.tables["reps"][["rep_id", "region"]].values.tolist() == [["王五", "southwest"]]


def test_ingest_to_store_writes_a_current_snapshot(project):
    config = project / "params" / write_sources(project, "small.yaml", "crm", "orders")
    result, snapshot = ingest_to_store(config, project / "data" / "clean")
    assert store.current_snapshot(project / "data" / "clean").id == snapshot.id
    # crm has two named customers; O3 names neither, so O1 and O2 are loaded.
    assert snapshot.manifest["rows"]["customers"] == 2
    assert snapshot.manifest["rows"]["orders"] == 2
    assert snapshot.manifest["data_range"]["orders"] == ["2024-03-05T00:00:00", "2024-03-06T00:00:00"]
    orders = store.read_table(snapshot, "orders", regions=["east"])
    assert orders["order_id"].tolist() == ["O1"]
    accounting = store.read_side_table(snapshot, "accounting")
    assert accounting["rows_read"].sum() == result.accounting["rows_read"].sum()


def test_a_source_over_its_quarantine_limit_writes_nothing_and_keeps_the_current_snapshot(project):
    store_folder = project / "data" / "clean"
    _, first = ingest_to_store(project / "params" / write_sources(project, "small.yaml", "crm", "orders"),
                               store_folder)
    strict = project / "params" / "strict.yaml"
    strict.write_text((project / "params" / "small.yaml").read_text(encoding="utf-8")
                      .replace("max_quarantined: 100%", "max_quarantined: 20%"), encoding="utf-8")
    with pytest.raises(pipeline.QuarantineLimitExceeded) as stopped:
        ingest_to_store(strict, store_folder)
    # crm: 1 of 3 rows has no name (33.3%); orders: O3 names no customer (1 of 4 data rows, 25%).
    assert [line.split(":")[0] for line in stopped.value.lines] == ["source 'crm'", "source 'orders'"]
    assert store.current_snapshot(store_folder).id == first.id and len(store.list_snapshots(store_folder)) == 1
    assert stopped.value.result.accounting["quarantined"].tolist() == [1, 1]


def test_dry_run_returns_the_result_without_a_snapshot(project):
    config = project / "params" / write_sources(project, "small.yaml", "crm", "orders")
    result, snapshot = ingest_to_store(config, project / "data" / "clean", dry_run=True)
    assert snapshot is None and not (project / "data" / "clean").exists()
    assert result.accounting["rows_read"].tolist() == [3, 5]


def test_quarantine_share_leaves_out_non_data_rows_and_names_the_top_reasons():
    config = SourcesConfig(defaults={"max_quarantined": "10%"},
                           sources=[{"name": "a", "path": "a.csv", "table": "orders"},
                                    {"name": "b", "path": "b.csv", "table": "orders", "max_quarantined": 0.5}])
    accounting = pd.DataFrame({"source": ["a", "b"], "rows_read": [25, 10], "non_data": [5, 0],
                               "quarantined": [3, 3]})
    quarantine = pd.DataFrame({"source": ["a", "a", "a", "b", "b", "b"],
                               "reason": ["x", "y", "y", "x", "x", "x"]})
    lines = pipeline.quarantine_breaches(config, accounting, quarantine, top=1)
    assert len(lines) == 1          # a: 3 of 20 data rows (15%) > 10%; b: 30% <= 50%
    assert lines[0].startswith("source 'a': 15.0% of 20 data rows quarantined (limit 10%): y 2. Fix those rows")
    assert lines[0].endswith("raise max_quarantined for source 'a' (e.g. max_quarantined: 16%)")


def test_names_resolve_by_key_then_core_then_one_clear_fuzzy_match():
    from custreport.ingest.attach import CustomerIndex

    customers = pd.DataFrame({"name_key": ["杭州华信科技", "成都金鼎贸易", "宁波金鼎贸易", "北京中关村软件开发"],
                              "source_customer_id": [None] * 4})
    index = CustomerIndex(customers, pd.Series(["C1", "C2", "C3", "C4"], dtype="string"),
                           frozenset({"杭州", "成都", "宁波", "北京"}))
    names = pd.Series(["杭州华信科技",      # exact
                       "华信科技",          # core name, one customer has it
                       "金鼎贸易",          # core name shared by two customers: ambiguous
                       "北京中关村软件开放",  # one character off (8/9 = 0.89 >= 0.85), one clear winner
                       "上海火星贸易"], dtype="string")  # nothing close
    assert index.resolve_names(names).tolist() == ["C1", "C1", pd.NA, "C4", pd.NA]


def _mini_project(tmp_path: Path, sources: str, files: dict[str, str]) -> Path:
    (tmp_path / "params").mkdir()
    shutil.copy(REGIONS_YAML, tmp_path / "params" / "regions.yaml")
    # Tiny files whose bad rows are the point: quarantining them must not stop the ingest.
    (tmp_path / "params" / "sources.yaml").write_text("defaults: {max_quarantined: 1.0}\n" + sources,
                                                      encoding="utf-8")
    for name, body in files.items():
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "data" / name).write_text(body, encoding="utf-8")
    return tmp_path


def test_orders_without_ids_in_several_files_all_count(tmp_path):
    # Row 2 of January and row 2 of February get different made-up ids: nothing merged.
    root = _mini_project(tmp_path, "sources:\n  - {name: orders, path: data/orders_*.csv, table: orders}\n", {
        "orders_01.csv": "客户名称,下单日期,金额\n甲,2024-01-02,100\n乙,2024-01-03,200\n",
        "orders_02.csv": "客户名称,下单日期,金额\n甲,2024-02-02,300\n乙,2024-02-03,400\n"})
    result, _ = ingest_to_store(root / "params" / "sources.yaml", root / "store")
    assert result.accounting.loc[0, ["loaded", "merged"]].tolist() == [4, 0]
    assert result.tables["orders"]["amount"].sum() == 1000.0


def test_order_lines_sharing_an_id_count_but_repeated_rows_merge(tmp_path):
    # Invoice 536365 has two lines (different products); line one is exported twice.
    root = _mini_project(tmp_path, "sources:\n  - {name: orders, path: data/o.csv, table: orders}\n", {
        "o.csv": ("InvoiceNo,Customer,InvoiceDate,Product,Amount\n536365,甲,2024-01-02,A,15.30\n"
                  "536365,甲,2024-01-02,B,20.34\n536365,甲,2024-01-02,A,15.30\n")})
    result, _ = ingest_to_store(root / "params" / "sources.yaml", root / "store")
    assert result.accounting.loc[0, ["loaded", "merged"]].tolist() == [2, 1]
    assert result.tables["orders"]["amount"].sum() == pytest.approx(35.64)


def test_orders_only_dataset_makes_one_customer_per_key(tmp_path):
    rows = "".join(f"C{i % 2},2024-01-{1 + i % 28:02d},{i}\n" for i in range(255))
    root = _mini_project(tmp_path, "sources:\n  - {name: orders, path: data/o.csv, table: orders}\n",
                         {"o.csv": "客户编号,下单日期,金额\n" + rows})
    result, _ = ingest_to_store(root / "params" / "sources.yaml", root / "store")
    assert len(result.tables["customers"]) == 2
    assert result.tables["orders"]["customer_id"].nunique() == 2


def test_a_name_two_customers_share_attaches_to_neither(tmp_path):
    # 华信科技 in 浙江 and in 四川 are two customers; an order naming just 华信科技 is ambiguous.
    root = _mini_project(tmp_path, (
        "sources:\n  - {name: crm, path: data/c.csv, table: customers}\n"
        "  - {name: orders, path: data/o.csv, table: orders}\n"), {
        "c.csv": "客户名称,省份\n华信科技,浙江\n华信科技,四川\n",
        "o.csv": "客户名称,下单日期,金额\n华信科技,2024-01-02,100\n"})
    result, _ = ingest_to_store(root / "params" / "sources.yaml", root / "store")
    assert len(result.tables["customers"]) == 2
    assert result.tables["orders"].empty
    assert result.quarantine["reason"].str.startswith("names a customer").tolist() == [True]


def test_interactions_attach_by_name_like_orders(tmp_path):
    root = _mini_project(tmp_path, (
        "sources:\n  - {name: crm, path: data/c.csv, table: customers}\n"
        "  - {name: service, path: data/s.csv, table: interactions}\n"), {
        "c.csv": "客户名称,省份\n杭州华信科技有限公司,浙江\n北京中关村软件,北京\n",
        "s.csv": ("服务记录导出\n"                                      # row 1: title
                  "受理时间,客户名称,服务类型,处理状态\n"                  # row 2: header
                  "2024-01-02,杭州 华信科技,投诉,处理中\n"                # row 3: by name key
                  "2024-01-03,华信科技,咨询,\n"                          # row 4: by the name without its place
                  "2024-01-04,中关村软件有限公司,投诉,已解决\n"            # row 5
                  "2024-01-05,火星贸易,投诉,\n")})                       # row 6: no such customer
    result, _ = ingest_to_store(root / "params" / "sources.yaml", root / "store")
    ids = ids_by_name(result)
    interactions = result.tables["interactions"]
    assert interactions["customer_id"].tolist() == [ids["杭州华信科技有限公司"]] * 2 + [ids["北京中关村软件"]]
    assert interactions["status"].tolist() == ["open", pd.NA, "resolved"]
    accounting = result.accounting.set_index("source").loc["service"]
    assert (accounting["rows_read"], accounting["loaded"], accounting["non_data"], accounting["quarantined"]) \
        == (5, 3, 1, 1)  # the header line is not a row
    assert result.quarantine["source_row"].tolist() == [6]


def test_leads_link_to_their_deals_either_way_and_take_a_region(tmp_path):
    root = _mini_project(tmp_path, (
        "sources:\n  - {name: crm, path: data/c.csv, table: customers}\n"
        "  - {name: deals, path: data/d.csv, table: deals}\n"
        "  - name: leads\n    path: data/l.csv\n    table: leads\n"
        "    vocabulary: {lead_status: {Recycled: open}}\n"), {
        "c.csv": "客户名称,省份\n杭州华信科技有限公司,浙江\n",
        "d.csv": ("商机编号,客户名称,阶段,创建日期,线索编号\n"
                  "D1,杭州华信科技,赢单,2024-02-01,\n"       # named by lead L1
                  "D2,,方案报价,2024-03-01,L2\n"             # names lead L2 (no customer)
                  "D3,,输单,2024-03-05,L2\n"),              # names L2 too: neither won, the earlier (D2) is L2's
        "l.csv": ("线索编号,公司名称,线索来源,创建日期,线索状态,关联商机,区域\n"
                  "L1,,官网,2024-01-10,已转化,D1,\n"         # its deal's customer and region
                  "L2,,展会,2024-01-12,跟进中,,华南\n"        # named by D2 and D3; own region
                  "L3,杭州 华信科技,展会,2024-01-15,Recycled,,\n"   # a customer by name, params' synonym
                  "L4,,展会,2024-01-16,On Hold,,\n"          # unknown status: kept, said in the fixes
                  "L4,,展会,2024-01-16,On Hold,,\n"          # the same lead again: merged
                  "L5,,展会,,,,\n")})                        # no date: quarantined
    result, _ = ingest_to_store(root / "params" / "sources.yaml", root / "store")
    leads = result.tables["leads"].set_index("lead_id")
    customer = ids_by_name(result)["杭州华信科技有限公司"]
    assert leads.index.tolist() == ["L1", "L2", "L3", "L4"]
    assert leads["deal_id"].fillna("-").tolist() == ["D1", "D2", "-", "-"]
    assert leads["customer_id"].fillna("-").tolist() == [customer, "-", customer, "-"]
    assert leads["status"].fillna("-").tolist() == ["converted", "open", "open", "-"]
    assert leads["region"].tolist() == ["east", "south", "east", "unknown"]
    accounting = result.accounting.set_index("source").loc["leads"]
    assert (accounting["rows_read"], accounting["loaded"], accounting["merged"], accounting["quarantined"]) \
        == (6, 4, 1, 1)
    assert result.quarantine.loc[result.quarantine["table"] == "leads", "reason"].tolist() == ["missing created_at"]
    assert dict(result.fixes.set_index("fix")["count"]).get(
        'unrecognised lead status "On Hold": add it to vocabulary.lead_status in params/sources.yaml '
        '(e.g. On Hold: disqualified); the status is left empty') == 2


def test_a_project_folder_with_glob_characters_is_taken_literally(tmp_path):
    folder = tmp_path / "reports[2024]"
    folder.mkdir()
    root = _mini_project(folder, "sources:\n  - {name: orders, path: data/*.csv, table: orders}\n",
                         {"o.csv": "客户名称,下单日期,金额\n甲,2024-01-02,100\n"})
    result, _ = ingest_to_store(root / "params" / "sources.yaml", root / "store")
    assert result.accounting.loc[0, "loaded"] == 1


@pytest.mark.slow
def test_large_sources_read_in_two_processes_give_the_same_result(project, standard, monkeypatch):
    monkeypatch.setattr(read_all, "PARALLEL_FROM_BYTES", 0)   # the standard project counts as large
    result = run(project, helper_process=True)
    for table, frame in standard.tables.items():
        pd.testing.assert_frame_equal(result.tables[table], frame, obj=table)
    pd.testing.assert_frame_equal(result.lineage, standard.lineage)
    pd.testing.assert_frame_equal(result.accounting, standard.accounting)
    assert [entry["file"] for entry in result.inputs] == [entry["file"] for entry in standard.inputs]
    assert all(entry["sha256"] == file_sha256(project / entry["file"]) for entry in result.inputs)


def test_with_two_processes_the_first_mistake_in_order_is_reported(project, monkeypatch):
    monkeypatch.setattr(read_all, "PARALLEL_FROM_BYTES", 0)
    # The deals file, read in the second process, comes before the orders, read here; both are wrong.
    (project / "data" / "deals.csv").write_text("商机编号,金额\nD1,5\n", encoding="utf-8")
    (project / "data" / "orders.csv").write_text("订单号,客户名称,金额\nO1,甲,10\n" + "O2,乙,20\n" * 2000,
                                                  encoding="utf-8")
    sources = write_sources(project, "both.yaml", "deals", "orders")
    with pytest.raises(UserError, match="deals.csv"):
        run(project, sources, helper_process=True)
    (project / "data" / "deals.csv").write_text(DEALS_CSV, encoding="utf-8")
    with pytest.raises(UserError, match="orders.csv"):
        run(project, sources, helper_process=True)
