"""Finding the files to read: paths checked up front, directories walked, S3 prefixes listed, digest files set aside."""

from __future__ import annotations

import contextlib
import os
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import BinaryIO, Final, Protocol

from trailwatch_constructs.cli.problems import DIGEST, Problem, os_category, os_reason
from trailwatch_constructs.core.errors import UnusableInputError

STDIN: Final = "-"
"""The path that means standard input."""
STDIN_SOURCE: Final = "<stdin>"
"""How standard input is named in reports."""

S3_SCHEME: Final = "s3://"
DIGEST_DIR: Final = "CloudTrail-Digest"
DIGEST_MARK: Final = "_CloudTrail-Digest_"


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read: ``path`` on disk, an ``s3://`` object, or standard input when ``path`` is ``-``."""

    source: str
    """The file as named in reports."""
    path: str


class RemoteArchive(Protocol):
    """Lists and opens the objects under ``s3://`` addresses (``aws.s3_archive.S3Archive``)."""

    def objects(self, url: str) -> Iterator[str]:
        """Yields the address of every object under ``url``, in key order.

        Args:
            url: ``s3://bucket/prefix``.
        """

    def open(self, url: str) -> BinaryIO:
        """Returns one object's content as a binary stream.

        Args:
            url: the object's address.

        Raises:
            OSError: the object cannot be read.
        """


class _ListedOnce:
    """An archive whose complete listings are kept: the progress bar's count and the run list S3 once.

    A listing cut short (the input check stops at the first object) is not kept.
    """

    def __init__(self, archive: RemoteArchive) -> None:
        self._archive = archive
        self._listed: dict[str, list[str]] = {}

    def objects(self, url: str) -> Iterator[str]:
        if url in self._listed:
            yield from self._listed[url]
            return
        listed: list[str] = []
        for address in self._archive.objects(url):
            listed.append(address)
            yield address
        self._listed[url] = listed

    def open(self, url: str) -> BinaryIO:
        return self._archive.open(url)


# Set by the one command that reads S3 (replay), around its run, so that the helpers that walk the
# inputs (the check, the progress bar's count, the run) all list S3 through it; without it, an
# s3:// path is a usage error.
_REMOTE: ContextVar[RemoteArchive | None] = ContextVar("remote_archive", default=None)


@contextlib.contextmanager
def reading_s3(archive: RemoteArchive) -> Iterator[None]:
    """Reads ``s3://`` paths through ``archive`` within the block, each prefix listed once in full.

    Args:
        archive: lists and opens the objects.
    """
    token = _REMOTE.set(_ListedOnce(archive))
    try:
        yield
    finally:
        _REMOTE.reset(token)


def s3_reader() -> RemoteArchive | None:
    """Returns the archive ``s3://`` paths are read through here, if any (see :func:`reading_s3`)."""
    return _REMOTE.get()


def is_s3(path: str) -> bool:
    """Returns whether ``path`` is an ``s3://`` address (the scheme in any case).

    Args:
        path: a command-line path.
    """
    return path[: len(S3_SCHEME)].lower() == S3_SCHEME


def iter_inputs(paths: Iterable[str]) -> list[str]:
    """Returns the paths to read: ``-`` (standard input) when none are given.

    Args:
        paths: the command's FILE arguments.
    """
    return list(paths) or [STDIN]


def is_digest_path(path: str) -> bool:
    """Returns whether ``path`` is a CloudTrail digest file (an integrity manifest, not events).

    Args:
        path: a file path, ``/`` or ``\\`` separated.
    """
    parts = path.replace("\\", "/").split("/")
    return DIGEST_DIR in parts[:-1] or DIGEST_MARK in parts[-1]


def _digest_problem(source: str) -> Problem:
    return Problem(source, None, "file", DIGEST, "CloudTrail digest file (an integrity manifest, not events)")


