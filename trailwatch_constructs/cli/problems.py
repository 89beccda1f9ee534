"""What could not be evaluated, and why: :class:`Problem` and its closed sets of kinds and categories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

ProblemKind = Literal["file", "record", "partial"]
"""``file``: a whole file was skipped; ``record``: one record was skipped;
``partial``: a file was read up to a point and the rest of it is lost."""

ProblemCategory = Literal[
    "digest",
    "missing",
    "unreadable",
    "not-followed",
    "not-regular",
    "empty",
    "invalid-json",
    "bad-records",
    "not-an-object",
    "truncated-gzip",
    "corrupt-gzip",
]
"""Every stable machine-readable code a problem carries (docs/cli.md, "Bad input", lists them)."""

DIGEST: Final[ProblemCategory] = "digest"
"""The category of CloudTrail digest files: expected in a trail's bucket, so never "damage"."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that was not evaluated, and why."""

    source: str
    """The file as named in reports (``<stdin>`` for standard input)."""
    index: int | None
    """0-based record index in the file; ``None`` when the problem is not one record."""
    kind: ProblemKind
    category: ProblemCategory
    reason: str
    """One human sentence."""

    @property
    def where(self) -> str:
        """The file, and the record when the problem is about one: ``a.json record 3``."""
        return self.source if self.index is None else f"{self.source} record {self.index}"

    def to_json(self) -> dict[str, object]:
        """Returns the JSON shape used by the reports."""
        return {
            "file": self.source,
            "index": self.index,
            "kind": self.kind,
            "category": self.category,
            "reason": self.reason,
        }


def os_category(err: OSError) -> ProblemCategory:
    """Returns the category of a file that the OS would not give us.

    Args:
        err: what ``open``, ``stat``, ``scandir`` or ``read`` raised.
    """
    return "missing" if isinstance(err, FileNotFoundError) else "unreadable"


def os_reason(err: OSError) -> str:
    """Returns the OS's reason, without the file name that ``OSError`` appends (reports name the file).

    Args:
        err: what ``open``, ``stat``, ``scandir`` or ``read`` raised.
    """
    if isinstance(err, FileNotFoundError):
        return "no such file or directory"
    return err.strerror or str(err)


def json_type(value: object) -> str:
    """Returns the JSON type of a decoded value, with its article: ``an object``, ``a number``, ``null``.

    Args:
        value: anything ``orjson.loads`` returns.
    """
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), type(value).__name__)


_JSON_TYPES: Final[dict[type, str]] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
}


def not_an_object(source: str, index: int, value: object) -> Problem:
    """Returns the problem of a record that is not a JSON object (and so cannot be evaluated).

    Args:
        source: the file as named in reports.
        index: the record's index in the file.
        value: the record.
    """
    return Problem(source, index, "record", "not-an-object", f"record is {json_type(value)}, not a JSON object")
