"""Response payloads of the Billing API, derived from the demo model.

Each function returns the JSON value one request answers (dicts and lists; quantities as
Decimal; strings where the real API sends numbers as strings). Field names, nesting and
JSON types follow the API reference: usage quantities and product prices are strings,
utilization and invoice quantities numbers, traffic keys ``Date``/``In``/``Out``,
``/invoices/{period}`` a bare array, the profile's contract id zero-padded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .catalog import METERS, PRICE_LISTS, price_list_for
from .jsontext import decimal_text
from .model import AccountModel, Resource, Vdc, stable_uuid
from .quantities import DailyUse, daily_uses, data_window, days, month_bounds

__all__ = [
    "LIABILITY",
    "PeriodUsage",
    "evn",
    "invoice",
    "invoice_id",
    "invoices_by_period",
    "invoices_list",
    "period_usage",
    "products",
    "profile",
    "traffic",
    "usage",
    "utilization",
    "utilization_daily",
]

LIABILITY = (
    "Invented demo text: usage information is provided without liability; the invoice is binding."
)
_CENT = Decimal("0.01")
_MS = timedelta(milliseconds=1)
_EVN_HEADER = (
    "contractId,VDCUUID,VDCName,ResourceType,ResourceUUID,IntervalMin,IntervalDivisor,From,To,"
    "ItemStub,Value,ValueDivisor,Additional Parameters"
)


def _start_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _end_text(end: datetime) -> str:
    """The API's inclusive end: one millisecond before the exclusive end."""
    return (end - _MS).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _metadata(model: AccountModel, **extra: Any) -> dict[str, Any]:
    return {
        "contractId": model.contract_id,
        "customerId": model.customer_id,
        "reference": None,
        **extra,
    }


def invoice_id(period: str) -> str:
    """The demo's invoice number for a closed month: 2026-09 -> GY26090001."""
    return f"GY{period[2:4]}{period[5:7]}0001"


@dataclass
class _Row:
    """A utilization row being summed up from daily uses."""

    resource: Resource
    meter_id: str
    start: datetime
    end: datetime
    quantity: Decimal = Decimal(0)


@dataclass
class PeriodUsage:
    """Everything one month consumed, summed from daily quantities."""

    period: str
    start: datetime
    end: datetime
    #: Utilization rows per data center key, in payload order.
    rows: dict[str, list[_Row]] = field(default_factory=dict)
    #: Usage totals: data center key -> meter id -> quantity, in payload order.
    totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    #: Traffic bytes: (data center key, NIC resource id, day) -> (in, out).
    traffic: dict[tuple[str, str, date], list[int]] = field(default_factory=dict)


def period_usage(model: AccountModel, period: str) -> PeriodUsage:
    """Sum the daily quantities of every resource over the month's data window."""
    start, end = data_window(model, period)
    result = PeriodUsage(period, start, end)
    order = {meter_id: index for index, meter_id in enumerate(METERS)}
    for vdc in model.vdcs:
        rows: list[_Row] = []
        for resource in (r for r in model.resources if r.vdc == vdc.key):
            merged: dict[str, _Row] = {}
            for day in days(start, end):
                for use in daily_uses(model, resource, day):
                    _add_use(result, vdc, use, rows, merged)
        if not rows:
            continue
        result.rows[vdc.key] = rows
        totals: dict[str, Decimal] = {}
        for row in rows:
            totals[row.meter_id] = totals.get(row.meter_id, Decimal(0)) + row.quantity
        result.totals[vdc.key] = dict(sorted(totals.items(), key=lambda item: order[item[0]]))
    return result


def _add_use(
    result: PeriodUsage, vdc: Vdc, use: DailyUse, rows: list[_Row], merged: dict[str, _Row]
) -> None:
    if use.meter_id in ("CTI1000", "CTO0000"):
        key = (vdc.key, use.resource.resource_id, use.start.date())
        pair = result.traffic.setdefault(key, [0, 0])
        pair[0 if use.meter_id == "CTI1000" else 1] += use.traffic_bytes
    if vdc.is_s3:
        # Object storage is reported per bucket per day, as the real API does.
        rows.append(_Row(use.resource, use.meter_id, use.start, use.end, use.quantity))
        return
    row = merged.get(use.meter_id)
    if row is None:
        row = merged[use.meter_id] = _Row(use.resource, use.meter_id, use.start, use.end)
        rows.append(row)
    row.end = use.end
    row.quantity += use.quantity


def _utilization_row(model: AccountModel, vdc: Vdc, row: _Row | DailyUse) -> dict[str, Any]:
    meter = METERS[row.meter_id]
    resource = row.resource
    return {
        "id": stable_uuid(
            "utilization",
            model.seed,
            resource.resource_id,
            row.meter_id,
            _start_text(row.start),
            _start_text(row.end),
        ),
        "resourceId": resource.resource_id,
        "serverId": resource.server_id,
        "name": resource.name,
        "type": resource.resource_type,
        "from": _start_text(row.start),
        "to": _end_text(row.end),
        "exists": None,
        "meterId": row.meter_id,
        "meterDesc": meter.description,
        "region": vdc.location,
        "quantity": {"quantity": row.quantity, "unit": meter.unit},
    }


