"""Find CloudTrail log files and stream the records out of them, reporting bad input as it goes.

Input forms, each optionally gzip-compressed (detected by the magic bytes, never the name):

* a CloudTrail log file, ``{"Records": [...]}`` (what CloudTrail writes to S3);
* a JSON array of records;
* one JSON object (one record);
* JSON Lines: one value per line, each of them any of the forms above.

Memory stays bounded by the largest single JSON document (or line) in a file, never by the
size of a file of JSON Lines or of the archive: files are read and decompressed in chunks, and
JSON Lines are decoded line by line as the chunks arrive.

Nothing here raises on bad input. A problem is yielded as a :class:`Problem` naming the file,
the record index where known and the reason, so that the caller can count it and go on.
"""

from __future__ import annotations

import os
import re
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Final, Literal

import orjson

STDIN: Final = "-"
"""The path that means standard input."""
STDIN_SOURCE: Final = "<stdin>"
"""How standard input is named in reports."""

CHUNK_SIZE: Final = 1 << 20
"""Bytes read (and, for gzip, decompressed) at a time: bounds memory per chunk, even for gzip bombs."""

GZIP_MAGIC: Final = b"\x1f\x8b"
DIGEST_DIR: Final = "CloudTrail-Digest"
DIGEST_MARK: Final = "_CloudTrail-Digest_"

