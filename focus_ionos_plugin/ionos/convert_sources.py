"""Read the payloads of one IONOS raw batch into the facts the converter works from.

Small payloads (invoices, products, usage, traffic) are parsed with exact decimals into
Python objects. Utilization, the big one (one record per resource, meter and day), goes
straight into an Arrow table (:mod:`convert_utilization`). EVN and per-IP traffic make no
rows and are not parsed.

Utilization grain: for each virtual data center and meter, the daily records are used when
the batch has any for that pair, else the monthly ones, never both (no double counting).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..raw import RawBatch
from .convert_keys import pair_codes
from .convert_utilization import exact_decimal, parsing

__all__ = [
    "Invoice",
    "InvoiceLine",
    "Price",
    "Sources",
    "UsageLine",
    "Vdc",
    "read_sources",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Vdc:
    """A virtual data center (or the S3 pseudo data center) and its location."""

    vdc_id: str
    name: str | None
    location: str | None


@dataclass(frozen=True)
class Price:
    """A product-list price of one meter, valid for the period."""

    meter_id: str
    unit_price: Decimal | None
    currency: str | None
    unit: str | None
    description: str | None


@dataclass(frozen=True)
class InvoiceLine:
    """One invoice line: a meter in a virtual data center, with quantity, rate and amount."""

    invoice_id: str
    vdc_id: str
    meter_id: str
    description: str | None
    quantity: Decimal | None
    unit: str | None
    rate: Decimal | None
    amount: Decimal
    currency: str | None


@dataclass(frozen=True)
class Invoice:
    """One invoice of the period: its lines, per-data-center rebates and total."""

    invoice_id: str
    lines: tuple[InvoiceLine, ...]
    #: (vdc id, rebate amount as IONOS shows it, currency)
    rebates: tuple[tuple[str, Decimal, str | None], ...]
    total: Decimal | None
    currency: str | None
    listed_amount: Decimal | None = None


@dataclass(frozen=True)
class UsageLine:
    """Aggregated month quantity of a meter in a data center (the usage endpoint)."""

    vdc_id: str
    meter_id: str
    description: str | None
    quantity: Decimal
    unit: str | None


@dataclass
class Sources:
    """Everything the converter needs from one raw batch."""

    provider: str
    period: str
    contract: str
    closed: bool
    invoice_access: bool
    invoices: list[Invoice] = field(default_factory=list)
    prices: dict[str, Price] = field(default_factory=dict)
    price_date: str = ""
    vdcs: dict[str, Vdc] = field(default_factory=dict)
    usage: list[UsageLine] = field(default_factory=list)
    #: Utilization records at the chosen grain (see module doc), DETAIL_SCHEMA columns
    #: plus ``grain`` ("daily" or "monthly").
    detail: pa.Table | None = None
    #: Bytes per (vdc id, direction "in"/"out") from the traffic endpoint.
    traffic_bytes: dict[tuple[str, str], int] = field(default_factory=dict)
    #: (payload name, contract id it states) for every payload that states one.
    contract_ids: list[tuple[str, str]] = field(default_factory=list)
    #: Payload names present in the batch.
    entries: tuple[str, ...] = ()


def read_sources(raw: RawBatch, *, workers: int | None = None) -> Sources:
    """Parse the payloads of ``raw`` (one IONOS billing period) into :class:`Sources`.

    Utilization is parsed in worker threads while the small payloads are read here.
    """
    daily_names = sorted(n for n in raw.entries if n.startswith("utilization-daily-"))
    groups = {
        "daily": [raw.entries[n].body for n in daily_names],
        "monthly": [raw.entries["utilization"].body] if "utilization" in raw.entries else [],
    }
    with parsing(groups, workers=workers) as result:
        sources = _small_payloads(raw)
        sources.detail = _detail(sources, result("daily"), result("monthly"))
    return sources


def _small_payloads(raw: RawBatch) -> Sources:
    """Everything but utilization: invoices, products, usage, traffic."""
    meta: Mapping[str, Any] = raw.meta or {}
    invoice_names = sorted(n for n in raw.entries if n.startswith("invoice-"))
    contract = str(meta.get("contract") or _contract_from_payloads(raw) or "")
    sources = Sources(
        provider=raw.provider,
        period=raw.period,
        contract=contract,
        closed=bool(meta.get("closed", bool(invoice_names))),
        invoice_access=bool(meta.get("invoice_access", True)),
        price_date=f"{raw.period}-01",
        entries=tuple(sorted(raw.entries)),
    )
    _read_products(sources, raw.json("products"))
    listed = _listed_invoices(raw.json("invoices"), raw.period, sources)
    wanted = meta.get("invoice_ids")
    for name in invoice_names:
        invoice_id = name[len("invoice-") :]
        if wanted is not None and invoice_id not in wanted:
            log.info("skipping %s: not an invoice of %s", name, raw.period)
            continue
        payload = raw.json(name)
        _note_contract(sources, name, (payload or {}).get("metadata"))
        sources.invoices.append(_invoice(invoice_id, payload or {}, listed.get(invoice_id)))
        _vdcs_from(sources, (payload or {}).get("datacenters"))
    usage = raw.json("usage")
    if usage:
        _note_contract(sources, "usage", usage.get("metadata"))
        _read_usage(sources, usage)
    traffic = raw.json("traffic")
    if isinstance(traffic, dict):
        _note_contract(sources, "traffic", traffic.get("metadata"))
        _read_traffic(sources, traffic)
    # EVN and per-IP traffic make no rows (see convert.py) and are not even parsed: EVN is
    # the biggest payload after utilization.
    return sources


# -- small payloads ------------------------------------------------------------------------


def _contract_from_payloads(raw: RawBatch) -> str | None:
    for name in ("usage", "products", "invoices"):
        payload = raw.json(name) if name in raw.entries else None
        contract = ((payload or {}).get("metadata") or {}).get("contractId")
        if contract:
            return str(contract)
    return None


def _note_contract(sources: Sources, name: str, metadata: Any) -> None:
    if isinstance(metadata, dict) and metadata.get("contractId") not in (None, ""):
        sources.contract_ids.append((name, str(metadata["contractId"])))


def _money(value: Any) -> tuple[Decimal | None, str | None]:
    if not isinstance(value, dict):
        return None, None
    return exact_decimal(value.get("quantity")), value.get("unit")


def _read_products(sources: Sources, payload: Any) -> None:
    if not isinstance(payload, dict):
        return
    _note_contract(sources, "products", payload.get("metadata"))
    for product in payload.get("products") or ():
        meter_id = product.get("meterId")
        if not meter_id:
            continue
        price, currency = _money(product.get("unitCost"))
        sources.prices[meter_id] = Price(
            meter_id, price, currency, product.get("unit"), product.get("meterDesc")
        )


def _listed_invoices(payload: Any, period: str, sources: Sources) -> dict[str, Decimal | None]:
    """Invoice id -> listed total, for the invoices of ``period`` in the invoice list."""
    if not isinstance(payload, dict):
        return {}
    _note_contract(sources, "invoices", payload.get("metadata"))
    return {
        str(item.get("id")): exact_decimal(item.get("amount"))
        for item in payload.get("invoices") or ()
        if item.get("date") == period and item.get("id")
    }


def _invoice(invoice_id: str, payload: dict[str, Any], listed: Decimal | None) -> Invoice:
    lines = []
    rebates = []
    currencies = []
    for dc in payload.get("datacenters") or ():
        vdc_id = str(dc.get("id") or "")
        for meter in dc.get("meters") or ():
            amount, currency = _money(meter.get("amount"))
            rate, rate_currency = _money(meter.get("rate"))
            quantity = meter.get("quantity") or {}
            lines.append(
                InvoiceLine(
                    invoice_id=invoice_id,
                    vdc_id=vdc_id,
                    meter_id=str(meter.get("meterId") or ""),
                    description=meter.get("meterDesc"),
                    quantity=exact_decimal(quantity.get("quantity")),
                    unit=quantity.get("unit"),
                    rate=rate,
                    amount=amount if amount is not None else Decimal(0),
                    currency=currency or rate_currency,
                )
            )
            currencies.append(currency or rate_currency)
        rebate, currency = _money((dc.get("rebate") or {}).get("amount"))
        if rebate:
            rebates.append((vdc_id, rebate, currency))
    total, total_currency = _money(payload.get("total"))
    known = [c for c in [total_currency, *currencies] if c]
    return Invoice(
        invoice_id=(payload.get("metadata") or {}).get("invoiceId") or invoice_id,
        lines=tuple(lines),
        rebates=tuple(rebates),
        total=total,
        currency=known[0] if known else None,
        listed_amount=listed,
    )


def _vdcs_from(sources: Sources, datacenters: Any) -> None:
    for dc in datacenters or ():
        vdc_id = str(dc.get("id") or "")
        if not vdc_id:
            continue
        old = sources.vdcs.get(vdc_id)
        sources.vdcs[vdc_id] = Vdc(
            vdc_id,
            dc.get("name") or (old.name if old else None),
            dc.get("location") or (old.location if old else None),
        )


def _read_usage(sources: Sources, payload: dict[str, Any]) -> None:
    _vdcs_from(sources, payload.get("datacenters"))
    for dc in payload.get("datacenters") or ():
        for meter in dc.get("meters") or ():
            quantity = meter.get("quantity") or {}
            value = exact_decimal(quantity.get("quantity"))
            if value is None or not meter.get("meterId"):
                continue
            sources.usage.append(
                UsageLine(
                    str(dc.get("id") or ""),
                    meter["meterId"],
                    meter.get("meterDesc"),
                    value,
                    quantity.get("unit"),
                )
            )


def _read_traffic(sources: Sources, payload: Any) -> None:
    if not isinstance(payload, dict):
        return
    for vdc in (payload.get("trafficObj") or {}).get("vdc") or ():
        vdc_id = str(vdc.get("vdcUUID") or "")
        for day in vdc.get("dates") or ():
            for key, direction in (("In", "in"), ("Out", "out")):
                value = exact_decimal(day.get(key))
                if value is not None:
                    slot = (vdc_id, direction)
                    sources.traffic_bytes[slot] = sources.traffic_bytes.get(slot, 0) + int(value)
        if vdc_id and vdc_id not in sources.vdcs:
            sources.vdcs[vdc_id] = Vdc(vdc_id, vdc.get("vdcName"), None)


# -- utilization ---------------------------------------------------------------------------


def _detail(sources: Sources, daily: pa.Table, monthly: pa.Table) -> pa.Table:
    """Utilization records at the chosen grain (see module doc), plus a ``grain`` column."""
    for table, name in ((daily, "utilization-daily"), (monthly, "utilization")):
        for contract in _distinct(table.column("contract_id")):
            sources.contract_ids.append((name, contract))
        _note_vdcs(sources, table)
    daily = daily.drop_columns(["contract_id"])
    monthly = monthly.drop_columns(["contract_id"])
    if daily.num_rows and monthly.num_rows:
        _, daily_pairs = pair_codes(daily.column("vdc_id"), daily.column("meter_id"))
        codes, pairs = pair_codes(monthly.column("vdc_id"), monthly.column("meter_id"))
        taken = set(daily_pairs)
        keep = pa.array([pair not in taken for pair in pairs], pa.bool_())
        monthly = monthly.filter(pc.take(keep, codes))
    daily = daily.append_column("grain", pa.repeat(pa.scalar("daily"), daily.num_rows))
    monthly = monthly.append_column("grain", pa.repeat(pa.scalar("monthly"), monthly.num_rows))
    return pa.concat_tables([daily, monthly])


def _distinct(column: pa.ChunkedArray) -> list[str]:
    return [v for v in pc.unique(column).to_pylist() if v]


def _note_vdcs(sources: Sources, table: pa.Table) -> None:
    """Data centers only utilization names (no location there) join the known ones."""
    ids = table.column("vdc_id")
    for vdc_id in _distinct(ids):
        if vdc_id not in sources.vdcs:
            first = pc.index(ids, vdc_id).as_py()
            name = table.column("vdc_name")[first].as_py()
            sources.vdcs[vdc_id] = Vdc(vdc_id, name or None, None)
