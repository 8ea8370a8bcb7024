"""Recognise the FOCUS version of an input and upgrade its rows to FOCUS 1.3.

The 1.3 column set comes from :mod:`focus_ionos_plugin.focus.schema`; this module only
knows the history, i.e. what each version added and how a 1.3 value follows from older
columns:

====  =====================================================================================
1.0   43 columns (the baseline; earlier drafts are not FOCUS releases and are refused)
1.1   added CapacityReservationId/Status, CommitmentDiscountQuantity/Unit,
      ServiceSubcategory, SkuMeter, SkuPriceDetails
1.2   added BillingAccountType, SubAccountType, InvoiceId, PricingCurrency and the three
      PricingCurrency* amounts
1.3   added ServiceProviderName and HostProviderName (taking over the now deprecated
      ProviderName and PublisherName, which stay mandatory), ContractApplied and the five
      Allocated* columns of split cost allocation
====  =====================================================================================

How a column missing from an older input is filled, and why that invents nothing:

- ``ServiceProviderName`` = ProviderName: 1.3 moves ProviderName's definition (the party
  that makes the service available for purchase) to this column.
- ``HostProviderName`` = ProviderName: 1.3 says that when the customer did not choose the
  host and the service provider does not disclose it, the host is the service provider;
  an older export discloses no host, so that default applies to every row.
- ``PricingCurrency`` = BillingCurrency and the ``PricingCurrency*`` amounts = their
  billing-currency twins: before 1.2 every price was stated in BillingCurrency.
- ``Allocated*``: null; older data generators had no split cost allocation, so no row is
  the product of one.
- Everything else added since the input's version (ServiceSubcategory, SkuMeter,
  SkuPriceDetails, CommitmentDiscountQuantity/Unit, CapacityReservation*, InvoiceId,
  BillingAccountType, SubAccountType, ContractApplied) cannot be derived: null, and a
  finding counts the rows where 1.3 would expect a value.

Legacy enumeration spellings with a one-to-one 1.3 value are rewritten (and reported);
other unexpected values are left to the validator. Custom ``x_`` columns are kept as they
are; any other unknown column is kept as ``x_<name>`` (FOCUS requires the prefix).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..findings import Finding, Severity
from .schema import column_specs, cost_and_usage_schema

__all__ = [
    "ADDED_IN",
    "FOCUS_VERSIONS",
    "LEGACY_VALUES",
    "Upgrade",
    "VersionInfo",
    "columns_of",
    "detect_version",
    "mandatory_columns",
    "upgrade_batches",
]

log = logging.getLogger(__name__)

FOCUS_VERSIONS = ("1.0", "1.1", "1.2", "1.3")

#: Cost and Usage columns each release added to the previous one.
ADDED_IN: Mapping[str, tuple[str, ...]] = {
    "1.1": (
        "CapacityReservationId",
        "CapacityReservationStatus",
        "CommitmentDiscountQuantity",
        "CommitmentDiscountUnit",
        "ServiceSubcategory",
        "SkuMeter",
        "SkuPriceDetails",
    ),
    "1.2": (
        "BillingAccountType",
        "InvoiceId",
        "PricingCurrency",
        "PricingCurrencyContractedUnitPrice",
        "PricingCurrencyEffectiveCost",
        "PricingCurrencyListUnitPrice",
        "SubAccountType",
    ),
    "1.3": (
        "AllocatedMethodDetails",
        "AllocatedMethodId",
        "AllocatedResourceId",
        "AllocatedResourceName",
        "AllocatedTags",
        "ContractApplied",
        "HostProviderName",
        "ServiceProviderName",
    ),
}

#: Spellings of the FOCUS 1.0 preview still found in exports labelled 1.0, with the value
#: the released specification gives the same meaning.
LEGACY_VALUES: Mapping[str, Mapping[str, str]] = {
    "PricingCategory": {"On-Demand": "Standard", "Commitment-Based": "Committed"},
}

#: Columns copied from another column of the same row (target: source).
_COPIED = {
    "ServiceProviderName": "ProviderName",
    "PricingCurrency": "BillingCurrency",
    "PricingCurrencyListUnitPrice": "ListUnitPrice",
    "PricingCurrencyContractedUnitPrice": "ContractedUnitPrice",
    "PricingCurrencyEffectiveCost": "EffectiveCost",
}

#: Columns left null on purpose because no row of an older version can carry a value.
_NOT_APPLICABLE = frozenset(
    {
        "AllocatedMethodDetails",
        "AllocatedMethodId",
        "AllocatedResourceId",
        "AllocatedResourceName",
        "AllocatedTags",
    }
)

#: Rows on which 1.3 expects a value that an older input cannot give (column: condition).
_EXPECTED_WHERE = {
    "ServiceSubcategory": "every row",
    "CommitmentDiscountQuantity": "rows with a CommitmentDiscountId",
    "CommitmentDiscountUnit": "rows with a CommitmentDiscountId",
    "SkuMeter": "rows with a SkuId",
    "BillingAccountType": "every row",
    "SubAccountType": "rows with a SubAccountId",
    "InvoiceId": "every row",
    "ContractApplied": "rows a contract commitment applies to (unknown)",
    "CapacityReservationId": "rows about a capacity reservation (unknown)",
    "CapacityReservationStatus": "rows about a capacity reservation (unknown)",
    "SkuPriceDetails": "rows with a SkuPriceId (may be null)",
}


#: How a version was found, as findings word it.
_EVIDENCE = {
    "columns": "detected from its columns",
    "metadata": "declared by its metadata",
    "given": "as stated by the caller",
}


@dataclass(frozen=True)
class VersionInfo:
    """The FOCUS version of an input and how it was recognised."""

    version: str
    evidence: str


def columns_of(version: str) -> tuple[str, ...]:
    """The Cost and Usage column names of FOCUS ``version`` (1.0 to 1.3)."""
    _check_version(version)
    later = {name for v, names in ADDED_IN.items() if _key(v) > _key(version) for name in names}
    return tuple(name for name in cost_and_usage_schema().names if name not in later)


def mandatory_columns(version: str) -> tuple[str, ...]:
    """The columns every dataset of FOCUS ``version`` must have."""
    present = set(columns_of(version))
    return tuple(n for n, spec in column_specs().items() if spec.mandatory and n in present)


def detect_version(
    columns: Iterable[str], metadata: Mapping[str, str] | None = None, *, source: str = "input"
) -> VersionInfo:
    """Recognise the FOCUS version of an input from its metadata or its columns.

    ``metadata`` may carry ``focus_version`` (our Parquet files) or ``FocusVersion`` (a
    FOCUS metadata file). Without it, the newest version whose added columns appear wins;
    an input with none of them is 1.0. An input lacking the mandatory columns of the
    version it looks like is refused with the list of what is missing.
    """
    names = set(columns)
    declared = _declared_version(metadata or {})
    by_columns = "1.0"
    for version in ("1.1", "1.2", "1.3"):
        if names & set(ADDED_IN[version]):
            by_columns = version
    if declared is not None:
        if _key(by_columns) > _key(declared):
            log.warning(
                "%s declares FOCUS %s but has columns of FOCUS %s; reading it as %s",
                source,
                declared,
                by_columns,
                declared,
            )
        info = VersionInfo(declared, "metadata")
    else:
        info = VersionInfo(by_columns, "columns")
    _check_mandatory(names, info.version, source)
    return info


def _check_mandatory(names: set[str], version: str, source: str) -> None:
    missing = [name for name in mandatory_columns(version) if name not in names]
    if missing:
        found = sorted(name for name in names if not name.startswith("x_"))[:8]
        # A name that differs only in spaces or case is a misspelt column, not a missing one.
        near = {name.strip().casefold(): name for name in names}
        hints = [f"{near[m.casefold()]!r} for {m}" for m in missing if m.casefold() in near]
        hint = f" Found {', '.join(hints)}: FOCUS names are exact." if hints else ""
        msg = (
            f"{source} is not a FOCUS {version} Cost and Usage dataset: mandatory "
            f"columns missing: {', '.join(missing)} (columns found include: "
            f"{', '.join(found) or 'none'}).{hint} Point --input at a FOCUS export, or "
            f"rename its columns to the FOCUS names first"
        )
        raise InputError(msg)


class Upgrade:
    """Turns record batches of one input into FOCUS 1.3 batches with a fixed schema.

    The output schema is every FOCUS 1.3 column in specification order (typed as in
    :mod:`focus_ionos_plugin.focus.schema`), then the input's custom columns. Use
    :meth:`apply` on each batch, then :meth:`findings` for what could not be upgraded.
    With ``version`` given and ``strict=False``, missing mandatory columns are filled with
    nulls (and reported) instead of refusing the input: for a plugin's own output, which
    the validator judges afterwards.
    """

    def __init__(
        self,
        schema: pa.Schema,
        *,
        version: str | None = None,
        metadata: Mapping[str, str] | None = None,
        source: str = "input",
        provider: str | None = None,
        strict: bool = True,
        evidence: str = "given",
    ) -> None:
        self.source = source
        self.provider = provider
        if version is None:
            info = detect_version(schema.names, metadata, source=source)
        else:
            _check_version(version)
            info = VersionInfo(version, evidence)
            if strict:
                _check_mandatory(set(schema.names), version, source)
        self.version = info.version
        self.evidence = info.evidence
        self.strict = strict
        focus = cost_and_usage_schema()
        known = set(focus.names)
        self._renamed = {
            name: name if name.startswith("x_") else f"x_{name}"
            for name in schema.names
            if name not in known
        }
        clashes = sorted(
            old for old, new in self._renamed.items() if old != new and new in schema.names
        )
        if clashes:
            pairs = ", ".join(f"{old} and x_{old}" for old in clashes)
            msg = (
                f"{source} has both {pairs}: a column that is not FOCUS is kept as x_<name>, "
                f"which its x_ twin already is. Rename or drop one of them in the export"
            )
            raise InputError(msg)
        custom = [pa.field(new, schema.field(old).type) for old, new in self._renamed.items()]
        self._focus = focus
        self.schema = pa.schema([*focus, *custom], metadata={"focus_version": "1.3"})
        self._input_names = set(schema.names)
        self._missing: Counter[str] = Counter()
        self._rewritten: Counter[tuple[str, str]] = Counter()
        self.rows = 0

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``batch`` as FOCUS 1.3 columns (plus its custom columns)."""
        rows = batch.num_rows
        self.rows += rows
        arrays = []
        for field_ in self._focus:
            name = field_.name
            if name in self._input_names:
                array = _cast(batch.column(name), field_, self.source)
                array = self._rewrite_legacy(name, array)
            else:
                array = self._derive(name, batch, field_)
            arrays.append(array)
        arrays.extend(batch.column(old) for old in self._renamed)
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _derive(self, name: str, batch: pa.RecordBatch, field_: pa.Field) -> pa.Array:
        source = _COPIED.get(name)
        if source is not None and source in self._input_names:
            return _cast(batch.column(source), field_, self.source)
        if name == "HostProviderName" and "ProviderName" in self._input_names:
            return _cast(batch.column("ProviderName"), field_, self.source)
        if name not in _NOT_APPLICABLE:
            self._missing[name] += self._expected_rows(name, batch)
        return pa.nulls(batch.num_rows, field_.type)

    def _expected_rows(self, name: str, batch: pa.RecordBatch) -> int:
        anchor = {
            "CommitmentDiscountQuantity": "CommitmentDiscountId",
            "CommitmentDiscountUnit": "CommitmentDiscountId",
            "SkuMeter": "SkuId",
            "SubAccountType": "SubAccountId",
            "SkuPriceDetails": "SkuPriceId",
        }.get(name)
        rows = int(batch.num_rows)
        if anchor is None:
            return rows
        if anchor not in self._input_names:
            return 0
        return rows - int(batch.column(anchor).null_count)

    def _rewrite_legacy(self, name: str, array: pa.Array) -> pa.Array:
        mapping = LEGACY_VALUES.get(name)
        if not mapping:
            return array
        for old, new in mapping.items():
            hits = pc.fill_null(pc.equal(array, old), False)
            count = pc.sum(hits.cast(pa.int64())).as_py() or 0
            if count:
                self._rewritten[(name, old)] += count
                array = pc.if_else(hits, pa.scalar(new, array.type), array)
        return array

    def findings(self) -> list[Finding]:
        """What the upgrade did that a reader of the data must know."""
        found = []
        where = (
            f"{self.source} (FOCUS {self.version}, {_EVIDENCE.get(self.evidence, self.evidence)})"
        )
        if not self.strict and self._missing:
            names = sorted(self._missing)
            found.append(
                Finding(
                    "focus-columns-missing",
                    Severity.WARNING,
                    f"{self.source}: the provider's rows lack {len(names)} FOCUS 1.3 "
                    f"columns, written as null: {', '.join(names)}",
                    rows=self.rows,
                    provider=self.provider,
                )
            )
        for name, rows in sorted(self._missing.items() if self.strict else ()):
            severity = Severity.WARNING if rows else Severity.INFO
            found.append(
                Finding(
                    "focus-upgrade-value-unknown",
                    severity,
                    f"{where}: {name} (a FOCUS {_added_in(name)} column) is absent and "
                    f"cannot be derived; left null (expected on "
                    f"{_EXPECTED_WHERE.get(name, 'every row')}: {rows} rows)",
                    column=name,
                    rows=rows,
                    provider=self.provider,
                )
            )
        for (name, old), rows in sorted(self._rewritten.items()):
            new = LEGACY_VALUES[name][old]
            found.append(
                Finding(
                    "focus-upgrade-value-renamed",
                    Severity.INFO,
                    f"{where}: {name} {old!r} written as {new!r}, its FOCUS 1.3 name",
                    column=name,
                    rows=rows,
                    provider=self.provider,
                )
            )
        for old, new in self._renamed.items():
            if old != new:
                found.append(
                    Finding(
                        "focus-upgrade-custom-column",
                        Severity.INFO,
                        f"{where}: column {old!r} is not a FOCUS column; kept as {new!r}",
                        column=new,
                        rows=self.rows,
                        provider=self.provider,
                    )
                )
        return found


