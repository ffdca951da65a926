"""Standardise one raw sheet into canonical columns, setting aside non-data and unusable rows.

A row ends here in exactly one of three places: ``data`` (standardised, carried on
to deduplication), ``non_data`` (title, note, blank or total rows) or
``quarantine`` (with the column and the reason it could not be used).
"""

from __future__ import annotations

import re

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from custreport.config import RegionTable, SourceSpec
from custreport.errors import UserError
from custreport.ingest import standardize as std
from custreport.ingest.cell_limits import AMOUNT_LIMIT, EXCEL_CELL_LIMIT, FREE_TEXT_COLUMNS, overlong_cells, overlong_names
from custreport.ingest.fixes import SheetFixes
from custreport.ingest.headers import ALIASES, CUSTOMER_NAME, HeaderMapping, map_headers
from custreport.ingest.phones import normalize_phones
from custreport.ingest.raw_sheet import RawSheet
from custreport.ingest.sheet_rows import NON_DATA_COLUMNS, QUARANTINE_COLUMNS, formulas_without_result, lineage_of, \
    non_data_kind, repeated, rows_where, title_rows, unreadable_rows

@dataclass
class Prepared:
    """What one sheet became: usable rows, non-data rows, quarantined rows, and the fixes applied.

    ``fix_kinds`` and the bit arrays say which fixes each row of ``data`` and of ``quarantine``
    had (SheetFixes.bits), for counting them per region; ``quarantine_places`` holds, per
    quarantined row, what may tell its region (the region its cells resolve to, its owner
    rep, the customer it names).
    """

    table: str
    source: str
    data: pd.DataFrame
    non_data: pd.DataFrame
    quarantine: pd.DataFrame
    fixes: Counter = field(default_factory=Counter)
    fix_kinds: list[str] = field(default_factory=list)
    data_fix_bits: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    quarantine_fix_bits: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    quarantine_places: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class _Rejections:
    """Collects the first reason each row is rejected for."""

    index: pd.Index
    reason: pd.Series = None
    column: pd.Series = None
    value: pd.Series = None

    def __post_init__(self):
        self.reason = pd.Series(pd.NA, index=self.index, dtype="string")
        self.column = pd.Series(pd.NA, index=self.index, dtype="string")
        self.value = pd.Series(pd.NA, index=self.index, dtype="string")

    def add(self, mask: pd.Series, column: str | None, reason: str | pd.Series,
            value: pd.Series | None = None) -> None:
        new = mask.reindex(self.index, fill_value=False).astype(bool) & self.reason.isna()
        if not new.any():
            return
        self.reason = self.reason.mask(new, reason)
        self.column = self.column.mask(new, column or "")
        if value is not None:
            self.value = self.value.mask(new, value.astype("string").str.slice(0, 200))

    @property
    def rejected(self) -> pd.Series:
        return self.reason.notna()


