"""IONOS raw payloads of one billing period -> FOCUS 1.3 rows.

Which data makes which rows (exactly one source per kind of row):

- Closed month with invoice access: the invoices make the money (:mod:`convert_invoiced`):
  each invoice line is split over the utilization records of its data center and meter,
  daily records where the batch has them, else the monthly ones; rebates become Credit rows,
  a remaining difference to the invoice total an Adjustment row.
- Open month, or no invoice access: utilization records priced from the product list
  valid for the period (:mod:`convert_estimated`), BilledCost an estimate.
- Usage (``/usage``) only fills data-center/meter pairs that utilization lacks, and
  cross-checks quantities. Traffic is counted once: from the utilization traffic meters
  (``CTI*`` inbound, ``CTO*`` outbound, kept apart by meter); the traffic endpoint only
  cross-checks volumes. EVN is not used for rows: utilization carries the same intervals and
  quantities, and EVN lacks object storage and locations.

The table carries, in its schema metadata under :data:`RECONCILIATION_KEY`, what the IONOS
checks (:mod:`checks`) need to reconcile it with the payloads: invoice totals, invoice
lines, usage totals, stated contract ids and the findings made while converting.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import PluginError
from ..findings import Finding, Severity
from ..periods import BillingPeriod
from ..raw import RawBatch
from .convert_charges import finding
from .convert_estimated import estimated_charges
from .convert_focus import FocusContext, focus_table, missing_meter_sku
from .convert_invoiced import invoiced_charges
from .convert_sources import Sources, read_sources
from .meters import MeterCatalog, builtin_catalog, catalog_for

if TYPE_CHECKING:
    from ..context import Context

__all__ = [
    "DEFAULT_CURRENCY",
    "RECONCILIATION_KEY",
    "Conversion",
    "convert_batch",
    "convert_raw",
    "finding_from_dict",
    "reconciliation",
]

log = logging.getLogger(__name__)

#: Schema metadata key of the reconciliation facts (JSON).
RECONCILIATION_KEY = b"focus_ionos.reconciliation"
#: Used only when no payload names a currency at all (with a warning).
DEFAULT_CURRENCY = "EUR"


@dataclass
class Conversion:
    """The FOCUS rows of one period and what the conversion noticed."""

    table: pa.Table
    findings: list[Finding] = field(default_factory=list)
    basis: str = "invoice"


def convert_batch(
    raw: RawBatch, *, catalog: MeterCatalog | None = None, workers: int | None = None
) -> Conversion:
    """Convert one IONOS raw batch (one billing period) to FOCUS 1.3 rows."""
    catalog = catalog or builtin_catalog()
    sources = read_sources(raw, workers=workers)
    findings: list[Finding] = []
    if not sources.contract:
        findings.append(
            finding(
                "ionos-contract-missing",
                Severity.ERROR,
                f"raw batch {raw.period} names no contract (meta 'contract' and payload "
                "metadata are empty); fetch the period again with --contract",
                column="BillingAccountId",
            )
        )
    currency = _currency(sources, findings)
    findings.extend(_check_quantities(sources))
    period = BillingPeriod(raw.period)

    lines: list[dict[str, Any]] = []
    if sources.closed and sources.invoice_access and sources.invoices:
        invoiced = invoiced_charges(sources, currency)
        charges, basis = invoiced.charges, "invoice"
        findings.extend(invoiced.findings)
        lines = [
            {
                "invoice_id": line.invoice_id,
                "vdc_id": line.vdc_id,
                "meter_id": line.meter_id,
                "amount": str(line.amount),
                "detail": has_detail,
            }
            for line, has_detail in invoiced.lines
        ]
    else:
        findings.append(_why_estimated(sources))
        estimated = estimated_charges(sources, currency)
        charges, basis = estimated.charges, "estimate"
        findings.extend(estimated.findings)

    findings.extend(_unknown_meters(charges, catalog))
    ctx = FocusContext(
        contract=sources.contract,
        period_start=period.start,
        period_end=period.end,
        price_date=sources.price_date,
        currency=currency,
        catalog=catalog,
        vdcs={v.vdc_id: (v.name, v.location) for v in sources.vdcs.values()},
    )
    table = focus_table(charges, ctx, findings)
    facts = _facts(sources, basis, lines, findings)
    metadata = dict(table.schema.metadata or {})
    metadata[RECONCILIATION_KEY] = json.dumps(facts, separators=(",", ":")).encode()
    table = table.replace_schema_metadata(metadata)
    log.info(
        "ionos %s: %d FOCUS rows from %s (%d findings)",
        raw.period,
        table.num_rows,
        basis,
        len(findings),
    )
    return Conversion(table, findings, basis)


def convert_raw(raw: Any, context: Context) -> pa.Table:
    """The ``to_focus`` hook's work: check the input, pick the catalog, convert."""
    if not isinstance(raw, RawBatch) or raw.provider != "ionos":
        msg = (
            f"the ionos provider converts raw batches of provider 'ionos', got "
            f"{type(raw).__name__}; fetch the period with 'focus-ionos fetch' first"
        )
        raise PluginError(msg)
    catalog = catalog_for(context.options, context.settings)
    return convert_batch(raw, catalog=catalog).table


