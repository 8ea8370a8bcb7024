"""Render a :class:`~focus_ionos_plugin.report.model.Report` as one self-contained HTML file.

The page is a Jinja2 template (``templates/report.html.j2``) with inline CSS and SVG charts:
no script, no font, no image is fetched from anywhere, so the file opens offline, in a mail
attachment or from an artifact store. Autoescaping is on for everything: resource names and
descriptions come from the data (users choose them) and render as text, never as markup.

Money is shown rounded half-even to the cent with the currency code; the exact value sits
in the element's ``data-value`` attribute for tools and tests. Chart geometry is computed
here (floats are fine for pixels, never for money).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from importlib.resources import files
from typing import Any

import jinja2

from .. import __version__
from .analysis import CHARGE_CATEGORIES
from .model import BreakdownRow, InvoiceSummary, Matrix, Report, plain_decimal, to_jsonable

__all__ = [
    "Bar",
    "MatrixView",
    "chart_bars",
    "format_money",
    "invoice_columns",
    "matrix_view",
    "render_html",
    "render_json",
]

_CENT = Decimal("0.01")
#: Bars drawn per chart; the table below a chart lists every row.
CHART_LIMIT = 8


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart: label, amount, share, and its length 0..1."""

    label: str
    amount: Decimal
    share: Decimal | None
    length: float
    negative: bool


def format_money(value: Decimal | None, currency: str | None = None) -> str:
    """``1234.5`` -> ``"1,234.50"`` (with ``" EUR"`` when a currency is given)."""
    if value is None:
        return "–"
    with localcontext() as context:
        context.prec = 76
        rounded = value.quantize(_CENT, ROUND_HALF_EVEN)
    text = f"{rounded.copy_abs() if rounded == 0 else rounded:,.2f}".replace("-", "−")
    return f"{text} {currency}" if currency else text


def format_pct(value: Decimal | None, signed: bool = False) -> str:
    """``Decimal("12.5")`` -> ``"12.50 %"``; ``signed`` adds ``+`` to increases."""
    if value is None:
        return "–"
    sign = "+" if signed and value > 0 else ""
    return f"{sign}{value:.2f} %".replace("-", "−")


def format_quantity(value: Decimal | None) -> str:
    """A quantity with thousands separators and at most three decimals."""
    if value is None:
        return "–"
    with localcontext() as context:
        context.prec = 76
        return f"{value.quantize(Decimal('0.001'), ROUND_HALF_EVEN):,.3f}".rstrip("0").rstrip(".")


def chart_bars(rows: Sequence[BreakdownRow], limit: int = CHART_LIMIT) -> list[Bar]:
    """Bars for the ``limit`` largest rows of a breakdown, scaled to the longest of them."""
    shown = list(rows)[:limit]
    largest = max((abs(row.billed_cost) for row in shown), default=Decimal(0))
    return [
        Bar(
            label=row.label,
            amount=row.billed_cost,
            share=row.share,
            length=float(abs(row.billed_cost) / largest) if largest else 0.0,
            negative=row.billed_cost < 0,
        )
        for row in shown
    ]


@dataclass(frozen=True)
class MatrixView:
    """A matrix laid out for the page: the longer dimension down, the shorter across."""

    corner: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Decimal | None, ...], ...]
    row_totals: tuple[Decimal, ...]
    column_totals: tuple[Decimal, ...]


def matrix_view(matrix: Matrix) -> MatrixView:
    """Categories down and regions across, or transposed when there are more regions."""
    if len(matrix.regions) <= len(matrix.categories):
        return MatrixView(
            "Category \\ region",
            matrix.categories,
            matrix.regions,
            matrix.cells,
            matrix.category_totals,
            matrix.region_totals,
        )
    return MatrixView(
        "Region \\ category",
        matrix.regions,
        matrix.categories,
        tuple(zip(*matrix.cells, strict=True)),
        matrix.region_totals,
        matrix.category_totals,
    )


def invoice_columns(invoices: Sequence[InvoiceSummary]) -> list[str]:
    """The ChargeCategory columns of the invoice table, in FOCUS order, then any others."""
    present = {name for invoice in invoices for name in invoice.by_category}
    known = [name for name in CHARGE_CATEGORIES if name in present]
    return known + sorted(present - set(known))


def _environment() -> jinja2.Environment:
    templates = files("focus_ionos_plugin.report") / "templates"
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: (templates / name).read_text(encoding="utf-8")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = format_money
    environment.filters["pct"] = format_pct
    environment.filters["qty"] = format_quantity
    environment.filters["exact"] = lambda value: "" if value is None else plain_decimal(value)
    environment.globals["chart_bars"] = chart_bars
    environment.globals["chart_limit"] = CHART_LIMIT
    environment.globals["heat"] = _heat
    environment.globals["matrix_view"] = matrix_view
    environment.globals["invoice_columns"] = invoice_columns
    return environment


def _heat(value: Decimal | None, total: Decimal) -> str:
    """Opacity 0..0.6 of a matrix cell's background, by its share of the matrix total."""
    if value is None or total <= 0 or value <= 0:
        return "0"
    return f"{min(float(value / total) * 2, 0.6):.3f}"


def render_html(report: Report) -> str:
    """The report as a complete HTML document (a string)."""
    template = _environment().get_template("report.html.j2")
    return template.render(report=report, version=__version__)


def render_json(report: Report) -> str:
    """The report's analyses as JSON text; Decimals as plain strings."""
    data: dict[str, Any] = to_jsonable(report)
    data.pop("generated_at", None)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