def prepare_sheet(sheet: RawSheet, spec: SourceSpec, regions: RegionTable,
                  as_of: pd.Timestamp | None = None) -> Prepared:
    """Map headers, standardise values and split the rows of one sheet.

    ``as_of`` is when the data was exported (default now): later dates are typing errors.
    """
    lineage = lineage_of(sheet, spec)
    non_data_parts = [title_rows(sheet, spec)]
    if sheet.rows.empty:
        unreadable = unreadable_rows(sheet, spec)
        return Prepared(spec.table, spec.name, pd.DataFrame(), _frame(non_data_parts, NON_DATA_COLUMNS), unreadable,
                        quarantine_fix_bits=np.zeros(len(unreadable), dtype=np.uint32))

    rows, headers = _combine_columns(sheet, spec)
    mapping = map_headers(headers, spec.table, spec.column_map)
    _check_required(mapping, spec, sheet)
    raw = _without_blank_extras(rows.set_axis(mapping.canonical, axis=1))

    kind = non_data_kind(rows)
    non_data_parts.append(lineage[kind.notna()].assign(reason=kind[kind.notna()]))
    keep = kind.isna()
    if not keep.all():   # a filter copies every column: a second copy of a large sheet at once
        raw, lineage = raw[keep], lineage[keep]
    raw = std.without_missing_tokens(raw, spec.na_values or [])

    rejections = _Rejections(raw.index)
    for column, cells, formulas in formulas_without_result(sheet, headers, mapping, raw.index):
        rejections.add(cells, column, "formula with no saved result (the workbook was written by a program and "
                                     "never saved in Excel or LibreOffice: open and save it)", formulas)
    fixes = SheetFixes(raw.index)
    for column, overlong in overlong_cells(raw).items():
        if column in FREE_TEXT_COLUMNS:  # a pasted mail thread is still a note: keep its start
            raw = raw.assign(**{column: raw[column].str.slice(0, EXCEL_CELL_LIMIT)})
            fixes.add(f"{column} longer than {EXCEL_CELL_LIMIT:,} characters, cut", overlong)
            continue
        rejections.add(overlong, column, f"cell longer than {EXCEL_CELL_LIMIT:,} characters (Excel's limit): "
                                         "not a typed value", raw[column])
    for column, (overlong, reason) in overlong_names(raw).items():
        rejections.add(overlong, column, reason, raw[column])
    standardiser = _STANDARDISERS[spec.table]
    data = standardiser(raw, spec, regions, mapping, rejections, fixes)
    data = _future_dates(data, spec.table, as_of, rejections, fixes)
    if spec.table == "customers":
        data = data.assign(**_match_evidence(raw, spec, mapping, sheet))

    rejected = rejections.rejected
    quarantine = lineage[rejected].assign(
        table=spec.table, column=rejections.column[rejected], reason=rejections.reason[rejected],
        value=rejections.value[rejected], region=pd.NA)
    unreadable = unreadable_rows(sheet, spec)
    quarantine = pd.concat([quarantine, unreadable], ignore_index=True)
    places = _places(data[rejected], regions).reindex(range(len(quarantine))) if len(quarantine) else pd.DataFrame()
    flags = rejected.to_numpy(dtype=bool)
    # Filtered column by column (by Arrow for text), and only when a row was set aside.
    data = pd.concat([rows_where(lineage, ~flags), rows_where(data, ~flags)], axis=1)
    return Prepared(spec.table, spec.name, data.reset_index(drop=True), _frame(non_data_parts, NON_DATA_COLUMNS),
                    quarantine[QUARANTINE_COLUMNS].reset_index(drop=True), fixes.counts, fixes.kinds,
                    fixes.bits[~flags], np.concatenate([fixes.bits[flags], np.zeros(len(unreadable), np.uint32)]),
                    places)


# What may tell a quarantined row's region, in the order ingest asks: its own place cells,
# its owner rep's region, then the region of the customer it names.
PLACE_COLUMNS = ("region", "owner_rep", "customer_id", "customer_key")


def _places(rows: pd.DataFrame, regions: RegionTable) -> pd.DataFrame:
    """The PLACE_COLUMNS ``rows`` have, positions from 0; a region no cell resolved is missing."""
    places = rows[[c for c in PLACE_COLUMNS if c in rows]].reset_index(drop=True)
    if "region" in places:
        places = places.assign(region=places["region"].mask(places["region"] == regions.unknown.code))
    return places


def _without_blank_extras(raw: pd.DataFrame) -> pd.DataFrame:
    """Drop unmapped columns with no cell filled: exports pad sheets with thousands of them,
    and every later step would otherwise pay for each one."""
    extras = [name for name in raw.columns if name.startswith("x_")]
    if not extras:
        return raw
    filled = raw[extras].ne("").fillna(False).any()
    blank = [name for name in extras if not filled[name]]
    return raw.drop(columns=blank) if blank else raw


def _frame(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "source_row" else "string") for c in columns})
    return pd.concat(parts, ignore_index=True)[columns]


