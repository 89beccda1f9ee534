"""The HTML report's size quoted in docs/cli.md is the one docs/performance.md measured."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
PERFORMANCE = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")


def test_cli_doc_quotes_the_measured_page_sizes() -> None:
    rows = re.findall(r"\| every (?:other )?log file \| ([\d,]+) \| ([\d,]+) \| [\d.]+ \|", PERFORMANCE)
    assert len(rows) == 2, "the HTML report's table in docs/performance.md"
    quoted = re.search(r"page is (\d+) KB for ([\d,]+) events and for ([\d,]+)", CLI)
    assert quoted is not None
    sizes = {round(int(size.replace(",", "")) / 1000) for _, size in rows}
    assert sizes == {int(quoted[1])}
    assert [events for events, _ in rows] == [quoted[2], quoted[3]]
