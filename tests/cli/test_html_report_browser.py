"""The HTML report over the benchmark archive, opened in headless Chromium (tests/browser.py).

The page is written by the CLI over the head of the benchmark archive (tests/conftest.py), every
control and its tuned variants, next to the JSON report of the same run; Chromium loads it from disk
behind a sink proxy. One launch serves every test of the module.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.browser import Rendered, corner_colour, is_blank, render

from .helpers import run_json

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reports(benchmark_archive_head: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """The JSON report and the HTML page of one replay."""
    page = tmp_path_factory.mktemp("report") / "report.html"
    args = ["replay", str(benchmark_archive_head), "--privileged-group", "Admins", "--compare-variants"]
    _, report = run_json(CliRunner(), [*args, "--html", str(page)])
    return report, page


@pytest.fixture(scope="module")
def rendered(reports: tuple[dict[str, Any], Path], tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render(reports[1], tmp_path_factory.mktemp("chromium"))


def _sections(dom: str) -> dict[str, tuple[str, str]]:
    found = re.findall(r'<section [^>]*data-control="([^"]+)" data-matches="(\d+)" data-notifications="(\d*)"', dom)
    return {control: (matches, notifications) for control, matches, notifications in found}


def test_every_control_is_rendered_with_the_json_reports_numbers(
    reports: tuple[dict[str, Any], Path], rendered: Rendered
) -> None:
    # GIVEN the JSON report of the run that wrote the page
    report, _ = reports
    # THEN the rendered DOM has a section per control, in the report's order, with its numbers
    expected = {cid: (str(c["matches"]), str(c["notifications"])) for cid, c in report["controls"].items()}
    assert list(_sections(rendered.dom).items()) == list(expected.items())
    assert all(int(matches) > 0 for matches, _ in expected.values())


def test_every_control_has_a_drawn_chart_with_its_totals(
    reports: tuple[dict[str, Any], Path], rendered: Rendered
) -> None:
    report, _ = reports
    charts = re.findall(r'<svg [^>]*class="tw-chart"[^>]*data-matches="(\d+)" data-notifications="(\d+)"', rendered.dom)
    expected = [(str(c["matches"]), str(c["notifications"])) for c in report["controls"].values()]
    assert charts == expected
    # bars are drawn: one per hour of the span and series, per control
    assert rendered.dom.count('class="bar matches"') >= len(expected)


def test_summary_totals_are_rendered(reports: tuple[dict[str, Any], Path], rendered: Rendered) -> None:
    report, _ = reports
    summary = re.search(r'<dl class="summary" data-files="(\d+)" data-events="(\d+)"', rendered.dom)
    assert summary is not None
    assert (int(summary[1]), int(summary[2])) == (report["files"], report["events"])
    assert f"{report['events']:,} evaluated" in rendered.dom


def test_the_screenshot_is_not_blank(rendered: Rendered) -> None:
    assert not is_blank(rendered.screenshot)


def test_the_page_makes_no_network_request(rendered: Rendered) -> None:
    assert rendered.requests == ()


def test_the_page_follows_the_readers_light_or_dark_scheme(
    reports: tuple[dict[str, Any], Path], rendered: Rendered, tmp_path: Path
) -> None:
    # GIVEN the page rendered for a reader who prefers light (above) and one who prefers dark
    dark = render(reports[1], tmp_path, dark=True)
    # THEN the background is the page's light (#ffffff) or dark (#0d1117) one, and both show the report
    assert corner_colour(rendered.screenshot) == (0xFF, 0xFF, 0xFF)
    assert corner_colour(dark.screenshot) == (0x0D, 0x11, 0x17)
    assert not is_blank(dark.screenshot) and dark.requests == ()


def test_readme_shows_a_screenshot_of_the_report() -> None:
    # The README's picture (python benchmarks/bench_report.py --out report.html, then a Chromium
    # screenshot) is there and shows something.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (image,) = re.findall(r"!\[[^\]]*report[^\]]*\]\(([^)]+\.png)\)", readme)
    assert not is_blank(ROOT / image)