def _combine_columns(sheet: RawSheet, spec: SourceSpec) -> tuple[pd.DataFrame, list[str]]:
    """Join source columns into one canonical column (given name + surname -> name), placed first."""
    if not spec.combine:
        return sheet.rows, list(sheet.rows.columns)
    rows = sheet.rows
    combined = {}
    for canonical, parts in spec.combine.items():
        missing = [part for part in parts if part not in rows.columns]
        if missing:
            raise UserError(f"{sheet.where}: column {missing[0]!r} named in combine.{canonical} of source "
                            f"{spec.name!r} not found; headers are: {', '.join(sheet.headers)[:300]}")
        pieces = rows[parts].apply(lambda col: col.str.strip())
        joined = pieces.apply(lambda row: " ".join(v for v in row if isinstance(v, str) and v), axis=1)
        combined[canonical] = joined.astype("string")
    front = pd.DataFrame(combined, index=rows.index)
    return pd.concat([front, rows], axis=1), [*combined, *rows.columns]


def _match_evidence(raw: pd.DataFrame, spec: SourceSpec, mapping: HeaderMapping, sheet: RawSheet) -> dict:
    """Folded values of the columns a source declares as match evidence, as ``ev_<name>`` columns."""
    evidence = {}
    for header in spec.match.evidence:
        name = next((c for h, c in zip(mapping.headers, mapping.canonical) if h == header), None)
        if name is None:
            raise UserError(f"{sheet.where}: match evidence column {header!r} of source {spec.name!r} not found")
        key = name[2:] if name.startswith("x_") else name
        folded = std.clean_text(_col(raw, name)).str.normalize("NFKC").str.lower().str.replace(f"[{std.WS_CHARS}\\-/.]", "", regex=True)
        evidence[f"ev_{key}"] = folded.replace("", pd.NA)
    return evidence


# An order must have been placed by the export (a day's grace covers time zones); a future
# interaction is a planned visit or call, and stays.
_EVENT_DATES = {"orders": "order_date"}
_RECORD_DATES = {"customers": ["created_at"], "deals": ["created_at"]}


def _future_dates(data: pd.DataFrame, table: str, as_of: pd.Timestamp | None,
                  rejections: _Rejections, fixes: SheetFixes) -> pd.DataFrame:
    """Quarantine events dated after ``as_of`` (+1 day); blank other dates after it."""
    limit = (as_of if as_of is not None else pd.Timestamp.now()).normalize() + pd.Timedelta(days=2)
    event = _EVENT_DATES.get(table)
    if event:
        rejections.add(data[event].ge(limit).fillna(False), event,
                       f"{event} in the future (after {(limit - pd.Timedelta(days=1)).date()})", data[event])
    changes = {}
    for column in _RECORD_DATES.get(table, []):
        future = data[column].ge(limit).fillna(False)
        if future.any():
            fixes.add(f"{column} in the future, left empty", future)
            changes[column] = data[column].mask(future)
    return data.assign(**changes) if changes else data


# --------------------------------------------------------------------------- required columns

_REQUIRED_ANY = {
    "customers": [("name",)],
    "orders": [("order_date",), ("amount", "unit_price"), ("customer_id", CUSTOMER_NAME)],
    "deals": [("stage",)],
    "interactions": [("date",), ("customer_id", CUSTOMER_NAME)],
    "leads": [("created_at",)],
    "reps": [("name",)],
}


def _check_required(mapping: HeaderMapping, spec: SourceSpec, sheet: RawSheet) -> None:
    present = set(mapping.canonical)
    for choices in _REQUIRED_ANY[spec.table]:
        if present.isdisjoint(choices):
            examples = "/".join(ALIASES[spec.table][choices[0]][:3])
            raise UserError(
                f"{sheet.file} {('[' + sheet.sheet + '] ') if sheet.sheet else ''}row "
                f"{sheet.rows_above_header + 1}: required column {choices[0]!r} not found "
                f"(a header like {examples}); headers are: {', '.join(h for h in sheet.headers if h)[:300]}; "
                f"map it under column_map for source {spec.name!r}")


# --------------------------------------------------------------------------- per table


def _col(raw: pd.DataFrame, name: str) -> pd.Series:
    if name in raw:
        return raw[name]
    return pd.Series(pd.NA, index=raw.index, dtype="string")


def _extras(raw: pd.DataFrame) -> dict[str, pd.Series]:
    """Unmapped columns, kept as ``x_`` extras; a column with no value in the sheet is dropped."""
    extras = {}
    for name in raw.columns:
        if name.startswith("x_"):
            values = std.clean_text(raw[name])
            if values.notna().any():
                extras[name] = values
    return extras


