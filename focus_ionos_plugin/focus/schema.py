"""The FOCUS 1.3 column catalogue and Arrow schemas, read from our JSON Schemas.

``schemas/focus-1.3/cost-and-usage.json`` and ``contract-commitment.json`` are the single
source of column names, order, data types, nullability and allowed values. This module turns
them into :class:`ColumnSpec` records and :mod:`pyarrow` schemas, so the converter, the writer,
the reader and the validator all agree on one definition.

Arrow types: Decimal columns are ``decimal128(38, 18)`` (exact money and quantities),
DateTime columns ``timestamp("s", tz="UTC")``, String and JSON-valued columns ``string``
(JSON values are kept as their JSON text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import pyarrow as pa

__all__ = [
    "DATASETS",
    "DECIMAL_TYPE",
    "TIMESTAMP_TYPE",
    "ColumnSpec",
    "Dataset",
    "arrow_schema",
    "arrow_type",
    "column_specs",
    "contract_commitment_schema",
    "cost_and_usage_schema",
    "empty_cost_and_usage_table",
    "empty_table",
    "load_json_schema",
]

#: Dataset names as used on the command line.
Dataset = Literal["cost-and-usage", "contract-commitment"]
DATASETS: tuple[Dataset, ...] = ("cost-and-usage", "contract-commitment")

#: Arrow type of every FOCUS Decimal column: 20 integer and 18 fractional digits, exact.
DECIMAL_TYPE = pa.decimal128(38, 18)
#: Arrow type of every FOCUS DateTime column: whole seconds, UTC.
TIMESTAMP_TYPE = pa.timestamp("s", tz="UTC")


@dataclass(frozen=True)
class ColumnSpec:
    """What FOCUS 1.3 says about one column of one dataset.

    ``feature_level`` is Mandatory, Conditional, Recommended or Optional; ``data_type`` is
    String, Decimal, DateTime or JSON (``json_kind`` then says ``key-value`` or ``object``);
    ``nullable`` is False when the column must never hold a null; ``allowed_values`` lists
    the permitted values of an enumerated column (``None`` when free text);
    ``presence_rules`` are the rule ids that demand the column's presence and
    ``applicability`` the criteria (features) that make a Conditional column required.
    """

    name: str
    dataset: Dataset
    feature_level: str
    data_type: str
    nullable: bool
    description: str
    allowed_values: tuple[str, ...] | None = None
    json_kind: str | None = None
    deprecated: bool = False
    introduced: str = "1.2"
    presence_rules: tuple[str, ...] = ()
    applicability: tuple[str, ...] = ()

    @property
    def arrow_type(self) -> pa.DataType:
        """The Arrow type this column has in our datasets."""
        return arrow_type(self.data_type)

    @property
    def mandatory(self) -> bool:
        """True when the column must be present in every dataset."""
        return self.feature_level == "Mandatory"


def arrow_type(data_type: str) -> pa.DataType:
    """Map a FOCUS data type (String, Decimal, DateTime, JSON) to our Arrow type."""
    if data_type == "Decimal":
        return DECIMAL_TYPE
    if data_type == "DateTime":
        return TIMESTAMP_TYPE
    return pa.string()


@cache
def load_json_schema(dataset: Dataset = "cost-and-usage") -> dict[str, Any]:
    """Return the parsed JSON Schema of ``dataset`` (shared; do not mutate it)."""
    if dataset not in DATASETS:
        msg = f"unknown FOCUS dataset {dataset!r}; expected one of {', '.join(DATASETS)}"
        raise ValueError(msg)
    resource = files("focus_ionos_plugin.schemas") / "focus-1.3" / f"{dataset}.json"
    data: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return data


@cache
def _specs(dataset: Dataset) -> tuple[ColumnSpec, ...]:
    specs = []
    for name, prop in load_json_schema(dataset)["properties"].items():
        meta = prop["x-focus-column"]
        allowed = meta.get("allowedValues")
        presence = meta.get("presence", [])
        specs.append(
            ColumnSpec(
                name=name,
                dataset=dataset,
                feature_level=meta["featureLevel"],
                data_type=meta["dataType"],
                nullable=meta["nullable"],
                description=prop.get("description", ""),
                allowed_values=tuple(allowed) if allowed else None,
                json_kind=meta.get("jsonKind"),
                deprecated=bool(prop.get("deprecated", False)),
                introduced=meta.get("introduced", "1.2"),
                presence_rules=tuple(p["rule"] for p in presence),
                applicability=tuple(sorted({c for p in presence for c in p["criteria"]})),
            )
        )
    return tuple(specs)


def column_specs(dataset: Dataset = "cost-and-usage") -> dict[str, ColumnSpec]:
    """Return ``{column name: ColumnSpec}`` in specification (alphabetical) order."""
    return {spec.name: spec for spec in _specs(dataset)}


@cache
def arrow_schema(dataset: Dataset = "cost-and-usage") -> pa.Schema:
    """Return the Arrow schema of ``dataset``: every FOCUS 1.3 column, in spec order.

    Every field is nullable in Arrow terms: nullability is a conformance rule (checked, with
    a finding, by the validator), not something a writer should crash on.
    """
    fields = [pa.field(spec.name, spec.arrow_type) for spec in _specs(dataset)]
    return pa.schema(fields, metadata={"focus_version": "1.3", "focus_dataset": dataset})


def cost_and_usage_schema() -> pa.Schema:
    """Arrow schema of the Cost and Usage dataset (65 columns, deprecated ones included)."""
    return arrow_schema("cost-and-usage")


def contract_commitment_schema() -> pa.Schema:
    """Arrow schema of the Contract Commitment dataset (13 columns)."""
    return arrow_schema("contract-commitment")


def empty_table(dataset: Dataset = "cost-and-usage") -> pa.Table:
    """Return a table with no rows and every column of ``dataset``."""
    return arrow_schema(dataset).empty_table()


def empty_cost_and_usage_table() -> pa.Table:
    """Return an empty Cost and Usage table: a start for converters and a merge identity."""
    return empty_table("cost-and-usage")
