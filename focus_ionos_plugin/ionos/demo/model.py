"""What the demo contract owns: virtual data centers, resources and their lifetimes.

The model is the single source from which every payload is derived, so all endpoints tell
the same story. Lifetimes start and end on whole hours (UTC), storage sizes are multiples of
9 GB and IP blocks hold 3 addresses, which keeps every daily quantity in "per 30 days" units
exact to 6 decimals (``GB x hours / 720``); totals are sums of daily quantities.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

__all__ = [
    "AccountModel",
    "Resource",
    "Vdc",
    "stable_uuid",
    "story_model",
    "with_generated_resources",
]

_NAMESPACE = uuid.UUID("0b6f2c1e-5d3a-4e8b-9a71-3c2d1e0f9a88")

#: Resources marked "running before the account window" start here; only the served
#: months are ever reported, so the date just has to be earlier than every period.
_LONG_AGO = datetime(2025, 6, 1, tzinfo=UTC)


def stable_uuid(*parts: object) -> str:
    """A UUID derived from ``parts``: the same every run, different for different parts."""
    return str(uuid.uuid5(_NAMESPACE, ":".join(str(part) for part in parts)))


def _at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass(frozen=True)
class Vdc:
    """A virtual data center, or the S3 pseudo data center that holds object storage."""

    key: str
    name: str
    location: str
    vdc_id: str
    is_s3: bool = False


@dataclass(frozen=True)
class Resource:
    """One billable resource and what it consumes while it exists.

    ``meters`` pairs each time-based meter with the provisioned amount (cores, GB, count);
    traffic meters carry 0 there, their daily volume comes from :attr:`traffic_level`.
    ``end`` is exclusive; None means the resource still exists.
    """

    resource_id: str
    name: str
    resource_type: str
    vdc: str
    meters: tuple[tuple[str, int], ...]
    start: datetime
    end: datetime | None = None
    server_id: str | None = None
    #: Public IP of a NIC (traffic per IP).
    ip: str | None = None
    #: Typical daily traffic in 1/64 GiB steps (NICs and buckets).
    traffic_level: int = 0
    #: Daily growth of stored GB (S3 buckets; a multiple of 3 keeps quantities exact).
    growth_gb_per_day: int = 0
    #: CPU family shown in EVN ``additionalParameters`` for core meters.
    cpu_family: str = ""


@dataclass(frozen=True)
class AccountModel:
    """The whole demo contract: who it is, what it owns, which months it can report."""

    contract_number: int
    contract_id: str
    customer_id: str
    currency: str
    vdcs: tuple[Vdc, ...]
    resources: tuple[Resource, ...]
    closed_periods: tuple[str, ...]
    open_period: str
    #: The demo's "today": data runs to the day before (utilization appears next day).
    today: date
    #: Per-datacenter rebates on invoices: (period, vdc key) -> EUR amount (positive).
    rebates: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    seed: int = 0

    @property
    def periods(self) -> tuple[str, ...]:
        """Every month with data, oldest first; the open month last."""
        return (*self.closed_periods, self.open_period)

    def vdc(self, key: str) -> Vdc:
        """The data center with ``key``."""
        for vdc in self.vdcs:
            if vdc.key == key:
                return vdc
        msg = f"demo model has no data center {key!r}"
        raise KeyError(msg)


def _vdcs() -> tuple[Vdc, ...]:
    return (
        Vdc("prod-fra", "prod-fra", "de/fra", stable_uuid("vdc", "prod-fra")),
        Vdc("analytics-txl", "analytics-txl", "de/txl", stable_uuid("vdc", "analytics-txl")),
        Vdc("edge-vit", "edge-vit", "es/vit", stable_uuid("vdc", "edge-vit")),
        Vdc("S3", "S3", "de/fra", stable_uuid("vdc", "S3"), is_s3=True),
    )


def _server(
    name: str, vdc: str, cores: int, ram_gb: int, start: datetime, *, end: datetime | None = None
) -> Resource:
    return Resource(
        stable_uuid("resource", name),
        name,
        "SERVER",
        vdc,
        (("C05000", cores), ("R01000", ram_gb)),
        start,
        end,
        cpu_family="AMD_EPYC",
    )


def _attached(
    name: str,
    kind: str,
    meters: tuple[tuple[str, int], ...],
    server: Resource,
    *,
    ip: str | None = None,
    traffic_level: int = 0,
) -> Resource:
    return Resource(
        stable_uuid("resource", name),
        name,
        kind,
        server.vdc,
        meters,
        server.start,
        server.end,
        server_id=server.resource_id,
        ip=ip,
        traffic_level=traffic_level,
    )


def _story_resources() -> tuple[Resource, ...]:
    web1 = _server("web-01", "prod-fra", 4, 16, _LONG_AGO)
    web2 = _server("web-02", "prod-fra", 2, 8, _at(2026, 10, 12, 9))
    node1 = _server("nodepool-a-1", "analytics-txl", 4, 16, _LONG_AGO)
    node2 = _server("nodepool-a-2", "analytics-txl", 4, 16, _LONG_AGO)
    node3 = _server("nodepool-a-3", "analytics-txl", 4, 16, _at(2026, 11, 20, 14))
    edge1 = _server("edge-01", "edge-vit", 2, 4, _LONG_AGO)
    batch1 = _server("batch-01", "edge-vit", 8, 32, _at(2026, 9, 8, 6), end=_at(2026, 9, 19, 18))
    return (
        # prod-fra: web tier behind a NAT gateway, PostgreSQL, and (from December) an NLB.
        web1,
        _attached(
            "web-01-nic0",
            "TRAFFIC",
            (("CTI1000", 0), ("CTO0000", 0)),
            web1,
            ip="203.0.113.10",
            traffic_level=640,
        ),
        _attached("web-01-boot", "STORAGE", (("S02000", 90),), web1),
        _attached("web-01-data", "STORAGE", (("S01000", 900),), web1),
        web2,
        _attached(
            "web-02-nic0",
            "TRAFFIC",
            (("CTI1000", 0), ("CTO0000", 0)),
            web2,
            ip="203.0.113.11",
            traffic_level=320,
        ),
        _attached("web-02-boot", "STORAGE", (("S02000", 90),), web2),
        Resource(
            stable_uuid("resource", "public-ips-fra"),
            "public-ips-fra",
            "IP",
            "prod-fra",
            (("A01000", 3),),
            _LONG_AGO,
        ),
        Resource(
            stable_uuid("resource", "nat-fra"),
            "nat-fra",
            "NATGATEWAY",
            "prod-fra",
            (("NAT1000", 1),),
            _LONG_AGO,
        ),
        Resource(
            stable_uuid("resource", "orders-pg"),
            "orders-pg",
            "DBAAS",
            "prod-fra",
            (("DBPGC1000", 2), ("DBPGR1000", 8)),
            _LONG_AGO,
        ),
        Resource(
            stable_uuid("resource", "lb-fra"),
            "lb-fra",
            "LOADBALANCER",
            "prod-fra",
            (("NLB1000", 1),),
            _at(2026, 12, 2, 10),
        ),
        # analytics-txl: a Kubernetes node pool that scales out on 2026-11-20, MongoDB.
        node1,
        _attached("nodepool-a-1-disk", "STORAGE", (("S05000", 180),), node1),
        node2,
        _attached("nodepool-a-2-disk", "STORAGE", (("S05000", 180),), node2),
        node3,
        _attached("nodepool-a-3-disk", "STORAGE", (("S05000", 180),), node3),
        Resource(
            stable_uuid("resource", "events-mongo"),
            "events-mongo",
            "DBAAS",
            "analytics-txl",
            (("DBMP1000", 1),),
            _LONG_AGO,
        ),
        # edge-vit: an edge server, and a batch server that lived 2026-09-08..19 only.
        edge1,
        _attached(
            "edge-01-nic0",
            "TRAFFIC",
            (("CTI1000", 0), ("CTO0000", 0)),
            edge1,
            ip="198.51.100.20",
            traffic_level=192,
        ),
        _attached("edge-01-boot", "STORAGE", (("S05000", 90),), edge1),
        batch1,
        _attached("batch-01-scratch", "STORAGE", (("S01000", 450),), batch1),
        # Object storage: two buckets in the S3 pseudo data center.
        Resource(
            stable_uuid("resource", "acme-backups"),
            "acme-backups",
            "S3",
            "S3",
            (("S3SU1100", 1500), ("S3TO1000", 0)),
            _LONG_AGO,
            traffic_level=48,
            growth_gb_per_day=6,
        ),
        Resource(
            stable_uuid("resource", "media-assets"),
            "media-assets",
            "S3",
            "S3",
            (("S3SU1100", 270), ("S3TO1000", 0)),
            _LONG_AGO,
            traffic_level=160,
        ),
    )


def _months_back(open_period: str, count: int) -> tuple[str, ...]:
    year, month = map(int, open_period.split("-"))
    months = []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(f"{year:04d}-{month:02d}")
    return tuple(reversed(months))


def story_model(*, closed_months: int = 3) -> AccountModel:
    """The embedded demo contract: 3 closed months 2026-09..11 and the open month 2026-12.

    ``closed_months`` extends the history backwards (same resources) for benchmarks that
    need more periods; the default is the shipped demo account.
    """
    if closed_months < 1:
        msg = f"closed_months must be at least 1, not {closed_months}"
        raise ValueError(msg)
    return AccountModel(
        contract_number=31000777,
        contract_id="031000777",
        customer_id="112000777",
        currency="EUR",
        vdcs=_vdcs(),
        resources=_story_resources(),
        closed_periods=_months_back("2026-12", closed_months),
        open_period="2026-12",
        today=date(2026, 12, 4),
        rebates={("2026-10", "prod-fra"): Decimal("20.00")},
    )


_STORAGE_METERS = ("S01000", "S02000", "S05000")


def with_generated_resources(model: AccountModel, per_vdc: int, seed: int) -> AccountModel:
    """The model plus ``per_vdc`` generated resources in each real data center.

    Generated resources alternate a server (cores, RAM) and a volume attached to it; about
    one in ten is created mid-month and one in ten deleted mid-month, at whole hours.
    """
    if per_vdc <= 0:
        return model
    rng = random.Random(f"demo-generated:{seed}")
    first = model.periods[0]
    year, month = map(int, first.split("-"))
    span_days = 28 * len(model.periods)
    extra: list[Resource] = []
    for vdc in (v for v in model.vdcs if not v.is_s3):
        server: Resource | None = None
        for index in range(per_vdc):
            name = f"gen-{vdc.key}-{index:06d}"
            if server is None or index % 2 == 0:
                start, end = _LONG_AGO, None
                roll = rng.random()
                if roll < 0.1:
                    start = _offset(year, month, rng.randrange(span_days * 24))
                elif roll < 0.2:
                    end = _offset(year, month, rng.randrange(span_days * 24))
                server = Resource(
                    stable_uuid("generated", seed, name),
                    name,
                    "SERVER",
                    vdc.key,
                    (
                        ("C05000", rng.choice((1, 2, 4, 8))),
                        ("R01000", rng.choice((2, 4, 8, 16, 32))),
                    ),
                    start,
                    end,
                    cpu_family="AMD_EPYC",
                )
                extra.append(server)
            else:
                meter = rng.choice(_STORAGE_METERS)
                size = 9 * rng.randrange(2, 200)
                extra.append(
                    Resource(
                        stable_uuid("generated", seed, name),
                        name,
                        "STORAGE",
                        vdc.key,
                        ((meter, size),),
                        server.start,
                        server.end,
                        server_id=server.resource_id,
                    )
                )
    return AccountModel(
        contract_number=model.contract_number,
        contract_id=model.contract_id,
        customer_id=model.customer_id,
        currency=model.currency,
        vdcs=model.vdcs,
        resources=model.resources + tuple(extra),
        closed_periods=model.closed_periods,
        open_period=model.open_period,
        today=model.today,
        rebates=dict(model.rebates),
        seed=seed,
    )


def _offset(year: int, month: int, hours: int) -> datetime:
    return _at(year, month, 1) + timedelta(hours=hours)
