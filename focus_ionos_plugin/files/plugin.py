"""The FOCUS-file provider plugin: other clouds' FOCUS exports as provider ``files``.

Why one provider called ``files`` and not one provider per export: plugins name their
providers once, when the host loads them, long before a command line says which exports
exist. So this plugin registers the single provider ``files`` ("FOCUS files"), and the
exports it serves come with each run's context::

    context.options["inputs"] = {"aws": ["exports/aws/"], "azure": ["azure.csv"]}

Each key names an input (the merge command uses it as the dataset's provider partition,
``provider=aws``); each value lists files or folders (CSV or Parquet, any number of parts)
or is an already opened :class:`~focus_ionos_plugin.files.source.FocusInput`. A command
that wants one input at a time (``merge``) passes a context holding only that input; the
hooks themselves serve the union of what the context names.

- ``list_periods``: the months of BillingPeriodStart found in the inputs.
- ``fetch_raw``: a :class:`FilesRaw`, which reads nothing yet (the files are already on
  disk; there is nothing to save) but has checked that every part is FOCUS.
- ``to_focus``: FOCUS 1.3 record batches, read lazily, upgraded from FOCUS 1.0-1.2 where
  needed; the upgrade's findings collect on the :class:`FilesRaw`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..hookspecs import ProviderInfo, hookimpl

if TYPE_CHECKING:
    import pyarrow as pa

    from ..context import Context
    from ..findings import Finding
    from ..periods import BillingPeriod
    from .source import FocusInput, PeriodSlice

__all__ = ["INPUTS_OPTION", "PROVIDER", "FilesRaw", "open_inputs"]

PROVIDER = "files"

#: The ``Context.options`` key naming the inputs: ``{name: [paths] | FocusInput}``.
INPUTS_OPTION = "inputs"


@dataclass
class FilesRaw:
    """One period of every input named by the context, not read yet."""

    period: BillingPeriod
    slices: list[PeriodSlice]
    findings: list[Finding] = field(default_factory=list)

    @property
    def schema(self) -> pa.Schema:
        """FOCUS 1.3 columns plus every input's custom columns."""
        import pyarrow as pa

        fields: dict[str, pa.Field] = {}
        for piece in self.slices:
            for f in piece.schema:
                fields.setdefault(f.name, f)
        return pa.schema(list(fields.values()), metadata={"focus_version": "1.3"})

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The FOCUS 1.3 rows of every input for this period, batch by batch."""
        from ..focus.merge import align

        schema = self.schema
        for piece in self.slices:
            for batch in piece.batches():
                yield align(batch, schema)
            self.findings.extend(piece.findings)
            piece.findings.clear()


def open_inputs(options: Mapping[str, Any]) -> dict[str, FocusInput]:
    """The inputs named in ``options["inputs"]``, opened (and checked as FOCUS)."""
    from .source import FocusInput

    named = options.get(INPUTS_OPTION) or {}
    if not isinstance(named, Mapping) or not named:
        msg = (
            f"provider {PROVIDER!r} needs FOCUS files: give them with --input NAME=PATH "
            f"(context option {INPUTS_OPTION!r} is empty)"
        )
        raise UsageError(msg)
    opened = {}
    for name, value in named.items():
        if isinstance(value, FocusInput):
            opened[name] = value
        else:
            paths = [value] if isinstance(value, str | Path) else list(value)
            opened[name] = FocusInput(name, paths)
    return opened


@hookimpl
def focus_providers(register: Callable[[ProviderInfo], None]) -> None:
    """Register the FOCUS-file provider."""
    register(
        ProviderInfo(
            PROVIDER,
            "FOCUS files",
            "1.3",
            description="FOCUS 1.0-1.3 CSV/Parquet exports (AWS, Azure, GCP, OCI, ...) "
            "named by the run's inputs",
        )
    )


@hookimpl
def list_periods(provider: str, context: Context) -> Sequence[BillingPeriod] | None:
    """The billing periods present in the inputs, oldest first."""
    if provider != PROVIDER:
        return None
    months = {p.month: p for i in _inputs(context).values() for p in i.periods()}
    return [months[month] for month in sorted(months)]


@hookimpl
def fetch_raw(provider: str, period: BillingPeriod, context: Context) -> FilesRaw | None:
    """The inputs' rows of ``period``, opened lazily."""
    if provider != PROVIDER:
        return None
    slices = [source.slice(period) for source in _inputs(context).values()]
    return FilesRaw(period, slices)


@hookimpl
def to_focus(provider: str, raw: Any) -> Iterator[pa.RecordBatch] | None:
    """FOCUS 1.3 record batches of a :class:`FilesRaw`."""
    if provider != PROVIDER or not isinstance(raw, FilesRaw):
        return None
    return raw.batches()


def _inputs(context: Context) -> dict[str, FocusInput]:
    """Open the context's inputs once per context (kept in its options)."""
    opened = open_inputs(context.options)
    context.options[INPUTS_OPTION] = opened
    return opened
