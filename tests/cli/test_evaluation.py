"""One pattern over every record in input order (``trailwatch test``), and the run's counts."""

from __future__ import annotations

from pathlib import Path

from trailwatch_constructs.cli.evaluation import Evaluation, EvaluationTally, evaluate
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.filter_pattern import parse_filter_pattern

from .helpers import DENIED, denied, encode, quiet_record, write

MATCHES = parse_filter_pattern(DENIED).matches


def test_every_record_is_evaluated_in_input_order_or_said_why_not(tmp_path: Path) -> None:
    # GIVEN a digest file, a file with a record that is not an object, and an empty file
    digest = write(tmp_path / "CloudTrail-Digest" / "d.json", b"{}")
    log = write(tmp_path / "log.json", encode("array", [denied(0), 7, quiet_record(2)]))
    empty = write(tmp_path / "z.json", b"")
    # WHEN the pattern is evaluated over them
    items = list(evaluate([str(digest), str(log), str(empty)], MATCHES))
    # THEN every record has its evaluation or its problem, in order
    assert items == [
        Problem(str(digest), None, "file", "digest", "CloudTrail digest file (an integrity manifest, not events)"),
        Evaluation(str(log), 0, True, denied(0)),
        Problem(str(log), 1, "record", "not-an-object", "record is a number, not a JSON object"),
        Evaluation(str(log), 2, False, quiet_record(2)),
        Problem(str(empty), None, "file", "empty", "empty file: no JSON in it"),
    ]


def test_indexes_continue_across_the_batches_of_a_file(tmp_path: Path) -> None:
    # GIVEN JSON Lines of two CloudTrail files
    log = write(tmp_path / "all.jsonl", encode("cloudtrail", [denied(0)]) + b"\n" + encode("cloudtrail", [denied(1)]))
    # WHEN evaluated THEN the second file's record is record 1
    assert [e.index for e in evaluate([str(log)], MATCHES) if isinstance(e, Evaluation)] == [0, 1]


def test_the_tally_counts_matches_skipped_records_and_files() -> None:
    # GIVEN a tally
    tally = EvaluationTally()
    # WHEN evaluations and problems are added
    for item in (
        Evaluation("a", 0, True, {}),
        Evaluation("a", 1, False, {}),
        Evaluation("a", 2, True, {}),
        Problem("a", 3, "record", "invalid-json", "r"),
        Problem("a", 4, "record", "not-an-object", "r"),
        Problem("b", None, "file", "empty", "r"),
        Problem("b", None, "file", "empty", "r"),
        Problem("c", None, "partial", "truncated-gzip", "r"),
    ):
        tally.add(item)
    # THEN it counts events, matches, skipped records and (distinct) skipped files
    assert (tally.evaluated, tally.matched, tally.records_skipped, tally.files_skipped) == (3, 2, 2, {"b"})
    assert tally.damaged


def test_digest_files_do_not_damage_a_run() -> None:
    tally = EvaluationTally()
    tally.add(Problem("d", None, "file", "digest", "r"))
    assert (tally.damaged, tally.files_skipped) == (False, {"d"})
    tally.add(Evaluation("a", 0, False, {}))
    assert not tally.damaged
    tally.add(Problem("c", None, "partial", "truncated-gzip", "r"))
    tally.add(Problem("d", None, "file", "digest", "r"))
    assert tally.damaged
