"""Closed months: the invoice is the truth for money; utilization says who consumed it.

Each invoice line (virtual data center x meter) is split over the utilization records of
that data center and meter in proportion to quantity (:mod:`allocate`, exact to the cent).
A line without utilization records stays one row at data-center level. Rebates become
``Credit`` rows; whatever difference remains between the invoice total and its rows becomes
one ``Adjustment`` row with a warning, so the rows of an invoice always sum to its total.

Utilization records that no invoice line of the month covers are kept (their quantity is
real) with BilledCost 0, list and contracted cost from the product list, and
``x_CostStatus`` ``Uninvoiced``; a warning names them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from ..findings import Finding, Severity
from ..focus.schema import DECIMAL_TYPE
from .allocate import allocate
from .convert_charges import (
    ADJUSTMENT,
    CREDIT,
    INVOICED,
    UNINVOICED,
    USAGE,
    ChargeRow,
    charge_table,
    concat,
    finding,
    price_of,
    repeat,
    with_columns,
)
from .convert_keys import pair_codes
from .convert_sources import Invoice, InvoiceLine, Sources

__all__ = ["InvoicedResult", "invoiced_charges"]

_DECIMAL = DECIMAL_TYPE


@dataclass
class InvoicedResult:
    """Charges of a closed month and what the conversion noticed on the way."""

    charges: pa.Table
    findings: list[Finding] = field(default_factory=list)
    #: Invoice lines with a flag saying whether utilization detail carried them.
    lines: list[tuple[InvoiceLine, bool]] = field(default_factory=list)


def invoiced_charges(sources: Sources, currency: str) -> InvoicedResult:
    """Charges for every invoice of a closed month (see module doc)."""
    assert sources.detail is not None
    detail = sources.detail
    result = InvoicedResult(charges=charge_table([]))
    lines = [line for invoice in sources.invoices for line in invoice.lines]

    # The first line of each VDC x meter owns its utilization records (a second invoice
    # with the same pair, e.g. a correction, stays at data-center level).
    owners: dict[str, int] = {}
    for index, line in enumerate(lines):
        owners.setdefault(f"{line.vdc_id}|{line.meter_id}", index)
    owner_keys = list(owners)
    slot_of = {key: slot for slot, key in enumerate(owner_keys)}
    owner_lines = [lines[owners[key]] for key in owner_keys]

    codes, pairs = pair_codes(detail.column("vdc_id"), detail.column("meter_id"))
    slot_of_pair = pa.array([slot_of.get(f"{vdc}|{meter}") for vdc, meter in pairs], pa.int32())
    slot = pc.take(slot_of_pair, codes)
    if slot.null_count:
        matched_mask = pc.is_valid(slot)
        matched = detail.filter(matched_mask)
        unmatched = detail.filter(pc.invert(matched_mask))
        groups = pc.drop_null(slot)
    else:  # the usual case: every record has its invoice line
        matched, unmatched, groups = detail, detail.slice(0, 0), slot
    detailed = {s for s in slot_of_pair.to_pylist() if s is not None}

    parts = [_split_lines(sources, matched, groups, owner_lines, currency)]
    python_rows: list[ChargeRow] = []
    for index, line in enumerate(lines):
        key = f"{line.vdc_id}|{line.meter_id}"
        owned = owners[key] == index and slot_of[key] in detailed
        result.lines.append((line, owned))
        if not owned:
            python_rows.append(_line_row(sources, line, currency))
    for invoice in sources.invoices:
        python_rows.extend(_credit_rows(sources, invoice, currency))
        adjustment = _adjustment_row(sources, invoice, currency, result.findings)
        if adjustment is not None:
            python_rows.append(adjustment)
    parts.append(charge_table(python_rows))

    if unmatched.num_rows:
        parts.append(_uninvoiced(sources, unmatched, currency))
        result.findings.append(_uninvoiced_finding(unmatched))
    result.charges = concat(parts)
    return result


def _split_lines(
    sources: Sources,
    matched: pa.Table,
    groups: pa.Array,
    owner_lines: list[InvoiceLine],
    currency: str,
) -> pa.Table:
    """Resource rows carrying their share of each line amount."""
    if matched.num_rows == 0:
        return charge_table([])
    billed = allocate(
        groups, matched.column("quantity").combine_chunks(), [line.amount for line in owner_lines]
    )
    rates = [_rate(sources, line) for line in owner_lines]
    lists = [
        _list_price(sources, line, rate) for line, rate in zip(owner_lines, rates, strict=True)
    ]
    count = matched.num_rows
    source = pc.if_else(
        pc.equal(matched.column("grain"), "daily"),
        "invoice+utilization-daily",
        "invoice+utilization",
    )
    return with_columns(
        matched,
        {
            "category": repeat(USAGE, count, pa.string()),
            "billed": billed,
            "contracted_price": pc.take(pa.array(rates, _DECIMAL), groups),
            "list_price": pc.take(pa.array(lists, _DECIMAL), groups),
            "invoice_id": pc.take(pa.array([ln.invoice_id for ln in owner_lines]), groups),
            "currency": pc.take(pa.array([ln.currency or currency for ln in owner_lines]), groups),
            "cost_status": repeat(INVOICED, count, pa.string()),
            "source": source,
        },
    )


def _rate(sources: Sources, line: InvoiceLine) -> Decimal:
    """The contracted unit price of a line: its rate, else the product price, else
    amount / quantity (10 decimals), else 0."""
    if line.rate is not None:
        return line.rate
    listed = _listed(sources, line)
    if listed is not None:
        return listed
    if line.quantity:
        return (line.amount / line.quantity).quantize(Decimal("1e-10"))
    return Decimal(0)


def _list_price(sources: Sources, line: InvoiceLine, rate: Decimal) -> Decimal:
    """The product-list price of the period; the invoice rate when the list lacks it."""
    listed = _listed(sources, line)
    return rate if listed is None else listed


def _listed(sources: Sources, line: InvoiceLine) -> Decimal | None:
    """The line's meter price on the product list, unless the list states it in another
    currency than the line (list prices are not converted between currencies)."""
    product = sources.prices.get(line.meter_id)
    if product is None:
        return None
    if product.currency and line.currency and product.currency != line.currency:
        return None
    return product.unit_price


def _line_row(sources: Sources, line: InvoiceLine, currency: str) -> ChargeRow:
    vdc = sources.vdcs.get(line.vdc_id)
    rate = _rate(sources, line)
    return ChargeRow(
        category=USAGE,
        billed=line.amount,
        currency=line.currency or currency,
        cost_status=INVOICED,
        source="invoice",
        vdc_id=line.vdc_id or None,
        vdc_name=vdc.name if vdc else None,
        meter_id=line.meter_id,
        meter_desc=line.description,
        quantity=line.quantity if line.quantity is not None else Decimal(0),
        unit=line.unit,
        list_price=_list_price(sources, line, rate),
        contracted_price=rate,
        invoice_id=line.invoice_id,
    )


def _credit_rows(sources: Sources, invoice: Invoice, currency: str) -> list[ChargeRow]:
    rows = []
    for vdc_id, amount, rebate_currency in invoice.rebates:
        vdc = sources.vdcs.get(vdc_id)
        name = vdc.name if vdc and vdc.name else vdc_id
        rows.append(
            ChargeRow(
                category=CREDIT,
                billed=-abs(amount),
                currency=rebate_currency or invoice.currency or currency,
                cost_status=INVOICED,
                source="invoice-rebate",
                vdc_id=vdc_id or None,
                vdc_name=vdc.name if vdc else None,
                meter_desc=f"Rebate on invoice {invoice.invoice_id} for data center {name}",
                invoice_id=invoice.invoice_id,
            )
        )
    return rows


def _adjustment_row(
    sources: Sources, invoice: Invoice, currency: str, findings: list[Finding]
) -> ChargeRow | None:
    """The difference between the invoice total and its rows, as one explicit row."""
    rows_total = sum((line.amount for line in invoice.lines), Decimal(0))
    rows_total -= sum((abs(amount) for _, amount, _ in invoice.rebates), Decimal(0))
    total = invoice.total if invoice.total is not None else invoice.listed_amount
    if total is None:
        findings.append(
            finding(
                "ionos-invoice-total-missing",
                Severity.WARNING,
                f"invoice {invoice.invoice_id} states no total; its rows sum to {rows_total} "
                "and cannot be reconciled",
            )
        )
        return None
    difference = total - rows_total
    if difference == 0:
        return None
    findings.append(
        finding(
            "ionos-invoice-adjustment",
            Severity.WARNING,
            f"invoice {invoice.invoice_id}: total {total} differs from its lines and rebates "
            f"({rows_total}) by {difference}; added one Adjustment row for the difference",
            column="BilledCost",
            rows=1,
        )
    )
    return ChargeRow(
        category=ADJUSTMENT,
        billed=difference,
        currency=invoice.currency or currency,
        cost_status=INVOICED,
        source="invoice-total",
        meter_desc=(
            f"Difference between the total of invoice {invoice.invoice_id} and its line items"
        ),
        invoice_id=invoice.invoice_id,
    )


def _uninvoiced(sources: Sources, rows: pa.Table, currency: str) -> pa.Table:
    """Utilization records no invoice line covers: quantity kept, nothing billed."""
    count = rows.num_rows
    meters = rows.column("meter_id")
    distinct = [m for m in pc.unique(meters).to_pylist() if m is not None]
    prices = [price_of(sources.prices, m) or Decimal(0) for m in distinct]
    index = pc.index_in(meters, value_set=pa.array(distinct, pa.string()))
    price = pc.fill_null(pc.take(pa.array(prices, _DECIMAL), index), Decimal(0))
    return with_columns(
        rows,
        {
            "category": repeat(USAGE, count, pa.string()),
            "billed": repeat(Decimal(0), count, _DECIMAL),
            "list_price": price,
            "contracted_price": price,
            "currency": repeat(currency, count, pa.string()),
            "cost_status": repeat(UNINVOICED, count, pa.string()),
            "source": repeat("utilization", count, pa.string()),
        },
    )


def _uninvoiced_finding(rows: pa.Table) -> Finding:
    grouped = rows.group_by(["vdc_id", "meter_id"]).aggregate([("quantity", "sum")])
    pairs = [
        f"{meter} in {vdc} ({quantity.normalize():f})"
        for vdc, meter, quantity in zip(
            grouped["vdc_id"].to_pylist(),
            grouped["meter_id"].to_pylist(),
            grouped["quantity_sum"].to_pylist(),
            strict=True,
        )
    ]
    shown = ", ".join(pairs[:5]) + (f" and {len(pairs) - 5} more" if len(pairs) > 5 else "")
    return finding(
        "ionos-usage-without-invoice-line",
        Severity.WARNING,
        f"{rows.num_rows} utilization records have no line on the month's invoices: {shown}. "
        "They are kept with BilledCost 0 and x_CostStatus Uninvoiced",
        column="BilledCost",
        rows=rows.num_rows,
    )
