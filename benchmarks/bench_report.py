"""Does the HTML report stay flat in the number of events? Its size and build time, on the benchmark archive.

Replays (in this process, ``--jobs 2``'s pool) every log file, and every other one (the same time
span, half the events), then builds the HTML page of each report ``--repeat`` times and prints the
page's size and its median build time (``render_html`` alone: the replay is what scales with the
events, and is measured by bench_replay.py). Flat means the same size and time for both.

Usage::

    python benchmarks/bench_report.py [--archive DIR] [--repeat N] [--out FILE.html]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_replay import DEFAULT_ARCHIVE, GROUP, log_files
from trailwatch_constructs.catalog.auditors import ALL_AUDITORS
from trailwatch_constructs.cli.html_report import render_html
from trailwatch_constructs.cli.pool import replay
from trailwatch_constructs.cli.report_model import ReplayReport
from trailwatch_constructs.cli.selection import not_selected, select_controls, with_variants


def report_of(files: list[str]) -> ReplayReport:
    """The replay report of ``files``, every control and its tuned variants."""
    selection = select_controls((), (GROUP,), ALL_AUDITORS)
    controls = with_variants(selection.controls)
    totals = ReplayReport(controls, not_selected(selection))
    for result in replay(files, controls, jobs=2, keep_span=True):
        totals.add(result)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, help="also write the full archive's page here")
    args = parser.parse_args()
    files = log_files(args.archive)
    print(f"{'files':<22} {'events':>9} {'span':>41} {'page bytes':>11} {'build ms (median)':>18}")
    for label, chosen in (("every other log file", files[::2]), ("every log file", files)):
        report = report_of(chosen)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            page = render_html(report, top_n=5)
            times.append((time.perf_counter() - started) * 1000)
        span = f"{report.first_event_time} - {report.last_event_time}"
        print(f"{label:<22} {report.events:>9,} {span:>41} {len(page.encode()):>11,} {statistics.median(times):>18.1f}")
        if args.out is not None and chosen is files:
            args.out.write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main()
