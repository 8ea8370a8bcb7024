"""The analyses on the AWS, Azure and Google Cloud FOCUS 1.3 samples, and dataset reading.

Expected figures were cross-checked with DuckDB over the same files.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from focus_ionos_plugin.errors import InputError
from focus_ionos_plugin.focus.writer import write_metadata, write_partition
from focus_ionos_plugin.report import analysis
from focus_ionos_plugin.report.build import build_report
from focus_ionos_plugin.report.load import dataset_focus_version, read_summary
from focus_ionos_plugin.report.render import matrix_view

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
AWS = SAMPLES / "aws-focus-1.3-cost-and-usage-1k.parquet"


FILES = [
    SAMPLES / f"{name}-focus-1.3-cost-and-usage-1k.parquet" for name in ("aws", "azure", "gcp")
]


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> pa.Table:
    folder = tmp_path_factory.mktemp("samples")
    for file in FILES:
        (folder / file.name).symlink_to(file)
    return read_summary(folder)


def test_sample_totals_per_provider(samples):
    kpis = analysis.kpis(samples)
    (usd,) = kpis.totals
    assert (usd.currency, usd.billed_cost, usd.effective_cost, usd.rows) == (
        "USD",
        D("86624.543741494532174"),
        D("86624.543741494532174"),
        3000,
    )
    assert (kpis.providers, kpis.sub_accounts, kpis.resources, kpis.months) == (
        3,
        12,
        1193,
        ("2026-05",),
    )
    assert not kpis.has_cost_status and usd.cost_status == ()
    providers = analysis.breakdown(samples, "provider")["USD"]
    assert [(r.key, r.billed_cost, r.share) for r in providers] == [
        ("Google Cloud", D("33469.1987752909775"), D("38.64")),
        ("Microsoft Azure", D("29519.49261263168"), D("34.08")),
        ("AWS", D("23635.852353571874674"), D("27.29")),
    ]


def test_sample_charge_categories_differ_between_billed_and_effective(samples):
    rows = analysis.breakdown(samples, "charge_category")["USD"]
    assert [(r.key, r.billed_cost, r.effective_cost, r.share) for r in rows] == [
        ("Purchase", D("63878.562"), D("44431.51"), D("73.74")),
        ("Usage", D("22660.0823356915363"), D("42107.1343356915363"), D("26.16")),
        ("Tax", D("85.899405802995874"), D("85.899405802995874"), D("0.10")),
    ]


def test_sample_service_categories_and_regions(samples):
    categories = analysis.breakdown(samples, "service_category")["USD"]
    assert [(r.key, r.billed_cost) for r in categories[:2]] == [
        ("Compute", D("38595.443814138578424")),
        ("Databases", D("18658.27285781755375")),
    ]
    regions = analysis.breakdown(samples, "region")["USD"]
    assert [(r.key, r.label, r.billed_cost) for r in regions[:2]] == [
        ("europe-west1", "Belgium", D("11045.829921386155")),
        ("westeurope", "West Europe", D("9869.24127548624")),
    ]
    assert (regions[-1].key, regions[-1].label, regions[-1].billed_cost) == (
        None,
        "(no region)",
        D("85.899405802995874"),
    )
    (matrix,) = analysis.category_region_matrix(samples)
    assert matrix.total == D("86624.543741494532174")
    assert len(matrix.categories) == 6 and len(matrix.regions) == 13
    view = matrix_view(matrix)  # more regions than categories: regions go down the page
    assert (view.rows, view.columns) == (matrix.regions, matrix.categories)
    assert view.cells[0] == tuple(row[0] for row in matrix.cells)


def test_sample_invoices_are_not_flagged(samples):
    invoices = analysis.invoice_reconciliation(samples)
    assert len(invoices) == 6
    aws = {i.invoice_id: i for i in invoices}["INV-2026-05-0002"]
    assert aws.by_category == {
        "Usage": D("2079.93810231185031"),
        "Purchase": D("9640.888"),
        "Tax": D("11.799073432848374"),
    }
    assert (aws.total, aws.tax_share, aws.flags, aws.provider) == (
        D("11732.625175744698684"),
        D("0.10"),
        (),
        "AWS",
    )
    assert all(i.flags == () for i in invoices)


def test_sample_top_drivers(samples):
    drivers = analysis.cost_drivers(samples)["USD"]
    assert [(d.label, d.billed_cost, d.service) for d in drivers] == [
        ("law-1ba30ec4", D("1115.10716"), "Azure Monitor"),
        ("law-cf92d13c", D("1059.86944"), "Azure Monitor"),
        ("law-06eb609a", D("992.97785"), "Azure Monitor"),
        ("law-2553c1d8", D("908.87766"), "Azure Monitor"),
        ("vnet-d29458ce", D("782.63"), "Virtual Network"),
    ]


def test_one_month_has_no_trend_or_anomaly(samples):
    found, note = analysis.anomalies(samples)
    assert found == ()
    assert note == "USD: only 2026-05 in the data, no trailing months to compare"
    (mom,) = analysis.month_over_month(samples)
    assert all(m.change_pct is None for t in mom.categories for m in t.months)


def test_a_single_parquet_file_is_a_dataset():
    summary = read_summary(AWS)
    (usd,) = analysis.kpis(summary).totals
    assert usd.billed_cost == D("23635.852353571874674")


def test_merged_hive_dataset_with_different_columns_and_time_units(tmp_path, crafted):
    write_partition(tmp_path, "aws", "2026-05", pq.read_table(AWS), csv=True)
    months = pc.strftime(crafted["BillingPeriodStart"], format="%Y-%m")
    eur = pc.equal(crafted["BillingCurrency"], "EUR")
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        rows = crafted.filter(pc.and_(eur, pc.equal(months, month)))
        write_partition(tmp_path, "ionos", month, rows)
    write_metadata(tmp_path)

    everything = analysis.kpis(read_summary(tmp_path))
    assert [(t.currency, t.billed_cost) for t in everything.totals] == [
        ("EUR", D("816.30")),
        ("USD", D("23635.852353571874674")),
    ]
    assert everything.months == ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05")
    assert [(s.status, s.billed_cost) for s in everything.totals[1].cost_status] == [
        ("Not stated", D("23635.852353571874674")),
    ]

    spring = analysis.kpis(read_summary(tmp_path, ["2026-04", "2026-05"]))
    assert [(t.currency, t.billed_cost, t.rows) for t in spring.totals] == [
        ("EUR", D("255"), 6),
        ("USD", D("23635.852353571874674"), 1000),
    ]
    assert dataset_focus_version(tmp_path) == "1.3"


def test_unreadable_inputs_name_the_path(tmp_path):
    with pytest.raises(InputError, match="missing: no such file or folder"):
        read_summary(tmp_path / "missing")
    with pytest.raises(InputError, match=r"folder holds no \.csv or \.parquet file"):
        read_summary(tmp_path)


def test_contract_commitment_files_are_skipped(tmp_path):
    (tmp_path / AWS.name).symlink_to(AWS)
    commitment = pa.table({"ContractCommitmentId": ["cc-1"], "ContractId": ["c-1"]})
    pq.write_table(commitment, tmp_path / "contract-commitment.parquet")
    (usd,) = analysis.kpis(read_summary(tmp_path)).totals
    assert (usd.billed_cost, usd.rows) == (D("23635.852353571874674"), 1000)
    (tmp_path / AWS.name).unlink()
    with pytest.raises(InputError, match="no FOCUS Cost and Usage file under"):
        read_summary(tmp_path)


def test_build_report_of_the_samples_without_validation(samples, tmp_path):
    (tmp_path / AWS.name).symlink_to(AWS)
    report = build_report(tmp_path, validate=False)
    assert report.compliance is not None and not report.compliance.checked
    assert report.compliance.caveats == (
        "The data does not say which costs are final (no x_CostStatus column): figures of "
        "a month that is still open may change until it is invoiced.",
    )
    assert report.traffic == ()
    assert report.kpis.totals[0].billed_cost == D("23635.852353571874674")


def test_compliance_of_the_aws_sample_names_the_known_bad_rules(tmp_path):
    (tmp_path / AWS.name).symlink_to(AWS)
    compliance = build_report(tmp_path).compliance
    assert compliance is not None and compliance.checked
    assert (compliance.conformant, compliance.focus_version) == (False, "1.3")
    assert compliance.counts["error"] == 4 and compliance.counts["warning"] == 0
    assert [(f["rule_id"], f["rows"]) for f in compliance.findings] == [
        ("CAU-ContractAppliedObject-O-007-M", 627),
        ("CAU-ContractAppliedObject-O-051-C", 400),
        ("CAU-ContractAppliedObject-O-060-C", 400),
        ("CAU-ContractAppliedObject-O-042-C", 227),
    ]


def test_csv_dataset_gives_the_same_figures_as_parquet(tmp_path, crafted):
    months = pc.strftime(crafted["BillingPeriodStart"], format="%Y-%m")
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        rows = crafted.filter(pc.equal(months, month))
        write_partition(tmp_path / "csv", "mixed", month, rows, csv=True, parquet=False)
        write_partition(tmp_path / "both", "mixed", month, rows, csv=True)
    from_csv = read_summary(tmp_path / "csv", ["2026-03", "2026-04"])
    from_parquet = read_summary(tmp_path / "both", ["2026-03", "2026-04"])
    assert analysis.kpis(from_csv) == analysis.kpis(from_parquet)
    totals = analysis.kpis(from_csv).totals
    assert [(t.currency, t.billed_cost, t.rows) for t in totals] == [
        ("EUR", D("425"), 12),
        ("USD", D("500"), 1),
    ]
