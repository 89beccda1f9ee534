"""Find CloudTrail log files and stream the records out of them, reporting bad input as it goes.

Input forms, each optionally gzip-compressed (detected by the magic bytes, never the name):

* a CloudTrail log file, ``{"Records": [...]}`` (what CloudTrail writes to S3);
* a JSON array of records;
* one JSON object (one record);
* JSON Lines: one value per line, each of them any of the forms above;
* documents one after another, with or without whitespace between them (``cat a.json.gz
  b.json.gz`` makes ``{"Records": [...]}{"Records": [...]}``).

Memory stays bounded by the largest single JSON document (or line) in a file, never by the
size of a file of JSON Lines, of a concatenation or of the archive: files are read and
decompressed in chunks, JSON Lines are decoded line by line as the chunks arrive, and
documents one after another are split off one by one as they grow past :data:`SPLIT_SIZE`.

Reading never raises on bad input. A problem is yielded as a :class:`Problem` naming the file,
the record index where known and the reason, so that the caller can count it and go on. Only
:func:`check_inputs`, run before anything is read, raises: for paths that give nothing to read.
"""

from __future__ import annotations

import os
import re
import stat
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Final, Literal

import orjson

from trailwatch_constructs.core.errors import UnusableInputError

STDIN: Final = "-"
"""The path that means standard input."""
STDIN_SOURCE: Final = "<stdin>"
"""How standard input is named in reports."""

CHUNK_SIZE: Final = 1 << 20
"""Bytes read (and, for gzip, decompressed) at a time: bounds memory per chunk, even for gzip bombs."""

GZIP_MAGIC: Final = b"\x1f\x8b"
S3_SCHEME: Final = "s3://"
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


def check_inputs(paths: Sequence[str]) -> None:
    """Raise :class:`UnusableInputError` unless every path exists and, together, they hold a file.

    Run before any record is read, so that a mistyped path is a usage error rather than an empty
    report. Nothing is opened: a walk stops at the first file found. Problems found later (an
    unreadable file, a digest file among log files) are reported by the run, which goes on.
    """
    remote = [path for path in paths if path.lower().startswith(S3_SCHEME)]
    missing = [path for path in paths if path != STDIN and path not in remote and _missing(path)]
    problems: list[str] = []
    if missing:
        problems.append(f"no such file or directory: {_quoted(missing)}")
    if remote:
        problems.append(
            f"reading from S3 is not supported yet: {_quoted(remote)}; copy the files first "
            f"(e.g. aws s3 sync {remote[0]} ./cloudtrail) and give the local folder"
        )
    if not problems and not any(isinstance(item, InputFile) for item in discover(paths)):
        problems.append("nothing to read: " + "; ".join(map(_why_nothing_to_read, paths)))
    if problems:
        raise UnusableInputError("; ".join(problems))


def _missing(path: str) -> bool:
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False  # there, but cannot be examined: the run reports why
    return False


def _quoted(paths: Sequence[str]) -> str:
    return ", ".join(repr(path) for path in paths)