def reconciliation(table: pa.Table) -> dict[str, Any] | None:
    """The reconciliation facts a converted table carries, or None (e.g. read from a file)."""
    metadata = table.schema.metadata or {}
    text = metadata.get(RECONCILIATION_KEY)
    return json.loads(text) if text else None


def _currency(sources: Sources, findings: list[Finding]) -> str:
    """The billing currency: the invoices', else the product list's."""
    seen = [inv.currency for inv in sources.invoices if inv.currency]
    seen += [p.currency for p in sources.prices.values() if p.currency]
    distinct = sorted(set(seen))
    if len(distinct) > 1:
        findings.append(
            finding(
                "ionos-several-currencies",
                Severity.WARNING,
                f"payloads of {sources.period} name several currencies ({', '.join(distinct)}); "
                f"rows without their own currency use {seen[0]}",
                column="BillingCurrency",
            )
        )
    if seen:
        return seen[0]
    findings.append(
        finding(
            "ionos-currency-unknown",
            Severity.WARNING,
            f"no payload of {sources.period} names a currency; assumed {DEFAULT_CURRENCY}",
            column="BillingCurrency",
        )
    )
    return DEFAULT_CURRENCY


def _check_quantities(sources: Sources) -> list[Finding]:
    """Utilization quantities FOCUS cannot take as they are: a missing one becomes 0 (a
    Usage row needs a ConsumedQuantity), a negative one is kept but weighs 0 when amounts
    are split (see :mod:`allocate`). Each kind is named in a warning."""
    detail = sources.detail
    if detail is None or detail.num_rows == 0:
        return []
    findings = []
    quantity = detail.column("quantity")
    missing = quantity.null_count
    if missing:
        index = detail.schema.get_field_index("quantity")
        filled = pc.fill_null(quantity, pa.scalar(Decimal(0), quantity.type))
        sources.detail = detail.set_column(index, detail.schema.field(index), filled)
        findings.append(
            finding(
                "ionos-quantity-missing",
                Severity.WARNING,
                f"{missing} utilization records of {sources.period} state no quantity; their "
                "rows carry ConsumedQuantity 0 and get no share of invoice amounts",
                column="ConsumedQuantity",
                rows=missing,
            )
        )
    negative = pc.sum(pc.less(quantity, pa.scalar(Decimal(0), quantity.type))).as_py() or 0
    if negative:
        findings.append(
            finding(
                "ionos-negative-quantity",
                Severity.WARNING,
                f"{negative} utilization records of {sources.period} have a negative quantity; "
                "they are kept as they are but get no share of invoice or estimated amounts",
                column="ConsumedQuantity",
                rows=negative,
            )
        )
    return findings


def _why_estimated(sources: Sources) -> Finding:
    if not sources.closed:
        return finding(
            "ionos-open-month",
            Severity.INFO,
            f"{sources.period} is not invoiced yet: costs are estimates from the product list "
            "(x_CostStatus Estimated or Unpriced)",
        )
    if not sources.invoice_access:
        return finding(
            "ionos-no-invoice-access",
            Severity.WARNING,
            f"no access to the invoices of {sources.period} (HTTP 403): costs are estimates "
            "from the product list, not invoiced amounts (x_CostStatus Estimated)",
        )
    return finding(
        "ionos-closed-month-without-invoice",
        Severity.WARNING,
        f"{sources.period} is closed but the batch holds no invoice for it: costs are "
        "estimates from the product list (x_CostStatus Estimated)",
    )


