"""Inline SVG bar charts for the self-contained HTML replay report.

Each chart shows, per time bucket, how many records matched a control (the upper band) and how many alarm
notifications those matches would have sent (the lower band). Each band has its own scale, labelled with its
maximum: a handful of notifications next to thousands of matches would otherwise be flat lines, and the point of
the report is to see when notifications cluster. The report has to open offline, in light and dark mode, so:

* the SVG is plain markup: no scripts, no links, no fonts to fetch; numbers are real ``<text>`` (selectable,
  searchable, read aloud) rather than paths;
* no colour is written into the SVG: bars and text carry CSS classes that :data:`CHART_CSS`, inlined by the page,
  colours for either scheme;
* a bar's height is only approximate, so every bar carries a ``<title>`` tooltip with its exact number;
* the root carries the totals as ``data-`` attributes, for tests and tools to read without parsing text.

The output depends on nothing but the input (no randomness, no clock) and grows linearly with the buckets.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"
CHART_CLASS: Final = "tw-chart"
"""The root's class; every rule in :data:`CHART_CSS` is scoped under it."""
MAX_X_LABELS: Final = 12
"""At most this many bucket labels on the x axis; the first and last are always among them."""
DEFAULT_EMPTY_TEXT: Final = "no matches"
FONT_SIZE: Final = 10
MIN_WIDTH: Final = 160
MIN_HEIGHT: Final = 80

_LEGEND_BAND = 22  # above the plot: the legend
_X_LABEL_BAND = 20  # below the plot: the bucket labels
_BAND_GAP = 14  # between the matches band and the notifications band
_RIGHT_MARGIN = 8
_LABEL_GAP = 8  # free space kept between two x labels
_MAX_BAR_WIDTH = 24  # a handful of buckets should not give slabs
_MIN_VISIBLE_BAR = 1.0  # one notification among thousands of matches must still show
_EMPTY_HEIGHT = 32
_LEGEND_KEY = "\u25a0"  # ■, coloured by its series class

CHART_CSS: Final = f"""\
.{CHART_CLASS} {{ max-width: 100%; height: auto; }}
.{CHART_CLASS} text {{ fill: currentColor; font-variant-numeric: tabular-nums; }}
.{CHART_CLASS} .axis {{ stroke: currentColor; stroke-width: 1; opacity: 0.6; }}
.{CHART_CLASS} .grid {{ stroke: currentColor; stroke-width: 1; stroke-dasharray: 2 3; opacity: 0.3; }}
.{CHART_CLASS} .matches {{ fill: #1d4ed8; }}
.{CHART_CLASS} .notifications {{ fill: #c2410c; }}
.{CHART_CLASS} .bar:hover {{ opacity: 0.7; }}
.{CHART_CLASS} .empty {{ font-style: italic; }}
@media (prefers-color-scheme: dark) {{
  .{CHART_CLASS} .matches {{ fill: #60a5fa; }}
  .{CHART_CLASS} .notifications {{ fill: #fb923c; }}
}}
"""
"""The rules for the charts' classes, for the page to inline in its ``<style>``.

Text and axes use ``currentColor``, so they follow the page's own text colour. The series colours are a blue and
an orange (told apart with the common colour-vision deficiencies too), each at least 5:1 against white and, in
dark mode, against a near-black page. The page itself must switch its background in dark mode (for instance with
``color-scheme: light dark``).
"""

# Characters XML 1.0 forbids even as references: replaced, so any label keeps the document well-formed.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Bucket:
    """One time bucket: its axis label (``2024-05-01``, ``05-01 13:00``) and its two counts."""

    label: str
    matches: int
    notifications: int


@dataclass(frozen=True)
class _Band:
    """One series' strip of the plot: its top, its baseline and the value its full height stands for."""

    series: str
    top: float
    baseline: float
    peak: int

    def bar_height(self, value: int) -> float:
        if value == 0 or self.peak == 0:
            return 0.0
        return max(value / self.peak * (self.baseline - self.top), _MIN_VISIBLE_BAR)


@dataclass(frozen=True)
class _Layout:
    """Where the two bands sit in the picture, and how buckets map onto them."""

    width: int
    height: int
    left: float
    slot: float  # horizontal space per bucket
    bands: tuple[_Band, _Band]  # matches, notifications

    @property
    def top(self) -> float:
        return self.bands[0].top

    @property
    def baseline(self) -> float:
        """The lowest baseline: the bucket labels go under it."""
        return self.bands[1].baseline

    def center(self, index: int) -> float:
        return self.left + self.slot * (index + 0.5)

    def bar_width(self) -> float:
        return min(self.slot * 0.7, _MAX_BAR_WIDTH)


