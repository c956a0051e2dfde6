"""Small static SVG charts drawn on the server (no browser, no CDN, no fonts to fetch): the
project summary report's charts and the health table's sparklines. Each function returns one
standalone `<svg>` document as text; `data_uri` turns it into an `<img src>` value.

Colours follow the dashboard's Plotly theme (passed green, flaky amber, failed red)."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

COLORS = {"passed": "#30a46c", "flaky": "#ffc53d", "failed": "#e5484d", "error": "#ad7f58", "cancelled": "#8b8d98",
          "p50": "#3e63dd", "p95": "#8e4ec6", "avg": "#0d74ce", "value": "#3e63dd"}
PALETTE = ("#3e63dd", "#8e4ec6", "#12a594", "#f76b15", "#e54666", "#8b8d98")
W, H = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 34
FONT = "font-family='system-ui,sans-serif' font-size='11' fill='#60646c'"


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _fmt(v: float) -> str:
    if abs(v) >= 10_000:
        return f"{v / 1000:.0f}k"
    if abs(v) >= 1000:
        return f"{v / 1000:.1f}k"
    return f"{v:.0f}" if v == int(v) else f"{v:.2f}"


def _frame(title: str, body: list[str], legend: Sequence[tuple[str, str]], y_max: float, y_label: str = "",
           ratio: bool = False) -> str:
    e = html.escape
    ph = H - TOP - BOTTOM
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {W} {H}' width='{W}' height='{H}' role='img' "
           f"aria-label='{e(title)}'><rect width='{W}' height='{H}' fill='#ffffff'/>",
           f"<text x='{LEFT}' y='16' font-family='system-ui,sans-serif' font-size='13' font-weight='600' "
           f"fill='#1c2024'>{e(title)}</text>"]
    for i in range(5):
        v = y_max * i / 4
        y = TOP + ph - ph * i / 4
        label = f"{v * 100:.0f}%" if ratio else _fmt(v)
        out.append(f"<line x1='{LEFT}' x2='{W - RIGHT}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e8e8ec'/>"
                   f"<text x='{LEFT - 6}' y='{y + 4:.1f}' text-anchor='end' {FONT}>{e(label)}</text>")
    if y_label:
        out.append(f"<text x='10' y='{TOP + ph / 2:.0f}' transform='rotate(-90 10 {TOP + ph / 2:.0f})' "
                   f"text-anchor='middle' {FONT}>{e(y_label)}</text>")
    out.extend(body)
    x: float = W - RIGHT
    for name, color in reversed(legend):
        x -= 10 + 6.5 * len(name) + 14
        out.append(f"<rect x='{x:.0f}' y='7' width='10' height='10' fill='{color}'/>"
                   f"<text x='{x + 14:.0f}' y='16' {FONT}>{e(name)}</text>")
    out.append("</svg>")
    return "".join(out)


def _x_labels(x: Sequence[str], positions: list[float]) -> list[str]:
    if not x:
        return []
    step = max(1, len(x) // 6)
    return [f"<text x='{positions[i]:.1f}' y='{H - BOTTOM + 16}' text-anchor='middle' {FONT}>{html.escape(x[i])}</text>"
            for i in range(0, len(x), step)]


def _positions(n: int) -> list[float]:
    pw = W - LEFT - RIGHT
    return [LEFT + pw * (i + 0.5) / max(n, 1) for i in range(n)]


def line_chart(title: str, x: Sequence[str], series: dict[str, Sequence[float | None]], *, ratio: bool = False,
               y_label: str = "") -> str:
    """Lines over the categories `x` (gaps where a value is None); `ratio`: values in 0..1."""
    values = [v for s in series.values() for v in s if v is not None]
    y_max = 1.0 if ratio else max(values or [1]) * 1.1 or 1
    ph = H - TOP - BOTTOM
    pos = _positions(len(x))
    body = _x_labels(x, pos)
    legend = []
    for i, (name, ys) in enumerate(series.items()):
        color = COLORS.get(name, PALETTE[i % len(PALETTE)])
        legend.append((name, color))
        segments: list[list[str]] = [[]]
        for px, v in zip(pos, ys, strict=False):
            if v is None:
                segments.append([])
                continue
            segments[-1].append(f"{px:.1f},{TOP + ph - ph * float(v) / y_max:.1f}")
        for seg in segments:
            if len(seg) == 1:
                cx, cy = seg[0].split(",")
                body.append(f"<circle cx='{cx}' cy='{cy}' r='2.5' fill='{color}'/>")
            elif seg:
                body.append(f"<polyline fill='none' stroke='{color}' stroke-width='1.8' points='{' '.join(seg)}'/>")
    return _frame(title, body, legend, y_max, y_label, ratio)


def bar_chart(title: str, x: Sequence[str], stacks: dict[str, Sequence[int | float]], *, y_label: str = "") -> str:
    """Stacked bars, one per category of `x`."""
    totals = [sum(float(s[i]) for s in stacks.values()) for i in range(len(x))]
    y_max = max(totals or [1]) * 1.1 or 1
    ph = H - TOP - BOTTOM
    pos = _positions(len(x))
    width = max(1.0, (W - LEFT - RIGHT) / max(len(x), 1) * 0.75)
    body = _x_labels(x, pos)
    base = [0.0] * len(x)
    legend = []
    for i, (name, ys) in enumerate(stacks.items()):
        color = COLORS.get(name, PALETTE[i % len(PALETTE)])
        legend.append((name, color))
        for j, v in enumerate(ys):
            if not v:
                continue
            h = ph * float(v) / y_max
            y = TOP + ph - ph * base[j] / y_max - h
            body.append(f"<rect x='{pos[j] - width / 2:.1f}' y='{y:.1f}' width='{width:.1f}' height='{h:.1f}' "
                        f"fill='{color}'><title>{html.escape(f'{x[j]} {name}: {v}')}</title></rect>")
            base[j] += float(v)
    return _frame(title, body, legend, y_max, y_label)


def sparkline(values: Sequence[int | float | None], *, width: int = 96, height: int = 22,
              label: str = "duration trend") -> str:
    """A tiny line of `values` (oldest first), its last point marked; flat when they are equal."""
    points = [float(v) for v in values if v is not None]
    e = html.escape
    head = (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' "
            f"height='{height}' role='img' aria-label='{e(label)}'>")
    if not points:
        return head + "</svg>"
    lo, hi = min(points), max(points)
    span = (hi - lo) or 1.0
    step = (width - 4) / max(len(points) - 1, 1)
    coords = [(2 + i * step, height - 3 - (height - 6) * ((v - lo) / span if hi > lo else 0.5))
              for i, v in enumerate(points)]
    line = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
    cx, cy = coords[-1]
    return (head + f"<polyline fill='none' stroke='{COLORS['value']}' stroke-width='1.5' points='{line}'/>"
            f"<circle cx='{cx:.1f}' cy='{cy:.1f}' r='2' fill='{COLORS['value']}'/></svg>")
