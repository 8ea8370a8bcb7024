"""FOCUS version detection and the upgrade of 1.0, 1.1 and 1.2 rows to FOCUS 1.3."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from focus_ionos_plugin.errors import InputError
from focus_ionos_plugin.findings import Severity
from focus_ionos_plugin.focus.schema import cost_and_usage_schema
from focus_ionos_plugin.focus.upgrade import (
    Upgrade,
    columns_of,
    detect_version,
    mandatory_columns,
)

SAMPLES = Path(__file__).parent.parent / "data" / "samples"

# Written out here (not imported) so that the test checks the module's history table.
NEW_IN_1_3 = [
    "AllocatedMethodDetails",
    "AllocatedMethodId",
    "AllocatedResourceId",
    "AllocatedResourceName",
    "AllocatedTags",
    "ContractApplied",
    "HostProviderName",
    "ServiceProviderName",
]
NEW_IN_1_2 = [
    "BillingAccountType",
    "SubAccountType",
    "InvoiceId",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
]
NEW_IN_1_1 = [
    "CapacityReservationId",
    "CapacityReservationStatus",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountUnit",
    "ServiceSubcategory",
    "SkuMeter",
    "SkuPriceDetails",
]


def _sample(provider: str = "aws") -> pa.Table:
    return pq.read_table(SAMPLES / f"{provider}-focus-1.3-cost-and-usage-1k.parquet")


def _run(table: pa.Table, **kwargs: object) -> tuple[Upgrade, pa.Table]:
    upgrade = Upgrade(table.schema, **kwargs)  # type: ignore[arg-type]
    batches = [upgrade.apply(batch) for batch in table.to_batches(max_chunksize=300)]
    return upgrade, pa.Table.from_batches(batches, upgrade.schema)


def test_column_sets_per_version() -> None:
    assert len(columns_of("1.3")) == 65
    assert len(columns_of("1.2")) == 57
    assert len(columns_of("1.1")) == 50
    assert len(columns_of("1.0")) == 43
    assert set(columns_of("1.3")) - set(columns_of("1.2")) == set(NEW_IN_1_3)
    assert set(columns_of("1.2")) - set(columns_of("1.1")) == set(NEW_IN_1_2)
    assert set(columns_of("1.1")) - set(columns_of("1.0")) == set(NEW_IN_1_1)
    assert len(mandatory_columns("1.3")) == 23
    assert set(mandatory_columns("1.3")) - set(mandatory_columns("1.2")) == {
        "ServiceProviderName",
        "HostProviderName",
    }


def test_detect_version_from_columns() -> None:
    names = cost_and_usage_schema().names
    assert detect_version(names).version == "1.3"
    assert detect_version([n for n in names if n not in NEW_IN_1_3]).version == "1.2"
    older = [n for n in names if n not in NEW_IN_1_3 + NEW_IN_1_2]
    assert detect_version(older).version == "1.1"
    oldest = [n for n in older if n not in NEW_IN_1_1]
    assert detect_version(oldest).version == "1.0"
    assert detect_version(oldest).evidence == "columns"


def test_detect_version_prefers_metadata() -> None:
    names = [n for n in cost_and_usage_schema().names if n not in NEW_IN_1_3]
    info = detect_version(names, {"FocusVersion": "1.1"})
    assert (info.version, info.evidence) == ("1.1", "metadata")
    assert detect_version(names, {"focus_version": "1.2.0"}).version == "1.2"
    with pytest.raises(InputError, match=r"'0\.5' is not one of 1\.0, 1\.1, 1\.2, 1\.3"):
        detect_version(names, {"FocusVersion": "0.5"})


def test_non_focus_input_is_refused_with_the_missing_columns() -> None:
    with pytest.raises(InputError) as caught:
        detect_version(["lineItem/UnblendedCost", "BilledCost", "x_Team"], source="cur.csv")
    message = str(caught.value)
    assert message.startswith("cur.csv is not a FOCUS 1.0 Cost and Usage dataset")
    missing = message.split("missing: ")[1].split(" (columns found", maxsplit=1)[0].split(", ")
    assert len(missing) == 20
    assert missing[:3] == ["BillingAccountId", "BillingAccountName", "BillingCurrency"]
    assert "BilledCost" not in missing
    assert "columns found include: BilledCost, lineItem/UnblendedCost" in message


def test_a_1_3_input_without_the_new_provider_columns_is_refused() -> None:
    names = [n for n in cost_and_usage_schema().names if n != "HostProviderName"]
    with pytest.raises(InputError, match="missing: HostProviderName"):
        detect_version(names, {"focus_version": "1.3"})


def test_a_1_3_sample_passes_unchanged() -> None:
    table = _sample().append_column("x_Team", pa.array(["core"] * 1000))
    upgrade, result = _run(table)
    assert upgrade.version == "1.3"
    assert result.column_names == [*cost_and_usage_schema().names, "x_Team"]
    for name in table.column_names:
        if name != "x_Team":
            expected = table.column(name).cast(cost_and_usage_schema().field(name).type)
            assert result.column(name).equals(expected), name
    assert result.column("x_Team").to_pylist() == ["core"] * 1000
    assert upgrade.findings() == []


def test_a_1_2_style_input_is_upgraded() -> None:
    original = _sample("azure")
    table = original.drop_columns(NEW_IN_1_3)
    upgrade, result = _run(table)

    assert upgrade.version == "1.2"
    assert result.num_rows == 1000
    assert result.column_names == cost_and_usage_schema().names
    # ServiceProviderName and HostProviderName follow from ProviderName, exactly as the
    # 1.3 export has them.
    assert result.column("ServiceProviderName").to_pylist() == ["Microsoft Azure"] * 1000
    assert result.column("HostProviderName").equals(original.column("HostProviderName"))
    assert result.column("ProviderName").to_pylist() == ["Microsoft Azure"] * 1000
    assert result.column("PublisherName").to_pylist() == ["Microsoft"] * 1000
    # Unknowable before 1.3: null, reported.
    assert result.column("ContractApplied").null_count == 1000
    assert result.column("AllocatedMethodId").null_count == 1000
    assert pc.sum(result.column("BilledCost")).as_py() == Decimal("29519.49261263168")
    findings = {f.column: f for f in upgrade.findings()}
    assert set(findings) == {"ContractApplied"}
    assert findings["ContractApplied"].rule_id == "focus-upgrade-value-unknown"
    assert findings["ContractApplied"].severity is Severity.WARNING
    assert findings["ContractApplied"].rows == 1000
    assert "FOCUS 1.2, detected from its columns" in findings["ContractApplied"].message


def test_a_1_0_style_input_is_upgraded() -> None:
    original = _sample("aws")
    table = original.drop_columns(NEW_IN_1_3 + NEW_IN_1_2 + NEW_IN_1_1)
    table = table.append_column("x_CostCenter", pa.array(["cc-1"] * 1000))
    upgrade, result = _run(table, provider="aws", source="aws.parquet")

    assert upgrade.version == "1.0"
    assert result.column_names == [*cost_and_usage_schema().names, "x_CostCenter"]
    assert result.column("x_CostCenter").to_pylist() == ["cc-1"] * 1000
    # Before 1.2 every price was in the billing currency: the PricingCurrency columns are
    # copies, not guesses.
    assert result.column("PricingCurrency").to_pylist() == ["USD"] * 1000
    assert result.column("PricingCurrencyListUnitPrice").equals(result.column("ListUnitPrice"))
    assert result.column("PricingCurrencyEffectiveCost").equals(result.column("EffectiveCost"))
    row = result.slice(0, 1).to_pylist()[0]
    assert row["PricingCurrencyContractedUnitPrice"] == Decimal("0.096")
    assert row["ServiceProviderName"] == row["HostProviderName"] == "AWS"
    for name in (
        "ServiceSubcategory",
        "SkuMeter",
        "InvoiceId",
        "BillingAccountType",
        "CommitmentDiscountQuantity",
        "CapacityReservationId",
        "SkuPriceDetails",
    ):
        assert result.column(name).null_count == 1000, name
    # Untouched columns keep every digit.
    assert result.column("BilledCost").equals(original.column("BilledCost"))
    assert pc.sum(result.column("BilledCost")).as_py() == Decimal("23635.852353571874674")

    findings = {f.column: f for f in upgrade.findings()}
    assert findings["ServiceSubcategory"].rows == 1000
    assert findings["SkuMeter"].rows == 962  # rows with a SkuId
    assert findings["CommitmentDiscountQuantity"].rows == 576  # rows with a discount id
    assert findings["SubAccountType"].rows == 1000
    assert findings["InvoiceId"].severity is Severity.WARNING
    assert findings["ContractApplied"].provider == "aws"
    assert "PricingCurrency" not in findings
    assert "AllocatedMethodId" not in findings
    assert findings["SkuMeter"].message.startswith(
        "aws.parquet (FOCUS 1.0, detected from its columns)"
    )


def test_legacy_values_and_unknown_columns() -> None:
    table = _sample().slice(0, 4).drop_columns(NEW_IN_1_3 + NEW_IN_1_2 + NEW_IN_1_1)
    table = table.set_column(
        table.column_names.index("PricingCategory"),
        "PricingCategory",
        pa.array(["On-Demand", "Commitment-Based", "Standard", None]),
    )
    table = table.append_column("ResourceTags", pa.array(["a", "b", "c", "d"]))
    upgrade, result = _run(table)

    assert result.column("PricingCategory").to_pylist() == [
        "Standard",
        "Committed",
        "Standard",
        None,
    ]
    assert result.column("x_ResourceTags").to_pylist() == ["a", "b", "c", "d"]
    renamed = [f for f in upgrade.findings() if f.rule_id == "focus-upgrade-value-renamed"]
    assert [(f.column, f.rows) for f in renamed] == [("PricingCategory", 1), ("PricingCategory", 1)]
    custom = [f for f in upgrade.findings() if f.rule_id == "focus-upgrade-custom-column"]
    assert [f.column for f in custom] == ["x_ResourceTags"]


def test_plugin_output_is_aligned_without_refusal() -> None:
    table = pa.table(
        {
            "BilledCost": pa.array([Decimal("1.5")], pa.decimal128(12, 2)),
            "BillingCurrency": ["EUR"],
            "ProviderName": ["IONOS Cloud"],
            "x_CostStatus": ["Invoiced"],
        }
    )
    upgrade, result = _run(table, version="1.3", strict=False)
    assert result.column_names[-1] == "x_CostStatus"
    assert result.schema.field("BilledCost").type == pa.decimal128(38, 18)
    assert result.column("BilledCost").to_pylist() == [Decimal("1.5")]
    assert result.column("ServiceProviderName").to_pylist() == ["IONOS Cloud"]
    assert result.column("ChargeCategory").to_pylist() == [None]
    [finding] = upgrade.findings()
    assert finding.rule_id == "focus-columns-missing"
    assert finding.message.startswith("input: the provider's rows lack 54 FOCUS 1.3 columns")
    assert "BillingAccountId, BillingAccountName" in finding.message
    assert "ServiceProviderName" not in finding.message
    with pytest.raises(InputError, match="mandatory columns missing"):
        Upgrade(table.schema, version="1.3")