@dataclass(frozen=True)
class _PlacedLabel:
    text: str
    x: float
    half_width: float

    @property
    def start(self) -> float:
        return self.x - self.half_width

    @property
    def end(self) -> float:
        return self.x + self.half_width


def bar_chart(
    buckets: Sequence[Bucket],
    *,
    title: str,
    series_labels: tuple[str, str] = ("matches", "notifications"),
    width: int = 640,
    height: int = 160,
    empty_text: str = DEFAULT_EMPTY_TEXT,
) -> str:
    """Returns an ``<svg>`` element (no XML declaration) charting matches and notifications per bucket.

    ``title`` names the chart for assistive technology and as its tooltip; ``series_labels`` name the two series
    in the legend and tooltips; ``empty_text`` is shown instead of a chart when there are no buckets.

    Raises:
        ValueError: a count is negative, or the picture is smaller than ``MIN_WIDTH`` x ``MIN_HEIGHT``.
    """
    _check(buckets, width, height)
    totals = (sum(b.matches for b in buckets), sum(b.notifications for b in buckets))
    if not buckets:
        return _empty_chart(title, totals, width, empty_text)
    layout = _layout(buckets, width, height)
    parts = [
        _open_root(title, totals, width, height),
        f"<desc>{_esc(_description(buckets, totals, series_labels))}</desc>",
        *_y_axis(layout),
        *_bars(buckets, layout, series_labels),
        *_x_labels(buckets, layout),
        _legend(totals, series_labels, layout),
        "</svg>",
    ]
    return "\n".join(parts)


def _check(buckets: Sequence[Bucket], width: int, height: int) -> None:
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise ValueError(f"chart size {width}x{height} is below the minimum {MIN_WIDTH}x{MIN_HEIGHT}")
    for bucket in buckets:
        if bucket.matches < 0 or bucket.notifications < 0:
            raise ValueError(f"negative count in bucket {bucket.label!r}")


def _empty_chart(title: str, totals: tuple[int, int], width: int, empty_text: str) -> str:
    text = f'<text class="empty" x="{width / 2:g}" y="{_EMPTY_HEIGHT / 2 + FONT_SIZE / 3:g}" text-anchor="middle">'
    return "\n".join([_open_root(title, totals, width, _EMPTY_HEIGHT), f"{text}{_esc(empty_text)}</text>", "</svg>"])


def _open_root(title: str, totals: tuple[int, int], width: int, height: int) -> str:
    # The font attributes are a fallback; width estimates for label thinning assume this size.
    root = (
        f'<svg xmlns="{SVG_NAMESPACE}" class="{CHART_CLASS}" role="img" aria-label="{_esc(title)}"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' font-family="system-ui, sans-serif" font-size="{FONT_SIZE}"'
        f' data-matches="{totals[0]}" data-notifications="{totals[1]}">'
    )
    return f"{root}\n<title>{_esc(title)}</title>"


def _layout(buckets: Sequence[Bucket], width: int, height: int) -> _Layout:
    peaks = (max(b.matches for b in buckets), max(b.notifications for b in buckets))
    left = max(_text_width(f"{peak:,}") for peak in (*peaks, 0)) + 6
    band_height = (height - _LEGEND_BAND - _X_LABEL_BAND - _BAND_GAP) / 2
    upper = _Band("matches", _LEGEND_BAND, _LEGEND_BAND + band_height, peaks[0])
    lower_top = upper.baseline + _BAND_GAP
    lower = _Band("notifications", lower_top, lower_top + band_height, peaks[1])
    slot = (width - left - _RIGHT_MARGIN) / len(buckets)
    return _Layout(width, height, left, slot, (upper, lower))


def _description(buckets: Sequence[Bucket], totals: tuple[int, int], series_labels: tuple[str, str]) -> str:
    span = buckets[0].label if len(buckets) == 1 else f"{buckets[0].label} – {buckets[-1].label}"
    return f"{series_labels[0]}: {totals[0]:,}; {series_labels[1]}: {totals[1]:,}; {span}"


def _y_axis(layout: _Layout) -> list[str]:
    right = layout.width - _RIGHT_MARGIN
    label_x = _num(layout.left - 4)
    return [
        line
        for band in layout.bands
        for line in (
            _line("grid", layout.left, band.top, right, band.top),
            _line("axis", layout.left, band.baseline, right, band.baseline),
            _y_label(label_x, band.top, f"{band.peak:,}"),
            _y_label(label_x, band.baseline, "0"),
        )
    ]