ProblemKind = Literal["file", "record", "partial"]
"""``file``: a whole file was skipped; ``record``: one record was skipped;
``partial``: a file was read up to a point and the rest of it is lost."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that was not evaluated, and why."""

    source: str
    """The file as named in reports (``<stdin>`` for standard input)."""
    index: int | None
    """0-based record index in the file; ``None`` when the problem is not one record."""
    kind: ProblemKind
    category: str
    """A stable machine-readable code, e.g. ``digest``, ``invalid-json``, ``truncated-gzip``."""
    reason: str
    """One human sentence."""

    def to_json(self) -> dict[str, object]:
        """The JSON shape used by the reports."""
        return {
            "file": self.source,
            "index": self.index,
            "kind": self.kind,
            "category": self.category,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read: ``path`` on disk, or standard input when ``path`` is ``-``."""

    source: str
    path: str


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """Candidate records decoded together; record ``i`` of the batch has file index ``start + i``.

    The items are whatever the JSON held: the caller checks that each one is an object.
    """

    start: int
    records: list[object]


# --- finding files ----------------------------------------------------------------------------


def is_digest_path(path: str) -> bool:
    """Whether ``path`` is a CloudTrail digest file (an integrity manifest, not events)."""
    parts = path.replace("\\", "/").split("/")
    return DIGEST_DIR in parts[:-1] or DIGEST_MARK in parts[-1]


def _digest_problem(source: str) -> Problem:
    return Problem(source, None, "file", "digest", "CloudTrail digest file (an integrity manifest, not events)")


def discover(paths: Sequence[str]) -> Iterator[InputFile | Problem]:
    """Every file under ``paths`` in a stable order, or a :class:`Problem` for one that is skipped.

    Directories are walked recursively, entries sorted by name, so ``AWSLogs/<account>/CloudTrail/
    <region>/YYYY/MM/DD/*.json.gz`` (and ``AWSLogs/o-xxxx/<account>/...`` for organization trails)
    come out in account, region and time order. Digest files, broken links and special files found
    in a walk are yielded as problems so that they are counted. A path named explicitly may be a
    pipe (``<(zcat ...)``); ``-`` is standard input.
    """
    for path in paths:
        if path == STDIN:
            yield InputFile(STDIN_SOURCE, STDIN)
            continue
        try:
            st = os.stat(path)
        except OSError as err:
            yield Problem(path, None, "file", _os_category(err), _os_reason(err))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path)
        elif is_digest_path(path):
            yield _digest_problem(path)
        else:
            yield InputFile(path, path)


def _walk(directory: str) -> Iterator[InputFile | Problem]:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as err:
        yield Problem(directory, None, "file", _os_category(err), f"cannot list directory: {_os_reason(err)}")
        return
    for entry in entries:
        path = entry.path
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(path)
            elif entry.is_file():  # follows symbolic links to files
                yield _digest_problem(path) if is_digest_path(path) else InputFile(path, path)
            elif entry.is_symlink():
                target_is_dir = os.path.isdir(path)
                reason = "symbolic link to a directory (not followed)" if target_is_dir else "broken symbolic link"
                yield Problem(path, None, "file", "not-followed" if target_is_dir else "missing", reason)
            else:
                yield Problem(path, None, "file", "not-regular", "not a regular file (a pipe, socket or device)")
        except OSError as err:
            yield Problem(path, None, "file", _os_category(err), _os_reason(err))


def count_files(paths: Sequence[str]) -> int:
    """How many items :func:`discover` will yield (for a progress bar's total); walks, reads nothing."""
    return sum(1 for _ in discover(paths))


def _os_category(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "missing"
    return "unreadable"


def _os_reason(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "no such file or directory"
    # Drop the filename that OSError appends: the report already names the file.
    return err.strerror or str(err)


# --- reading bytes ----------------------------------------------------------------------------


class _StreamDamage(Exception):
    """The byte stream broke after some data was delivered: what came before is still good."""

    def __init__(self, category: str, reason: str) -> None:
        super().__init__(reason)
        self.category = category
        self.reason = reason


def _raw_chunks(stream: BinaryIO) -> Iterator[bytes]:
    try:
        while chunk := stream.read(CHUNK_SIZE):
            yield chunk
    except OSError as err:
        raise _StreamDamage("unreadable", f"read error: {_os_reason(err)}") from err


def _gunzip(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    """Decompress gzip data chunk by chunk; raise :class:`_StreamDamage` where it breaks.

    ``zlib.decompressobj`` rather than :mod:`gzip` because ``gzip`` throws away what it decoded
    when the stream turns out truncated, and a truncated JSON Lines file still has good lines.
    Concatenated gzip members (what ``cat a.gz b.gz`` makes) are decoded one after the other;
    zero padding after the last member is ignored, like gzip(1) does.
    """
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
    produced = 0
    data = first
    while True:
        if decoder.eof:
            # Between two members: ``data`` is what followed the end of the last one.
            if data.startswith(GZIP_MAGIC):
                decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
            elif len(data) < len(GZIP_MAGIC) and (more := next(rest, None)) is not None:
                data += more  # the next member's magic may straddle two reads
                continue
            elif data.strip(b"\0"):
                raise _StreamDamage("corrupt-gzip", "data that is not gzip follows the end of the gzip stream")
            else:
                more = next(rest, None)
                if more is None:
                    return
                data = more
                continue
        while True:
            try:
                out = decoder.decompress(data, CHUNK_SIZE)
            except zlib.error as err:
                raise _StreamDamage("corrupt-gzip", f"corrupt gzip data after {produced:,} bytes: {err}") from err
            if out:
                produced += len(out)
                yield out
            if decoder.eof:
                data = decoder.unused_data
                break
            data = decoder.unconsumed_tail
            # A full output chunk may leave output pending inside zlib even with no input left.
            if not data and len(out) < CHUNK_SIZE:
                break
        if decoder.eof:
            continue
        more = next(rest, None)
        if more is None:
            raise _StreamDamage(
                "truncated-gzip",
                f"gzip stream is truncated (it ends before its end-of-stream marker, after {produced:,} bytes)",
            )
        data = more


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    """The decompressed content of ``stream``, gzip detected by its magic bytes."""
    raw = _raw_chunks(stream)
    first = next(raw, b"")
    # A pipe may deliver fewer than two bytes in its first read.
    while len(first) < len(GZIP_MAGIC):
        more = next(raw, None)
        if more is None:
            break
        first += more
    if first.startswith(GZIP_MAGIC):
        yield from _gunzip(first, raw)
    else:
        if first:
            yield first
        yield from raw


# --- decoding JSON ----------------------------------------------------------------------------


_OpenFunc = Callable[[str], BinaryIO]


def _open_path(path: str) -> BinaryIO:
    # buffering=0: we read big chunks ourselves; a buffer would only add a copy.
    return open(path, "rb", buffering=0)


def read_file(
    item: InputFile, *, stdin: BinaryIO | None = None, opener: _OpenFunc | None = None
) -> Iterator[RecordBatch | Problem]:
    """Decode ``item``: batches of candidate records, and problems where something is skipped.

    A ``file`` problem (missing, unreadable, invalid JSON, nothing decodable) is the only thing
    yielded for that file. ``record`` problems (a bad line of JSON Lines, a ``Records`` that is not
    a list) use up one record index each. A ``partial`` problem (truncated or corrupt gzip, a read
    error) comes last, after every record decoded before the damage.
    """
    if item.path == STDIN:
        if stdin is None:
            yield Problem(item.source, None, "file", "unreadable", "standard input is not available")
            return
        yield from _decode(item.source, _chunks(stdin))
        return
    try:
        stream = (opener or _open_path)(item.path)
    except OSError as err:
        yield Problem(item.source, None, "file", _os_category(err), _os_reason(err))
        return
    with stream:
        yield from _decode(item.source, _chunks(stream))


def _expand(source: str, value: object, index: int, line: int | None) -> RecordBatch | Problem:
    """One top-level JSON value as records: a CloudTrail file's ``Records``, an array, or itself."""
    if type(value) is dict and "Records" in value:
        records = value["Records"]
        if type(records) is list:
            return RecordBatch(index, records)
        where = f"line {line}: " if line is not None else ""
        return Problem(
            source, index, "record", "bad-records", f"{where}'Records' is {_json_type(records)}, not an array"
        )
    if type(value) is list:
        return RecordBatch(index, value)
    return RecordBatch(index, [value])


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def describe_non_object(value: object) -> str:
    """The reason a record that is not a JSON object is skipped."""
    return f"record is {_json_type(value)}, not a JSON object"


def _decode(source: str, chunks: Iterator[bytes]) -> Iterator[RecordBatch | Problem]:
    """Split ``chunks`` into JSON Lines, or gather them into one document, and decode.

    The first non-blank line decides: if it is a complete JSON value the content is JSON Lines
    (a compact CloudTrail file is a single line, so it is too, harmlessly); otherwise it is one
    (pretty-printed) document, decoded whole. A document that does not decode but whose lines
    mostly do is JSON Lines with a broken first line, and is read as such.
    """
    index = 0  # file index of the next record
    line_no = 0  # 1-based number of the last line split off
    lines_mode = False
    pieces: list[bytes] = []  # the line being gathered, not yet terminated by a newline
    document: list[bytes] | None = None
    damage: _StreamDamage | None = None

    def expand(value: object, number: int) -> RecordBatch | Problem:
        nonlocal index
        out = _expand(source, value, index, number)
        index += len(out.records) if isinstance(out, RecordBatch) else 1
        return out

    try:
        for chunk in chunks:
            if document is not None:
                document.append(chunk)
                continue
            if b"\n" not in chunk:
                # A long line (a whole CloudTrail file is one): gather the pieces and join them
                # once, instead of re-copying a growing buffer for every chunk.
                pieces.append(chunk)
                continue
            parts = chunk.split(b"\n")
            if pieces:
                pieces.append(parts[0])
                parts[0] = b"".join(pieces)
            pieces = [parts.pop()]
            for pos, raw in enumerate(parts):
                line_no += 1
                if not raw.strip():
                    continue
                try:
                    value = orjson.loads(raw)
                except orjson.JSONDecodeError as err:
                    if not lines_mode:
                        # Not a complete value on its own: one multi-line document. Keep the
                        # remaining bytes verbatim and gather the rest of the stream.
                        line_no -= 1
                        document = [b"\n".join(parts[pos:]), b"\n", *pieces]
                        pieces = []
                        break
                    yield Problem(source, index, "record", "invalid-json", f"line {line_no}: invalid JSON: {err}")
                    index += 1
                    continue
                lines_mode = True
                yield expand(value, line_no)
    except _StreamDamage as err:
        damage = err

    if document is not None:
        yield from _decode_document(source, b"".join(document), line_no, damage)
        return

    last = b"".join(pieces)
    if last.strip():
        line_no += 1
        if not lines_mode:
            # The whole stream is one line: an ordinary single-document file.
            yield from _decode_document(source, last, line_no - 1, damage)
            return
        try:
            value = orjson.loads(last)
        except orjson.JSONDecodeError as err:
            # After damage the last line was most likely cut off by it: the damage report
            # covers it. Otherwise it is one more bad line.
            if damage is None:
                yield Problem(source, index, "record", "invalid-json", f"line {line_no}: invalid JSON: {err}")
                index += 1
        else:
            yield expand(value, line_no)

    if damage is not None:
        if lines_mode:
            yield Problem(
                source,
                None,
                "partial",
                damage.category,
                f"{damage.reason}; the {index:,} record(s) before it were read, the rest of the file is lost",
            )
        else:
            yield Problem(source, None, "file", damage.category, f"{damage.reason}; no record could be decoded")
    elif not lines_mode:
        yield Problem(source, None, "file", "empty", "empty file: no JSON in it")


def _decode_document(
    source: str, data: bytes, lines_before: int, damage: _StreamDamage | None
) -> Iterator[RecordBatch | Problem]:
    """Decode one whole document (``lines_before`` lines were consumed before ``data``)."""
    if not data.strip():
        if damage is not None:
            yield Problem(source, None, "file", damage.category, f"{damage.reason}; no record could be decoded")
        else:
            yield Problem(source, None, "file", "empty", "empty file: no JSON in it")
        return
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as err:
        if damage is not None:
            yield Problem(
                source, None, "file", damage.category, f"{damage.reason}; the JSON document in it is incomplete"
            )
            return
        salvaged = _as_broken_json_lines(source, data, lines_before)
        if salvaged is not None:
            yield from salvaged
            return
        yield Problem(source, None, "file", "invalid-json", f"invalid JSON: {_line_offset(str(err), lines_before)}")
        return
    out = _expand(source, value, 0, None)
    yield out
    if damage is not None:
        # Decoded whole although the stream broke afterwards (e.g. junk after the gzip stream).
        records = len(out.records) if isinstance(out, RecordBatch) else 0
        yield Problem(
            source,
            None,
            "partial",
            damage.category,
            f"{damage.reason}; the {records:,} record(s) before it were read",
        )


_ORJSON_POSITION = re.compile(r"line (\d+) column (\d+) \(char \d+\)")


def _line_offset(message: str, lines_before: int) -> str:
    """orjson's position, counted from the file's first line rather than the document's."""
    if lines_before <= 0:
        return message
    # The character offset is relative to the document, not the file: drop it.
    return _ORJSON_POSITION.sub(lambda m: f"line {int(m[1]) + lines_before} column {m[2]}", message)


def _as_broken_json_lines(source: str, data: bytes, lines_before: int) -> list[RecordBatch | Problem] | None:
    """JSON Lines whose first line is broken, or ``None`` when most lines do not decode either."""
    lines = data.split(b"\n")
    non_blank = [raw for raw in lines if raw.strip()]
    if len(non_blank) < 2:
        return None
    decoded: list[object | orjson.JSONDecodeError] = []
    good = 0
    for raw in non_blank:
        try:
            decoded.append(orjson.loads(raw))
            good += 1
        except orjson.JSONDecodeError as err:
            decoded.append(err)
    if good * 2 <= len(non_blank):
        return None
    out: list[RecordBatch | Problem] = []
    index = 0
    line_no = lines_before
    values = iter(decoded)
    for raw in lines:
        line_no += 1
        if not raw.strip():
            continue
        value = next(values)
        if isinstance(value, orjson.JSONDecodeError):
            out.append(Problem(source, index, "record", "invalid-json", f"line {line_no}: invalid JSON: {value}"))
            index += 1
            continue
        item = _expand(source, value, index, line_no)
        index += len(item.records) if isinstance(item, RecordBatch) else 1
        out.append(item)
    return out


def iter_inputs(paths: Iterable[str]) -> list[str]:
    """The paths to read: ``-`` (standard input) when none are given."""
    given = list(paths)
    return given or [STDIN]
