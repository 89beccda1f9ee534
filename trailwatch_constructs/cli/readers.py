"""Records out of one input: every JSON form CloudTrail records come in, bad input reported as it goes.

Input forms, each optionally gzip-compressed (:mod:`.streams`):

* a CloudTrail log file, ``{"Records": [...]}`` (what CloudTrail writes to S3);
* a JSON array of records;
* one JSON object (one record);
* JSON Lines: one value per line, each of them any of the forms above;
* documents one after another, with or without whitespace between them (``cat a.json.gz
  b.json.gz`` makes ``{"Records": [...]}{"Records": [...]}``; :mod:`.documents`).

Memory stays bounded by the largest single JSON document (or line) in a file, never by the
size of a file of JSON Lines, of a concatenation or of the archive. Reading never raises on bad
input: a problem is yielded as a :class:`~.problems.Problem`, so that the caller can count it
and go on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum, auto
from typing import BinaryIO, Final

import orjson

from trailwatch_constructs.cli.documents import DocumentSplitter, decode_documents, split_documents
from trailwatch_constructs.cli.inputs import STDIN, InputFile
from trailwatch_constructs.cli.problems import Problem, json_type, os_category, os_reason
from trailwatch_constructs.cli.streams import StreamDamage, content


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """Candidate records decoded together; record ``i`` of the batch has file index ``start + i``.

    The items are whatever the JSON held: the caller checks that each one is an object.
    """

    start: int
    records: list[object]


Opener = Callable[[str], BinaryIO]
"""Opens an input's path for reading; raises ``OSError`` when it cannot."""


def _open_path(path: str) -> BinaryIO:
    # buffering=0: we read big chunks ourselves; a buffer would only add a copy.
    return open(path, "rb", buffering=0)


def local_opener() -> Opener:
    """Returns the opener of local files, the default of :func:`read_file`."""
    return _open_path


def read_file(
    item: InputFile, *, stdin: BinaryIO | None = None, opener: Opener | None = None
) -> Iterator[RecordBatch | Problem]:
    """Decodes ``item`` into batches of candidate records, and problems where something is skipped.

    A ``file`` problem (missing, unreadable, invalid JSON, nothing decodable) is the only thing
    yielded for that file. ``record`` problems (a bad line of JSON Lines, a ``Records`` that is not
    a list) use up one record index each. A ``partial`` problem (truncated or corrupt gzip, a read
    error) comes last, after every record decoded before the damage.

    Args:
        item: the file, or standard input.
        stdin: standard input's binary stream; ``None`` when the process has none.
        opener: opens the path for reading (an ``s3://`` object in a replay from S3). Default: an
            unbuffered ``open``.
    """
    if item.path == STDIN:
        if stdin is None:
            yield Problem(item.source, None, "file", "unreadable", "standard input is not available")
            return
        yield from decode(item.source, content(stdin))
        return
    try:
        stream = (opener or _open_path)(item.path)
    except OSError as err:
        yield Problem(item.source, None, "file", os_category(err), os_reason(err))
        return
    with stream:
        yield from decode(item.source, content(stream))


def decode(source: str, chunks: Iterator[bytes]) -> Iterator[RecordBatch | Problem]:
    """Decodes the content of one input, chunk by chunk as it arrives.

    Args:
        source: the input as named in reports.
        chunks: its decompressed content (:func:`~.streams.content`).
    """
    decoder = _Decoder(source)
    damage: StreamDamage | None = None
    try:
        for chunk in chunks:
            yield from decoder.feed(chunk)
    except StreamDamage as err:
        damage = err
    yield from decoder.finish(damage)


class _Mode(Enum):
    """How :class:`_Decoder` cuts what arrives."""

    START = auto()
    """Only blank lines so far: the first non-blank line decides."""
    LINES = auto()
    """JSON Lines (a compact CloudTrail file is one line): each line is decoded when it is complete."""
    DOCUMENT = auto()
    """The first line was not a whole value: the rest is one (pretty-printed) document, gathered whole."""


