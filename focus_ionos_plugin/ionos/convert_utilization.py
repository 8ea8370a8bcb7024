"""Utilization payloads (the big ones) straight into an Arrow table.

Arrow's JSON reader parses each payload into columns, decimals exactly from the JSON text,
several files in parallel threads (Arrow releases the GIL while parsing). A payload the
fast reader cannot take (an unexpected type somewhere, a number with more than 18
decimals) is read again with exact-decimal Python parsing, so an odd payload costs time,
never rows.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from ..focus.schema import DECIMAL_TYPE
from ..raw import loads_exact

__all__ = ["DETAIL_SCHEMA", "exact_decimal", "parsing", "utilization_table"]

log = logging.getLogger(__name__)

_QUANTITY = DECIMAL_TYPE

#: Columns of the utilization detail table (one row per record).
DETAIL_SCHEMA = pa.schema(
    [
        ("vdc_id", pa.string()),
        ("vdc_name", pa.string()),
        ("record_id", pa.string()),
        ("resource_id", pa.string()),
        ("name", pa.string()),
        ("type", pa.string()),
        ("start", pa.string()),
        ("end", pa.string()),
        ("meter_id", pa.string()),
        ("meter_desc", pa.string()),
        ("region", pa.string()),
        ("quantity", _QUANTITY),
        ("unit", pa.string()),
    ]
)

_METER_STRUCT = pa.struct(
    [
        ("id", pa.string()),
        ("resourceId", pa.string()),
        ("name", pa.string()),
        ("type", pa.string()),
        ("from", pa.string()),
        ("to", pa.string()),
        ("meterId", pa.string()),
        ("meterDesc", pa.string()),
        ("region", pa.string()),
        ("quantity", pa.struct([("quantity", _QUANTITY), ("unit", pa.string())])),
    ]
)
_UTILIZATION_ARROW = pa.schema(
    [
        (
            "datacenters",
            pa.list_(
                pa.struct(
                    [
                        ("id", pa.string()),
                        ("name", pa.string()),
                        ("meters", pa.list_(_METER_STRUCT)),
                    ]
                )
            ),
        ),
        ("metadata", pa.struct([("contractId", pa.string())])),
    ]
)


def utilization_table(bodies: Iterable[bytes], *, workers: int | None = None) -> pa.Table:
    """Utilization payloads -> one table (DETAIL_SCHEMA plus ``contract_id``).

    Files are parsed in parallel threads (Arrow releases the GIL while parsing).
    """
    with parsing({"all": list(bodies)}, workers=workers) as result:
        return result("all")


@contextmanager
def parsing(
    groups: Mapping[str, Sequence[bytes]], *, workers: int | None = None
) -> Iterator[Callable[[str], pa.Table]]:
    """Start parsing every group of payloads in worker threads at once.

    The caller does other work inside the ``with`` block (the GIL is free while Arrow
    parses) and asks ``result(name)`` for a group's table (DETAIL_SCHEMA plus
    ``contract_id``) when it needs it.
    """
    schema = DETAIL_SCHEMA.append(pa.field("contract_id", pa.string()))
    count = sum(1 for bodies in groups.values() for body in bodies if body)
    threads = max(1, min(count, workers or os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = {
            name: [pool.submit(_utilization_one, body) for body in bodies if body]
            for name, bodies in groups.items()
        }

        def result(name: str) -> pa.Table:
            tables = [future.result() for future in futures[name]]
            return pa.concat_tables(tables).cast(schema) if tables else schema.empty_table()

        yield result


def _utilization_one(body: bytes) -> pa.Table:
    try:
        return _utilization_arrow(body)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        log.debug("utilization payload read the slow way: %s", exc)
        return _utilization_python(loads_exact(body))


def _utilization_arrow(body: bytes) -> pa.Table:
    stripped = body.strip()
    if not stripped.startswith(b"{"):
        raise pa.ArrowInvalid("utilization payload is not a JSON object")
    table = pajson.read_json(
        io.BytesIO(stripped),
        read_options=pajson.ReadOptions(block_size=len(stripped) + 64, use_threads=False),
        parse_options=pajson.ParseOptions(
            explicit_schema=_UTILIZATION_ARROW,
            # A compact body (one line) parses about 15% faster without this allowance.
            newlines_in_values=b"\n" in stripped,
            unexpected_field_behavior="ignore",
        ),
    )
    if table.num_rows != 1:
        raise pa.ArrowInvalid("utilization payload is not exactly one JSON object")
    datacenters = pc.list_flatten(table.column("datacenters")).combine_chunks()
    if len(datacenters) == 0:
        return _empty_with_contract()
    meters_list = datacenters.field("meters")
    meters = pc.list_flatten(meters_list)
    parents = pc.list_parent_indices(meters_list)
    contract = table.column("metadata").combine_chunks().field("contractId")[0].as_py()
    quantity = meters.field("quantity")
    count = len(meters)
    return pa.table(
        {
            "vdc_id": pc.take(datacenters.field("id"), parents),
            "vdc_name": pc.take(datacenters.field("name"), parents),
            "record_id": meters.field("id"),
            "resource_id": meters.field("resourceId"),
            "name": meters.field("name"),
            "type": meters.field("type"),
            "start": meters.field("from"),
            "end": meters.field("to"),
            "meter_id": meters.field("meterId"),
            "meter_desc": meters.field("meterDesc"),
            "region": meters.field("region"),
            "quantity": quantity.field("quantity"),
            "unit": quantity.field("unit"),
            "contract_id": pa.repeat(contract, count).cast(pa.string()),
        }
    )


def _empty_with_contract() -> pa.Table:
    return DETAIL_SCHEMA.append(pa.field("contract_id", pa.string())).empty_table()


def _utilization_python(payload: Any) -> pa.Table:
    """The same table built from a parsed payload (tolerates numbers as strings etc.)."""
    columns: dict[str, list[Any]] = {name: [] for name in DETAIL_SCHEMA.names}
    payload = payload if isinstance(payload, dict) else {}
    metadata = payload.get("metadata") or {}
    contract = metadata.get("contractId") if isinstance(metadata, dict) else None
    for dc in payload.get("datacenters") or ():
        for meter in dc.get("meters") or ():
            quantity = meter.get("quantity") or {}
            value = exact_decimal(quantity.get("quantity"))
            row = {
                "vdc_id": _text(dc.get("id")),
                "vdc_name": _text(dc.get("name")),
                "record_id": _text(meter.get("id")),
                "resource_id": _text(meter.get("resourceId")),
                "name": _text(meter.get("name")),
                "type": _text(meter.get("type")),
                "start": _text(meter.get("from")),
                "end": _text(meter.get("to")),
                "meter_id": _text(meter.get("meterId")),
                "meter_desc": _text(meter.get("meterDesc")),
                "region": _text(meter.get("region")),
                "quantity": None if value is None else value.quantize(Decimal("1e-18")),
                "unit": _text(quantity.get("unit")),
            }
            for name, cell in row.items():
                columns[name].append(cell)
    arrays = {
        name: pa.array(values, DETAIL_SCHEMA.field(name).type) for name, values in columns.items()
    }
    count = len(columns["vdc_id"])
    arrays["contract_id"] = pa.array([_text(contract)] * count, pa.string())
    return pa.table(arrays)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def exact_decimal(value: Any) -> Decimal | None:
    """An exact decimal from a JSON number or numeric string; None when absent or bad."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except ArithmeticError:
        return None