def _last_day(end: datetime) -> str:
    return (end - timedelta(days=1)).strftime("%Y-%m-%d")


def utilization(model: AccountModel, usage_data: PeriodUsage) -> dict[str, Any]:
    """``GET /{contract}/utilization/{period}``: one row per resource x meter (S3 per day)."""
    datacenters = []
    for vdc in model.vdcs:
        rows = usage_data.rows.get(vdc.key)
        if rows:
            datacenters.append(
                {
                    "id": vdc.vdc_id,
                    "name": vdc.name,
                    "meters": [_utilization_row(model, vdc, row) for row in rows],
                }
            )
    return {
        "startDate": usage_data.start.strftime("%Y-%m-%d"),
        "endDate": _last_day(usage_data.end),
        "datacenters": datacenters,
        "metadata": _metadata(model),
    }


def utilization_daily(model: AccountModel, day: datetime) -> dict[str, Any]:
    """``GET /{contract}/utilization/daily/{date}``: each resource x meter on one day."""
    datacenters = []
    for vdc in model.vdcs:
        meters = [
            _utilization_row(model, vdc, use)
            for resource in model.resources
            if resource.vdc == vdc.key
            for use in daily_uses(model, resource, day)
        ]
        if meters:
            datacenters.append({"id": vdc.vdc_id, "name": vdc.name, "meters": meters})
    text = day.strftime("%Y-%m-%d")
    return {
        "startDate": text,
        "endDate": text,
        "datacenters": datacenters,
        "metadata": _metadata(model),
    }


def usage(model: AccountModel, usage_data: PeriodUsage) -> dict[str, Any]:
    """``GET /{contract}/usage?period=``: totals per data center x meter, as strings."""
    datacenters = []
    for vdc in model.vdcs:
        totals = usage_data.totals.get(vdc.key)
        if not totals:
            continue
        datacenters.append(
            {
                "id": vdc.vdc_id,
                "name": vdc.name,
                "location": vdc.location,
                "meters": [
                    {
                        "meterId": meter_id,
                        "meterDesc": METERS[meter_id].description,
                        "quantity": {
                            "quantity": decimal_text(quantity),
                            "unit": METERS[meter_id].unit,
                        },
                    }
                    for meter_id, quantity in totals.items()
                ],
            }
        )
    return {
        "startDate": usage_data.start.strftime("%Y-%m-%d"),
        "endDate": _last_day(usage_data.end),
        "datacenters": datacenters,
        "metadata": _metadata(model),
    }


def evn(model: AccountModel, period: str) -> dict[str, Any]:
    """``GET /{contract}/evn/{period}``: provisioning intervals (no S3, traffic or DBaaS)."""
    start, end = data_window(model, period)
    datacenters = []
    csv_lines = [_EVN_HEADER]
    for vdc in model.vdcs:
        if vdc.is_s3:
            continue
        items = []
        for resource in (r for r in model.resources if r.vdc == vdc.key):
            lo = max(resource.start, start)
            hi = end if resource.end is None else min(resource.end, end)
            if hi <= lo:
                continue
            minutes = int((hi - lo).total_seconds()) // 60
            for meter_id, value in resource.meters:
                if not METERS[meter_id].in_evn:
                    continue
                extra = resource.cpu_family if meter_id.startswith("C") else ""
                items.append(
                    {
                        "resourceType": resource.resource_type,
                        "resourceUUID": resource.resource_id,
                        "intervalMin": minutes,
                        "intervalDivisor": 60,
                        "from": _start_text(lo),
                        "to": _end_text(hi),
                        "itemStub": meter_id,
                        "value": value,
                        "valueDivisor": 1,
                        "additionalParameters": extra,
                    }
                )
                csv_lines.append(
                    ",".join(
                        (
                            str(model.contract_number),
                            vdc.vdc_id,
                            vdc.name,
                            resource.resource_type,
                            resource.resource_id,
                            str(minutes),
                            "60",
                            _start_text(lo),
                            _end_text(hi),
                            meter_id,
                            str(value),
                            "1",
                            extra,
                        )
                    )
                )
        if items:
            datacenters.append({"vdcUUID": vdc.vdc_id, "name": vdc.name, "data": items})
    return {
        "metadata": _metadata(model, period=period),
        "datacenters": datacenters,
        "evnCSV": csv_lines,
    }


