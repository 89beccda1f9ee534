"""Fixtures every test directory may use."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import generate_archive
from tests.aws_server import aws, aws_server

__all__ = ["aws", "aws_server", "benchmark_archive_head"]

BENCHMARK_HEAD_RECORDS = 30_000
"""Records of the benchmark archive the tests read: its first files, byte for byte."""


@pytest.fixture(scope="session")
def benchmark_archive_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first :data:`BENCHMARK_HEAD_RECORDS` records of ``benchmarks/generate_archive.py``'s archive.

    The generator draws file sizes and records from fixed streams, so with its default seed and
    sample rate, cut at this many records, these are the first files of the archive
    docs/performance.md measures (the last one cut short): everyday traffic (assumed roles,
    services without an ARN, denied calls, data events) with the catalogue's samples among it,
    digest files and an organization trail.
    """
    root = tmp_path_factory.mktemp("benchmark-archive")
    generate_archive.generate(
        root,
        records=BENCHMARK_HEAD_RECORDS,
        seed=generate_archive.SEED,
        min_per_file=generate_archive.MIN_PER_FILE,
        max_per_file=generate_archive.MAX_PER_FILE,
        sample_rate=generate_archive.SAMPLE_RATE,
    )
    return root
