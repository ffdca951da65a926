"""Suggest how to configure a new export: what each column is, how its dates read, which
values the built-in vocabularies do not know, its currency and its region column.

Pure functions over the grids ``read.read_source_file`` returns, so every guess is made on
exactly what ingest will see; ``read_and_suggest`` is the one that reads a file (only
reads it). ``custreport sources suggest`` prints the guesses and writes a sources YAML with
a comment on each.

>>> grid = pd.DataFrame({"Order No": ["1", "2"], "Order Date": ["31/01/2024", "02/02/2024"],
...                      "Amount (GBP)": ["£10", "£12.50"]}, dtype="string")
>>> guess = suggest_sheet(grid, "orders")
>>> guess.date_order.order, guess.currency.code
('day-first', 'GBP')
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from custreport.config import RegionTable, SourceSpec
from custreport.errors import UserError
from custreport.ingest import standardize as std
from custreport.ingest.headers import ALIASES, fold_header, header_score, map_headers
from custreport.ingest.raw_sheet import HEADER_SEARCH_ROWS
from custreport.ingest.read import read_source_file
from custreport.stages import StageCatalog

# Tables in the order a tie of header scores is settled: the more specific first.
TABLE_PREFERENCE = ("orders", "deals", "interactions", "leads", "customers", "reps")

DATE_ROLES = ("order_date", "created_at", "closed_at", "stage_changed_at", "date", "converted_at")
MONEY_ROLES = ("amount", "unit_price", "monthly_charge", "total_charges", "potential_value")

# (table, role) -> the built-in synonyms its values are mapped through.
VOCABULARIES: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("orders", "status"): std.ORDER_STATUS_SYNONYMS,
    ("customers", "customer_type"): std.CUSTOMER_TYPE_SYNONYMS,
    ("customers", "status"): std.CUSTOMER_STATUS_SYNONYMS,
    ("interactions", "kind"): std.INTERACTION_KIND_SYNONYMS,
    ("interactions", "status"): std.INTERACTION_STATUS_SYNONYMS,
    ("leads", "status"): std.LEAD_STATUS_SYNONYMS,
}

# What ingest does with a value its vocabulary does not know (orders: the row is quarantined).
UNKNOWN_VALUE_FATE = {("orders", "status"): "their rows are quarantined",
                      ("customers", "customer_type"): "the type is derived from orders instead",
                      ("customers", "status"): "the status is left empty",
                      ("interactions", "kind"): "they are kept as other",
                      ("interactions", "status"): "the status is left empty",
                      ("leads", "status"): "the status is left empty (the lead's deal still counts)",
                      ("deals", "stage"): "they count as open stages"}

# A column with more distinct values than this names no places (ids, amounts, notes): not
# looked up, which keeps a million-line export quick.
MAX_PLACE_NAMES = 5000


@dataclass(frozen=True)
class DateOrderGuess:
    """How 3/5/2024-style dates read, and the evidence (the rows that decided it)."""

    order: str            # year-first | month-first | day-first
    reason: str
    unparseable: int = 0  # values that would still not parse with this order
    decided: bool = True  # False when no value decides (the default is kept)


@dataclass(frozen=True)
class Vocabulary:
    """Distinct values of a role with their counts, and those the built-in synonyms do not know."""

    table: str
    role: str
    header: str
    counts: dict[str, int]
    unknown: dict[str, int]


@dataclass(frozen=True)
class CurrencyGuess:
    code: str
    reason: str


@dataclass(frozen=True)
class ColumnGuess:
    header: str
    role: str | None                 # canonical column, None when not recognised
    closest: tuple[str, ...] = ()    # closest known aliases when not recognised
    region_share: float = 0.0        # share of filled values that resolve to a region


@dataclass
class SheetSuggestion:
    table: str
    rows: int
    columns: list[ColumnGuess]
    date_order: DateOrderGuess | None
    vocabularies: list[Vocabulary]
    currency: CurrencyGuess | None
    region_candidates: list[tuple[str, float]] = field(default_factory=list)  # (header, share resolved)
    header_row: int = 1   # 1-based row of the header in the file or sheet


def guess_table(headers: list[str]) -> str:
    """The table whose aliases name most of ``headers`` (ties: the more specific table).

    >>> guess_table(["Invoice", "Customer ID", "InvoiceDate", "Quantity"])
    'orders'
    """
    tables = [table for table in TABLE_PREFERENCE if table in ALIASES]
    return max(tables, key=lambda table: (header_score(headers, table), -tables.index(table)))


def closest_aliases(header: str, table: str, limit: int = 3) -> tuple[str, ...]:
    """Known aliases of ``table`` nearest to ``header``, as ``alias -> column``.

    >>> closest_aliases("Ordr Date", "orders", 1)
    ('order date -> order_date',)
    """
    choices = {alias: column for column, aliases in ALIASES[table].items() for alias in (column, *aliases)}
    folded = {fold_header(alias)[0]: alias for alias in choices}
    found = process.extract(fold_header(header)[0], list(folded), scorer=fuzz.ratio, limit=limit, score_cutoff=80)
    return tuple(f"{folded[match]} -> {choices[folded[match]]}" for match, _, _ in found)


def guess_date_order(values: pd.Series) -> DateOrderGuess | None:
    """Date order of day/month/year-style text, from the values that only one order can read.

    >>> guess_date_order(pd.Series(["31/01/2024", "05/02/2024"], dtype="string")).reason
    'day-first: 31/01/2024 has a first part > 12 in 1 of 2 dates'
    """
    text = std._normalise_date_text(std.blank_to_na(values.astype("string"))).dropna()
    if text.empty:
        return None
    parts = text.str.extract(std._YEAR_LAST).dropna(subset=["a"])
    iso = int(text.str.match(std._YEAR_FIRST).sum())
    if parts.empty:
        if not iso:
            return None
        example = values.loc[text.index[text.str.match(std._YEAR_FIRST).to_numpy(dtype=bool)]].iloc[0]
        return DateOrderGuess("year-first", f"year-first: {iso:,} {_dates(iso)} like {example} start with the year",
                              _unparseable(values, "year-first"))
    first, second = pd.to_numeric(parts["a"]), pd.to_numeric(parts["b"])
    day_first, month_first = int((first > 12).sum()), int((second > 12).sum())
    original = values.loc[parts.index]
    if day_first and month_first:
        return DateOrderGuess("day-first", f"mixed: {original[first > 12].iloc[0]} reads day-first ({day_first:,} "
                              f"{_dates(day_first)}) but {original[second > 12].iloc[0]} month-first "
                              f"({month_first:,}): dates with both parts up to 12 are ambiguous; fix the file",
                              _unparseable(values, "day-first"))
    if day_first:
        return DateOrderGuess("day-first", f"day-first: {original[first > 12].iloc[0]} has a first part > 12 in "
                              f"{day_first:,} of {len(parts):,} {_dates(len(parts))}",
                              _unparseable(values, "day-first"))
    if month_first:
        return DateOrderGuess("month-first", f"month-first: {original[second > 12].iloc[0]} has a second part > 12 "
                              f"in {month_first:,} of {len(parts):,} {_dates(len(parts))}",
                              _unparseable(values, "month-first"))
    return DateOrderGuess("month-first", f"undecided: no part of {len(parts):,} day/month dates is over 12; "
                          "month-first is assumed: check one date by hand", _unparseable(values, "month-first"),
                          decided=False)


def _dates(count: int) -> str:
    """Counted across every date column of the sheet, hence dates, not rows."""
    return "date" if count == 1 else "dates"


def _unparseable(values: pd.Series, order: str) -> int:
    with warnings.catch_warnings():  # the free-form fallback warns about the order it was told
        warnings.simplefilter("ignore", UserWarning)
        return int(std.parse_dates(values.astype("string"), order)[1].sum())


def vocabulary(values: pd.Series, table: str, role: str, header: str,
               stages: StageCatalog | None = None) -> Vocabulary | None:
    """Distinct values of a vocabulary role with counts; unknown ones are those ingest cannot map.

    >>> vocabulary(pd.Series(["Shipped", "On Hold", "On Hold"], dtype="string"), "orders", "status", "Status").unknown
    {'On Hold': 2}
    """
    counts = std.clean_text(values.astype("string")).value_counts()
    if (table, role) in VOCABULARIES:
        _, unknown_mask = std.map_synonyms(pd.Series(counts.index, dtype="string"), VOCABULARIES[(table, role)])
        unknown = counts[unknown_mask.to_numpy()]
    elif (table, role) == ("deals", "stage"):
        stage_list = stages.for_source("", counts.index) if stages else None
        outcome, _ = std.map_synonyms(pd.Series(counts.index, dtype="string"), std.DEAL_OUTCOME_SYNONYMS)
        known = [stage_list is not None and stage_list.canonical(v) is not None for v in counts.index]
        unknown = counts[~(pd.Series(known).to_numpy() | outcome.notna().to_numpy())]
    else:
        return None
    as_dict = lambda series: {str(k): int(v) for k, v in series.items()}  # noqa: E731
    return Vocabulary(table, role, header, as_dict(counts), as_dict(unknown))


def guess_currency(headers: list[str], money: dict[str, pd.Series]) -> CurrencyGuess | None:
    """Currency from a unit in a money header (Amount (USD), 金额(元)) or symbols in its cells ($1,200).

    >>> guess_currency(["金额(元)"], {}).code, guess_currency(["Total"], {"Total": pd.Series(["R$ 10"])}).code
    ('CNY', 'BRL')
    """
    for header in headers:
        code = std.currency_in(str(header))
        if code:
            return CurrencyGuess(code, f"header {header!r} names {code}")
    seen: dict[str, tuple[int, str]] = {}  # code -> (amounts carrying it, first example)
    for header, values in money.items():
        for value, count in values.dropna().astype(str).value_counts(sort=False).items():
            code = std.currency_in(value)
            if code:
                previous = seen.get(code, (0, f"{value!r} in {header!r}"))
                seen[code] = (previous[0] + int(count), previous[1])
    if not seen:
        return None
    code, (count, example) = max(seen.items(), key=lambda item: item[1][0])
    others = ", ".join(f"{c} {n:,}" for c, (n, _) in seen.items() if c != code)
    note = "; $ alone is read as USD" if code == "USD" else "; ¥ alone is read as CNY (JPY: set currency)" \
        if code == "CNY" else ""
    return CurrencyGuess(code, f"{count:,} amounts like {example} carry {code}" +
                         (f" (also {others}: mixed currencies)" if others else "") + note)


def region_share(values: pd.Series, regions: RegionTable) -> float:
    """Share of the filled values of a column that resolve to a region of params/regions.yaml.

    >>> from custreport.config import load_regions
    >>> region_share(pd.Series(["华东", "广东省", "Mars", None], dtype="string"), load_regions())
    0.6666666666666666
    """
    # Only blanks are empty here: "NA" may be a territory (North America), not a missing value.
    stripped = values.astype("string").str.strip()
    counts = stripped[stripped != ""].value_counts()
    if counts.empty or len(counts) > MAX_PLACE_NAMES:
        return 0.0
    resolved = [regions.resolve(value) is not None for value in counts.index]
    return float(counts[resolved].sum() / counts.sum())


def suggest_sheet(rows: pd.DataFrame, table: str | None = None, regions: RegionTable | None = None,
                  stages: StageCatalog | None = None, min_region_share: float = 0.5) -> SheetSuggestion:
    """Every guess for one grid of text (a RawSheet's rows): table, roles, date order,
    vocabularies, currency and region columns."""
    headers = [str(h) for h in rows.columns]
    table = table or guess_table(headers)
    mapping = map_headers(headers, table)
    columns, candidates, vocabularies, dates, money = [], [], [], [], {}
    for position, (header, canonical) in enumerate(zip(headers, mapping.canonical)):
        values = rows.iloc[:, position]
        role = None if canonical.startswith("x_") else canonical
        share = region_share(values, regions) if regions is not None else 0.0
        if share >= min_region_share:
            candidates.append((header, share))
        columns.append(ColumnGuess(header, role, () if role else closest_aliases(header, table), share))
        if role in DATE_ROLES:
            dates.append(values)
        if role in MONEY_ROLES:
            money[header] = values
        found = vocabulary(values, table, role, header, stages) if role else None
        if found:
            vocabularies.append(found)
    date_order = guess_date_order(pd.concat(dates, ignore_index=True)) if dates else None
    money_headers = [h for h, c in zip(headers, columns) if c.role in MONEY_ROLES]
    return SheetSuggestion(table, len(rows), columns, date_order, vocabularies,
                           guess_currency(money_headers, money), sorted(candidates, key=lambda c: -c[1]))


def read_and_suggest(path: Path, regions: RegionTable | None = None, stages: StageCatalog | None = None
                     ) -> list[tuple[str | None, SheetSuggestion]]:
    """(sheet, suggestion) for each sheet of a raw file (one, sheet None, for a CSV), read by
    ``read_source_file`` as ingest reads it: the same encoding, header row and sheets.

    The header row ingest finds depends on the table, so the file is read as a customers
    table first and again as the table its headers point to when that differs.
    """
    sheets = None
    tables = ("customers", *[t for t in TABLE_PREFERENCE if t in ALIASES and t != "customers"])
    for table in tables:
        try:
            sheets = read_source_file(path, SourceSpec(name=path.stem or "source", path=str(path), table=table))
            break
        except UserError as exc:
            if "no header row found" not in str(exc):
                raise
    if sheets is None:
        raise UserError(f"{path}: no row of the first {HEADER_SEARCH_ROWS} names two columns of any table "
                        f"({', '.join(tables)}); name its columns in params/sources.yaml with `column_map:` "
                        "(and `header_row:`), or `columns:` for a file without a header row")
    out = []
    for sheet in sheets:
        table = guess_table(sheet.headers)
        if table != "customers":
            spec = SourceSpec(name=path.stem or "source", path=str(path), table=table,
                              sheets=[sheet.sheet] if sheet.sheet else "all")
            sheet = read_source_file(path, spec)[0]
        guess = suggest_sheet(sheet.rows, table, regions, stages)
        guess.header_row = sheet.rows_above_header + 1
        out.append((sheet.sheet, guess))
    return out


def source_name(path: Path, taken: set[str]) -> str:
    """A source name from a file name, distinct from ``taken``: "UK Orders 2024.csv" -> uk_orders_2024."""
    base = re.sub(r"\W+", "_", path.stem.lower()).strip("_") or "source"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def sources_yaml(entries: list[tuple[str, str, list[str] | None, SheetSuggestion]]) -> str:
    """A params/sources.yaml for (source name, path, sheets, suggestion) entries, each guess
    explained in a comment so the user can check and edit it (sheets None: every sheet)."""
    lines = ["# Suggested by `custreport sources suggest`: check each commented guess, then use it as",
             "# params/sources.yaml (README.md, \"Onboarding a new export\" and \"Sources\").", "sources:"]
    for name, path, sheet, guess in entries:
        lines += [f"  - name: {name}", f"    path: {_quoted(path)}",
                  f"    table: {guess.table}    # {_recognised(guess)}"]
        if sheet is not None:
            lines.append(f"    sheets: [{', '.join(_quoted(name) for name in sheet)}]")
        if guess.header_row > 1:
            lines.append(f"    # header found on row {guess.header_row}: the rows above are titles or notes")
        if guess.date_order:
            lines.append(f"    date_order: {guess.date_order.order}    # {guess.date_order.reason}")
            if guess.date_order.unparseable:
                lines.append(f"    # {guess.date_order.unparseable:,} date values would still not parse: "
                             "they will be quarantined")
        if guess.currency:
            lines.append(f"    currency: {guess.currency.code}    # {guess.currency.reason}")
        column_map = {}
        region_roles = set(ALIASES[guess.table]) & {"region"}
        for header, share in guess.region_candidates:
            column = next(c for c in guess.columns if c.header == header)
            mapped = column.role is None and region_roles and "region" not in {c.role for c in guess.columns}
            if mapped:
                column_map[header] = "region"
            where = ("read as the region" if mapped or column.role == "region" else
                     f"read as {column.role}" if column.role else
                     f"kept as x_{header}: {guess.table} take their region from their customer")
            lines.append(f"    # {header!r}: {share:.0%} of its values are regions of params/regions.yaml; {where}")
        unknown = [c for c in guess.columns if c.role is None]
        if column_map:
            lines.append("    column_map:")
            lines += [f"      {_quoted(h)}: {target}" for h, target in column_map.items()]
        for column in unknown:
            if column.header in column_map:
                continue
            hint = f"; closest: {', '.join(column.closest)}" if column.closest else ""
            lines.append(f"    # {column.header!r} not recognised, kept as an x_ column{hint} "
                         "(map it under column_map: if it is one)")
        for vocab in guess.vocabularies:
            if vocab.unknown:
                listed = ", ".join(f"{v!r} {n:,}" for v, n in list(vocab.unknown.items())[:8])
                lines.append(f"    # {vocab.role} values the built-in vocabulary does not know ({vocab.header!r}): "
                             f"{listed}; {UNKNOWN_VALUE_FATE[(vocab.table, vocab.role)]} unless mapped")
        high = sum(sum(vocab.unknown.values()) for vocab in guess.vocabularies
                   if UNKNOWN_VALUE_FATE[(vocab.table, vocab.role)].endswith("quarantined"))
        if guess.rows and high / guess.rows > 0.01:
            lines.append(f"    # max_quarantined: {min(100, int(high * 100 / guess.rows) + 1)}%    # only if those "
                         "rows may be left out (default 1%)")
    return "\n".join(lines) + "\n"


def _recognised(guess: SheetSuggestion) -> str:
    known = [c for c in guess.columns if c.role]
    return f"{len(known)} of {len(guess.columns)} headers are {guess.table} columns"


def _quoted(text: str) -> str:
    import yaml

    return yaml.safe_dump(str(text), allow_unicode=True, default_style=None).strip().removesuffix("\n...").strip()