def traffic(model: AccountModel, usage_data: PeriodUsage, *, by_ip: bool) -> dict[str, Any]:
    """``GET /{contract}/traffic/{period}?output=obj`` (``ip=true``: per NIC address)."""
    resources = {r.resource_id: r for r in model.resources}
    groups: dict[tuple[str, str], dict[str, list[int]]] = {}
    for (vdc_key, nic_id, day), (inbound, outbound) in usage_data.traffic.items():
        per_day = groups.setdefault((vdc_key, nic_id if by_ip else ""), {})
        pair = per_day.setdefault(day.strftime("%Y-%m-%d"), [0, 0])
        pair[0] += inbound
        pair[1] += outbound
    listing = []
    for vdc in model.vdcs:
        for (vdc_key, nic_id), per_day in groups.items():
            if vdc_key != vdc.key:
                continue
            item: dict[str, Any] = {"vdcUUID": vdc.vdc_id, "vdcName": vdc.name}
            if by_ip:
                item["ip"] = resources[nic_id].ip
            item["dates"] = [
                {"Date": text, "In": pair[0], "Out": pair[1]}
                for text, pair in sorted(per_day.items())
            ]
            listing.append(item)
    return {
        "metadata": _metadata(model, period=usage_data.period, unit="Byte"),
        "trafficObj": {"nic" if by_ip else "vdc": listing},
    }


def invoice(model: AccountModel, usage_data: PeriodUsage) -> dict[str, Any]:
    """``GET /{contract}/invoices/{id}``: lines per data center x meter, rebates, total."""
    period = usage_data.period
    start, end = month_bounds(period)
    _, prices = price_list_for(start.date())
    currency = model.currency
    datacenters = []
    total = Decimal(0)
    for vdc in model.vdcs:
        totals = usage_data.totals.get(vdc.key)
        if not totals:
            continue
        meters = []
        for meter_id, quantity in totals.items():
            if meter_id not in prices:
                msg = f"demo invoice {period}: meter {meter_id} has no price; fix the model"
                raise ValueError(msg)
            rate = prices[meter_id]
            amount = (quantity * rate).quantize(_CENT, rounding=ROUND_HALF_UP)
            total += amount
            meters.append(
                {
                    "meterId": meter_id,
                    "meterDesc": METERS[meter_id].description,
                    "productGroup": METERS[meter_id].product_group,
                    "quantity": {"quantity": quantity, "unit": METERS[meter_id].unit},
                    "rate": {"quantity": rate, "unit": currency},
                    "amount": {"quantity": amount, "unit": currency},
                }
            )
        entry: dict[str, Any] = {
            "id": vdc.vdc_id,
            "name": vdc.name,
            "location": vdc.location,
            "productGroup": None,
            "meters": meters,
        }
        rebate = model.rebates.get((period, vdc.key))
        if rebate is not None:
            entry["rebate"] = {"amount": {"quantity": rebate, "unit": currency}}
            total -= rebate
        datacenters.append(entry)
    next_month = end.strftime("%Y-%m")
    return {
        "metadata": {
            "invoiceId": invoice_id(period),
            "contractId": model.contract_id,
            "customerId": model.customer_id,
            "createdDate": (end + timedelta(days=1)).strftime("%Y-%m-%d"),
            "startDate": start.strftime("%Y-%m-%d"),
            "endDate": _last_day(end),
            "postingPeriod": next_month,
            "finallyPosted": True,
            "reference": None,
            "resellerRef": None,
        },
        "datacenters": datacenters,
        "total": {"quantity": total, "unit": currency},
    }


def invoices_list(model: AccountModel, invoices: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """``GET /{contract}/invoices``: invoice headers, newest first."""
    headers = [
        {
            "id": item["metadata"]["invoiceId"],
            "date": item["metadata"]["startDate"][:7],
            "amount": item["total"]["quantity"],
            "unit": item["total"]["unit"],
        }
        for item in invoices
    ]
    headers.sort(key=lambda header: header["date"], reverse=True)
    return {"metadata": _metadata(model), "invoices": headers}


def invoices_by_period(invoices: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``GET /invoices/{period}``: a bare array of full invoices (empty for the open month)."""
    return list(invoices)


def products(model: AccountModel, valid_from: date) -> dict[str, Any]:
    """``GET /{contract}/products?date=``: the price list valid from ``valid_from``."""
    prices = dict(PRICE_LISTS)[valid_from]
    return {
        "metadata": _metadata(model),
        "liability": LIABILITY,
        "products": [
            {
                "meterId": meter.meter_id,
                "meterDesc": meter.description,
                "deprecated": meter.deprecated,
                "unit": meter.product_unit,
                "type": "consumption",
                "term": None,
                "unitCost": {"quantity": f"{prices[meter.meter_id]:.4f}", "unit": model.currency},
            }
            for meter in METERS.values()
            if meter.meter_id in prices
        ],
    }


def profile(model: AccountModel) -> dict[str, Any]:
    """``GET /profile``: the billing profile, contract id as a zero-padded string."""
    return {"companies": [_metadata(model)]}
