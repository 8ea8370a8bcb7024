"""Routing for the fake Billing API: request path and query -> answer from the account.

Implements the paths of the real API (reference section 5) with the query filters that are
cheap to apply to a stored payload: ``dc``/``resource``/``type`` on utilization, ``ip`` and
``output`` on traffic, ``contractid`` on ``/invoices/{period}``, the data center on
``/usage/{dc}``. The contract path segment is compared as a number, so ``/31000777/...`` and
``/031000777/...`` are the same contract, as with the real API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from ...raw import loads_exact
from .jsontext import dumps
from .keys import BillingData

__all__ = ["Answer", "answer"]

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRAFFIC_OUTPUTS = ("all", "obj", "arr", "csv")


@dataclass(frozen=True)
class Answer:
    """What to send back: a status and a JSON body (empty for ping)."""

    status: int
    body: bytes


def _error(status: int, message: str) -> Answer:
    return Answer(
        status,
        dumps(
            {
                "httpStatus": status,
                "messages": [{"errorCode": str(status), "message": message}],
            }
        ),
    )


def answer(data: BillingData, path: str, query: str) -> Answer:
    """Answer a GET on ``path`` (relative to the API root, no ``/billing``) with ``query``."""
    params = {name: values[-1] for name, values in parse_qs(query, True).items()}
    parts = [part for part in path.split("/") if part]
    if parts == ["intern", "ping"]:
        return Answer(200, b"")
    if parts == ["profile"]:
        return _stored(data, "/profile")
    if len(parts) == 2 and parts[0] == "invoices":
        return _invoices_by_period(data, parts[1], params)
    if not parts or not parts[0].isdigit():
        return _error(404, f"no such resource: {path}")
    if int(parts[0]) != data.meta.contract_number:
        return _error(404, f"contract {parts[0]} not found or not accessible")
    if len(parts) < 2:
        return _error(404, f"no such resource: {path}")
    return _contract(data, f"/{data.meta.contract_number}", parts[1], parts[2:], params)


def _stored(data: BillingData, key: str) -> Answer:
    body = data.body(key)
    if body is None:
        return _error(404, f"no data for {key}")
    return Answer(200, body)


def _bad_period(period: str) -> Answer | None:
    if _PERIOD.match(period):
        return None
    return _error(422, f"period {period!r} is not YYYY-MM")


def _invoices_by_period(data: BillingData, period: str, params: dict[str, str]) -> Answer:
    bad = _bad_period(period)
    if bad:
        return bad
    wanted = params.get("contractid")
    if wanted is not None and (not wanted.isdigit() or int(wanted) != data.meta.contract_number):
        return Answer(200, b"[]")
    body = data.body(f"/invoices/{period}")
    return Answer(200, body if body is not None else b"[]")


def _contract(
    data: BillingData, root: str, name: str, rest: list[str], params: dict[str, str]
) -> Answer:
    meta = data.meta
    if name == "products" and not rest:
        text = params.get("date")
        if text is None:
            day = meta.today
        elif not _DATE.match(text):
            return _error(422, f"date {text!r} is not YYYY-MM-DD")
        else:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                return _error(422, f"date {text!r} is not a calendar date")
        return _stored(data, f"{root}/products?date={meta.price_list_date(day).isoformat()}")
    if name == "invoices" and len(rest) <= 1:
        return _stored(data, f"{root}/invoices" + (f"/{rest[0]}" if rest else ""))
    if name == "usage" and len(rest) <= 1:
        period = params.get("period") or meta.open_period
        bad = _bad_period(period)
        if bad:
            return bad
        found = _stored(data, f"{root}/usage?period={period}")
        if rest and found.status == 200:
            return _filtered(found, lambda dc: dc.get("id") == rest[0], None, rest[0])
        return found
    if name == "utilization":
        return _utilization(data, root, rest, params)
    if name == "traffic" and len(rest) <= 1:
        period = rest[0] if rest else meta.open_period
        bad = _bad_period(period)
        if bad:
            return bad
        output = params.get("output", "all")
        if output not in _TRAFFIC_OUTPUTS:
            return _error(422, f"output {output!r} is not one of {', '.join(_TRAFFIC_OUTPUTS)}")
        by_ip = params.get("ip", "").lower() in ("true", "1")
        suffix = "?ip=true&output=obj" if by_ip else "?output=obj"
        found = _stored(data, f"{root}/traffic/{period}{suffix}")
        if found.status != 200 or output == "obj":
            return found
        return Answer(200, dumps(_traffic_output(loads_exact(found.body), output, by_ip)))
    if name == "evn" and len(rest) <= 1:
        period = rest[0] if rest and rest[0] != "null" else meta.open_period
        bad = _bad_period(period)
        return bad or _stored(data, f"{root}/evn/{period}")
    return _error(404, f"no such resource: {root}/{name}/{'/'.join(rest)}")


def _utilization(data: BillingData, root: str, rest: list[str], params: dict[str, str]) -> Answer:
    if not rest:
        key = f"{root}/utilization/{data.meta.open_period}"
    elif len(rest) == 1:
        bad = _bad_period(rest[0])
        if bad:
            return bad
        key = f"{root}/utilization/{rest[0]}"
    elif len(rest) == 2 and rest[0] == "daily":
        if not _DATE.match(rest[1]):
            return _error(422, f"date {rest[1]!r} is not YYYY-MM-DD")
        key = f"{root}/utilization/daily/{rest[1]}"
    else:
        return _error(404, f"no such resource: {root}/utilization/{'/'.join(rest)}")
    found = _stored(data, key)
    dc, resource, kind = params.get("dc"), params.get("resource"), params.get("type")
    if found.status != 200 or not (dc or resource or kind):
        return found

    def keep_meter(meter: dict[str, Any]) -> bool:
        return (resource is None or meter.get("resourceId") == resource) and (
            kind is None or str(meter.get("type", "")).upper() == kind.upper()
        )

    return _filtered(found, lambda item: dc is None or item.get("id") == dc, keep_meter, None)


def _filtered(found: Answer, keep_dc: Any, keep_meter: Any, required_dc: str | None) -> Answer:
    """Drop data centers (and meters) a filter excludes; 404 when a named dc is absent."""
    payload = loads_exact(found.body)
    kept = []
    for item in payload.get("datacenters", []):
        if not keep_dc(item):
            continue
        if keep_meter is not None:
            item["meters"] = [meter for meter in item.get("meters", []) if keep_meter(meter)]
            if not item["meters"]:
                continue
        kept.append(item)
    if required_dc is not None and not kept:
        return _error(404, f"data center {required_dc} not found in this contract")
    payload["datacenters"] = kept
    return Answer(200, dumps(payload))


def _traffic_output(payload: dict[str, Any], output: str, by_ip: bool) -> dict[str, Any]:
    """Add the table forms of traffic (the real column layout is undocumented; ours)."""
    groups = payload["trafficObj"].get("nic" if by_ip else "vdc", [])
    header = ["vdcUUID", "vdcName", *(["ip"] if by_ip else []), "Date", "In", "Out"]
    table: list[list[Any]] = [header]
    for group in groups:
        lead = [group["vdcUUID"], group["vdcName"], *([group["ip"]] if by_ip else [])]
        table += [[*lead, day["Date"], day["In"], day["Out"]] for day in group["dates"]]
    result: dict[str, Any] = {"metadata": payload["metadata"]}
    if output == "all":
        result["trafficObj"] = payload["trafficObj"]
    if output in ("all", "arr"):
        result["trafficArr"] = table
    if output in ("all", "csv"):
        result["traffic"] = [",".join(str(cell) for cell in row) for row in table]
    return result