def _line(css_class: str, x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line class="{css_class}" x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}"/>'


def _y_label(x: str, y: float, text: str) -> str:
    # A third of the font size down centres the digits on the line they label.
    return f'<text class="y-label" x="{x}" y="{_num(y + FONT_SIZE / 3)}" text-anchor="end">{text}</text>'


def _bars(buckets: Sequence[Bucket], layout: _Layout, series_labels: tuple[str, str]) -> list[str]:
    x_of = [layout.center(index) - layout.bar_width() / 2 for index in range(len(buckets))]
    matches, notifications = layout.bands
    return [
        *(_bar(matches, x, b.matches, b.label, series_labels[0], layout) for x, b in zip(x_of, buckets, strict=True)),
        *(
            _bar(notifications, x, b.notifications, b.label, series_labels[1], layout)
            for x, b in zip(x_of, buckets, strict=True)
        ),
    ]


def _bar(band: _Band, x: float, value: int, label: str, series_label: str, layout: _Layout) -> str:
    bar_height = band.bar_height(value)
    geometry = (
        f'x="{_num(x)}" y="{_num(band.baseline - bar_height)}"'
        f' width="{_num(layout.bar_width())}" height="{_num(bar_height)}"'
    )
    tooltip = _esc(f"{label}: {value:,} {series_label}")
    return f'<rect class="bar {band.series}" {geometry}><title>{tooltip}</title></rect>'


def _x_labels(buckets: Sequence[Bucket], layout: _Layout) -> list[str]:
    indices = _x_label_indices([b.label for b in buckets], layout)
    placed = _without_overlaps([_place(buckets[i].label, layout.center(i), layout.width) for i in indices])
    y = _num(layout.baseline + FONT_SIZE + 4)
    return [
        f'<text class="x-label" x="{_num(label.x)}" y="{y}" text-anchor="middle">{_esc(label.text)}</text>'
        for label in placed
    ]


def _x_label_indices(labels: Sequence[str], layout: _Layout) -> list[int]:
    """Evenly spaced bucket indices, first and last included, as many as fit side by side (at most 12)."""
    count = len(labels)
    if count <= 2:
        return list(range(count))
    widest = max(_text_width(label) for label in labels)
    slots_per_label = max(1, math.ceil((widest + _LABEL_GAP) / layout.slot))
    intervals = max(1, min(MAX_X_LABELS - 1, (count - 1) // slots_per_label))
    return sorted({round(i * (count - 1) / intervals) for i in range(intervals + 1)})


def _place(text: str, center: float, width: int) -> _PlacedLabel:
    # Kept inside the picture: the last label would otherwise hang off the right edge.
    half_width = _text_width(text) / 2
    x = min(max(center, half_width), width - half_width)
    return _PlacedLabel(text, x, half_width)


def _without_overlaps(labels: list[_PlacedLabel]) -> list[_PlacedLabel]:
    """Drops middle labels that would touch a neighbour; the first and the last always stay."""
    if len(labels) <= 2:
        return labels
    first, *middle, last = labels
    kept = [first]
    for label in middle:
        if label.start >= kept[-1].end + _LABEL_GAP and label.end + _LABEL_GAP <= last.start:
            kept.append(label)
    return [*kept, last]


def _legend(totals: tuple[int, int], series_labels: tuple[str, str], layout: _Layout) -> str:
    # One <text> of <tspan>s: the text flows by itself, so no label width has to be guessed.
    x = _num(layout.width - _RIGHT_MARGIN)
    y = _num(layout.top - 8)
    matches = f'<tspan class="key matches">{_LEGEND_KEY}</tspan> {_esc(series_labels[0])} {totals[0]:,}'
    notifications = f'<tspan class="key notifications" dx="10">{_LEGEND_KEY}</tspan> {_esc(series_labels[1])}'
    return f'<text class="legend" x="{x}" y="{y}" text-anchor="end">{matches}{notifications} {totals[1]:,}</text>'


def _text_width(text: str) -> float:
    """Estimated width at :data:`FONT_SIZE`: full-width (Japanese) characters take one em, others about 0.6."""
    ems = sum(_char_ems(char) for char in text)
    return ems * FONT_SIZE


def _char_ems(char: str) -> float:
    if unicodedata.combining(char):
        return 0.0
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.6


def _esc(text: str) -> str:
    return html.escape(_NOT_XML_CHAR.sub("\ufffd", text), quote=True)


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros: short, and identical on every run."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
