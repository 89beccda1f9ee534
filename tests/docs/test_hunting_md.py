"""docs/hunting.md's cost arithmetic and engine figures are recomputed from their sources."""

from __future__ import annotations

import re
from pathlib import Path

from trailwatch_constructs.catalog import catalog_controls
from trailwatch_constructs.constructs.athena import DEFAULT_BYTES_SCANNED_CUTOFF

ROOT = Path(__file__).resolve().parents[2]
HUNTING = (ROOT / "docs" / "hunting.md").read_text(encoding="utf-8")
PERFORMANCE = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")

USD_PER_TB = 5  # https://aws.amazon.com/jp/athena/pricing/: "スキャンされたデータ 1 TB あたり 5 USD"
TB = 10**12
CONTROLS = len(catalog_controls(privileged_groups=["Admins"]))


def _one(pattern: str, text: str = HUNTING) -> re.Match[str]:
    found = re.search(pattern, text)
    assert found is not None, f"not found: {pattern}"
    return found


def test_price_per_control_and_for_every_control() -> None:
    found = _one(r"hunting all (\d+)\s+controls over 1 TB of CloudTrail costs (\d+) x USD (\d+) = USD (\d+)")
    assert (int(found[1]), int(found[2]), int(found[3])) == (CONTROLS, CONTROLS, USD_PER_TB)
    assert int(found[4]) == CONTROLS * USD_PER_TB


def test_bytes_per_record_and_events_per_tb_come_from_the_benchmark_archive() -> None:
    archive = _one(r"Archive: ([\d,]+) records in \d+ log files and \d+ digest files \(([\d.]+) MB gzip\)", PERFORMANCE)
    records, megabytes = int(archive[1].replace(",", "")), float(archive[2])
    found = _one(
        r"about (\d+) bytes\s+of gzip \(([\d.]+) MB for ([\d,]+) records\), so 1 TB holds\s+about ([\d.]+) billion"
    )
    assert (float(found[2]), int(found[3].replace(",", ""))) == (megabytes, records)
    per_record = megabytes * 10**6 / records
    assert int(found[1]) == round(per_record)
    assert float(found[4]) == round(TB / per_record / 10**9, 1)


def test_partition_bound_share_and_price() -> None:
    found = _one(
        r"(\d+) days out of three years of even traffic scan (\d+)/([\d,]+) of the bucket, ([\d.]+) %"
        r"\s+\(USD ([\d.]+) for the\s+(\d+) controls"
    )
    days, total = int(found[2]), int(found[3].replace(",", ""))
    assert int(found[1]) == days and total == 365 * 3 + 1  # one leap day in any three years
    assert float(found[4]) == round(100 * days / total, 1)
    assert int(found[6]) == CONTROLS
    assert float(found[5]) == round(CONTROLS * USD_PER_TB * days / total, 2)


def test_cutoff_price_is_the_constructs_default() -> None:
    found = _one(r"bytes-scanned cutoff\s+\(default (\d+) GiB\) cancels it there, at USD (\d+\.\d+)")
    assert int(found[1]) * 2**30 == DEFAULT_BYTES_SCANNED_CUTOFF
    assert float(found[2]) == round(DEFAULT_BYTES_SCANNED_CUTOFF / TB * USD_PER_TB, 2)


def test_engine_figures_are_the_measured_ones() -> None:
    found = _one(
        r"([\d.]+) s and ([\d.]+) GB against ([\d.]+) s \(`--jobs 1`\), ([\d.]+) s \(`--jobs 2`\) and (\d+) MB"
    )
    duck = _one(r"\| DuckDB \(load \+ 17 queries, 2 threads\) \| ([\d.]+) .*\| ([\d,]+) \|", PERFORMANCE)
    one = _one(r"\| `replay --jobs 1` \| ([\d.]+) .*\| (\d+) \|", PERFORMANCE)
    two = _one(r"\| `replay --jobs 2` \| ([\d.]+) ", PERFORMANCE)
    assert float(found[1]) == round(float(duck[1]), 1)
    assert float(found[2]) == round(int(duck[2].replace(",", "")) / 1000, 1)
    assert float(found[3]) == round(float(one[1]), 1)
    assert float(found[4]) == round(float(two[1]), 1)
    assert int(found[5]) == int(one[2])