def upgrade_batches(
    batches: Iterable[pa.RecordBatch], upgrade: Upgrade
) -> Iterator[pa.RecordBatch]:
    """Apply ``upgrade`` to each batch, lazily."""
    for batch in batches:
        yield upgrade.apply(batch)


def _cast(array: pa.Array, field_: pa.Field, source: str) -> pa.Array:
    if array.type == field_.type:
        return array
    try:
        return array.cast(field_.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        msg = (
            f"{source}: column {field_.name} of type {array.type} cannot be read as "
            f"{field_.type} without losing information ({exc}); fix the input column"
        )
        raise InputError(msg) from exc


def _declared_version(metadata: Mapping[str, str]) -> str | None:
    for key in ("focus_version", "FocusVersion"):
        value = metadata.get(key)
        if value:
            text = str(value).strip()
            for version in FOCUS_VERSIONS:
                if text == version or text.startswith(version + "."):
                    return version
            msg = f"FOCUS version {text!r} is not one of {', '.join(FOCUS_VERSIONS)}"
            raise InputError(msg)
    return None


def _added_in(name: str) -> str:
    return next((v for v, names in ADDED_IN.items() if name in names), "1.0")


def _check_version(version: str) -> None:
    if version not in FOCUS_VERSIONS:
        msg = f"FOCUS version {version!r} is not one of {', '.join(FOCUS_VERSIONS)}"
        raise InputError(msg)


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))