def _why_nothing_to_read(path: str) -> str:
    """Why ``path``, which exists, yields no file to read."""
    skipped = Counter(item.category for item in discover([path]) if isinstance(item, Problem))
    if not skipped:
        return f"{path!r} has no files in it"
    if set(skipped) == {"digest"}:
        if os.path.isdir(path):
            return f"{path!r} holds only CloudTrail digest files (integrity manifests, not events)"
        return f"{path!r} is a CloudTrail digest file (an integrity manifest, not events)"
    counts = ", ".join(f"{category} {count:,}" for category, count in sorted(skipped.items()))
    return f"{path!r} holds no file that can be read (skipped: {counts})"


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
    mostly do is JSON Lines with a broken first line, and is read as such. A line or document
    that holds several documents one after another (``cat a.json b.json``) is read document by
    document.
    """
    decoder = _Decoder(source)
    damage: _StreamDamage | None = None
    try:
        for chunk in chunks:
            yield from decoder.feed(chunk)
    except _StreamDamage as err:
        damage = err
    yield from decoder.finish(damage)


class _Decoder:
    """What :func:`_decode` knows of one file so far."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.index = 0  # file index of the next record
        self.line_no = 0  # 1-based number of the last line split off
        self.lines_mode = False  # a value was decoded: what follows is read value by value
        self.document = False  # the first line was not a value: the rest is one multi-line document
        self.gathered = _DocumentSplitter()  # the line (or the document) not complete yet

    def feed(self, chunk: bytes) -> Iterator[RecordBatch | Problem]:
        """The records that ``chunk`` completes, and the problems it shows."""
        if self.document or b"\n" not in chunk:
            yield from self._expand_all(self.gathered.feed(chunk), self._gathered_line())
            return
        lines = chunk.split(b"\n")
        last = lines.pop()
        yield from self._expand_all(self.gathered.feed(lines[0]), self.line_no + 1)
        lines[0] = self.gathered.take()
        for pos, line in enumerate(lines):
            self.line_no += 1
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as err:
                items = self._not_one_value(line, err)
                if items is None:
                    yield from self._begin_document([*lines[pos:], last])
                    return
                yield from items
                continue
            yield self._expand(value, self.line_no)
        yield from self._expand_all(self.gathered.feed(last), self.line_no + 1)

    def finish(self, damage: _StreamDamage | None) -> Iterator[RecordBatch | Problem]:
        """What is left when the stream ends, or breaks (``damage``)."""
        rest = self.gathered.take()
        decoded_before = self.lines_mode
        error: orjson.JSONDecodeError | None = None
        if rest.strip():
            line = self._gathered_line() if decoded_before else None
            values, error = _decode_all(rest)
            if not values and not decoded_before:
                yield from self._undecodable(rest, error, damage)
                return
            yield from self._expand_all(values, line)
            # After damage a bad last line was most likely cut off by it: the damage report covers it.
            if error is not None and damage is None:
                yield self._bad_record(error, line)
        if damage is not None:
            yield self._damage_problem(damage, lost=decoded_before or error is not None)
        elif not self.lines_mode:
            yield Problem(self.source, None, "file", "empty", "empty file: no JSON in it")

    def _gathered_line(self) -> int | None:
        return None if self.document else self.line_no + 1

    def _expand(self, value: object, line: int | None) -> RecordBatch | Problem:
        out = _expand(self.source, value, self.index, line)
        self.index += len(out.records) if isinstance(out, RecordBatch) else 1
        self.lines_mode = True
        return out

    def _expand_all(self, values: list[object], line: int | None) -> list[RecordBatch | Problem]:
        return [self._expand(value, line) for value in values]

    def _bad_record(self, error: orjson.JSONDecodeError, line: int | None) -> Problem:
        where = f"line {line}: " if line is not None else ""
        problem = Problem(self.source, self.index, "record", "invalid-json", f"{where}invalid JSON: {error}")
        self.index += 1
        return problem

    def _not_one_value(self, line: bytes, error: orjson.JSONDecodeError) -> list[RecordBatch | Problem] | None:
        """A line that is not one JSON value: several, a broken record, or ``None``: the first line of a document."""
        values, rest_error = _split_documents(line, error)
        if not values and not self.lines_mode:
            return None
        out = self._expand_all(values, self.line_no)
        if rest_error is not None:
            out.append(self._bad_record(rest_error, self.line_no))
        return out

    def _begin_document(self, lines: list[bytes]) -> list[RecordBatch | Problem]:
        """The first line is not a whole value: the rest of the stream is one (pretty-printed) document."""
        self.line_no -= 1
        self.document = True
        return self._expand_all(self.gathered.feed(b"\n".join(lines)), None)

    def _undecodable(
        self, data: bytes, error: orjson.JSONDecodeError | None, damage: _StreamDamage | None
    ) -> Iterator[RecordBatch | Problem]:
        """Nothing in the file decodes: it is cut short, JSON Lines with a broken first line, or not JSON."""
        if damage is not None:
            reason = f"{damage.reason}; the JSON document in it is incomplete"
            yield Problem(self.source, None, "file", damage.category, reason)
            return
        salvaged = _as_broken_json_lines(self.source, data, self.line_no)
        if salvaged is not None:
            yield from salvaged
            return
        reason = f"invalid JSON: {_line_offset(str(error), self.line_no)}"
        yield Problem(self.source, None, "file", "invalid-json", reason)

    def _damage_problem(self, damage: _StreamDamage, *, lost: bool) -> Problem:
        if not self.lines_mode:
            reason = f"{damage.reason}; no record could be decoded"
            return Problem(self.source, None, "file", damage.category, reason)
        rest = ", the rest of the file is lost" if lost else ""
        reason = f"{damage.reason}; the {self.index:,} record(s) before it were read{rest}"
        return Problem(self.source, None, "partial", damage.category, reason)


# --- concatenated documents -------------------------------------------------------------------

SPLIT_SIZE: Final = 16 * CHUNK_SIZE
"""Bytes of one line or document beyond which it is searched for document boundaries as it grows.

Below it, a line or document is decoded whole, and split only when that fails: reading one
CloudTrail file (a few MB) costs no search. Beyond it, documents one after another (``cat
*.json.gz``) are split off as they arrive, so that memory holds one of them, never all."""

