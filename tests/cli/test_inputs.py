"""Finding files: paths checked before anything is read, directories walked, digest files set aside."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from click.testing import CliRunner

from trailwatch_constructs.cli import inputs
from trailwatch_constructs.cli.inputs import InputFile, check_inputs, count_files, discover, is_digest_path, iter_inputs
from trailwatch_constructs.cli.main import cli
from trailwatch_constructs.cli.problems import Problem
from trailwatch_constructs.core.errors import UnusableInputError

from .helpers import (
    ORG_ACCOUNT,
    S3_ACCOUNT,
    assert_totals,
    denied,
    encode,
    run_json,
    write,
)

COMMANDS = {
    "replay": ["replay", "--format", "json"],
    "test": ["test", "--control", "unauthorized-api-calls", "--format", "jsonl"],
}


@pytest.fixture(params=list(COMMANDS))
def command(request: pytest.FixtureRequest) -> list[str]:
    return COMMANDS[request.param]


def test_a_path_that_does_not_exist_is_a_usage_error(runner: CliRunner, tmp_path: Path, command: list[str]) -> None:
    # GIVEN a path that does not exist
    missing = tmp_path / "does" / "not" / "exist"
    # WHEN it is read
    result = runner.invoke(cli, [*command, str(missing)])
    # THEN the run exits 2 with one line naming it, and prints no report
    assert result.exit_code == 2
    assert result.stderr == f"trailwatch: error: no such file or directory: '{missing}'\n"
    assert result.stdout == ""


def test_every_missing_path_is_named_and_nothing_is_read(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN two missing paths around a good log file, and a file for the matches
    good = write(tmp_path / "good.json", encode("cloudtrail", [denied(0)]))
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    matches = tmp_path / "matches.jsonl"
    # WHEN they are replayed
    result = runner.invoke(cli, ["replay", str(first), str(good), str(second), "--matches-out", str(matches)])
    # THEN one line names both missing paths, and the check came before any processing: no report,
    #      no matches file
    assert result.exit_code == 2
    assert result.stderr == f"trailwatch: error: no such file or directory: '{first}', '{second}'\n"
    assert result.stdout == ""
    assert not matches.exists()


def test_a_file_path_through_a_file_is_missing(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a path that goes through a file as if it were a folder
    good = write(tmp_path / "good.json", encode("cloudtrail", [denied(0)]))
    # WHEN it is replayed
    result = runner.invoke(cli, ["replay", f"{good}/x.json"])
    # THEN it is reported as missing, not as an empty run
    assert (result.exit_code, result.stderr) == (2, f"trailwatch: error: no such file or directory: '{good}/x.json'\n")


def test_an_s3_address_given_to_test_says_only_replay_reads_s3(runner: CliRunner) -> None:
    # GIVEN an S3 address (replay reads it: tests/cli/commands/test_replay_s3.py)
    # WHEN trailwatch test is given it
    result = runner.invoke(cli, [*COMMANDS["test"], "s3://bucket/prefix"])
    # THEN one line says that only replay reads S3, and how to copy the files to disk instead
    assert result.exit_code == 2
    assert result.stderr == (
        "trailwatch: error: reading from S3 is supported by 'trailwatch replay' only: 's3://bucket/prefix'; "
        "copy the files first (e.g. aws s3 sync s3://bucket/prefix ./cloudtrail) and give the local folder\n"
    )
    assert result.stdout == ""


def test_an_empty_directory_is_a_usage_error(runner: CliRunner, tmp_path: Path, command: list[str]) -> None:
    # GIVEN a directory whose only content is an empty folder
    (tmp_path / "logs" / "2024").mkdir(parents=True)
    # WHEN it is read
    result = runner.invoke(cli, [*command, str(tmp_path / "logs")])
    # THEN nothing is read and the line says why
    assert result.exit_code == 2
    assert result.stderr == f"trailwatch: error: nothing to read: '{tmp_path / 'logs'}' has no files in it\n"


def test_a_directory_of_digest_files_only_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    # GIVEN a folder holding only CloudTrail digest files
    logs = tmp_path / "logs"
    write(logs / "AWSLogs/1/CloudTrail-Digest/us-east-1/d.json.gz", b"{}", gz=True)
    write(logs / "misc/1_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T0000Z.json.gz", b"{}", gz=True)
    # WHEN it is read
    result = runner.invoke(cli, [*command, str(logs)])
    # THEN nothing is read and the line says the folder holds digest files only
    assert result.exit_code == 2
    assert result.stderr == (
        f"trailwatch: error: nothing to read: '{logs}' holds only CloudTrail digest files "
        "(integrity manifests, not events)\n"
    )


def test_a_digest_file_on_its_own_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN one digest file
    digest = write(tmp_path / "CloudTrail-Digest" / "d.json.gz", b"{}", gz=True)
    # WHEN it is the only path replayed
    result = runner.invoke(cli, ["replay", str(digest)])
    # THEN nothing is read and the line says what the file is
    assert result.exit_code == 2
    assert result.stderr == (
        f"trailwatch: error: nothing to read: '{digest}' is a CloudTrail digest file "
        "(an integrity manifest, not events)\n"
    )


def test_paths_that_hold_a_log_file_between_them_are_read(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN an empty folder next to a log file
    (tmp_path / "empty").mkdir()
    good = write(tmp_path / "good.json", encode("cloudtrail", [denied(0)]))
    # WHEN both are replayed
    _, report = run_json(runner, ["replay", str(tmp_path / "empty"), str(good)])
    # THEN the run reads the log file
    assert (report["files"], report["events"]) == (1, 1)


def test_standard_input_needs_no_file(runner: CliRunner) -> None:
    # GIVEN events on standard input and '-' as the only path
    # WHEN they are replayed
    _, report = run_json(runner, ["replay", "-"], input=encode("cloudtrail", [denied(0)]))
    # THEN they are read
    assert report["events"] == 1


def test_broken_symlink_in_a_folder_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a folder with a good file and a dangling symbolic link
    folder = tmp_path / "logs"
    write(folder / "a.json", encode("cloudtrail", [denied(0)]))
    os.symlink(folder / "gone.json", folder / "b.json")
    # WHEN the folder is replayed
    _, report = run_json(runner, ["replay", str(folder)])
    # THEN the link is a skipped file and the good file is read
    assert report["skipped"] == [
        {
            "file": str(folder / "b.json"),
            "index": None,
            "kind": "file",
            "category": "missing",
            "reason": "broken symbolic link",
        }
    ]
    assert (report["files"], report["events"]) == (1, 1)
    assert_totals(report)


def test_s3_layout_is_walked_with_org_trails_and_digests_skipped(runner: CliRunner, s3_archive: Path) -> None:
    # GIVEN a trail bucket on disk with three log files (one from an organization trail) and
    #       two digest files
    # WHEN the bucket folder is replayed
    _, report = run_json(runner, ["replay", str(s3_archive)])
    # THEN the log files are read, the digests skipped and counted, and the org trail's record evaluated
    assert (report["files_found"], report["files"], report["files_skipped"]) == (5, 3, 2)
    assert report["events"] == 6
    assert report["skipped_by_category"] == {"digest": 2}
    assert {p["category"] for p in report["skipped"]} == {"digest"}
    assert all("CloudTrail-Digest" in p["file"] for p in report["skipped"])
    assert report["controls"]["cloudtrail-config-changes"]["matches"] == 1


def test_walk_order_is_sorted_by_path(runner: CliRunner, s3_archive: Path, tmp_path: Path) -> None:
    # GIVEN the trail bucket
    out = tmp_path / "matches.jsonl"
    # WHEN it is replayed with the matches written out
    run_json(runner, ["replay", str(s3_archive), "--matches-out", str(out)])
    # THEN matches follow the sorted path order: account 1111... before the o-... org folder
    files = [json.loads(line)["file"] for line in out.read_text().splitlines()]
    assert [S3_ACCOUNT in f for f in files] == [True, True, False]
    assert ORG_ACCOUNT in files[-1]


def test_a_digest_file_named_explicitly_is_still_skipped(runner: CliRunner, s3_archive: Path) -> None:
    # GIVEN the path of a digest file and of a log file (what a shell glob over a bucket gives)
    digest = next(s3_archive.rglob("*_CloudTrail-Digest_*"))
    log = next(s3_archive.rglob("*_CloudTrail_*"))
    # WHEN both are named on the command line
    _, report = run_json(runner, ["replay", str(digest), str(log)])
    # THEN the digest is skipped as a digest, not parsed as events
    assert report["skipped"] == [
        {
            "file": str(digest),
            "index": None,
            "kind": "file",
            "category": "digest",
            "reason": "CloudTrail digest file (an integrity manifest, not events)",
        }
    ]


# --- the walk on its own -------------------------------------------------------------------------


def walked(*paths: Path | str) -> list[InputFile | Problem]:
    return list(discover([str(p) for p in paths]))


def test_dash_is_standard_input_in_its_place_among_paths(tmp_path: Path) -> None:
    # GIVEN '-' between two files
    a = write(tmp_path / "a.json", b"{}")
    b = write(tmp_path / "b.json", b"{}")
    # WHEN they are discovered
    found = walked(a, "-", b)
    # THEN standard input comes in its place, and the file after it is still found
    assert found == [InputFile(str(a), str(a)), InputFile("<stdin>", "-"), InputFile(str(b), str(b))]


def test_no_path_means_standard_input() -> None:
    # GIVEN no FILE argument WHEN the inputs are listed THEN standard input is the one input
    assert iter_inputs(()) == ["-"]
    assert iter_inputs(("a", "b")) == ["a", "b"]


def test_a_directory_that_cannot_be_listed_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a folder whose listing fails with a permission error (tests run as root: chmod would not do)
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def guarded(path: Any) -> Any:
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)
    # WHEN it is walked
    found = walked(locked)
    # THEN it is one unreadable problem with the OS's reason
    assert found == [Problem(str(locked), None, "file", "unreadable", "cannot list directory: Permission denied")]


def test_an_entry_that_cannot_be_examined_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a folder whose one entry fails to be examined
    write(tmp_path / "logs" / "a.json", b"{}")

    def failing(self: Any, *, follow_symlinks: bool = True) -> bool:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(inputs, "_entry", lambda entry: failing(entry))
    # WHEN it is walked
    found = walked(tmp_path / "logs")
    # THEN the entry is one unreadable problem
    assert found == [Problem(str(tmp_path / "logs" / "a.json"), None, "file", "unreadable", "Permission denied")]


def test_a_symbolic_link_to_a_file_is_followed(tmp_path: Path) -> None:
    # GIVEN a folder holding a link to a file outside it
    target = write(tmp_path / "elsewhere" / "log.json", b"{}")
    (tmp_path / "logs").mkdir()
    os.symlink(target, tmp_path / "logs" / "link.json")
    # WHEN the folder is walked
    # THEN the link is a file to read
    assert walked(tmp_path / "logs") == [
        InputFile(str(tmp_path / "logs" / "link.json"), str(tmp_path / "logs" / "link.json"))
    ]


def test_a_symbolic_link_to_a_directory_is_not_followed(tmp_path: Path) -> None:
    # GIVEN a folder holding a link to another folder with a log file in it
    write(tmp_path / "other" / "log.json", b"{}")
    (tmp_path / "logs").mkdir()
    os.symlink(tmp_path / "other", tmp_path / "logs" / "loop")
    # WHEN the folder is walked
    found = walked(tmp_path / "logs")
    # THEN the link is reported as not followed (links may make loops)
    assert found == [
        Problem(
            str(tmp_path / "logs" / "loop"), None, "file", "not-followed", "symbolic link to a directory (not followed)"
        )
    ]


def test_a_pipe_found_in_a_walk_is_not_read(tmp_path: Path) -> None:
    # GIVEN a folder holding a named pipe next to a log file
    write(tmp_path / "logs" / "a.json", b"{}")
    os.mkfifo(tmp_path / "logs" / "b.fifo")
    # WHEN the folder is walked
    found = walked(tmp_path / "logs")
    # THEN the pipe is reported (reading it could block for ever) and the file is found
    assert found == [
        InputFile(str(tmp_path / "logs" / "a.json"), str(tmp_path / "logs" / "a.json")),
        Problem(
            str(tmp_path / "logs" / "b.fifo"),
            None,
            "file",
            "not-regular",
            "not a regular file (a pipe, socket or device)",
        ),
    ]


def test_a_pipe_named_explicitly_is_read(tmp_path: Path) -> None:
    # GIVEN a named pipe given as a path (like <(zcat ...))
    fifo = tmp_path / "events"
    os.mkfifo(fifo)
    # WHEN it is discovered THEN it is a file to read
    assert walked(fifo) == [InputFile(str(fifo), str(fifo))]


def test_walk_order_is_by_name_at_every_level(tmp_path: Path) -> None:
    # GIVEN files and folders created out of order
    for rel in ("b/2.json", "a/9.json", "a/10.json", "c.json", "b/1.json"):
        write(tmp_path / rel, b"{}")
    # WHEN the root is walked
    found = [item.source for item in walked(tmp_path) if isinstance(item, InputFile)]
    # THEN entries come sorted by name, folders walked where they sort
    assert found == [str(tmp_path / rel) for rel in ("a/10.json", "a/9.json", "b/1.json", "b/2.json", "c.json")]


@pytest.mark.parametrize(
    ("path", "digest"),
    [
        ("AWSLogs/1/CloudTrail-Digest/us-east-1/x.json.gz", True),
        ("1_CloudTrail-Digest_us-east-1_trail_x.json.gz", True),
        ("AWSLogs\\1\\CloudTrail-Digest\\x.json.gz", True),
        ("AWSLogs/1/CloudTrail/us-east-1/1_CloudTrail_us-east-1_x.json.gz", False),
        ("CloudTrail-Digest", False),
    ],
)
def test_digest_files_are_recognised_by_folder_or_name(path: str, digest: bool) -> None:
    # GIVEN a path WHEN it is examined THEN it is a digest file when in a CloudTrail-Digest folder or so named
    assert is_digest_path(path) is digest


def test_count_files_counts_what_the_walk_yields(s3_archive: Path) -> None:
    # GIVEN the trail bucket (3 log files, 2 digest files)
    # WHEN its files are counted THEN digests count: they are items of the run too
    assert count_files([str(s3_archive)]) == 5


def test_a_folder_of_unreadable_things_says_what_was_skipped(tmp_path: Path) -> None:
    # GIVEN a folder holding only a broken link and a pipe
    (tmp_path / "logs").mkdir()
    os.symlink(tmp_path / "gone", tmp_path / "logs" / "a.json")
    os.mkfifo(tmp_path / "logs" / "b.fifo")
    # WHEN its inputs are checked
    with pytest.raises(UnusableInputError) as raised:
        check_inputs([str(tmp_path / "logs")])
    # THEN the error says nothing can be read, and counts the skipped items by category
    assert str(raised.value) == (
        f"nothing to read: '{tmp_path / 'logs'}' holds no file that can be read (skipped: missing 1, not-regular 1)"
    )


def test_a_path_that_cannot_be_examined_is_not_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a file next to a path whose stat fails with a permission error
    good = write(tmp_path / "good.json", b"{}")
    hidden = str(tmp_path / "hidden.json")
    real_stat = os.stat

    def guarded(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path) == hidden:
            raise PermissionError(13, "Permission denied", hidden)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", guarded)
    # WHEN the paths are checked, then discovered
    check_inputs([hidden, str(good)])
    found = walked(hidden, good)
    # THEN checking passes (the run reports it), and discovery reports it as unreadable
    assert found == [Problem(hidden, None, "file", "unreadable", "Permission denied"), InputFile(str(good), str(good))]


def test_a_path_that_vanished_is_missing_in_the_walk(tmp_path: Path) -> None:
    # GIVEN a path that does not exist WHEN discovered THEN it is one missing file
    gone = str(tmp_path / "gone.json")
    assert walked(gone) == [Problem(gone, None, "file", "missing", "no such file or directory")]


@pytest.mark.parametrize("where", ["directory", "entry"])
def test_a_directory_or_entry_that_vanished_during_the_walk_is_missing(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a folder, or its one entry, removed between being found and being examined
    write(tmp_path / "logs" / "a.json", b"{}")
    gone = FileNotFoundError(2, "No such file or directory")
    if where == "directory":
        monkeypatch.setattr(os, "scandir", lambda path: (_ for _ in ()).throw(gone))
        path = str(tmp_path / "logs")
        reason = "cannot list directory: no such file or directory"
    else:
        monkeypatch.setattr(inputs, "_entry", lambda entry: (_ for _ in ()).throw(gone))
        path = str(tmp_path / "logs" / "a.json")
        reason = "no such file or directory"
    # WHEN the folder is walked THEN that is one missing item
    assert walked(tmp_path / "logs") == [Problem(path, None, "file", "missing", reason)]


def test_every_problem_with_the_paths_is_in_one_message(tmp_path: Path) -> None:
    # GIVEN a missing path and an S3 address; then two empty folders
    missing = str(tmp_path / "missing")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # WHEN checked THEN each message names every path, its parts separated by "; "
    with pytest.raises(UnusableInputError) as raised:
        check_inputs([missing, "s3://b/k"])
    assert str(raised.value).startswith(f"no such file or directory: '{missing}'; reading from S3 is supported by")
    with pytest.raises(UnusableInputError) as raised:
        check_inputs([str(tmp_path / "a"), str(tmp_path / "b")])
    assert str(raised.value) == (
        f"nothing to read: '{tmp_path / 'a'}' has no files in it; '{tmp_path / 'b'}' has no files in it"
    )


class _CountingArchive:
    """An archive of three objects under one prefix that counts its listings (the protocol, not AWS)."""

    def __init__(self) -> None:
        self.listings = 0

    def objects(self, url: str) -> Iterator[str]:
        self.listings += 1
        yield from (f"{url}a.json", f"{url}CloudTrail-Digest/d.json", f"{url}b.json")

    def open(self, url: str) -> BinaryIO:
        raise FileNotFoundError(url)


def test_a_prefix_is_listed_once_in_full_for_the_check_the_count_and_the_run() -> None:
    # GIVEN an archive read through reading_s3
    archive = _CountingArchive()
    paths = ["s3://bucket/p/"]
    with inputs.reading_s3(archive):
        # WHEN the input check (which stops at the first object), the progress bar's count and the run list it
        check_inputs(paths)
        total = count_files(paths)
        listed = list(discover(paths))
    # THEN the check's cut-short listing and one full listing reach the archive, and the run sees
    # what the count saw
    assert archive.listings == 2
    assert total == len(listed) == 3
    assert [item.source for item in listed if isinstance(item, InputFile)] == [
        "s3://bucket/p/a.json",
        "s3://bucket/p/b.json",
    ]
