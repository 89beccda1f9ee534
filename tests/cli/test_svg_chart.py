"""The inline SVG bar charts of the HTML replay report."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from trailwatch_constructs.cli.svg_chart import CHART_CSS, MAX_X_LABELS, Bucket, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars(root: ET.Element, series: str) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == f"bar {series}"]


def height(rect: ET.Element) -> float:
    return float(rect.get("height", "nan"))


def texts(root: ET.Element, css_class: str) -> list[str]:
    return ["".join(text.itertext()) for text in root.iter(f"{SVG}text") if text.get("class") == css_class]


def tooltip(element: ET.Element) -> str:
    title = element.find(f"{SVG}title")
    assert title is not None
    return title.text or ""


def year_of_buckets() -> list[Bucket]:
    start = date(2024, 1, 1)
    return [Bucket((start + timedelta(days=i)).isoformat(), i * 1_001 % 97_003, i % 5) for i in range(365)]


def test_bar_heights_are_proportional_to_the_values_each_series_on_its_own_scale() -> None:
    # GIVEN buckets whose largest values are 10 matches and 4 notifications, with halves and zeros
    buckets = [Bucket("a", 10, 2), Bucket("b", 5, 0), Bucket("c", 0, 4)]
    # WHEN charted
    root = parse(bar_chart(buckets, title="t"))
    matches = [height(rect) for rect in bars(root, "matches")]
    notifications = [height(rect) for rect in bars(root, "notifications")]
    # THEN each series' largest value has the full height of its band, halves half of it, zeros none
    assert matches[0] == notifications[2] > 0
    assert matches[1] == pytest.approx(matches[0] / 2, abs=0.01)
    assert notifications[0] == pytest.approx(notifications[2] / 2, abs=0.01)
    assert matches[2] == notifications[1] == 0
    # AND each series stands on its own baseline, the notifications' below the matches'
    matches_base, notifications_base = (
        {round(float(rect.get("y", "nan")) + height(rect), 2) for rect in bars(root, series)}
        for series in ("matches", "notifications")
    )
    assert len(matches_base) == len(notifications_base) == 1
    assert min(notifications_base) - matches[0] > max(matches_base)


def test_a_small_nonzero_value_stays_visible() -> None:
    # GIVEN one notification among a million matches
    buckets = [Bucket("a", 1_000_000, 1)]
    # WHEN charted
    root = parse(bar_chart(buckets, title="t"))
    # THEN the notification's bar is still at least a pixel tall
    assert height(bars(root, "notifications")[0]) >= 1


def test_each_bucket_has_a_matches_bar_above_its_notifications_bar() -> None:
    # GIVEN three buckets
    buckets = [Bucket("a", 1, 0), Bucket("b", 2, 1), Bucket("c", 0, 0)]
    # WHEN charted
    root = parse(bar_chart(buckets, title="t"))
    matches, notifications = bars(root, "matches"), bars(root, "notifications")
    # THEN there is one bar of each class per bucket, at the same x, the matches bar in the upper band
    assert len(matches) == len(notifications) == 3
    assert len(list(root.iter(f"{SVG}rect"))) == 6
    for upper, lower in zip(matches, notifications, strict=True):
        assert upper.get("x") == lower.get("x")
        assert float(upper.get("y", "nan")) + height(upper) < float(lower.get("y", "nan")) + height(lower)
    # AND buckets follow each other from left to right
    xs = [float(rect.get("x", "nan")) for rect in matches]
    assert xs == sorted(xs) and len(set(xs)) == 3


def test_every_number_is_in_a_bar_tooltip_with_its_label() -> None:
    # GIVEN buckets with distinct counts, some above a thousand
    buckets = [Bucket("2024-05-01", 12_345, 7), Bucket("2024-05-02", 0, 3)]
    # WHEN charted with named series
    root = parse(bar_chart(buckets, title="t", series_labels=("hits", "alarms")))
    # THEN each bar's tooltip gives its label, exact number and series
    assert [tooltip(rect) for rect in bars(root, "matches")] == ["2024-05-01: 12,345 hits", "2024-05-02: 0 hits"]
    assert [tooltip(rect) for rect in bars(root, "notifications")] == ["2024-05-01: 7 alarms", "2024-05-02: 3 alarms"]


def test_each_bands_maximum_is_labelled_on_the_y_axis() -> None:
    # GIVEN buckets with at most 3 matches and 4,321 notifications
    buckets = [Bucket("a", 3, 1), Bucket("b", 2, 4_321)]
    # WHEN charted
    root = parse(bar_chart(buckets, title="t"))
    # THEN each band's axis is labelled with its maximum and zero
    assert texts(root, "y-label") == ["3", "0", "4,321", "0"]


def test_the_root_carries_the_totals_and_an_accessible_name() -> None:
    # GIVEN buckets with 123 matches and 4 notifications in all
    buckets = [Bucket("a", 100, 1), Bucket("b", 20, 3), Bucket("c", 3, 0)]
    # WHEN charted
    root = parse(bar_chart(buckets, title="root-account-usage", width=480, height=120))
    # THEN the totals are data attributes, the chart is an image named by its title, scaled by a view box
    assert root.tag == f"{SVG}svg"
    assert root.get("data-matches") == "123"
    assert root.get("data-notifications") == "4"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "root-account-usage"
    assert root.get("viewBox") == "0 0 480 120"
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == "root-account-usage"
    # AND the legend shows both series with their totals
    assert texts(root, "legend") == ["\u25a0 matches 123\u25a0 notifications 4"]


def test_text_is_escaped_and_round_trips() -> None:
    # GIVEN a title, label and series names with markup characters and Japanese text
    nasty = "<b>&\"'"
    buckets = [Bucket(nasty, 1, 1), Bucket("最後", 2, 0)]
    # WHEN charted
    svg = bar_chart(buckets, title=f"ルートの使用 {nasty}", series_labels=("一致", "通知 <i>"))
    root = parse(svg)
    # THEN the XML parser gives back the very same text everywhere
    assert "<b>" not in svg
    assert root.get("aria-label") == f"ルートの使用 {nasty}"
    assert texts(root, "x-label") == [nasty, "最後"]
    assert tooltip(bars(root, "matches")[0]) == f"{nasty}: 1 一致"
    assert tooltip(bars(root, "notifications")[0]) == f"{nasty}: 1 通知 <i>"
    assert texts(root, "legend") == ["\u25a0 一致 3\u25a0 通知 <i> 1"]


def test_characters_not_allowed_in_xml_are_replaced() -> None:
    # GIVEN a label with a control character, which XML cannot hold even escaped
    buckets = [Bucket("a\x00b", 1, 0)]
    # WHEN charted
    root = parse(bar_chart(buckets, title="t\x1b"))
    # THEN the document is still well-formed, with a replacement character instead
    assert texts(root, "x-label") == ["a\ufffdb"]
    assert root.get("aria-label") == "t\ufffd"


def test_x_labels_are_thinned_keeping_the_first_and_last() -> None:
    # GIVEN a year of daily buckets
    buckets = year_of_buckets()
    # WHEN charted
    labels = texts(parse(bar_chart(buckets, title="t")), "x-label")
    # THEN a few labels are shown, in order, the first and last among them
    assert 2 < len(labels) <= MAX_X_LABELS
    assert labels[0] == "2024-01-01"
    assert labels[-1] == "2024-12-30"
    assert labels == sorted(labels)


def test_x_labels_do_not_overlap() -> None:
    # GIVEN many hourly buckets with long labels, and a narrow chart
    buckets = [Bucket(f"05-{1 + i // 24:02d} {i % 24:02d}:00", i, 0) for i in range(96)]
    # WHEN charted
    root = parse(bar_chart(buckets, title="t", width=320))
    xs = [float(text.get("x", "nan")) for text in root.iter(f"{SVG}text") if text.get("class") == "x-label"]
    # THEN centred labels of about 66 units are at least that far apart, and inside the picture
    assert len(xs) >= 2
    assert all(right - left >= 66 for left, right in itertools.pairwise(xs))
    assert xs[0] >= 33
    assert xs[-1] <= 320 - 33


def test_few_buckets_are_all_labelled() -> None:
    # GIVEN three buckets
    buckets = [Bucket("05-01", 1, 0), Bucket("05-02", 1, 0), Bucket("05-03", 1, 0)]
    # WHEN charted
    labels = texts(parse(bar_chart(buckets, title="t")), "x-label")
    # THEN each one is labelled
    assert labels == ["05-01", "05-02", "05-03"]


def test_colours_come_from_css_classes_not_the_svg() -> None:
    # GIVEN a chart
    svg = bar_chart(year_of_buckets(), title="t")
    root = parse(svg)
    # THEN no element carries a colour of its own
    assert not re.search(r'fill="#|stroke="#|style=', svg)
    assert all("fill" not in element.attrib and "stroke" not in element.attrib for element in root.iter())
    # AND the page's CSS colours the series, with a dark-mode variant
    assert "prefers-color-scheme: dark" in CHART_CSS
    assert ".tw-chart .matches" in CHART_CSS
    assert ".tw-chart .notifications" in CHART_CSS
    assert root.get("class") == "tw-chart"


def test_the_chart_is_self_contained() -> None:
    # GIVEN a chart
    svg = bar_chart(year_of_buckets(), title="t")
    # THEN it has no XML declaration, scripts, links or external resources
    assert svg.startswith("<svg ")
    assert "<script" not in svg
    assert "href" not in svg
    assert re.findall(r"https?://[^\"]*", svg) == ["http://www.w3.org/2000/svg"]


def test_no_buckets_give_a_small_no_matches_chart() -> None:
    # GIVEN no buckets
    # WHEN charted
    root = parse(bar_chart([], title="t"))
    # THEN a small image says there were no matches, with zero totals and no bars
    assert texts(root, "empty") == ["no matches"]
    assert root.get("data-matches") == root.get("data-notifications") == "0"
    assert root.get("aria-label") == "t"
    assert float(root.get("height", "nan")) < 160
    assert list(root.iter(f"{SVG}rect")) == []


def test_the_no_matches_text_can_be_translated() -> None:
    # GIVEN no buckets and Japanese text for the empty chart
    # WHEN charted
    root = parse(bar_chart([], title="t", empty_text="一致なし"))
    # THEN that text is shown
    assert texts(root, "empty") == ["一致なし"]


def test_all_zero_buckets_draw_flat_bars() -> None:
    # GIVEN buckets without any match
    buckets = [Bucket("a", 0, 0), Bucket("b", 0, 0)]
    # WHEN charted
    root = parse(bar_chart(buckets, title="t"))
    # THEN every bar is flat and the y axis tops out at zero
    assert {height(rect) for rect in root.iter(f"{SVG}rect")} == {0.0}
    assert texts(root, "y-label") == ["0", "0", "0", "0"]


def test_a_year_of_buckets_stays_small() -> None:
    # GIVEN a year of daily buckets with large counts
    buckets = [Bucket(b.label, b.matches * 1_000, b.notifications * 1_000) for b in year_of_buckets()]
    # WHEN charted
    svg = bar_chart(buckets, title="unauthorized-api-calls")
    # THEN the markup stays well under 150 KB
    assert len(svg.encode()) < 150_000


def test_output_is_deterministic() -> None:
    # GIVEN the same buckets twice
    # WHEN charted twice
    first = bar_chart(year_of_buckets(), title="t")
    second = bar_chart(year_of_buckets(), title="t")
    # THEN the markup is identical
    assert first == second


@pytest.mark.parametrize(
    ("buckets", "width", "height", "message"),
    [
        ([Bucket("a", -1, 0)], 640, 160, "negative count in bucket 'a'"),
        ([Bucket("a", 0, -1)], 640, 160, "negative count in bucket 'a'"),
        ([Bucket("a", 1, 0)], 159, 160, "chart size 159x160 is below the minimum 160x80"),
        ([Bucket("a", 1, 0)], 640, 79, "chart size 640x79 is below the minimum 160x80"),
    ],
)
def test_negative_counts_and_tiny_sizes_are_refused(
    buckets: list[Bucket], width: int, height: int, message: str
) -> None:
    # GIVEN a negative count or a size too small for a chart
    # WHEN charted
    # THEN the chart is refused, saying why
    with pytest.raises(ValueError, match=re.escape(message)):
        bar_chart(buckets, title="t", width=width, height=height)


def test_the_smallest_size_is_allowed_and_the_default_is_640_by_160() -> None:
    assert parse(bar_chart([Bucket("a", 1, 0)], title="t", width=160, height=80)).get("viewBox") == "0 0 160 80"
    assert parse(bar_chart([Bucket("a", 1, 0)], title="t")).get("viewBox") == "0 0 640 160"


def test_bars_are_centred_in_their_slots_and_coordinates_are_short() -> None:
    # GIVEN four buckets WHEN charted
    svg = bar_chart([Bucket(str(i), i + 1, i) for i in range(4)], title="t")
    root = parse(svg)
    lines = list(root.iter(f"{SVG}line"))
    left, right = min(_floats(x, "x1")[0] for x in lines), max(_floats(x, "x2")[0] for x in lines)
    slot = (right - left) / 4
    # THEN each bar's middle is its slot's middle, the same for both series
    for series in ("matches", "notifications"):
        middles = [sum(_floats(r, "x")) + float(r.get("width", "nan")) / 2 for r in bars(root, series)]
        assert middles == pytest.approx([left + slot * (i + 0.5) for i in range(4)], abs=0.01)
    # AND every coordinate has at most two decimals and no trailing zero
    numbers = re.findall(r' (?:x|y|x1|y1|x2|y2|width|height)="([^"]+)"', svg)
    assert numbers and all(re.fullmatch(r"-?(0|[1-9]\d*)(\.\d?[1-9])?", n) for n in numbers)


def _floats(element: ET.Element, *names: str) -> list[float]:
    return [float(element.get(name, "nan")) for name in names]


def test_the_description_gives_both_totals_and_the_span() -> None:
    one = parse(bar_chart([Bucket("2024-05-01", 1_234, 2)], title="t"))
    three = parse(bar_chart([Bucket("a", 1, 0), Bucket("b", 2, 1), Bucket("c", 3, 0)], title="t"))
    assert [d.text for d in one.iter(f"{SVG}desc")] == ["matches: 1,234; notifications: 2; 2024-05-01"]
    assert [d.text for d in three.iter(f"{SVG}desc")] == ["matches: 6; notifications: 1; a – c"]


def test_everything_is_drawn_inside_the_picture_with_labels_left_of_the_plot() -> None:
    # GIVEN a chart of a year WHEN drawn at 640 x 180
    root = parse(bar_chart(year_of_buckets(), title="t", width=640, height=180))
    # THEN every shape and text lies within the picture
    for rect in root.iter(f"{SVG}rect"):
        x, y, w, h = _floats(rect, "x", "y", "width", "height")
        assert x >= 0 and x + w <= 640 and y >= 0 and y + h <= 180
    lines = list(root.iter(f"{SVG}line"))
    for line in lines:
        x1, y1, x2, y2 = _floats(line, "x1", "y1", "x2", "y2")
        assert 0 <= x1 < x2 <= 640 and 0 <= y1 == y2 <= 180
    for text in root.iter(f"{SVG}text"):
        x, y = _floats(text, "x", "y")
        assert 0 <= x <= 640 and 0 <= y <= 180
    # AND each band has a dashed grid line at its top and an axis at its baseline, where its bars stand
    grids = sorted(_floats(line, "y1")[0] for line in lines if line.get("class") == "grid")
    axes = sorted(_floats(line, "y1")[0] for line in lines if line.get("class") == "axis")
    assert len(grids) == len(axes) == 2 and grids[0] < axes[0] < grids[1] < axes[1]
    for series, axis in (("matches", axes[0]), ("notifications", axes[1])):
        assert {round(sum(_floats(r, "y", "height")), 2) for r in bars(root, series)} == {axis}
    # AND the y labels sit left of the plot, level with those lines
    plot_left = min(_floats(line, "x1")[0] for line in lines)
    y_labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "y-label"]
    assert all(_floats(t, "x")[0] < plot_left for t in y_labels)
    assert [round(_floats(t, "y")[0] - 10 / 3, 2) for t in y_labels] == [grids[0], axes[0], grids[1], axes[1]]


def test_the_no_matches_text_is_centred_in_the_small_chart() -> None:
    root = parse(bar_chart([], title="t", width=400))
    (text,) = root.iter(f"{SVG}text")
    x, y = _floats(text, "x", "y")
    assert x == 200 and 0 < y < float(root.get("height", "nan"))
    assert root.get("width") == "400" and root.get("viewBox") == "0 0 400 32"
