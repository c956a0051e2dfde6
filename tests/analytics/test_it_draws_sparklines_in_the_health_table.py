"""The health table's sparkline is a small SVG image (durations oldest first, the last point
marked), drawn on the server and shown as a data: URI; no durations give an empty image."""

from __future__ import annotations

import base64
import re

from traceiq_app.services.analytics import svg


def _points(image: str) -> list[tuple[float, float]]:
    line = re.search(r"points='([^']*)'", image)
    assert line is not None
    return [(float(x), float(y)) for x, y in (p.split(",") for p in line.group(1).split())]


def test_it_draws_one_point_per_duration_oldest_first() -> None:
    image = svg.sparkline([1000, 3000, 2000, None, 5000])
    assert image.startswith("<svg xmlns='http://www.w3.org/2000/svg'") and "role='img'" in image
    points = _points(image)
    assert len(points) == 4  # the missing duration is skipped
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    assert xs == sorted(xs)
    assert ys[3] == min(ys) and ys[0] == max(ys)  # slowest highest, fastest lowest (SVG y grows down)
    assert ys[1] < ys[2]
    assert "<circle" in image  # the latest run


def test_it_draws_a_flat_line_for_equal_durations_and_nothing_for_none() -> None:
    flat = _points(svg.sparkline([800, 800, 800]))
    assert len({y for _x, y in flat}) == 1
    assert "points" not in svg.sparkline([]) and svg.sparkline([]).endswith("</svg>")


def test_it_embeds_as_a_data_uri() -> None:
    uri = svg.data_uri(svg.sparkline([1, 2, 3]))
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode().startswith("<svg")
