"""JSON documents one after another (``cat a.json b.json``): found where one ends and the next begins."""

from __future__ import annotations

import re
from typing import Final

import orjson

from trailwatch_constructs.cli.streams import CHUNK_SIZE

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


class DocumentSplitter:
    """The bytes of a line (or of a multi-line document) being gathered, cut where a document ends.

    A document ends at a closing bracket followed by an opening one (:data:`_PAIR`), and is split
    off when it decodes there. A pair inside a string makes that decoding fail; from then on
    strings are tracked (scanning each byte once) and such pairs passed over. A document that
    does not decode where it ends is broken: splitting stops, and the rest stays gathered.
    """

    def __init__(self, data: bytes | bytearray = b"") -> None:
        """Starts gathering.

        Args:
            data: the bytes gathered so far.
        """
        self._buffer = bytearray(data)
        self._track_strings = False
        self._broken = False
        self._start_document()

    def _start_document(self) -> None:
        self._searched = 0  # pairs that start before this offset have been looked at
        self._scanned = 0  # whether the offset is inside a string is known up to here
        self._in_string = False

    def feed(self, data: bytes | bytearray) -> list[object]:
        """Gathers ``data``.

        Args:
            data: the next bytes of the line or document.

        Returns:
            The documents split off, decoded: none until :data:`SPLIT_SIZE` bytes are gathered.
        """
        self._buffer += data
        return self.split() if len(self._buffer) > SPLIT_SIZE else []

    def split(self) -> list[object]:
        """Splits off every gathered document that another one follows.

        Returns:
            Those documents, decoded, in order.
        """
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

    def take(self) -> bytearray:
        """Returns what was gathered and not split off (the last document, whole or not); then starts afresh.

        The buffer itself is handed over, not a copy: a CloudTrail file is one document of megabytes.
        """
        rest, self._buffer = self._buffer, bytearray()
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
        """Returns whether ``offset`` of the current document lies outside every string."""
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


def decode_documents(data: bytes | bytearray) -> tuple[list[object], orjson.JSONDecodeError | None]:
    """Decodes one document, or several one after another.

    Args:
        data: a whole line or file.

    Returns:
        The documents decoded, and the error that stopped decoding (``None`` when all of ``data`` decoded).
    """
    try:
        return [orjson.loads(data)], None
    except orjson.JSONDecodeError as err:
        return split_documents(data, err)


def split_documents(
    data: bytes | bytearray, error: orjson.JSONDecodeError
) -> tuple[list[object], orjson.JSONDecodeError | None]:
    """Decodes the documents one after another in ``data``, which does not decode as one document.

    Args:
        data: a whole line or file.
        error: why ``data`` does not decode as one document.

    Returns:
        As for :func:`decode_documents`; no documents and ``error`` when ``data`` holds no document boundary.
    """
    splitter = DocumentSplitter(data)
    documents = splitter.split()
    if not documents:
        return [], error
    try:
        documents.append(orjson.loads(splitter.take()))
    except orjson.JSONDecodeError as err:
        return documents, err
    return documents, None
