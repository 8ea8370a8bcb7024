"""Assemble a :class:`~focus_ionos_plugin.report.model.Report` from a dataset.

:func:`analyze` runs every analysis on a summary table (pure); :func:`build_report` reads a
dataset folder or file, validates the same files with the conformance module
(:class:`~focus_ionos_plugin.focus.conformance.Validator`) and calls :func:`analyze`. The
command and the tests both go through here, so HTML and JSON always show the same numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from ..findings import Finding
from . import analysis
from .compliance import compliance_note
from .load import DatasetFiles, dataset_focus_version, find_dataset, read_batches
from .model import Report
from .summary import summarize

__all__ = ["analyze", "build_report", "ionos_traffic_direction", "validate_files"]

logger = logging.getLogger(__name__)

#: Consumed units of volume meters: only these can be network traffic.
_VOLUME_UNITS = frozenset({"GiB", "GB", "TiB", "TB", "MiB", "MB", "Bytes"})


def ionos_traffic_direction(extension: Path | str | None = None) -> Callable[[str], str | None]:
    """A classifier ``sku_id -> "in" | "out" | None`` from the IONOS meter catalog.

    A SkuId is traffic when the catalog knows it (exactly or by prefix), measures it in a
    volume unit (GiB), and its meter name says inbound or outbound: the CTI/CTO (and older
    TI/TO) data transfer meters, and object storage transfer (S3TI/S3TO).
    """
    from ..ionos.meters import load_catalog

    catalog = load_catalog(extension)

    def direction(sku_id: str) -> str | None:
        info = catalog.lookup(sku_id)
        if not info.known or info.matched_by == "special":
            return None
        if info.consumed_unit not in _VOLUME_UNITS:
            return None
        words = (info.sku_meter or "").lower()
        if "inbound" in words:
            return "in"
        if "outbound" in words:
            return "out"
        return None

    return direction


def analyze(
    summary: pa.Table,
    *,
    source: str = "",
    focus_version: str = "1.3",
    findings: Iterable[Finding] | None = None,
    traffic_direction: Callable[[str], str | None] | None = None,
    generated_at: datetime | None = None,
) -> Report:
    """Every analysis of ``summary`` (from :func:`~.summary.summarize`) as one Report.

    ``findings`` are the validator's verdict (None: not validated);
    ``traffic_direction`` classifies traffic meters (default: the IONOS meter catalog).
    """
    kpis = analysis.kpis(summary)
    periods = analysis.period_status(summary)
    found, note = analysis.anomalies(summary)
    direction = traffic_direction or ionos_traffic_direction()
    return Report(
        source=source,
        months=kpis.months,
        kpis=kpis,
        breakdowns={
            name: analysis.breakdown(summary, name) for name in analysis.BREAKDOWN_DIMENSIONS
        },
        matrix=analysis.category_region_matrix(summary),
        cost_drivers=analysis.cost_drivers(summary),
        month_over_month=analysis.month_over_month(summary),
        anomalies=found,
        anomaly_note=note,
        invoices=analysis.invoice_reconciliation(summary),
        periods=periods,
        traffic=analysis.network_traffic(summary, direction),
        compliance=compliance_note(focus_version, findings, kpis, periods),
        generated_at=generated_at,
    )


def build_report(
    path: Path,
    months: Sequence[str] | None = None,
    *,
    validate: bool = True,
    meter_catalog: Path | str | None = None,
    generated_at: datetime | None = None,
) -> Report:
    """Read the dataset at ``path`` (the rows of ``months``, all when None) and analyze it.

    With ``validate`` the conformance module checks the files the report reads; its
    findings make the compliance section.
    """
    dataset = find_dataset(path, months)
    summary = summarize(read_batches(dataset, months))
    logger.info(
        "summarized %d files of %s into %d groups", len(dataset.files), path, summary.num_rows
    )
    return analyze(
        summary,
        source=str(path),
        focus_version=dataset_focus_version(path),
        findings=validate_files(dataset) if validate else None,
        traffic_direction=ionos_traffic_direction(meter_catalog),
        generated_at=generated_at,
    )


def validate_files(dataset: DatasetFiles) -> list[Finding]:
    """The conformance module's findings on the report's files, as one dataset.

    The files are fed to one validator, so dataset-wide rules see every row once; the
    CSV twins the writer puts next to Parquet files are not read a second time.
    """
    from ..focus.conformance import Validator
    from ..focus.reader import iter_file_batches

    validator = Validator("cost-and-usage")
    for focus_file in dataset.files:
        validator.begin(focus_file.columns, source=str(focus_file.path))
        for batch in iter_file_batches(focus_file):
            validator.feed(batch)
    findings = validator.finish()
    logger.info(
        "validated %d files: %d rows, %d findings",
        len(dataset.files),
        validator.rows,
        len(findings),
    )
    return findings
