"""The FOCUS 1.3 column catalogue and Arrow schemas built from our JSON Schemas."""

from __future__ import annotations

import json
from importlib.resources import files

import pyarrow as pa
import pytest

from focus_ionos_plugin.focus.schema import (
    DECIMAL_TYPE,
    TIMESTAMP_TYPE,
    column_specs,
    contract_commitment_schema,
    cost_and_usage_schema,
    empty_cost_and_usage_table,
    load_json_schema,
)


def test_cost_and_usage_has_every_column_in_spec_order() -> None:
    schema = cost_and_usage_schema()
    assert len(schema) == 65
    assert schema.names == sorted(schema.names)
    assert schema.names[0] == "AllocatedMethodDetails"
    assert schema.names[-1] == "Tags"
    assert {"ProviderName", "PublisherName", "HostProviderName", "ServiceProviderName"} <= set(
        schema.names
    )


def test_types_are_exact_decimals_utc_seconds_and_text() -> None:
    schema = cost_and_usage_schema()
    assert schema.field("BilledCost").type == pa.decimal128(38, 18) == DECIMAL_TYPE
    assert schema.field("PricingQuantity").type == DECIMAL_TYPE
    assert schema.field("ChargePeriodStart").type == pa.timestamp("s", tz="UTC") == TIMESTAMP_TYPE
    assert schema.field("BillingAccountId").type == pa.string()
    assert schema.field("Tags").type == pa.string()
    assert schema.field("ContractApplied").type == pa.string()
    decimals = [f.name for f in schema if f.type == DECIMAL_TYPE]
    assert len(decimals) == 12
    assert sum(1 for f in schema if f.type == TIMESTAMP_TYPE) == 4


def test_contract_commitment_schema() -> None:
    schema = contract_commitment_schema()
    assert len(schema) == 13
    assert schema.field("ContractCommitmentCost").type == DECIMAL_TYPE
    assert schema.field("ContractPeriodEnd").type == TIMESTAMP_TYPE
    assert all(spec.mandatory for spec in column_specs("contract-commitment").values())


def test_column_specs_carry_levels_nullability_and_allowed_values() -> None:
    specs = column_specs()
    assert specs["BilledCost"].feature_level == "Mandatory"
    assert specs["BilledCost"].nullable is False
    assert specs["ChargeFrequency"].feature_level == "Recommended"
    assert specs["Tags"].feature_level == "Conditional"
    assert specs["Tags"].applicability == ("TAGGING_SUPPORTED",)
    assert specs["Tags"].json_kind == "key-value"
    assert specs["ContractApplied"].json_kind == "object"
    assert specs["ChargeCategory"].allowed_values == (
        "Usage",
        "Purchase",
        "Tax",
        "Credit",
        "Adjustment",
    )
    assert specs["ChargeClass"].allowed_values == ("Correction",)
    assert len(specs["ServiceSubcategory"].allowed_values or ()) == 82
    assert specs["ProviderName"].deprecated is True
    assert specs["HostProviderName"].introduced == "1.3"
    assert specs["BilledCost"].presence_rules == ("CAU-CostAndUsage-D-006-M",)


def test_empty_table_has_the_schema() -> None:
    table = empty_cost_and_usage_table()
    assert table.num_rows == 0
    assert table.schema.equals(cost_and_usage_schema())


def test_unknown_dataset_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown FOCUS dataset"):
        load_json_schema("billing")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["cost-and-usage.json", "contract-commitment.json"])
def test_schema_files_ship_in_the_package_and_are_json_schema_2020_12(name: str) -> None:
    import jsonschema

    data = json.loads((files("focus_ionos_plugin.schemas") / "focus-1.3" / name).read_text())
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(data)