def discover(paths: Sequence[str]) -> Iterator[InputFile | Problem]:
    """Yields every file under ``paths`` in a stable order, or a :class:`Problem` for one that is skipped.

    Directories are walked recursively, entries sorted by name, so ``AWSLogs/<account>/CloudTrail/
    <region>/YYYY/MM/DD/*.json.gz`` (and ``AWSLogs/o-xxxx/<account>/...`` for organization trails)
    come out in account, region and time order. Digest files, broken links and special files found
    in a walk are yielded as problems so that they are counted. A path named explicitly may be a
    pipe (``<(zcat ...)``); ``-`` is standard input. An ``s3://bucket/prefix`` is listed, in key
    order, through the archive of :func:`reading_s3`; its objects are named by their addresses.

    Args:
        paths: files, directories, ``s3://`` addresses or ``-``, as given on the command line.

    Raises:
        AwsCallError: an S3 listing failed.
    """
    for path in paths:
        if path == STDIN:
            yield InputFile(STDIN_SOURCE, STDIN)
            continue
        if is_s3(path):
            yield from _list_s3(path)
            continue
        try:
            st = os.stat(path)
        except OSError as err:
            yield Problem(path, None, "file", os_category(err), os_reason(err))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path)
        elif is_digest_path(path):
            yield _digest_problem(path)
        else:
            yield InputFile(path, path)


def _list_s3(url: str) -> Iterator[InputFile | Problem]:
    archive = _REMOTE.get()
    if archive is None:
        yield Problem(url, None, "file", "unreadable", "reading from S3 is supported by 'trailwatch replay' only")
        return
    for address in archive.objects(url):
        yield _digest_problem(address) if is_digest_path(address) else InputFile(address, address)


def _walk(directory: str) -> Iterator[InputFile | Problem]:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as err:
        yield Problem(directory, None, "file", os_category(err), f"cannot list directory: {os_reason(err)}")
        return
    for entry in entries:
        try:
            yield from _entry(entry)
        except OSError as err:
            yield Problem(entry.path, None, "file", os_category(err), os_reason(err))


def _entry(entry: os.DirEntry[str]) -> Iterator[InputFile | Problem]:
    path = entry.path
    if entry.is_dir(follow_symlinks=False):
        yield from _walk(path)
    elif entry.is_file():  # follows symbolic links to files
        yield _digest_problem(path) if is_digest_path(path) else InputFile(path, path)
    elif not entry.is_symlink():
        yield Problem(path, None, "file", "not-regular", "not a regular file (a pipe, socket or device)")
    elif os.path.isdir(path):
        yield Problem(path, None, "file", "not-followed", "symbolic link to a directory (not followed)")
    else:
        yield Problem(path, None, "file", "missing", "broken symbolic link")


def count_files(paths: Sequence[str]) -> int:
    """Returns how many items :func:`discover` will yield (a progress bar's total); walks, reads nothing.

    Args:
        paths: as for :func:`discover`.
    """
    return sum(1 for _ in discover(paths))


def check_inputs(paths: Sequence[str]) -> None:
    """Checks that every path exists and that, together, they hold a file to read.

    Run before any record is read, so that a mistyped path is a usage error rather than an empty
    report. Nothing is opened: a walk stops at the first file found. Problems found later (an
    unreadable file, a digest file among log files) are reported by the run, which goes on.

    Args:
        paths: as for :func:`discover`.

    Raises:
        UnusableInputError: a path is missing, or in S3 outside :func:`reading_s3`, or the paths
            hold nothing to read; the message names every such path.
        AwsCallError: an S3 listing failed.
    """
    remote = [path for path in paths if is_s3(path)]
    missing = [path for path in paths if path != STDIN and path not in remote and _missing(path)]
    problems: list[str] = []
    if missing:
        problems.append(f"no such file or directory: {_quoted(missing)}")
    if remote and _REMOTE.get() is None:
        problems.append(
            f"reading from S3 is supported by 'trailwatch replay' only: {_quoted(remote)}; copy the files first "
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
    """Returns why ``path``, which exists, yields no file to read."""
    skipped = Counter(item.category for item in discover([path]) if isinstance(item, Problem))
    if not skipped:
        return f"{path!r} has no objects under it" if is_s3(path) else f"{path!r} has no files in it"
    if set(skipped) == {DIGEST}:
        if is_s3(path) or os.path.isdir(path):
            return f"{path!r} holds only CloudTrail digest files (integrity manifests, not events)"
        return f"{path!r} is a CloudTrail digest file (an integrity manifest, not events)"
    counts = ", ".join(f"{category} {count:,}" for category, count in sorted(skipped.items()))
    return f"{path!r} holds no file that can be read (skipped: {counts})"
