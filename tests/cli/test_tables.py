"""The replay report as a terminal table."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from trailwatch_constructs.catalog import CONTROL_IDS, PRIVILEGED_GROUP_CONTROL_ID, STATIC_CONTROLS
from trailwatch_constructs.cli.main import cli
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.cli.report_model import ReplayReport
from trailwatch_constructs.cli.statistics import ControlStats
from trailwatch_constructs.cli.tables import (
    NEEDS_GROUPS_PATTERN,
    PIPE_WIDTH,
    controls_table,
    make_console,
    report_table,
)

from .helpers import (
    ALICE,
    ROOT,
    denied,
    write,
)


def test_table_report_shows_totals_skips_controls_and_details(runner: CliRunner, archive: Path, tmp_path: Path) -> None:
    # GIVEN the archive and an empty file
    empty = write(tmp_path / "empty.json", b"")
    # WHEN replayed in the default table format
    result = runner.invoke(cli, ["replay", str(archive), str(empty)])
    text = result.stdout
    # THEN the totals, the skip, the left-out control, the table and the top values are printed
    assert result.exit_code == 0
    assert "Files: 3 found, 2 read (0 only in part), 1 skipped" in text
    assert "Records: 7 seen, 7 evaluated, 0 skipped" in text
    assert f"  {empty}: empty file: no JSON in it" in text
    assert f"Not evaluated: {PRIVILEGED_GROUP_CONTROL_ID}: needs at least one --privileged-group NAME" in text
    assert any(line.split()[:4] == ["unauthorized-api-calls", "LOW", "5", "3"] for line in text.splitlines())
    assert f"        3  {ALICE}" in text
    assert f"        1  {ROOT}" in text


def printed(draw: Callable[[Console], None]) -> list[str]:
    console = Console(width=200, file=io.StringIO(), highlight=False)
    draw(console)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue().splitlines()


def test_the_controls_table_has_a_row_per_control_and_a_placeholder_without_groups() -> None:
    # GIVEN the static controls
    # WHEN drawn as a table, with and without the placeholder row
    with_placeholder = printed(lambda c: controls_table(STATIC_CONTROLS, needs_groups=True, console=c))
    without = printed(lambda c: controls_table(STATIC_CONTROLS, needs_groups=False, console=c))
    # THEN each control has its row, and the placeholder row is the privileged-group control's
    rows = [line for line in with_placeholder if line.split() and line.split()[0] in CONTROL_IDS]
    assert [line.split()[0] for line in rows] == list(CONTROL_IDS)
    assert rows[-1].split()[:2] == [PRIVILEGED_GROUP_CONTROL_ID, "HIGH"]
    assert rows[-1].rstrip().endswith(NEEDS_GROUPS_PATTERN)
    assert not any(PRIVILEGED_GROUP_CONTROL_ID in line for line in without)
    assert "CloudWatch.1" in " ".join(with_placeholder)


def test_the_report_table_lists_twenty_problems_and_counts_the_rest() -> None:
    # GIVEN a report with 25 skipped records, 2 of them beyond the listed ones, and digest files
    report = ReplayReport(STATIC_CONTROLS[:1])
    report.problems = [Problem("f", n, "record", "not-an-object", f"reason {n}") for n in range(23)]
    report.problems.append(Problem("d", None, "file", "digest", "digest"))
    report.problems_omitted = 2
    report.problem_counts = Counter({"not-an-object": 25, "digest": 1})
    # WHEN drawn
    lines = printed(lambda c: report_table(report, top_n=5, console=c))
    # THEN the categories are counted, 20 entries listed, and the rest counted with where to see them
    assert "Skipped or damaged: digest 1, not-an-object 25" in lines
    assert sum(1 for line in lines if line.startswith("  f record ")) == 20
    assert "  ... and 5 more (--format json lists up to 1,000)" in lines
    assert not any(line.startswith("  d:") for line in lines)


def test_the_report_table_of_a_clean_run_lists_no_problems() -> None:
    lines = printed(lambda c: report_table(ReplayReport(STATIC_CONTROLS[:1]), top_n=5, console=c))
    assert not any("Skipped" in line or "more" in line for line in lines)


def test_the_report_table_details_a_control_that_matched() -> None:
    # GIVEN a control with two matches, one of them without eventTime
    report = ReplayReport(STATIC_CONTROLS[:2])
    stats = report.stats["unauthorized-api-calls"] = ControlStats()
    stats.add(denied(0))
    stats.add({"eventName": "X"})
    # WHEN drawn
    lines = printed(lambda c: report_table(report, top_n=1, console=c))
    # THEN its details give its span, distinct principals and one top value each
    assert "unauthorized-api-calls: Unauthorized API calls, 2 matches" in lines
    assert "  events from 2024-05-01T01:00:00Z to 2024-05-01T01:00:00Z" in lines
    assert "  principals (2 distinct):" in lines
    assert lines.count("  event names:") == 1
    assert not any(line.startswith("root-account-usage:") for line in lines)


def test_the_console_is_wide_when_stdout_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN stdout that is not a terminal
    monkeypatch.delenv("COLUMNS", raising=False)
    # WHEN a console is made THEN it is PIPE_WIDTH wide; with COLUMNS set it follows it
    assert make_console().width == PIPE_WIDTH == 200
    monkeypatch.setenv("COLUMNS", "90")
    assert make_console().width == 90


def test_a_closed_stdout_raises_broken_pipe() -> None:
    with pytest.raises(BrokenPipeError):
        make_console().on_broken_pipe()


def narrow(draw: Callable[[Console], None], width: int = 40) -> str:
    console = Console(width=width, file=io.StringIO(), highlight=False)
    draw(console)
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


LONG = "arn:aws:sts::111122223333:assumed-role/a-very-long-role-name/and-a-long-session-name"


def test_long_values_are_printed_whole_on_a_narrow_terminal() -> None:
    # GIVEN a report whose values are longer than the terminal is wide
    report = ReplayReport(STATIC_CONTROLS[:2], (("privileged-group-membership-changes", "x" * 60),))
    stats = report.stats["unauthorized-api-calls"] = ControlStats()
    stats.add(denied(0, arn=LONG))
    report.problems = [Problem("f" * 50, 1, "record", "not-an-object", "r" * 30)] * 22
    report.problem_counts = Counter({"not-an-object": 22})
    report.files_found = 10**12
    # WHEN drawn 40 columns wide
    lines = narrow(lambda c: report_table(report, top_n=5, console=c)).splitlines()
    # THEN each long value is on one line, not folded: searchable and copyable
    assert f"          1  {LONG}" in lines
    assert f"Not evaluated: privileged-group-membership-changes: {'x' * 60}" in lines
    assert f"  {'f' * 50} record 1: {'r' * 30}" in lines
    assert any(line.startswith("Files: 1,000,000,000,000 found") and line.endswith("skipped") for line in lines)
    assert "Skipped or damaged: not-an-object 22" in lines
    assert "  ... and 2 more (--format json lists up to 1,000)" in lines
    assert "  principals (1 distinct):" in lines and "  source IPs:" in lines
    assert any(line.startswith("unauthorized-api-calls: Unauthorized API calls, 1 matches") for line in lines)
    assert "  events from 2024-05-01T01:00:00Z to 2024-05-01T01:00:00Z" in lines
    # AND on an 80-column terminal the table of controls keeps each id whole, on one line
    table = narrow(lambda c: report_table(report, top_n=5, console=c), width=80).splitlines()
    assert any(line.split()[:4] == ["unauthorized-api-calls", "LOW", "1", "1"] for line in table)


def test_control_ids_are_not_wrapped_in_the_catalogue_table() -> None:
    text = narrow(lambda c: controls_table(STATIC_CONTROLS, needs_groups=True, console=c), width=60)
    words = text.split()
    assert all(control_id in words for control_id in CONTROL_IDS)
    assert "CRITICAL" in words


def test_entries_left_out_are_counted_when_few_are_listed() -> None:
    # GIVEN a report listing 5 entries, with 3 more left out of the list
    report = ReplayReport(STATIC_CONTROLS[:1])
    report.problems = [Problem("f", n, "record", "not-an-object", "r") for n in range(5)]
    report.problems_omitted = 3
    report.problem_counts = Counter({"not-an-object": 8})
    # WHEN drawn THEN the 5 are listed and the 3 counted
    lines = printed(lambda c: report_table(report, top_n=5, console=c))
    assert "  ... and 3 more (--format json lists up to 1,000)" in lines
