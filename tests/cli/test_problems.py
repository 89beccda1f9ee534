"""Problems: where they are, their JSON shape, and the reasons made from OS errors and JSON values."""

from __future__ import annotations

import pytest

from trailwatch_constructs.cli.problems import Problem, json_type, not_an_object, os_category, os_reason


def test_a_problem_names_its_file_and_record() -> None:
    # GIVEN a record's problem and a file's WHEN placed THEN the record's names its index too
    assert Problem("a.json", 3, "record", "invalid-json", "r").where == "a.json record 3"
    assert Problem("a.json", None, "file", "empty", "r").where == "a.json"
    assert Problem("a.json", 0, "record", "invalid-json", "r").where == "a.json record 0"


def test_a_problem_s_json_shape() -> None:
    assert Problem("a.json", 3, "record", "bad-records", "why").to_json() == {
        "file": "a.json",
        "index": 3,
        "kind": "record",
        "category": "bad-records",
        "reason": "why",
    }


@pytest.mark.parametrize(
    ("error", "category", "reason"),
    [
        (FileNotFoundError(2, "No such file or directory", "x"), "missing", "no such file or directory"),
        (PermissionError(13, "Permission denied", "x"), "unreadable", "Permission denied"),
        (IsADirectoryError(21, "Is a directory", "x"), "unreadable", "Is a directory"),
        (OSError("no errno"), "unreadable", "no errno"),
    ],
)
def test_os_errors_become_a_category_and_a_reason_without_the_file_name(
    error: OSError, category: str, reason: str
) -> None:
    assert (os_category(error), os_reason(error)) == (category, reason)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ({}, "an object"),
        ([], "an array"),
        ("s", "a string"),
        (True, "a boolean"),
        (1, "a number"),
        (1.5, "a number"),
        (None, "null"),
        (b"x", "bytes"),
    ],
)
def test_json_types_are_named_with_their_article(value: object, name: str) -> None:
    assert json_type(value) == name


def test_a_record_that_is_not_an_object() -> None:
    assert not_an_object("f", 4, [1]) == Problem(
        "f", 4, "record", "not-an-object", "record is an array, not a JSON object"
    )
