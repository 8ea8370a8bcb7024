"""IONOS reconciliation checks: does a converted table agree with the IONOS payloads?

Run by the ``validate`` hook on tables of provider ``ionos``. The facts come from the
table's schema metadata, where :func:`~focus_ionos_plugin.ionos.convert.convert_batch`
records them (a table read back from a file has none: the checks then say they were
skipped). Rule ids and severities:

``ionos-invoice-total-mismatch`` (error)
    Sum of BilledCost per InvoiceId differs from the invoice total.
``ionos-invoice-line-mismatch`` (error)
    Sum of BilledCost of the usage rows of one invoice, data center and meter differs from
    the invoice line amount.
``ionos-invoice-list-mismatch`` (warning)
    The invoice list states another amount than the invoice itself.
``ionos-quantity-mismatch`` (warning)
    Sum of ConsumedQuantity per data center and meter differs from the usage endpoint.
``ionos-usage-without-rows`` (warning)
    The usage endpoint has a data center and meter the table has no usage row for.
``ionos-invoice-line-without-detail`` (info)
    Invoice lines that no utilization record details, kept as one data-center row each.
``ionos-traffic-volume-mismatch`` (info)
    Traffic endpoint volume per data center differs from the CTI/CTO meters (the rows come
    from the meters; the endpoint only cross-checks).
``ionos-contract-mismatch`` (error)
    A payload, or BillingAccountId, names another contract than the batch.

``ionos-reconciliation-skipped`` (skipped)
    The table carries no conversion facts (read from a file, not converted in this run).

Findings made while converting are reported here too, so ``validate`` shows everything in
one list: ``ionos-unpriced-meter``, ``ionos-unknown-meter``, ``ionos-invoice-adjustment``,
``ionos-usage-without-invoice-line``, ``ionos-no-invoice-access``,
``ionos-closed-month-without-invoice`` and ``ionos-invoice-total-missing`` (warnings),
``ionos-open-month`` (info), ``ionos-several-currencies`` / ``ionos-currency-unknown``
(warnings) and ``ionos-contract-missing`` (error).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..findings import Finding, Severity
from .convert import finding_from_dict, reconciliation
from .convert_charges import finding
from .convert_keys import combination_codes

__all__ = ["QUANTITY_TOLERANCE", "check_table"]

#: Relative tolerance of the quantity cross-check (IONOS rounds quantities to 6 decimals).
QUANTITY_TOLERANCE = Decimal("1e-6")
_GIB = Decimal(2**30)
_TRAFFIC_TOLERANCE_GIB = Decimal("0.01")
_SHOWN = 5


def check_table(table: pa.Table) -> list[Finding]:
    """Every IONOS reconciliation finding for one converted period (see module doc)."""
    facts = reconciliation(table)
    if facts is None:
        return [
            finding(
                "ionos-reconciliation-skipped",
                Severity.SKIPPED,
                "the table carries no IONOS reconciliation facts (it was not converted in this "
                "run); invoice and usage reconciliation needs 'focus-ionos convert' or 'export'",
            )
        ]
    findings = [finding_from_dict(item) for item in facts.get("findings", ())]
    findings += _contracts(table, facts)
    if facts.get("basis") == "invoice":
        findings += _invoice_totals(table, facts)
        findings += _invoice_lines(table, facts)
    findings += _quantities(table, facts)
    findings += _traffic(table, facts)
    return findings


# -- invoices --------------------------------------------------------------------------------


def _sums(table: pa.Table, keys: list[str], value: str) -> dict[tuple[Any, ...], Any]:
    """Sum of ``value`` per combination of ``keys`` (nulls in keys read as "")."""
    if table.num_rows == 0:
        return {}
    codes, combinations = combination_codes(*(table[key] for key in keys))
    values = table[value].combine_chunks()
    grouped = pa.table({"c": codes, "v": values}).group_by("c").aggregate([("v", "sum")])
    return {
        combinations[code]: total
        for code, total in zip(grouped["c"].to_pylist(), grouped["v_sum"].to_pylist(), strict=True)
    }


def _invoice_totals(table: pa.Table, facts: dict[str, Any]) -> list[Finding]:
    view = table.select(["InvoiceId", "BilledCost"])
    sums = _sums(view.filter(pc.is_valid(view["InvoiceId"])), ["InvoiceId"], "BilledCost")
    findings = []
    for invoice in facts.get("invoices", ()):
        total = invoice.get("total")
        listed = invoice.get("listed")
        if total is not None and listed is not None and Decimal(total) != Decimal(listed):
            findings.append(
                finding(
                    "ionos-invoice-list-mismatch",
                    Severity.WARNING,
                    f"invoice {invoice['id']}: the invoice list states {listed}, the invoice "
                    f"itself {total}; the rows follow the invoice",
                )
            )
        expected = Decimal(total if total is not None else listed or 0)
        actual = sums.get((invoice["id"],)) or Decimal(0)
        if total is None and listed is None:
            continue
        if actual != expected:
            findings.append(
                finding(
                    "ionos-invoice-total-mismatch",
                    Severity.ERROR,
                    f"invoice {invoice['id']}: BilledCost sums to {_plain(actual)}, the invoice "
                    f"total is {_plain(expected)} (difference {_plain(expected - actual)})",
                    column="BilledCost",
                    rows=_count(table, "InvoiceId", invoice["id"]),
                )
            )
    return findings


def _invoice_lines(table: pa.Table, facts: dict[str, Any]) -> list[Finding]:
    expected: dict[tuple[str, str, str], Decimal] = {}
    without_detail = []
    for line in facts.get("lines", ()):
        key = (line["invoice_id"], line["vdc_id"], line["meter_id"])
        expected[key] = expected.get(key, Decimal(0)) + Decimal(line["amount"])
        if not line.get("detail"):
            without_detail.append(f"{line['meter_id']} in {_namer(facts)(line['vdc_id'])}")
    view = table.select(["ChargeCategory", "InvoiceId", "SubAccountId", "SkuId", "BilledCost"])
    usage = view.filter(
        pc.and_(pc.equal(view["ChargeCategory"], "Usage"), pc.is_valid(view["InvoiceId"]))
    )
    actual = _sums(usage, ["InvoiceId", "SubAccountId", "SkuId"], "BilledCost")
    findings = []
    named = _namer(facts)
    wrong = [
        f"{meter} in {named(vdc)} on {invoice}: "
        f"rows {_plain(actual.get((invoice, vdc, meter)) or 0)}"
        f", line {_plain(amount)}"
        for (invoice, vdc, meter), amount in sorted(expected.items())
        if (actual.get((invoice, vdc, meter)) or Decimal(0)) != amount
    ]
    extra = [key for key in actual if key not in expected]
    wrong += [
        f"{meter} in {named(vdc)} on {invoice}: rows without invoice line"
        for invoice, vdc, meter in extra
    ]
    if wrong:
        findings.append(
            finding(
                "ionos-invoice-line-mismatch",
                Severity.ERROR,
                f"{len(wrong)} invoice line(s) do not match their rows: {_list(wrong)}",
                column="BilledCost",
                rows=len(wrong),
            )
        )
    if without_detail:
        findings.append(
            finding(
                "ionos-invoice-line-without-detail",
                Severity.INFO,
                f"{len(without_detail)} invoice line(s) have no utilization detail and stay one "
                f"row per data center: {_list(without_detail)}",
                rows=len(without_detail),
            )
        )
    return findings


# -- quantities, traffic, contract -----------------------------------------------------------


def _quantities(table: pa.Table, facts: dict[str, Any]) -> list[Finding]:
    view = table.select(["ChargeCategory", "SubAccountId", "SkuId", "ConsumedQuantity"])
    usage_rows = view.filter(pc.equal(view["ChargeCategory"], "Usage"))
    actual = _sums(usage_rows, ["SubAccountId", "SkuId"], "ConsumedQuantity")
    named = _namer(facts)
    mismatched = []
    missing = []
    for item in facts.get("usage", ()):
        expected = Decimal(item["quantity"])
        got = actual.get((item["vdc_id"], item["meter_id"]))
        if got is None:
            missing.append(f"{item['meter_id']} in {named(item['vdc_id'])} ({_plain(expected)})")
            continue
        if abs(got - expected) > QUANTITY_TOLERANCE * max(abs(expected), Decimal(1)):
            mismatched.append(
                f"{item['meter_id']} in {named(item['vdc_id'])}: rows {_plain(got)}, "
                f"usage {_plain(expected)}"
            )
    findings = []
    if mismatched:
        findings.append(
            finding(
                "ionos-quantity-mismatch",
                Severity.WARNING,
                f"{len(mismatched)} data center/meter quantities differ from the usage "
                f"endpoint: {_list(mismatched)}",
                column="ConsumedQuantity",
                rows=len(mismatched),
            )
        )
    if missing:
        findings.append(
            finding(
                "ionos-usage-without-rows",
                Severity.WARNING,
                f"{len(missing)} usage endpoint entries have no usage rows: {_list(missing)}",
                column="ConsumedQuantity",
                rows=len(missing),
            )
        )
    return findings


def _traffic(table: pa.Table, facts: dict[str, Any]) -> list[Finding]:
    traffic = facts.get("traffic") or ()
    if not traffic:
        return []
    sku = pc.fill_null(table["SkuId"], "")
    direction = pc.if_else(
        pc.starts_with(sku, "CTI"),
        "in",
        pc.if_else(pc.starts_with(sku, "CTO"), "out", pa.scalar(None, pa.string())),
    )
    rows = pa.table(
        {
            "vdc": table["SubAccountId"],
            "direction": direction,
            "quantity": table["ConsumedQuantity"],
        }
    ).filter(pc.is_valid(direction))
    metered = _sums(rows, ["vdc", "direction"], "quantity")
    differences = []
    for item in traffic:
        got = metered.get((item["vdc_id"], item["direction"])) or Decimal(0)
        endpoint = Decimal(item["bytes"]) / _GIB
        if abs(got - endpoint) > _TRAFFIC_TOLERANCE_GIB:
            differences.append(
                f"{item['direction']}bound in {_namer(facts)(item['vdc_id'])}: "
                f"meters {_plain(got)} GiB, "
                f"traffic endpoint {endpoint:.6f} GiB"
            )
    if not differences:
        return []
    return [
        finding(
            "ionos-traffic-volume-mismatch",
            Severity.INFO,
            f"traffic endpoint volumes differ from the traffic meters (rows follow the meters): "
            f"{_list(differences)}",
            column="ConsumedQuantity",
            rows=len(differences),
        )
    ]


def _contracts(table: pa.Table, facts: dict[str, Any]) -> list[Finding]:
    contract = facts.get("contract") or ""
    others: dict[str, list[str]] = {}
    for name, value in facts.get("contract_ids", ()):
        if not _same(value, contract):
            others.setdefault(value, []).append(name)
    accounts = [v for v in pc.unique(table["BillingAccountId"]).to_pylist() if v is not None]
    for value in accounts:
        if value != contract:
            others.setdefault(value, []).append("BillingAccountId")
    if not others:
        return []
    stated = [f"{value} in {', '.join(names)}" for value, names in sorted(others.items())]
    return [
        finding(
            "ionos-contract-mismatch",
            Severity.ERROR,
            f"the batch is for contract {contract or '(none)'} but the payloads name "
            f"{_list(stated)}; never mix contracts in one dataset: fetch again with --contract",
            column="BillingAccountId",
            rows=sum(len(names) for names in others.values()),
        )
    ]


def _namer(facts: dict[str, Any]) -> Callable[[str], str]:
    """Data center id -> its name for messages (the id when the name is unknown)."""
    names = facts.get("vdc_names") or {}
    return lambda vdc: names.get(vdc) or vdc or "(no data center)"


def _same(left: str, right: str) -> bool:
    """Contract ids compare as numbers: ``031000777`` (profile) = ``31000777`` (EVN CSV)."""
    if left.isdigit() and right.isdigit():
        return int(left) == int(right)
    return left == right


def _count(table: pa.Table, column: str, value: str) -> int:
    return int(pc.sum(pc.equal(table[column], value)).as_py() or 0)


def _plain(value: Decimal | int) -> str:
    """A decimal without exponent or trailing zeros (``1.50`` -> ``1.5``)."""
    text = f"{Decimal(value).normalize():f}"
    return text if text != "-0" else "0"


def _list(items: Iterable[str]) -> str:
    items = list(items)
    shown = "; ".join(items[:_SHOWN])
    return shown + (f"; and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")