def _dates(raw, name, spec, fixes, rejections=None, required=False):
    values, invalid = std.parse_dates(_col(raw, name), spec.date_order)
    fixes.add("dates parsed", values.notna())
    if required and rejections is not None:
        rejections.add(invalid, name, f"unparseable {name}", _col(raw, name))
        rejections.add(values.isna(), name, f"missing {name}")
    else:
        fixes.add(f"{name} unparseable, left empty", invalid)
    return values


def _money(raw, name, mapping, fixes, rejections=None):
    values, invalid = std.parse_money(_col(raw, name), mapping.multipliers.get(name, 1.0))
    if rejections is not None:
        rejections.add(invalid, name, f"unparseable {name}", _col(raw, name))
    else:
        fixes.add(f"{name} unparseable, left empty", invalid)
    return values


def _resolve_places(raw: pd.DataFrame, regions: RegionTable, fixes: SheetFixes) -> dict[str, pd.Series]:
    """Region code, canonical province and city from whichever place columns the row has."""
    region_text = std.clean_codes(_col(raw, "region"))
    province_text = std.clean_text(_col(raw, "province"))
    city_text = std.clean_text(_col(raw, "city"))
    country_text = std.clean_codes(_col(raw, "country"))

    def lookup(series: pd.Series, fn) -> tuple[pd.Series, pd.Series]:
        """(region code, province) per row, resolving each distinct value once."""
        resolved = {value: fn(value) for value in series.dropna().unique()}
        codes = {value: hit[0] for value, hit in resolved.items() if hit}
        provinces = {value: hit[1] for value, hit in resolved.items() if hit}
        return series.map(codes).astype("string"), series.map(provinces).astype("string")

    def region_only(value: str):
        code = regions.resolve(value)
        return (code, None) if code else None

    region, _ = lookup(region_text, region_only)
    province_region, province = lookup(province_text, regions.resolve_province)
    city_region, city_province = lookup(city_text, regions.resolve_province)
    country_region, _ = lookup(country_text, region_only)
    region = region.fillna(province_region).fillna(city_region).fillna(country_region)
    province = province.fillna(city_province)
    found = region.notna()
    fixes.add("regions mapped", found)
    fixes.add("region unknown", (~found))
    region = region.fillna(regions.unknown.code)
    return {"region": region, "province": province.fillna(province_text), "city": city_text,
            "country": country_text}


# The fix of a display name typed with stray spaces ("合肥 益华电气 有限公司", "Acme  Trading Co.").
NAME_SPACING = "name spacing tidied"


def _customers(raw, spec, regions, mapping, rejections, fixes):
    name, key = std.names_and_keys(_col(raw, "name"))
    rejections.add(name.isna(), "name", "missing customer name")
    fixes.add(NAME_SPACING, std.respaced(_col(raw, "name"), name))
    phone, phone_type, phone_invalid = normalize_phones(_col(raw, "phone"), spec.phone_region)
    fixes.add("phones normalised", phone.notna())
    fixes.add("phones invalid, left empty", phone_invalid)
    email, email_invalid = std.normalize_emails(_col(raw, "email"))
    fixes.add("emails invalid, left empty", email_invalid)
    customer_type, _ = std.map_synonyms(_col(raw, "customer_type"), std.CUSTOMER_TYPE_SYNONYMS,
                                        spec.vocabulary.customer_type)
    # A stated status (churn flag, 合作状态) is kept apart from the type label: it wins over the
    # type derived from orders; one not understood is left empty, so the type is derived.
    status, unknown_status = std.map_synonyms(_col(raw, "status"), std.CUSTOMER_STATUS_SYNONYMS,
                                              spec.vocabulary.customer_status)
    fixes.add("customer status not recognised, left empty", unknown_status)
    return pd.DataFrame({
        "name": name,
        "name_key": key,
        "source_customer_id": std.clean_ids(_col(raw, "source_customer_id")),
        **_resolve_places(raw, regions, fixes),
        "industry": std.clean_text(_col(raw, "industry")),
        "customer_type": customer_type,
        "owner_rep": std.clean_text(_col(raw, "owner_rep")),
        "phone": phone,
        "phone_type": phone_type,
        # As typed, when it is no number or address: the fix lists show the owner what to correct.
        "phone_invalid": std.clean_text(_col(raw, "phone")).where(phone_invalid),
        "email": email,
        "email_invalid": std.clean_text(_col(raw, "email")).where(email_invalid),
        "contact": std.clean_text(_col(raw, "contact")),
        "address": std.clean_text(_col(raw, "address")),
        "channel": std.clean_text(_col(raw, "channel")),
        "created_at": _dates(raw, "created_at", spec, fixes),
        "credit_rating": std.clean_text(_col(raw, "credit_rating")),
        "potential_value": _money(raw, "potential_value", mapping, fixes),
        "annual_purchases": _money(raw, "annual_purchases", mapping, fixes),
        "intent": std.clean_text(_col(raw, "intent")),
        "status": status,
        "tenure_months": _money(raw, "tenure_months", mapping, fixes),
        "monthly_charge": _money(raw, "monthly_charge", mapping, fixes),
        "total_charges": _money(raw, "total_charges", mapping, fixes),
        **_extras(raw),
    }, index=raw.index)