class _Decoder:
    """Splits one input into lines, or gathers it into one document, and decodes what is complete.

    The first non-blank line decides: a complete JSON value makes the input JSON Lines, anything
    else one multi-line document. A line or document may hold several documents one after another,
    cut apart by a :class:`~.documents.DocumentSplitter`. When the input ends, a document that does
    not decode but whose lines mostly do is JSON Lines with a broken first line, and is read as such.
    """

    def __init__(self, source: str, mode: _Mode = _Mode.START, lines_before: int = 0) -> None:
        """Starts on one input.

        Args:
            source: the input as named in reports.
            mode: how to cut what arrives. Default: the first line decides.
            lines_before: lines of the input before the first byte fed.
        """
        self.source = source
        self.mode = mode
        self.index = 0
        """The file index of the next record."""
        self.line_no = lines_before
        """The 1-based number of the last line split off."""
        self.decoded = False
        """Whether any value was decoded: damage after it loses only the rest."""
        self.pending = DocumentSplitter()
        """The line (or document) not complete yet."""

    def feed(self, chunk: bytes | bytearray) -> list[RecordBatch | Problem]:
        """Returns the records that ``chunk`` completes, and the problems it shows.

        Args:
            chunk: the next bytes of the input.
        """
        if self.mode is _Mode.DOCUMENT or b"\n" not in chunk:
            return self._expand_all(self.pending.feed(chunk), self._pending_line())
        lines: list[bytes | bytearray] = [*chunk.split(b"\n")]
        last = lines.pop()
        out = self._expand_all(self.pending.feed(lines[0]), self.line_no + 1)
        lines[0] = self.pending.take()
        for pos, line in enumerate(lines):
            self.line_no += 1
            if _blank(line):
                continue
            decoded = self._line(line)
            if decoded is None:
                return out + self._begin_document([*lines[pos:], last])
            out += decoded
        return out + self._expand_all(self.pending.feed(last), self.line_no + 1)

    def finish(self, damage: StreamDamage | None) -> Iterator[RecordBatch | Problem]:
        """Yields what is left when the input ends or breaks.

        Args:
            damage: what broke the stream; ``None`` when it ended normally.
        """
        rest = self.pending.take()
        decoded_before = self.decoded
        error: orjson.JSONDecodeError | None = None
        if not _blank(rest):
            line = self._pending_line() if decoded_before else None
            values, error = decode_documents(rest)
            if not values and not decoded_before:
                yield from self._undecodable(rest, error, damage)
                return
            yield from self._expand_all(values, line)
            # After damage a bad last line was most likely cut off by it: the damage report covers it.
            if error is not None and damage is None:
                yield self._bad_record(error, line)
        if damage is not None:
            yield self._damage_problem(damage, lost=decoded_before or error is not None)
        elif not self.decoded:
            yield Problem(self.source, None, "file", "empty", "empty file: no JSON in it")

    def _pending_line(self) -> int | None:
        return None if self.mode is _Mode.DOCUMENT else self.line_no + 1

    def _line(self, line: bytes | bytearray) -> list[RecordBatch | Problem] | None:
        """Returns a complete line's records, or ``None`` when it is the first line of a multi-line document."""
        try:
            return [self._expand(orjson.loads(line), self.line_no)]
        except orjson.JSONDecodeError as err:
            values, rest_error = split_documents(line, err)
        if not values and self.mode is not _Mode.LINES:
            return None
        out = self._expand_all(values, self.line_no)
        if rest_error is not None:
            out.append(self._bad_record(rest_error, self.line_no))
        return out

    def _begin_document(self, lines: list[bytes | bytearray]) -> list[RecordBatch | Problem]:
        self.line_no -= 1  # the document's first line is not split off after all
        self.mode = _Mode.DOCUMENT
        return self._expand_all(self.pending.feed(b"\n".join(lines)), None)

    def _expand(self, value: object, line: int | None) -> RecordBatch | Problem:
        """Returns one top-level JSON value as records: a CloudTrail file's ``Records``, an array, or itself."""
        self.decoded = True
        if self.mode is _Mode.START:
            self.mode = _Mode.LINES
        start = self.index
        if type(value) is dict and "Records" in value:
            records = value["Records"]
            if type(records) is not list:
                self.index += 1
                where = f"line {line}: " if line is not None else ""
                reason = f"{where}'Records' is {json_type(records)}, not an array"
                return Problem(self.source, start, "record", "bad-records", reason)
            value = records
        batch = RecordBatch(start, value if type(value) is list else [value])
        self.index += len(batch.records)
        return batch

    def _expand_all(self, values: list[object], line: int | None) -> list[RecordBatch | Problem]:
        return [self._expand(value, line) for value in values]

    def _bad_record(self, error: orjson.JSONDecodeError, line: int | None) -> Problem:
        where = f"line {line}: " if line is not None else ""
        problem = Problem(self.source, self.index, "record", "invalid-json", f"{where}invalid JSON: {error}")
        self.index += 1
        return problem

    def _undecodable(
        self, data: bytes | bytearray, error: orjson.JSONDecodeError | None, damage: StreamDamage | None
    ) -> list[RecordBatch | Problem]:
        """Nothing in the input decodes: it is cut short, JSON Lines with a broken first line, or not JSON."""
        if damage is not None:
            reason = f"{damage.reason}; the JSON document in it is incomplete"
            return [Problem(self.source, None, "file", damage.category, reason)]
        if _mostly_json_lines(data):
            lines = _Decoder(self.source, _Mode.LINES, lines_before=self.line_no)
            return [*lines.feed(data + b"\n"), *lines.finish(None)]
        reason = f"invalid JSON: {_line_offset(error, self.line_no)}"
        return [Problem(self.source, None, "file", "invalid-json", reason)]

    def _damage_problem(self, damage: StreamDamage, *, lost: bool) -> Problem:
        if not self.decoded:
            return Problem(self.source, None, "file", damage.category, f"{damage.reason}; no record could be decoded")
        rest = ", the rest of the file is lost" if lost else ""
        reason = f"{damage.reason}; the {self.index:,} record(s) before it were read{rest}"
        return Problem(self.source, None, "partial", damage.category, reason)


def _blank(data: bytes | bytearray) -> bool:
    # isspace() stops at the first other byte, where strip() would copy megabytes.
    return not data or data.isspace()


def _mostly_json_lines(data: bytes | bytearray) -> bool:
    """Returns whether more than half of the non-blank lines of ``data`` decode alone.

    Its first line never does (else the input would be JSON Lines already), so one line is not enough.
    """
    lines = [line for line in data.split(b"\n") if not _blank(line)]
    return sum(map(_decodes, lines)) * 2 > len(lines)


def _decodes(line: bytes | bytearray) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


_ORJSON_POSITION: Final = re.compile(r"line (\d+) column (\d+) \(char \d+\)")


def _line_offset(error: orjson.JSONDecodeError | None, lines_before: int) -> str:
    """Returns orjson's message, its position counted from the file's first line rather than the document's."""
    message = str(error)
    if lines_before <= 0:
        return message
    # The character offset is relative to the document, not the file: drop it.
    return _ORJSON_POSITION.sub(lambda m: f"line {int(m[1]) + lines_before} column {m[2]}", message)
