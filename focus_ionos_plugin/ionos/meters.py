"""The meter catalog: which FOCUS service, category, resource type and units an IONOS meter has.

IONOS bills by meter id (``C05000`` = one AMD EPYC core for one hour). The catalog is a
data file shipped in the package, ``ionos/data/meters.csv``, one entry per line:

``kind``
    ``meter`` (exact meter id), ``prefix`` (meter ids starting with ``match``; the longest
    prefix wins), ``resource_type`` (the utilization record's ``type``, used for meter ids
    the catalog does not know) or ``special`` (rows that are not meters: ``REBATE``,
    ``ADJUSTMENT``, ``UNKNOWN``).
``service_name``, ``service_category``, ``service_subcategory``
    FOCUS ServiceName and its category and subcategory; only FOCUS 1.3 allowed values,
    checked when the catalog is loaded.
``resource_type``
    FOCUS ResourceType shown for resources metered this way.
``consumed_unit``, ``pricing_unit``
    FOCUS unit strings; empty means "derive from the payload's IONOS unit" (see
    :func:`focus_unit`). IONOS "GB" is a GiB (2^30 bytes), so units say ``GiB``. IONOS
    "per 30 days" meters count months of 30 days (720 hours), written ``Months`` /
    ``GiB-Months``: FOCUS unit format has no way to put an interval into a unit-times-time
    unit, and ``GiB-Months`` is what FOCUS tools group storage by. A volume kept for all of a
    31-day month therefore counts 1.0333 GiB-Months per GiB, as IONOS bills it.
``sku_meter``
    FOCUS SkuMeter: what the meter measures, in a few words.

Users extend or override the catalog with a CSV file of the same columns, named by the
``meter_catalog`` option or the ``FOCUS_IONOS_METER_CATALOG`` environment variable; an entry
of theirs replaces a built-in one with the same ``kind`` and ``match``.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = [
    "CATALOG_ENV",
    "CATALOG_OPTION",
    "COLUMNS",
    "KINDS",
    "CatalogEntry",
    "MeterCatalog",
    "MeterInfo",
    "builtin_catalog",
    "catalog_for",
    "focus_unit",
    "load_catalog",
    "subcategory_parents",
]

log = logging.getLogger(__name__)

#: Environment variable naming a user's extension file.
CATALOG_ENV = "FOCUS_IONOS_METER_CATALOG"
#: ``Context.options`` key naming a user's extension file (``--meter-catalog``).
CATALOG_OPTION = "meter_catalog"

COLUMNS = (
    "kind",
    "match",
    "service_name",
    "service_category",
    "service_subcategory",
    "resource_type",
    "consumed_unit",
    "pricing_unit",
    "sku_meter",
)
KINDS = ("meter", "prefix", "resource_type", "special")
_BUILTIN = "focus_ionos_plugin/ionos/data/meters.csv"

#: IONOS unit strings (lower case, spaces removed, "gb" written "g") -> FOCUS unit.
_UNITS = {
    "1hour": "Hours",
    "hour": "Hours",
    "hours": "Hours",
    "1h": "Hours",
    "1g*1hour": "GiB-Hours",
    "1g*hour": "GiB-Hours",
    "1g*30days": "GiB-Months",
    "30days": "Months",
    "1g": "GiB",
    "g": "GiB",
    "1day": "Days",
}


def focus_unit(ionos_unit: str | None) -> str | None:
    """The FOCUS unit for an IONOS unit string (``1G*30Days`` -> ``GiB-Months``).

    IONOS writes units inconsistently (``1 hour``, ``1hour``, ``1 GB * 30 days``,
    ``1G*30Days``); spaces and case are ignored. An unknown unit comes back unchanged
    (trimmed), ``None`` or an empty string as ``None``.
    """
    if not ionos_unit or not ionos_unit.strip():
        return None
    key = ionos_unit.replace(" ", "").lower().replace("gb", "g")
    return _UNITS.get(key, ionos_unit.strip())


@dataclass(frozen=True)
class CatalogEntry:
    """One line of a catalog file; ``source`` says which file and line it came from."""

    kind: str
    match: str
    service_name: str
    service_category: str
    service_subcategory: str
    resource_type: str | None = None
    consumed_unit: str | None = None
    pricing_unit: str | None = None
    sku_meter: str | None = None
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The entry as a JSON-ready dictionary (for ``focus-ionos mapping --json``)."""
        return {name: getattr(self, name) for name in (*COLUMNS, "source")}