def _customer_reference(raw: pd.DataFrame, rejections: _Rejections, table: str, required: bool) -> dict:
    customer_id = std.clean_codes(_col(raw, "customer_id"))
    customer_name, customer_key = std.names_and_keys(_col(raw, CUSTOMER_NAME))
    if required:
        rejections.add(customer_id.isna() & customer_name.isna(), CUSTOMER_NAME,
                       f"{table} row names no customer")
    return {"customer_id": customer_id, CUSTOMER_NAME: customer_name, "customer_key": customer_key}


def _orders(raw, spec, regions, mapping, rejections, fixes):
    order_date = _dates(raw, "order_date", spec, fixes, rejections, required=True)
    amount = _money(raw, "amount", mapping, fixes, rejections)
    # Quantity and unit price only matter for rows without an amount; there they must parse.
    quantity, bad_quantity = std.parse_money(_col(raw, "quantity"), mapping.multipliers.get("quantity", 1.0))
    unit_price, bad_price = std.parse_money(_col(raw, "unit_price"), mapping.multipliers.get("unit_price", 1.0))
    rejections.add(bad_quantity & amount.isna(), "quantity", "unparseable quantity", _col(raw, "quantity"))
    rejections.add(bad_price & amount.isna(), "unit_price", "unparseable unit_price", _col(raw, "unit_price"))
    fixes.add("quantity unparseable, left empty", (bad_quantity & amount.notna()))
    fixes.add("unit_price unparseable, left empty", (bad_price & amount.notna()))
    derived = amount.isna() & quantity.notna() & unit_price.notna()
    amount = amount.mask(derived, quantity * unit_price)
    fixes.add("amounts derived from quantity x unit price", derived)
    rejections.add(amount.isna(), "amount", "missing amount (and no quantity x unit price)")
    rejections.add(amount.abs().ge(AMOUNT_LIMIT).fillna(False), "amount",
                   f"amount of {AMOUNT_LIMIT:,.0f} or more: not a real order line", _col(raw, "amount"))
    status, unknown_status = std.map_synonyms(_col(raw, "status"), std.ORDER_STATUS_SYNONYMS,
                                              spec.vocabulary.order_status)
    for rows, reason in std.unknown_vocabulary(_col(raw, "status"), unknown_status, "order_status",
                                               "order status", "cancelled"):
        rejections.add(rows, "status", reason, _col(raw, "status"))
    order_id = std.clean_ids(_col(raw, "order_id"))
    status, amount, quantity = _credits(order_id, status, amount, quantity, spec.cancellation_prefix, fixes)
    _reject_foreign_currency(raw, spec, rejections)
    return pd.DataFrame({
        "order_id": order_id,
        **_customer_reference(raw, rejections, "order", required=True),
        "order_date": order_date,
        "amount": amount,
        "quantity": quantity,
        "unit_price": unit_price,
        "product": std.clean_text(_col(raw, "product")),
        "channel": std.clean_text(_col(raw, "channel")),
        "status": status.fillna("completed"),
        "currency": pd.Series(repeated(spec.currency, len(raw)), index=raw.index),
        **_extras(raw),
    }, index=raw.index)


