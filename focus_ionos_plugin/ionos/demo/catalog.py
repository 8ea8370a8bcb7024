"""The demo contract's meters and price lists: what each meter is called, measured in, costs.

Descriptions and unit strings follow what the real Billing API shows (docs style in the
product list, compact style in usage, utilization and invoices). Prices are invented. Two
price lists exist: one valid from 2025-01-01 and one from 2026-11-01 that raises the AMD EPYC
core price, so ``products?date=`` answers differently before and after that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = [
    "HOURLY",
    "METERS",
    "MONTHLY_30D",
    "PRICE_CHANGE_DATE",
    "PRICE_LISTS",
    "TRAFFIC_GIB",
    "UNPRICED_METER",
    "Meter",
    "price_list_for",
]

#: How a meter's quantity grows with time: per hour, per 30 days, or by volume (GiB).
HOURLY = "hourly"
MONTHLY_30D = "30d"
TRAFFIC_GIB = "gib"


@dataclass(frozen=True)
class Meter:
    """One IONOS meter (SKU) as the demo contract knows it."""

    meter_id: str
    description: str
    #: Unit string in usage, utilization and invoice payloads (compact style).
    unit: str
    #: Unit string in the product list (docs style).
    product_unit: str
    product_group: str
    #: HOURLY, MONTHLY_30D or TRAFFIC_GIB.
    kind: str
    #: Shown in EVN (provisioning intervals); False for traffic, S3 and DBaaS.
    in_evn: bool = True
    deprecated: bool = False


_METER_LIST = (
    Meter("C05000", "1h core AMD EPYC (+1 hyperthread core)", "1hour", "1 hour", "Compute", HOURLY),
    Meter("R01000", "1h per GB RAM", "1G*1hour", "1G * 1 hour", "Compute", HOURLY),
    Meter(
        "S01000", "30d per 1 GB HDD Storage", "1G*30Days", "1 GB * 30 days", "Storage", MONTHLY_30D
    ),
    Meter(
        "S02000",
        "30d per 1 GB SSD Storage Premium",
        "1G*30Days",
        "1 GB * 30 days",
        "Storage",
        MONTHLY_30D,
    ),
    Meter(
        "S05000",
        "30d per 1 GB SSD Storage Standard",
        "1G*30Days",
        "1 GB * 30 days",
        "Storage",
        MONTHLY_30D,
    ),
    Meter("A01000", "30d per static IP address", "30Days", "30 days", "Network", MONTHLY_30D),
    Meter("NAT1000", "1h per NAT", "1hour", "1 hour", "Network", HOURLY),
    Meter(
        "NLB1000",
        "1h of first 5 forwarding rules for network load balancer",
        "1hour",
        "1 hour",
        "Network",
        HOURLY,
    ),
    Meter(
        "CTI1000",
        "1 GB cumulative traffic inbound",
        "1G",
        "1G",
        "Network",
        TRAFFIC_GIB,
        in_evn=False,
    ),
    Meter(
        "CTO0000",
        "1 GB cumulative traffic outbound, first 2 TB",
        "1G",
        "1G",
        "Network",
        TRAFFIC_GIB,
        in_evn=False,
    ),
    Meter(
        "S3SU1100",
        "30d per 1GB S3 Object Storage for first 50TB",
        "1G*30Days",
        "1G*30Days",
        "Object Storage",
        MONTHLY_30D,
        in_evn=False,
    ),
    Meter(
        "S3TO1000",
        "1 GB S3 common traffic outbound",
        "1G",
        "1G",
        "Object Storage",
        TRAFFIC_GIB,
        in_evn=False,
    ),
    Meter(
        "DBPGC1000",
        "1h per core DBaaS PostgreSQL",
        "1hour",
        "1 hour",
        "Database",
        HOURLY,
        in_evn=False,
    ),
    Meter(
        "DBPGR1000",
        "1h per GB RAM DBaaS PostgreSQL",
        "1G*1hour",
        "1G * 1 hour",
        "Database",
        HOURLY,
        in_evn=False,
    ),
    Meter(
        "DBMP1000",
        "1h of MongoDB Playground first instance",
        "1hour",
        "1 hour",
        "Database",
        HOURLY,
        in_evn=False,
    ),
    # Listed in the price list but not used by the demo account.
    Meter("C01000", "1h core AMD", "1hour", "1 hour", "Compute", HOURLY),
    Meter(
        "C02000",
        "1h core Intel Broadwell (+1 hyperthread core)",
        "1hour",
        "1 hour",
        "Compute",
        HOURLY,
        deprecated=True,
    ),
    Meter(
        "S03000", "30d per 1 GB HDD Snapshot", "1G*30Days", "1 GB * 30 days", "Storage", MONTHLY_30D
    ),
    Meter(
        "CTO1100",
        "1 GB cumulative traffic outbound, next 8 TB",
        "1G",
        "1G",
        "Network",
        TRAFFIC_GIB,
        in_evn=False,
    ),
)

#: Every meter the demo knows, by meter id, in a fixed order (the order of payload rows).
METERS: dict[str, Meter] = {meter.meter_id: meter for meter in _METER_LIST}

#: Used in the open month but absent from every price list: the converter must keep its
#: quantity and mark it unpriced.
UNPRICED_METER = "NLB1000"

#: The day the second price list starts (AMD EPYC cores 0.0550 -> 0.0600 EUR per hour).
PRICE_CHANGE_DATE = date(2026, 11, 1)

_BASE_PRICES = {
    "A01000": "3.2500",
    "C01000": "0.0450",
    "C02000": "0.0500",
    "C05000": "0.0550",
    "CTI1000": "0.0000",
    "CTO0000": "0.0400",
    "CTO1100": "0.0350",
    "DBMP1000": "0.0000",
    "DBPGC1000": "0.0650",
    "DBPGR1000": "0.0090",
    "NAT1000": "0.0330",
    "R01000": "0.0070",
    "S01000": "0.0450",
    "S02000": "0.1700",
    "S03000": "0.0300",
    "S05000": "0.0850",
    "S3SU1100": "0.0068",
    "S3TO1000": "0.0400",
}

#: Price lists as (valid from, {meter id: unit price in EUR}), oldest first.
PRICE_LISTS: tuple[tuple[date, dict[str, Decimal]], ...] = (
    (date(2025, 1, 1), {meter: Decimal(price) for meter, price in _BASE_PRICES.items()}),
    (
        PRICE_CHANGE_DATE,
        {meter: Decimal(price) for meter, price in (_BASE_PRICES | {"C05000": "0.0600"}).items()},
    ),
)


def price_list_for(day: date) -> tuple[date, dict[str, Decimal]]:
    """The price list valid on ``day`` (the oldest one for days before every list)."""
    chosen = PRICE_LISTS[0]
    for valid_from, prices in PRICE_LISTS:
        if valid_from <= day:
            chosen = (valid_from, prices)
    return chosen
