"""Merge building blocks: aligning batches, the dataset's column union, totals, one CSV."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from focus_ionos_plugin.focus.merge import (
    COMBINED_CSV_NAME,
    MergeSummary,
    align,
    dataset_schema,
    finish_dataset,
)
from focus_ionos_plugin.focus.schema import cost_and_usage_schema
from focus_ionos_plugin.focus.upgrade import Upgrade
from focus_ionos_plugin.focus.writer import write_partition

DEC = pa.decimal128(38, 18)
MAY = datetime(2026, 5, 1, tzinfo=UTC)


def _focus(costs: list[str], currencies: list[str], custom: dict[str, list[str]]) -> pa.Table:
    table = pa.table(
        {
            "BilledCost": pa.array([Decimal(c) for c in costs], DEC),
            "BillingCurrency": currencies,
            "BillingPeriodStart": pa.array([MAY] * len(costs), pa.timestamp("s", tz="UTC")),
            "ProviderName": ["P"] * len(costs),
            **custom,
        }
    )
    upgrade = Upgrade(table.schema, version="1.3", strict=False)
    return pa.Table.from_batches([upgrade.apply(b) for b in table.to_batches()], upgrade.schema)


def test_align_fills_missing_columns_and_orders_them() -> None:
    schema = pa.schema([("a", pa.string()), ("b", DEC), ("x_c", pa.string())])
    batch = pa.record_batch({"x_c": ["z"], "a": ["y"]})

    aligned = align(batch, schema)

    assert aligned.schema == schema
    assert aligned.to_pylist() == [{"a": "y", "b": None, "x_c": "z"}]
    assert align(aligned, schema) is aligned


def test_dataset_schema_and_combined_csv(tmp_path: Path) -> None:
    one = _focus(["1.50", "2"], ["EUR", "USD"], {"x_Team": ["a", "b"]})
    two = _focus(["0.0000001"], ["EUR"], {"x_CostStatus": ["Estimated"]})
    write_partition(tmp_path, "one", "2026-05", one)
    write_partition(tmp_path, "two", "2026-05", two)

    schema = dataset_schema(tmp_path)
    metadata, combined = finish_dataset(tmp_path, csv=True)

    assert schema.names == [*cost_and_usage_schema().names, "x_Team", "x_CostStatus"]
    assert metadata.name == "_focus_metadata.json"
    assert combined == tmp_path / COMBINED_CSV_NAME
    with combined.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [
        (r["BilledCost"], r["BillingCurrency"], r["x_Team"], r["x_CostStatus"]) for r in rows
    ] == [
        ("1.5", "EUR", "a", ""),
        ("2", "USD", "b", ""),
        ("0.0000001", "EUR", "", "Estimated"),
    ]
    assert rows[0]["BillingPeriodStart"] == "2026-05-01T00:00:00Z"


def test_totals_are_per_provider_and_currency(tmp_path: Path) -> None:
    summary = MergeSummary()
    summary.partitions.append(
        write_partition(tmp_path, "one", "2026-05", _focus(["1.10", "2"], ["EUR", "USD"], {}))
    )
    summary.partitions.append(
        write_partition(
            tmp_path, "one", "2026-06", _focus(["3.01"], ["EUR"], {}), check_period=False
        )
    )
    summary.partitions.append(
        write_partition(tmp_path, "two", "2026-05", _focus(["5"], ["EUR"], {}))
    )

    totals = {key: sums["BilledCost"] for key, sums in summary.totals().items()}

    assert totals == {
        ("one", "EUR"): Decimal("4.11"),
        ("one", "USD"): Decimal("2"),
        ("two", "EUR"): Decimal("5"),
    }
    assert summary.rows() == {"one": 3, "two": 1}
