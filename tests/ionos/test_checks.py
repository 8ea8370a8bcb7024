"""IONOS reconciliation checks on converted tables (and on tables that were tampered with)."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from focus_ionos_plugin.context import Context, Settings
from focus_ionos_plugin.findings import Severity
from focus_ionos_plugin.ionos import plugin
from focus_ionos_plugin.ionos.checks import check_table
from focus_ionos_plugin.ionos.convert import convert_batch

D = Decimal


def _ids(findings):
    return sorted((str(f.severity), f.rule_id) for f in findings)


def _with_column(table: pa.Table, name: str, values) -> pa.Table:
    index = table.schema.get_field_index(name)
    return table.set_column(index, table.schema.field(index), values)


def test_consistent_month_has_no_findings(support):
    table = convert_batch(support.demo_batch("2026-11")).table
    assert check_table(table) == []


def test_a_changed_amount_breaks_invoice_and_line_reconciliation(support):
    table = convert_batch(support.example_batch()).table
    billed = table["BilledCost"].to_pylist()
    billed[0] += D("0.01")
    tampered = _with_column(table, "BilledCost", pa.array(billed, table["BilledCost"].type))
    findings = check_table(tampered)
    assert _ids(findings) == [
        ("error", "ionos-invoice-line-mismatch"),
        ("error", "ionos-invoice-total-mismatch"),
        ("info", "ionos-traffic-volume-mismatch"),
        ("warning", "ionos-quantity-mismatch"),
    ]
    total = next(f for f in findings if f.rule_id == "ionos-invoice-total-mismatch")
    assert "sums to 344.7, the invoice total is 344.69 (difference -0.01)" in total.message
    line = next(f for f in findings if f.rule_id == "ionos-invoice-line-mismatch")
    assert "C05000 in prod-fra on GY09000123: rows 158.41, line 158.4" in line.message


def test_example_quantities_and_traffic_are_cross_checked(support):
    findings = check_table(convert_batch(support.example_batch()).table)
    quantity = next(f for f in findings if f.rule_id == "ionos-quantity-mismatch")
    # The example's utilization shows only two days of S3 records.
    assert quantity.severity is Severity.WARNING
    assert "S3SU1100 in S3: rows 0.8, usage 12" in quantity.message
    traffic = next(f for f in findings if f.rule_id == "ionos-traffic-volume-mismatch")
    assert "outbound in prod-fra: meters 41.25 GiB" in traffic.message


def test_contract_stated_by_a_payload_must_match(support):
    batch = support.example_batch()
    batch.meta["contract"] = "031000001"
    findings = check_table(convert_batch(batch).table)
    mismatch = [f for f in findings if f.rule_id == "ionos-contract-mismatch"]
    assert [f.severity for f in mismatch] == [Severity.ERROR]
    message = mismatch[0].message
    assert message.startswith("the batch is for contract 031000001 but the payloads name ")
    assert "031000000 in products, invoices, invoice-GY09000123, usage," in message


def test_leading_zero_and_unpadded_contract_ids_are_the_same_contract(support):
    # Some payloads and tools write 31000000; the profile writes 031000000.
    traffic = support.example_payload("traffic.json")
    traffic["metadata"]["contractId"] = "31000000"
    table = convert_batch(support.example_batch(replace={"traffic": traffic})).table
    assert not [f for f in check_table(table) if f.rule_id == "ionos-contract-mismatch"]
    traffic["metadata"]["contractId"] = "31000001"
    table = convert_batch(support.example_batch(replace={"traffic": traffic})).table
    [mismatch] = [f for f in check_table(table) if f.rule_id == "ionos-contract-mismatch"]
    assert "31000001 in traffic" in mismatch.message


def test_table_without_conversion_facts_is_skipped():
    table = pa.table({"BilledCost": pa.array([D(1)], pa.decimal128(38, 18))})
    [finding] = check_table(table)
    assert (finding.severity, finding.rule_id) == (Severity.SKIPPED, "ionos-reconciliation-skipped")


def test_hooks_answer_only_for_ionos(support):
    context = Context(settings=Settings({}))
    batch = support.example_batch()
    assert plugin.to_focus(provider="acme", raw=batch, context=context) is None
    table = plugin.to_focus(provider="ionos", raw=batch, context=context)
    assert pc.sum(table["BilledCost"]).as_py() == D("344.69")
    assert plugin.validate(table=table, provider="acme", context=context) == []
    assert _ids(plugin.validate(table=table, provider="ionos", context=context)) == [
        ("info", "ionos-traffic-volume-mismatch"),
        ("warning", "ionos-quantity-mismatch"),
    ]