@dataclass(frozen=True)
class MeterInfo:
    """What the catalog says about one meter, and how it found out (``matched_by``)."""

    meter_id: str
    service_name: str
    service_category: str
    service_subcategory: str
    resource_type: str | None
    consumed_unit: str | None
    pricing_unit: str | None
    sku_meter: str | None
    #: ``meter``, ``prefix``, ``resource_type``, ``special`` or ``unknown``.
    matched_by: str
    match: str | None = None

    @property
    def known(self) -> bool:
        """True when the meter id itself (or its prefix) is in the catalog."""
        return self.matched_by in ("meter", "prefix", "special")


class MeterCatalog:
    """Meter id / prefix / resource type -> FOCUS service and units.

    Lookups are cached per (meter id, resource type, unit); a conversion asks once per
    distinct meter, not once per row.
    """

    def __init__(self, entries: Iterable[CatalogEntry], sources: Iterable[str] = ()) -> None:
        self.entries: tuple[CatalogEntry, ...] = tuple(entries)
        self.sources: tuple[str, ...] = tuple(sources)
        self._exact: dict[str, CatalogEntry] = {}
        self._prefix: dict[str, CatalogEntry] = {}
        self._types: dict[str, CatalogEntry] = {}
        self._special: dict[str, CatalogEntry] = {}
        tables = {
            "meter": self._exact,
            "prefix": self._prefix,
            "resource_type": self._types,
            "special": self._special,
        }
        for entry in self.entries:
            key = entry.match.upper() if entry.kind == "resource_type" else entry.match
            tables[entry.kind][key] = entry
        self._prefixes = sorted(self._prefix, key=len, reverse=True)
        self._cache: dict[tuple[str, str | None, str | None], MeterInfo] = {}

    def lookup(
        self, meter_id: str, resource_type: str | None = None, unit: str | None = None
    ) -> MeterInfo:
        """Describe ``meter_id``; ``resource_type`` and the IONOS ``unit`` help for unknowns.

        Order: exact meter id, longest prefix, the record's resource type, then the
        ``UNKNOWN`` special entry (ServiceCategory ``Other``). Units missing from the entry
        are derived from ``unit``.
        """
        key = (meter_id, resource_type, unit)
        found = self._cache.get(key)
        if found is None:
            found = self._lookup(meter_id, resource_type, unit)
            self._cache[key] = found
        return found

    def _lookup(self, meter_id: str, resource_type: str | None, unit: str | None) -> MeterInfo:
        entry = self._exact.get(meter_id)
        matched_by = "meter"
        if entry is None:
            prefix = next((p for p in self._prefixes if meter_id.startswith(p)), None)
            entry = self._prefix.get(prefix) if prefix is not None else None
            matched_by = "prefix"
        if entry is None and resource_type:
            entry = self._types.get(resource_type.upper())
            matched_by = "resource_type"
        if entry is None:
            entry = self._special["UNKNOWN"]
            matched_by = "unknown"
        derived = focus_unit(unit)
        return MeterInfo(
            meter_id=meter_id,
            service_name=entry.service_name,
            service_category=entry.service_category,
            service_subcategory=entry.service_subcategory,
            resource_type=entry.resource_type or _raw_type(resource_type),
            consumed_unit=entry.consumed_unit or derived,
            pricing_unit=entry.pricing_unit or derived,
            sku_meter=entry.sku_meter,
            matched_by=matched_by,
            match=entry.match,
        )

    def special(self, name: str) -> MeterInfo:
        """The entry for rows that are not meters: ``REBATE``, ``ADJUSTMENT``, ``UNKNOWN``."""
        entry = self._special[name]
        return MeterInfo(
            meter_id=name,
            service_name=entry.service_name,
            service_category=entry.service_category,
            service_subcategory=entry.service_subcategory,
            resource_type=entry.resource_type,
            consumed_unit=None,
            pricing_unit=None,
            sku_meter=None,
            matched_by="special",
            match=name,
        )

    def extended(self, entries: Iterable[CatalogEntry], source: str) -> MeterCatalog:
        """A new catalog: these entries replace built-in ones with the same kind and match."""
        new = list(entries)
        keys = {(e.kind, _norm_key(e)) for e in new}
        kept = [e for e in self.entries if (e.kind, _norm_key(e)) not in keys]
        return MeterCatalog([*kept, *new], [*self.sources, source])


