"""Server-rendered SVG bar charts, so charts show without JavaScript and print in the PDF."""

import hashlib
from dataclasses import dataclass, field

from markupsafe import Markup, escape

# Presentation attributes keep the PDF (which may not load the site's CSS) in colour; on the web
# the .app-chart classes take over. Each passes 3:1 against white, as WCAG 1.4.11 asks.
_RAG_FILL = {"red": "#ca3535", "amber": "#b25000", "green": "#0f7a52", None: "#505a5f"}
_SCALE_MIN, _SCALE_MAX = 1, 5


@dataclass(frozen=True)
class Bar:
    label: str  # drawn above the bar: the statement's number and short title
    name: str  # what a screen reader hears, e.g. "Statement 12"
    value: float | None
    rag: str | None
    marker: float | None = None  # a benchmark drawn as a line across the bar
    reason: str | None = None  # why there is no bar, e.g. "fewer than 3 ratings"


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    marker_name: str | None = None  # e.g. "National average"
    value_name: str = "Average"
    notes: list[str] = field(default_factory=list)


def short_title(number: int, text: str, *, limit: int = 60) -> str:
    """A statement's label on a chart: its number and its text, cut at a word near `limit`."""
    if len(text) <= limit:
        return f"{number}. {text}"
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"{number}. {cut}…"


def _describe(chart: Chart) -> str:
    parts = []
    for bar in chart.bars:
        if bar.value is None:
            value = f"not shown ({bar.reason})" if bar.reason else "not shown"
        else:
            value = f"{bar.value:.1f}"
        text = f"{bar.name}: {value}"
        if chart.marker_name and bar.marker is not None:
            text += f" ({chart.marker_name.lower()} {bar.marker:.1f})"
        parts.append(text)
    return "; ".join(parts) + "."


# Greyscale: each RAG also has its own texture (red dots, amber stripes, green solid), so a
# chart printed without colour still tells them apart; the value is always printed as well.
_PATTERNS = {"red": "dots", "amber": "stripes"}


def _patterns(chart_id: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{chart_id}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<circle cx="3" cy="3" r="1.4" fill="#ffffff"/></pattern>'
        f'<pattern id="{chart_id}-stripes" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="2" height="6" fill="#ffffff"/></pattern>'
        "</defs>"
    )


def render_bar_chart(chart: Chart) -> Markup:
    """A horizontal bar per item on the 1–5 rating scale, each labelled above with its short
    title, with an optional benchmark marker per bar and the reason where there is no bar."""
    # Named by its content, not by a counter, so the same report always renders the same HTML
    # (the PDF cache knows a report's version by a digest of that HTML).
    chart_id = "chart-" + hashlib.sha256(
        (chart.title + _describe(chart)).encode()).hexdigest()[:12]
    left, plot, value_width, top = 4, 520, 56, 4
    label_height, bar_height, gap = 20, 18, 10
    row = label_height + bar_height + gap
    width = left + plot + value_width
    bottom = top + row * len(chart.bars)
    height = bottom + 24

    def x(value: float) -> float:
        return left + plot * (value - _SCALE_MIN) / (_SCALE_MAX - _SCALE_MIN)

    out = [
        (
            f'<svg class="app-chart__svg" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        ),
        f'<title id="{chart_id}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_describe(chart))}</desc>',
        _patterns(chart_id),
    ]
    for tick in range(_SCALE_MIN, _SCALE_MAX + 1):
        out.append(
            f'<line class="app-chart__gridline" x1="{x(tick):.1f}" y1="{top}" '
            f'x2="{x(tick):.1f}" y2="{bottom}" stroke="#b1b4b6" stroke-dasharray="2 3"/>'
            f'<text class="app-chart__tick" x="{x(tick):.1f}" y="{bottom + 16}" '
            f'text-anchor="middle" font-size="13" fill="#484949">{tick}</text>'
        )
    for index, bar in enumerate(chart.bars):
        y = top + index * row
        bar_y = y + label_height
        out.append(
            f'<text class="app-chart__label" x="{left}" y="{y + 15}" font-size="14" '
            f'fill="#0b0c0c">{escape(bar.label)}</text>'
        )
        if bar.value is not None:
            fill = _RAG_FILL.get(bar.rag, _RAG_FILL[None])
            rag_class = f" app-chart__bar--{bar.rag}" if bar.rag else " app-chart__bar--muted"
            length = max(x(bar.value) - left, 2)
            out.append(
                f'<rect class="app-chart__bar{rag_class}" x="{left}" y="{bar_y}" '
                f'width="{length:.1f}" height="{bar_height}" fill="{fill}"/>'
            )
            if bar.rag in _PATTERNS:
                out.append(
                    f'<rect class="app-chart__texture" x="{left}" y="{bar_y}" '
                    f'width="{length:.1f}" height="{bar_height}" '
                    f'fill="url(#{chart_id}-{_PATTERNS[bar.rag]})"/>'
                )
            out.append(
                f'<text class="app-chart__value" x="{x(_SCALE_MAX) + 8}" '
                f'y="{bar_y + 14}" font-size="14" font-weight="bold" '
                f'fill="#0b0c0c">{bar.value:.1f}</text>'
            )
        else:
            reason = f"Not shown: {bar.reason}" if bar.reason else "Not shown"
            out.append(
                f'<text class="app-chart__reason" x="{left + 6}" y="{bar_y + 14}" '
                f'font-size="13" font-style="italic" fill="#484949">{escape(reason)}</text>'
            )
        if bar.marker is not None:
            out.append(
                f'<line class="app-chart__marker" x1="{x(bar.marker):.1f}" y1="{bar_y - 3}" '
                f'x2="{x(bar.marker):.1f}" y2="{bar_y + bar_height + 3}" stroke="#0b0c0c" '
                f'stroke-width="3"/>'
            )
    out.append(
        f'<line class="app-chart__axis" x1="{left}" y1="{top}" x2="{left}" '
        f'y2="{bottom}" stroke="#0b0c0c"/>'
    )
    out.append("</svg>")
    return Markup("".join(out))
