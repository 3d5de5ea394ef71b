"""Server-rendered SVG bar charts, so charts show without JavaScript and print in the PDF."""

from dataclasses import dataclass, field
from itertools import count

from markupsafe import Markup, escape

# Presentation attributes keep the PDF (which may not load the site's CSS) in colour; on the web
# the .app-chart classes take over. Each passes 3:1 against white, as WCAG 1.4.11 asks.
_RAG_FILL = {"red": "#ca3535", "amber": "#b25000", "green": "#0f7a52", None: "#505a5f"}
_SCALE_MAX = 5
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str  # short label drawn beside the bar, e.g. "12"
    name: str  # what a screen reader hears, e.g. "Statement 12"
    value: float | None
    rag: str | None
    marker: float | None = None  # a benchmark drawn as a line across the bar


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    marker_name: str | None = None  # e.g. "National average"
    value_name: str = "Average"
    notes: list[str] = field(default_factory=list)


def _describe(chart: Chart) -> str:
    parts = []
    for bar in chart.bars:
        value = "not shown" if bar.value is None else f"{bar.value:.1f}"
        text = f"{bar.name}: {value}"
        if chart.marker_name and bar.marker is not None:
            text += f" ({chart.marker_name.lower()} {bar.marker:.1f})"
        parts.append(text)
    return "; ".join(parts) + "."


def render_bar_chart(chart: Chart) -> Markup:
    """A horizontal bar per item on a 0–5 scale, with an optional benchmark marker per bar."""
    chart_id = f"chart-{next(_ids)}"
    label_width, value_width, row, top = 56, 44, 26, 8
    plot = 560
    width = label_width + plot + value_width
    height = top + row * len(chart.bars) + 24

    def x(value: float) -> float:
        return label_width + plot * value / _SCALE_MAX

    out = [
        (
            f'<svg class="app-chart__svg" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        ),
        f'<title id="{chart_id}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_describe(chart))}</desc>',
    ]
    bottom = top + row * len(chart.bars)
    for tick in range(_SCALE_MAX + 1):
        out.append(
            f'<line class="app-chart__gridline" x1="{x(tick):.1f}" y1="{top}" '
            f'x2="{x(tick):.1f}" y2="{bottom}" stroke="#b1b4b6" stroke-dasharray="2 3"/>'
            f'<text class="app-chart__tick" x="{x(tick):.1f}" y="{bottom + 16}" '
            f'text-anchor="middle" font-size="12" fill="#484949">{tick}</text>'
        )
    for index, bar in enumerate(chart.bars):
        y = top + index * row
        out.append(
            f'<text class="app-chart__label" x="{label_width - 8}" y="{y + row / 2 + 5:.1f}" '
            f'text-anchor="end" font-size="14" fill="#0b0c0c">{escape(bar.label)}</text>'
        )
        if bar.value is not None:
            fill = _RAG_FILL.get(bar.rag, _RAG_FILL[None])
            rag_class = f" app-chart__bar--{bar.rag}" if bar.rag else " app-chart__bar--muted"
            out.append(
                f'<rect class="app-chart__bar{rag_class}" x="{label_width}" y="{y + 4}" '
                f'width="{x(bar.value) - label_width:.1f}" height="{row - 8}" fill="{fill}"/>'
                f'<text class="app-chart__value" x="{x(_SCALE_MAX) + 6}" '
                f'y="{y + row / 2 + 5:.1f}" font-size="14" font-weight="bold" '
                f'fill="#0b0c0c">{bar.value:.1f}</text>'
            )
        else:
            out.append(
                f'<text class="app-chart__value" x="{x(_SCALE_MAX) + 6}" '
                f'y="{y + row / 2 + 5:.1f}" font-size="14" fill="#484949">–</text>'
            )
        if bar.marker is not None:
            out.append(
                f'<line class="app-chart__marker" x1="{x(bar.marker):.1f}" y1="{y + 1}" '
                f'x2="{x(bar.marker):.1f}" y2="{y + row - 1}" stroke="#0b0c0c" '
                f'stroke-width="3"/>'
            )
    out.append(
        f'<line class="app-chart__axis" x1="{label_width}" y1="{top}" x2="{label_width}" '
        f'y2="{bottom}" stroke="#0b0c0c"/>'
    )
    out.append("</svg>")
    return Markup("".join(out))