def _unknown_meters(charges: pa.Table, catalog: MeterCatalog) -> list[Finding]:
    """A warning per meter id the catalog does not know (looked up once per meter id)."""
    usage = pc.equal(charges.column("category"), "Usage")
    meters = charges.column("meter_id")
    unknown = [m for m in _distinct(meters) if m and not catalog.lookup(m).known]
    findings = []
    no_meter = pc.or_kleene(pc.is_null(meters), pc.equal(meters, ""))
    nameless = charges.filter(pc.and_(usage, no_meter))
    if nameless.num_rows:
        skus = sorted({missing_meter_sku(t) for t in nameless.column("type").to_pylist()})
        findings.append(
            finding(
                "ionos-meter-missing",
                Severity.WARNING,
                f"{nameless.num_rows} usage record(s) carry no meterId; they are kept with "
                f"SkuId {', '.join(skus)} and cannot be priced or matched to an invoice line",
                column="SkuId",
                rows=nameless.num_rows,
            )
        )
    for meter in unknown:
        rows = charges.select(["type"]).filter(pc.and_(usage, pc.equal(meters, meter)))
        if rows.num_rows == 0:
            continue
        types = _distinct(rows.column("type"))
        info = catalog.lookup(meter, types[0] if types else None)
        how = (
            f"mapped by its resource type {types[0]} to {info.service_name}"
            if info.matched_by == "resource_type"
            else "mapped to ServiceCategory Other"
        )
        findings.append(
            finding(
                "ionos-unknown-meter",
                Severity.WARNING,
                f"meter {meter} is not in the meter catalog; {how}. Add it to a catalog "
                "extension file (--meter-catalog) to name its service and units",
                column="ServiceName",
                rows=rows.num_rows,
            )
        )
    return findings


def _distinct(column: pa.ChunkedArray) -> list[str]:
    return sorted(v for v in pc.unique(column).to_pylist() if v)


def _facts(
    sources: Sources, basis: str, lines: list[dict[str, Any]], findings: list[Finding]
) -> dict[str, Any]:
    usage: dict[tuple[str, str], Decimal] = {}
    for line in sources.usage:
        key = (line.vdc_id, line.meter_id)
        usage[key] = usage.get(key, Decimal(0)) + line.quantity
    return {
        "version": 1,
        "period": sources.period,
        "contract": sources.contract,
        "basis": basis,
        "closed": sources.closed,
        "invoice_access": sources.invoice_access,
        "invoices": [
            {
                "id": inv.invoice_id,
                "total": None if inv.total is None else str(inv.total),
                "listed": None if inv.listed_amount is None else str(inv.listed_amount),
                "currency": inv.currency,
            }
            for inv in sources.invoices
        ]
        if basis == "invoice"
        else [],
        "lines": lines,
        "usage": [
            {"vdc_id": vdc, "meter_id": meter, "quantity": str(quantity)}
            for (vdc, meter), quantity in sorted(usage.items())
        ],
        "traffic": [
            {"vdc_id": vdc, "direction": direction, "bytes": count}
            for (vdc, direction), count in sorted(sources.traffic_bytes.items())
        ],
        "contract_ids": [list(pair) for pair in sources.contract_ids],
        "vdc_names": {v.vdc_id: v.name for v in sources.vdcs.values() if v.name},
        "findings": [f.to_dict() for f in findings],
    }


def finding_from_dict(data: Mapping[str, Any]) -> Finding:
    """A Finding back from :meth:`Finding.to_dict` output."""
    return Finding(
        rule_id=data["rule_id"],
        severity=Severity(data["severity"]),
        message=data["message"],
        column=data.get("column"),
        rows=int(data.get("rows") or 0),
        sample_rows=tuple(data.get("sample_rows") or ()),
        provider=data.get("provider"),
    )