def _norm_key(entry: CatalogEntry) -> str:
    return entry.match.upper() if entry.kind == "resource_type" else entry.match


def _raw_type(resource_type: str | None) -> str | None:
    """An IONOS resource type the catalog does not know is shown as IONOS writes it."""
    return (resource_type or "").strip() or None


@cache
def subcategory_parents() -> dict[str, str]:
    """FOCUS ServiceSubcategory -> its ServiceCategory, derived from the FOCUS schema.

    The schema lists subcategories grouped by category, each group closed by
    ``Other (<category>)``, so the pairing follows from the order of the list.
    """
    from ..focus.schema import column_specs

    specs = column_specs()
    categories = set(specs["ServiceCategory"].allowed_values or ())
    parents: dict[str, str] = {}
    pending: list[str] = []
    for value in specs["ServiceSubcategory"].allowed_values or ():
        pending.append(value)
        if value.startswith("Other (") and value[len("Other (") : -1] in categories:
            for item in pending:
                parents[item] = value[len("Other (") : -1]
            pending = []
    return parents


def _parse(text: str, source: str) -> list[CatalogEntry]:
    """Entries of one catalog CSV; InputError naming file and line on any bad value."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in COLUMNS if name not in (reader.fieldnames or ())]
    if missing:
        msg = (
            f"meter catalog {source} lacks the column(s) {', '.join(missing)}; "
            f"the header must be: {','.join(COLUMNS)}"
        )
        raise InputError(msg)
    parents = subcategory_parents()
    entries = []
    for line, row in enumerate(reader, start=2):
        where = f"meter catalog {source}, line {line}"
        values = {name: (row.get(name) or "").strip() for name in COLUMNS}
        if values["kind"] not in KINDS:
            msg = f"{where}: kind {values['kind']!r} is not one of {', '.join(KINDS)}"
            raise InputError(msg)
        for required in ("match", "service_name", "service_category", "service_subcategory"):
            if not values[required]:
                msg = f"{where}: {required} is empty; every entry needs it"
                raise InputError(msg)
        category = values["service_category"]
        subcategory = values["service_subcategory"]
        if category not in set(parents.values()):
            msg = (
                f"{where}: service_category {category!r} is not a FOCUS 1.3 ServiceCategory "
                "(run 'focus-ionos mapping' to see the allowed values)"
            )
            raise InputError(msg)
        if parents.get(subcategory) != category:
            msg = (
                f"{where}: service_subcategory {subcategory!r} is not a FOCUS 1.3 "
                f"subcategory of {category!r}"
            )
            raise InputError(msg)
        entries.append(
            CatalogEntry(
                kind=values["kind"],
                match=values["match"],
                service_name=values["service_name"],
                service_category=category,
                service_subcategory=subcategory,
                resource_type=values["resource_type"] or None,
                consumed_unit=values["consumed_unit"] or None,
                pricing_unit=values["pricing_unit"] or None,
                sku_meter=values["sku_meter"] or None,
                source=f"{source}:{line}",
            )
        )
    return entries


@cache
def builtin_catalog() -> MeterCatalog:
    """The catalog shipped with the package."""
    text = (files("focus_ionos_plugin.ionos") / "data" / "meters.csv").read_text("utf-8")
    catalog = MeterCatalog(_parse(text, _BUILTIN), [_BUILTIN])
    if "UNKNOWN" not in catalog._special:
        msg = f"{_BUILTIN} lacks the special UNKNOWN entry; reinstall focus-ionos"
        raise InputError(msg)
    return catalog


def load_catalog(extension: Path | str | None = None) -> MeterCatalog:
    """The built-in catalog, extended by the user's CSV file ``extension`` when given."""
    catalog = builtin_catalog()
    if extension is None or str(extension) == "":
        return catalog
    path = Path(extension)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        msg = (
            f"cannot read the meter catalog extension {path}: {exc.strerror or exc}. "
            f"Check the path given with --meter-catalog or {CATALOG_ENV}"
        )
        raise InputError(msg) from exc
    entries = _parse(text, str(path))
    log.info("meter catalog extended by %s (%d entries)", path, len(entries))
    return catalog.extended(entries, str(path))


def catalog_for(options: Mapping[str, Any], settings: Mapping[str, str]) -> MeterCatalog:
    """The catalog a run uses: the option beats the environment variable."""
    extension = options.get(CATALOG_OPTION) or settings.get(CATALOG_ENV)
    return load_catalog(extension)
