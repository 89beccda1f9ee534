"""The bytes of one input, read and (when gzip) decompressed in chunks; damage raised where it happens."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO, Final

from trailwatch_constructs.cli.problems import ProblemCategory, os_reason

CHUNK_SIZE: Final = 1 << 20
"""Bytes read (and, for gzip, decompressed) at a time: bounds memory per chunk, even for gzip bombs."""

GZIP_MAGIC: Final = b"\x1f\x8b"
_GZIP_WBITS: Final = zlib.MAX_WBITS | 16


class StreamDamage(Exception):
    """The byte stream broke after some data was delivered: what came before is still good."""

    def __init__(self, category: ProblemCategory, reason: str) -> None:
        """Names the damage.

        Args:
            category: ``unreadable``, ``truncated-gzip`` or ``corrupt-gzip``.
            reason: one human sentence.
        """
        super().__init__(reason)
        self.category: ProblemCategory = category
        self.reason = reason


def content(stream: BinaryIO) -> Iterator[bytes]:
    """Yields the decompressed content of ``stream``, gzip detected by its magic bytes, never the name.

    Args:
        stream: an unbuffered binary file, pipe or standard input.

    Raises:
        StreamDamage: after yielding what could be read, where the stream breaks.
    """
    raw = _raw_chunks(stream)
    first = next(raw, b"")
    # A pipe may deliver fewer than two bytes in its first read.
    while len(first) < len(GZIP_MAGIC) and (more := next(raw, None)) is not None:
        first += more
    if first.startswith(GZIP_MAGIC):
        yield from _gunzip(first, raw)
        return
    if first:
        yield first
    yield from raw


def _raw_chunks(stream: BinaryIO) -> Iterator[bytes]:
    try:
        while chunk := stream.read(CHUNK_SIZE):
            yield chunk
    except OSError as err:
        raise StreamDamage("unreadable", f"read error: {os_reason(err)}") from err


def _gunzip(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    """Decompresses gzip members one after another (what ``cat a.gz b.gz`` makes).

    ``zlib.decompressobj`` rather than :mod:`gzip` because ``gzip`` throws away what it decoded
    when the stream turns out truncated, and a truncated JSON Lines file still has good lines.
    Zero bytes between or after members are padding, skipped (see :func:`_next_member`).
    """
    data: bytes | None = first
    produced = 0
    while data is not None:
        member = zlib.decompressobj(_GZIP_WBITS)
        for out in _member(member, data, rest, produced):
            produced += len(out)
            yield out
        data = _next_member(member.unused_data, rest)


def _member(member: zlib._Decompress, data: bytes, rest: Iterator[bytes], produced: int) -> Iterator[bytes]:
    """Yields one gzip member's content, reading ``rest`` until its end-of-stream marker."""
    while True:
        try:
            out = member.decompress(data, CHUNK_SIZE)
        except zlib.error as err:
            raise StreamDamage("corrupt-gzip", f"corrupt gzip data after {produced:,} bytes: {err}") from err
        produced += len(out)
        if out:
            yield out
        if member.eof:
            return
        data = member.unconsumed_tail
        # A full output chunk may leave input to decompress, or output pending inside zlib even
        # with no input left; a shorter one means that zlib used up all the input it was given.
        if len(out) == CHUNK_SIZE:
            continue
        more = next(rest, None)
        if more is None:
            raise StreamDamage(
                "truncated-gzip",
                f"gzip stream is truncated (it ends before its end-of-stream marker, after {produced:,} bytes)",
            )
        data = more


def _next_member(data: bytes, rest: Iterator[bytes]) -> bytes | None:
    """Returns the start of the next gzip member after the end of one, or ``None`` at the end of the stream.

    Zero bytes after a member are padding (tapes and some tools write it), skipped wherever the
    reads happen to cut them; anything else that is not a gzip member is damage.

    Args:
        data: what followed the end of the last member in the same read.
        rest: the reads after it.
    """
    while True:
        data = data.lstrip(b"\0")
        # The next member's magic may straddle two reads.
        if len(data) < len(GZIP_MAGIC) and (more := next(rest, None)) is not None:
            data += more
            continue
        if data.startswith(GZIP_MAGIC):
            return data
        if data:
            raise StreamDamage("corrupt-gzip", "data that is not gzip follows the end of the gzip stream")
        return None
