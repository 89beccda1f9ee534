"""docs/performance.md quotes the archive that ``python benchmarks/generate_archive.py`` writes.

The generator draws each log file's size from its own random stream, so the archive's shape is
known without writing 65 MB: every file count the page quotes (from the recorded run, and in its
prose) must be the one the generator's defaults give.
"""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks import generate_archive as generator

ROOT = Path(__file__).resolve().parents[2]

DOC = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
SIZES = generator.file_sizes(generator.RECORDS, generator.SEED, generator.MIN_PER_FILE, generator.MAX_PER_FILE)
LOG_FILES = len(SIZES)
DIGESTS = generator.digest_count(LOG_FILES)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def test_file_sizes_cover_every_record_within_bounds() -> None:
    assert sum(SIZES) == generator.RECORDS
    assert all(generator.MIN_PER_FILE <= n <= generator.MAX_PER_FILE for n in SIZES[:-1])


def test_recorded_run_measured_the_default_archive() -> None:
    # GIVEN the results written by bench_replay.py --write-doc THEN they describe the default archive
    found = re.search(r"Archive: ([\d,]+) records in (\d+) log files and (\d+) digest files", DOC)
    assert found is not None, "no 'Archive:' line: rerun bench_replay.py --write-doc docs/performance.md"
    assert (number(found[1]), number(found[2]), number(found[3])) == (generator.RECORDS, LOG_FILES, DIGESTS)


def test_every_file_count_on_the_page_is_the_generated_one() -> None:
    # GIVEN each "N log files", "N gzip files" or "N digest files" on the page, prose included
    counts = re.findall(r"\b(\d[\d,]*) (log|gzip|digest) files\b", DOC)
    assert counts
    # THEN each is the generator's count
    assert [(n, kind) for n, kind in counts if number(n) != (DIGESTS if kind == "digest" else LOG_FILES)] == []


def test_half_run_is_half_of_the_generated_files() -> None:
    found = re.search(r"half \((\d+) files\)", DOC)
    assert found is not None
    assert number(found[1]) == LOG_FILES // 2