_PAIR: Final = re.compile(rb"[}\]][ \t\r\n]*[{\[]")
"""A closing bracket, then an opening one. Outside strings, valid JSON has one only where a
document ends and the next begins: inside a document a comma comes between."""
_TRAILING_CLOSER: Final = re.compile(rb"[}\]][ \t\r\n]*\Z")
_SKIP_OUTSIDE_STRINGS: Final = re.compile(rb'(?:[^"]++|"(?:[^"\\]++|\\.)*+")*+', re.DOTALL)
_SKIP_INSIDE_STRING: Final = re.compile(rb'(?:[^"\\]++|\\.)*+', re.DOTALL)
_QUOTE: Final = ord('"')


class _DocumentSplitter:
    """The bytes of a line (or of a multi-line document) being gathered, cut where a document ends.

    A document ends at a closing bracket followed by an opening one (:data:`_PAIR`), and is split
    off when it decodes there. A pair inside a string makes that decoding fail; from then on
    strings are tracked (scanning each byte once) and such pairs passed over. A document that
    does not decode where it ends is broken: splitting stops, and the rest stays gathered.
    """

    def __init__(self, data: bytes = b"") -> None:
        self._buffer = bytearray(data)
        self._track_strings = False
        self._broken = False
        self._start_document()

    def _start_document(self) -> None:
        self._searched = 0  # pairs that start before this offset have been looked at
        self._scanned = 0  # whether the offset is inside a string is known up to here
        self._in_string = False

    def feed(self, data: bytes) -> list[object]:
        """Gather ``data``; the documents split off past :data:`SPLIT_SIZE`, decoded."""
        self._buffer += data
        return self.split() if len(self._buffer) > SPLIT_SIZE else []

    def split(self) -> list[object]:
        """Split off, decoded, every gathered document that another one follows."""
        documents: list[object] = []
        while not self._broken and (pair := self._next_pair()) is not None:
            closer = pair.start()
            self._searched = closer + 1
            if self._track_strings and not self._outside_strings(closer):
                continue
            try:
                documents.append(orjson.loads(self._buffer[: closer + 1]))
            except orjson.JSONDecodeError:
                # Either the pair is inside a string, or the document is broken.
                self._broken = self._track_strings or self._outside_strings(closer)
                self._track_strings = True
                continue
            del self._buffer[: pair.end() - 1]  # the next document starts at the opening bracket
            self._start_document()
        return documents

    def take(self) -> bytes:
        """What was gathered and not split off (the last document, whole or not); then start afresh."""
        rest = bytes(self._buffer)
        self._buffer.clear()
        self._track_strings = self._broken = False
        self._start_document()
        return rest

    def _next_pair(self) -> re.Match[bytes] | None:
        pair = _PAIR.search(self._buffer, self._searched)
        if pair is None:
            # A closing bracket at the end may yet be followed by an opening one: look again from it.
            tail = _TRAILING_CLOSER.search(self._buffer, self._searched)
            self._searched = len(self._buffer) if tail is None else tail.start()
        return pair

    def _outside_strings(self, offset: int) -> bool:
        """Whether ``offset`` of the current document lies outside every string."""
        while self._scanned < offset:
            skip = _SKIP_INSIDE_STRING if self._in_string else _SKIP_OUTSIDE_STRINGS
            match = skip.match(self._buffer, self._scanned, offset)
            assert match is not None  # both patterns match the empty string
            stop = match.end()
            if stop == offset or self._buffer[stop] != _QUOTE:
                # The string goes on past ``offset`` (or an escape straddles it): resume from here.
                self._scanned = stop
                break
            self._scanned = stop + 1
            self._in_string = not self._in_string
        return not self._in_string


def _decode_all(data: bytes) -> tuple[list[object], orjson.JSONDecodeError | None]:
    """The documents in ``data`` (one, or several one after another), and the error that stopped decoding."""
    try:
        return [orjson.loads(data)], None
    except orjson.JSONDecodeError as err:
        return _split_documents(data, err)


def _split_documents(data: bytes, error: orjson.JSONDecodeError) -> tuple[list[object], orjson.JSONDecodeError | None]:
    """``data`` does not decode as one document (``error``): the documents it holds one after another."""
    splitter = _DocumentSplitter(data)
    documents = splitter.split()
    if not documents:
        return [], error
    try:
        documents.append(orjson.loads(splitter.take()))
    except orjson.JSONDecodeError as err:
        return documents, err
    return documents, None


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
