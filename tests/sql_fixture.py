"""The same small customer and order data as CSV files and as database tables.

Messy on purpose, as CRM tables are: one customer typed twice (merged by its phone), a
customer without a name (quarantined), phones in several formats, an order naming a company
no customer table has (quarantined). The tables hold typed columns (dates, numerics,
timestamps), the files their text, so a test sees typed database values read exactly as
the same values written out by a CSV export.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from demo_project import copy_params

T0 = dt.datetime(2025, 6, 1, 9, 0, 0)


def customers() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [101, 102, 103, 104, 105, 106, 107, 108],
        "客户名称": ["杭州华信科技有限公司", "华信科技(杭州)有限公司", "广州南方贸易有限公司", "北京北辰物流集团",
                 None, "上海东海制造有限公司", "成都天府软件有限公司", "沈阳北方重工有限公司"],
        "联系电话": ["138 1234 5678", "+86-13812345678", "020-8888 1234", "13911112222", "13700001111",
                 "021 6666 7777", None, "024-2345 6789"],
        "邮箱": ["info@huaxin.cn", None, "sales@nanfang.com", "bj@beichen.cn", None, "dh@donghai.cn", None, None],
        "省份": ["浙江", "浙江", "广东", "北京", "上海", "上海", "四川", "辽宁"],
        "行业": ["科技", "科技", "零售", "物流", None, "制造", "科技", "制造"],
        "创建日期": [dt.date(2023, 1, 5), dt.date(2024, 3, 9), dt.date(2023, 7, 1), dt.date(2022, 11, 30),
                 dt.date(2024, 1, 1), dt.date(2023, 2, 14), dt.date(2024, 8, 8), dt.date(2021, 5, 20)],
        "updated_at": [T0 + dt.timedelta(minutes=i) for i in range(8)],
    })


def orders() -> pd.DataFrame:
    names = ["杭州华信科技有限公司", "华信科技(杭州)有限公司", "广州南方贸易有限公司", "北京北辰物流集团",
             "上海东海制造有限公司", "成都天府软件有限公司", "沈阳北方重工有限公司", "不存在的公司"]
    return pd.DataFrame({
        "order_no": [f"SO{n:04d}" for n in range(1, 17)],
        "客户名称": [names[i % len(names)] for i in range(16)],
        "下单日期": [dt.date(2025, 1 + i % 6, 1 + i) for i in range(16)],
        "金额": [Decimal(f"{1000 + 250 * i}.50") for i in range(16)],
        "updated_at": [T0 + dt.timedelta(hours=i) for i in range(16)],
    })


COLUMN_TYPES = {"id": sa.Integer(), "客户名称": sa.Text(), "联系电话": sa.Text(), "邮箱": sa.Text(), "省份": sa.Text(),
                "行业": sa.Text(), "创建日期": sa.Date(), "updated_at": sa.DateTime(), "order_no": sa.String(20),
                "下单日期": sa.Date(), "金额": sa.Numeric(12, 2)}
KEYS = {"customers": "id", "orders": "order_no"}


def write_files(folder: Path) -> None:
    """The tables as a CRM's CSV export writes them (dates ISO, amounts with their cents)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in (("customers", customers()), ("orders", orders())):
        frame.to_csv(folder / f"{name}.csv", index=False)


def write_tables(url: str, frames: dict[str, pd.DataFrame] | None = None) -> None:
    """The tables into the database at ``url`` (replacing them), with typed columns and keys."""
    frames = frames or {"customers": customers(), "orders": orders()}
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    tables = {name: sa.Table(name, metadata, *(sa.Column(column, COLUMN_TYPES[column],
                                                         primary_key=column == KEYS[name], autoincrement=False)
                                                         for column in frame.columns))
              for name, frame in frames.items()}
    with engine.begin() as connection:
        for name in frames:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        metadata.create_all(connection, checkfirst=False)
        for name, frame in frames.items():
            records = [{k: (None if pd.isna(v) else v) for k, v in row.items()}
                       for row in frame.astype(object).to_dict("records")]
            connection.execute(tables[name].insert(), records)
    engine.dispose()


def execute(url: str, *statements: str, parameters: dict | None = None) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(sa.text(statement), parameters or {})
    engine.dispose()


def file_project(root: Path) -> Path:
    """A project reading the fixture's CSV files."""
    copy_params(root)
    write_files(root / "data" / "raw")
    _sources(root, """\
        - {name: crm_customers, path: data/raw/customers.csv, table: customers}
        - {name: crm_orders, path: data/raw/orders.csv, table: orders}
        """)
    return root


def database_project(root: Path, url_env: str = "CRM_URL", customers_source: str | None = None,
                     orders_source: str | None = None) -> Path:
    """A project reading the same data as database tables through the URL in ``url_env``."""
    copy_params(root)
    _sources(root, (customers_source or
                    f"- {{name: crm_customers, type: sql, url_env: {url_env}, db_table: customers, key: id, "
                    "table: customers, watermark: updated_at}\n")
             + (orders_source or
                f"- {{name: crm_orders, type: sql, url_env: {url_env}, db_table: orders, key: order_no, "
                "table: orders}\n"))
    return root


def _sources(root: Path, entries: str) -> None:
    text = ("defaults: {max_quarantined: 50%}\nsources:\n" + textwrap.indent(textwrap.dedent(entries), "  ")
            + "  - {name: reps, path: " + str(_reps(root)) + ", table: reps}\n")
    (root / "params" / "sources.yaml").write_text(text, encoding="utf-8")


def _reps(root: Path) -> Path:
    path = root / "data" / "raw" / "reps.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("工号,姓名,区域\nR1,王芳,华东\n", encoding="utf-8")
    return path.relative_to(root)
