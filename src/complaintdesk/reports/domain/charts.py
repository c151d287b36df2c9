"""Charts as data, and their server-rendered SVG (pure Python, no JavaScript, no library).

A :class:`Chart` is what the web page draws as inline SVG and the PDF draws with its own
primitives (``reports.exports.pdf``); the numbers behind it are always shown in a table too.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

PALETTE = ("#1f6feb", "#d1242f", "#9a6700", "#1a7f37", "#8250df", "#57606a")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]
    color: str = PALETTE[0]


@dataclass(frozen=True)
class Chart:
    """``kind``: "bars" (horizontal, one per label), "columns" (vertical, e.g. per day) or
    "stacked" (horizontal bars split by series, e.g. met / breached per clock)."""

    kind: str
    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""

    @property
    def empty(self) -> bool:
        return not self.labels or not any(v for s in self.series for v in s.values)

    def total(self, index: int) -> float:
        return sum(s.values[index] for s in self.series)


def fmt(value: float) -> str:
    """1234 → "1.234", 12.5 → "12,5" (Vietnamese digit grouping)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, fill: str = "#24292f"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}">{escape(text)}</text>'
    )


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart" '
        f'font-family="DejaVu Sans, Arial, sans-serif"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _bars(chart: Chart, width: int) -> str:
    row, label_w, gap = 24, 190, 6
    height = row * len(chart.labels) + 10
    biggest = max((chart.total(i) for i in range(len(chart.labels))), default=0) or 1
    room = width - label_w - 70
    body: list[str] = []
    for i, label in enumerate(chart.labels):
        y = 5 + i * row
        short = label if len(label) <= 28 else label[:27] + "…"
        body.append(_text(label_w - 8, y + row / 2 + 4, short, anchor="end"))
        x = float(label_w)
        for s in chart.series:
            w = room * s.values[i] / biggest
            if w > 0:
                tip = f"{label} — {s.name}: {fmt(s.values[i])}{chart.unit}"
                body.append(
                    f'<rect x="{x:.1f}" y="{y + gap / 2:.1f}" width="{w:.1f}" height="{row - gap}" '
                    f'fill="{s.color}"><title>{escape(tip)}</title></rect>'
                )
                x += w
        body.append(_text(x + 6, y + row / 2 + 4, fmt(chart.total(i)) + chart.unit, size=11))
    return _svg(width, height, chart.title, body)


def _columns(chart: Chart, width: int) -> str:
    height, left, bottom, top = 220, 44, 40, 12
    n = len(chart.labels)
    biggest = max((chart.total(i) for i in range(n)), default=0) or 1
    plot_w, plot_h = width - left - 10, height - bottom - top
    step = plot_w / max(n, 1)
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#8c959f"/>',
        _text(left - 6, top + 8, fmt(biggest), anchor="end", size=10),
        _text(left - 6, top + plot_h, "0", anchor="end", size=10),
    ]
    every = max(1, round(n / 12))
    for i, label in enumerate(chart.labels):
        x = left + i * step
        y: float = top + plot_h
        for s in chart.series:
            h = plot_h * s.values[i] / biggest
            if h > 0:
                tip = f"{label} — {s.name}: {fmt(s.values[i])}{chart.unit}"
                body.append(
                    f'<rect x="{x + step * 0.12:.1f}" y="{y - h:.1f}" width="{step * 0.76:.1f}" '
                    f'height="{h:.1f}" fill="{s.color}"><title>{escape(tip)}</title></rect>'
                )
                y -= h
        if i % every == 0:
            body.append(_text(x + step / 2, top + plot_h + 16, label, anchor="middle", size=10))
    return _svg(width, height, chart.title, body)


def legend_svg(chart: Chart) -> str:
    """A one-line legend for charts with more than one series (empty otherwise)."""
    if len(chart.series) < 2:
        return ""
    body, x = [], 4.0
    for s in chart.series:
        body.append(f'<rect x="{x:.1f}" y="4" width="12" height="12" fill="{s.color}"/>')
        body.append(_text(x + 16, 15, s.name, size=11))
        x += 24 + 7 * len(s.name)
    return _svg(int(x) + 4, 20, chart.title, body)


def render_svg(chart: Chart, width: int = 640) -> str:
    """The chart as an inline ``<svg>`` element (text escaped; safe to mark safe)."""
    if chart.empty:
        return ""
    if chart.kind == "columns":
        return _columns(chart, width)
    return _bars(chart, width)