def _credits(order_id: pd.Series, status: pd.Series, amount: pd.Series, quantity: pd.Series,
             cancellation_prefix: str | None, fixes: SheetFixes) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The cancellation rule: a line whose order id starts with the source's
    ``cancellation_prefix`` (Online Retail's "C536379"), or whose quantity or amount is negative,
    is a credit: a cancellation (by prefix) or a return, never an order. Its status says so
    (unless the export already says returned or cancelled) and its amount and quantity are
    made negative, so revenue is net of it. Returns (status, amount, quantity).

    >>> fixes = SheetFixes(pd.RangeIndex(3))
    >>> status, amount, _ = _credits(pd.Series(["536365", "C536379", "536370"]), pd.Series([pd.NA] * 3, dtype="string"),
    ...     pd.Series([15.3, 27.5, -4.0]), pd.Series([6.0, -1.0, -2.0]), "C", fixes)
    >>> status.tolist(), amount.tolist()
    ([<NA>, 'cancelled', 'returned'], [15.3, -27.5, -4.0])
    """
    prefixed = pd.Series(False, index=order_id.index)
    if cancellation_prefix:
        prefixed = order_id.str.upper().str.startswith(cancellation_prefix.upper()).fillna(False).astype(bool)
    credit = (prefixed | amount.lt(0).fillna(False) | quantity.lt(0).fillna(False)).astype(bool)
    if not credit.any():
        return status, amount, quantity
    stated = status.isin(["returned", "cancelled"]).fillna(False).astype(bool)
    status = status.mask(credit & prefixed & ~stated, "cancelled").mask(credit & ~prefixed & ~stated, "returned")
    fixes.add("cancellations and returns (credit lines: never orders, revenue net of them)", credit)
    return status, amount.mask(credit, -amount.abs()), quantity.mask(credit, -quantity.abs())


def _reject_foreign_currency(raw: pd.DataFrame, spec: SourceSpec, rejections: _Rejections) -> None:
    """Quarantine amounts whose cells name another currency than the source's (US$12 in a CNY
    source): read as the source's currency they would be wrong by the exchange rate."""
    cells = _col(raw, "amount")
    foreign = std.foreign_currency(cells, spec.currency or "CNY")
    for code in foreign.dropna().unique():
        rejections.add(foreign.eq(code).fillna(False).astype(bool), "amount",
                       f"amount in {code} but source {spec.name!r} is in {spec.currency}: set currency: {code} "
                       f"for it in params/sources.yaml, or put the {code} rows in a source of their own", cells)


def _deals(raw, spec, regions, mapping, rejections, fixes):
    stage = std.clean_codes(_col(raw, "stage"))
    rejections.add(stage.isna(), "stage", "missing deal stage")
    created_at = _dates(raw, "created_at", spec, fixes, rejections)
    outcome, _ = std.map_synonyms(stage, std.DEAL_OUTCOME_SYNONYMS, spec.vocabulary.deal_outcome)
    region_text = std.clean_codes(_col(raw, "region"))
    region = region_text.map({v: regions.resolve(v) for v in region_text.dropna().unique()}).astype("string")
    _reject_foreign_currency(raw, spec, rejections)
    return pd.DataFrame({
        "deal_id": std.clean_ids(_col(raw, "deal_id")),
        "stage": stage,
        "created_at": created_at,
        **_customer_reference(raw, rejections, "deal", required=False),
        "closed_at": _dates(raw, "closed_at", spec, fixes),
        "amount": _money(raw, "amount", mapping, fixes),
        "owner_rep": std.clean_text(_col(raw, "owner_rep")),
        "lead_source": std.clean_text(_col(raw, "lead_source")),
        "product": std.clean_text(_col(raw, "product")),
        "outcome": outcome.fillna("open"),
        "stage_changed_at": _dates(raw, "stage_changed_at", spec, fixes),
        "region": region,
        "currency": pd.Series(repeated(spec.currency, len(raw)), index=raw.index),
        "lead_id": std.clean_ids(_col(raw, "lead_id")),
        **_extras(raw),
    }, index=raw.index)


def _leads(raw, spec, regions, mapping, rejections, fixes):
    # A lead without an id is numbered from its lineage (like an order), one without a date
    # cannot be placed in any month of the funnel.
    created_at = _dates(raw, "created_at", spec, fixes, rejections, required=True)
    # An unknown status keeps the lead: whether it became a deal is read from its deal.
    status, unknown = std.map_synonyms(_col(raw, "status"), std.LEAD_STATUS_SYNONYMS, spec.vocabulary.lead_status)
    for rows, reason in std.unknown_vocabulary(_col(raw, "status"), unknown, "lead_status", "lead status",
                                               "disqualified"):
        # Counted by value, not by file: the row count leaves the name (the fix's count says it).
        fixes.add(re.sub(r"(, | \()\d+ rows\)", lambda m: ")" if m.group(1) == ", " else "", reason)
                  + "; the status is left empty", rows)
    region_text = std.clean_codes(_col(raw, "region"))
    region = region_text.map({v: regions.resolve(v) for v in region_text.dropna().unique()}).astype("string")
    return pd.DataFrame({
        "lead_id": std.clean_ids(_col(raw, "lead_id")),
        "created_at": created_at,
        "lead_source": std.clean_text(_col(raw, "lead_source")),
        "status": status,
        "converted_at": _dates(raw, "converted_at", spec, fixes),
        "deal_id": std.clean_ids(_col(raw, "deal_id")),
        **_customer_reference(raw, rejections, "lead", required=False),
        "owner_rep": std.clean_text(_col(raw, "owner_rep")),
        "region": region,
        **_extras(raw),
    }, index=raw.index)


def _interactions(raw, spec, regions, mapping, rejections, fixes):
    kind, unknown_kind = std.map_synonyms(_col(raw, "kind"), std.INTERACTION_KIND_SYNONYMS,
                                          spec.vocabulary.interaction_kind)
    fixes.add("interaction kind not recognised, kept as other", unknown_kind)
    satisfaction, bad = std.parse_money(_col(raw, "satisfaction"))
    fixes.add("satisfaction unparseable, left empty", bad)
    # Like an unknown kind, an unknown status keeps the row: a complaint still counts as one.
    status, unknown_status = std.map_synonyms(_col(raw, "status"), std.INTERACTION_STATUS_SYNONYMS,
                                              spec.vocabulary.interaction_status)
    fixes.add("interaction status not recognised, left empty", unknown_status)
    return pd.DataFrame({
        **_customer_reference(raw, rejections, "interaction", required=True),
        "date": _dates(raw, "date", spec, fixes, rejections, required=True),
        "kind": kind.fillna("other"),
        "satisfaction": satisfaction.where(satisfaction.between(1, 5)),
        "status": status,
        "note": std.clean_text(_col(raw, "note")),
        **_extras(raw),
    }, index=raw.index)


def _reps(raw, spec, regions, mapping, rejections, fixes):
    name = std.display_names(_col(raw, "name"))
    rejections.add(name.isna(), "name", "missing rep name")
    fixes.add(NAME_SPACING, std.respaced(_col(raw, "name"), name))
    places = _resolve_places(raw, regions, fixes)
    capacity, bad = std.parse_money(_col(raw, "capacity"))
    rejections.add(bad, "capacity", "unparseable capacity", _col(raw, "capacity"))
    return pd.DataFrame({
        "rep_id": std.clean_text(_col(raw, "rep_id")).fillna(name),
        "name": name,
        "region": places["region"],
        "manager": std.clean_text(_col(raw, "manager")),
        "industries": std.clean_text(_col(raw, "industries")),
        "capacity": capacity,
        **_extras(raw),
    }, index=raw.index)


_STANDARDISERS = {
    "customers": _customers,
    "orders": _orders,
    "deals": _deals,
    "interactions": _interactions,
    "leads": _leads,
    "reps": _reps,
}
