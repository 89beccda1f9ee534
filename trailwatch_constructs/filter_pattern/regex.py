"""The regex subset CloudWatch Logs accepts between ``%`` signs.

AWS documents ("Supported regular expressions (regex) syntax") that a filter
pattern regex may contain only ASCII letters and digits, the symbols
``: _ # = @ / ; , -``, and the operators ``^ $ ? [ ] { } | \\ * + .``;
that ``(`` and ``)`` are not supported; that multi-byte characters are not
supported; and it lists the escapes ``\\d \\D \\s \\S \\w \\W \\xhh``.  AWS's
own examples also contain spaces (``%^starting|^initializing|^shutting
down%``), so a plain space is accepted too.

:func:`translate` validates a regex against that subset and rewrites it as an
equivalent Python :mod:`re` pattern; :func:`compiled` caches the result.
"""

from __future__ import annotations

import functools
import re
import string
import warnings

_LETTERS_DIGITS = frozenset(string.ascii_letters + string.digits)
SYMBOLS = frozenset(":_#=@/;,-")
OPERATORS = frozenset("^$?[]{}|\\*+.")
_CLASS_ESCAPES = frozenset("dDsSwW")
_CLASS_ESCAPE_TEXTS = frozenset("\\" + c for c in _CLASS_ESCAPES)
_HEX = frozenset(string.hexdigits)
_LITERALS = _LETTERS_DIGITS | SYMBOLS | {" "}
_QUANTIFIER = re.compile(r"\{ *(\d*) *(?:(,) *(\d*) *)?\}")


class RegexSyntaxError(Exception):
    """A regex outside the AWS subset; ``offset`` is relative to the regex source."""

    def __init__(self, offset: int, reason: str, hint: str = "") -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason
        self.hint = hint


def translate(source: str) -> str:
    """Validate ``source`` (the text between ``%`` signs) and return a Python regex.

    The translation keeps AWS's meaning: ``$`` becomes ``\\Z`` (end of string
    only, where Python's ``$`` would also match before a final newline), and
    every literal character is escaped so Python never sees a construct AWS
    does not have.  Compile the result with ``re.ASCII | re.DOTALL`` (``\\w``
    is ``[a-zA-Z_0-9]`` and ``.`` is "any single character" in AWS's text).

    Raises:
        RegexSyntaxError: the regex uses something AWS does not support.
    """
    if not source:
        raise RegexSyntaxError(0, "the regex between '%' signs is empty")
    out: list[str] = []
    i = 0
    while i < len(source):
        text, i = _element(source, i)
        out.append(text)
    return "".join(out)


def _element(source: str, i: int) -> tuple[str, int]:
    """Translate the element at ``source[i]``: an escape, a class, a quantifier or one character.

    Returns:
        The Python regex text and the offset after the element.
    """
    c = source[i]
    if c == "\\":
        return _escape(source, i)
    if c == "[":
        return _char_class(source, i)
    if c == "{":
        return _quantifier(source, i)
    if c in "}]":
        raise RegexSyntaxError(i, f"unmatched {c!r}", f"escape it as '\\{c}' to match it literally")
    if c == "$":
        return r"\Z", i + 1
    if c in "^?|*+.":
        return c, i + 1
    _check_literal(c, i)
    return re.escape(c), i + 1


@functools.lru_cache(maxsize=512)
def compiled(source: str) -> re.Pattern[str]:
    """Return the compiled Python equivalent of a valid AWS regex.

    Raises:
        RegexSyntaxError: the regex is outside the subset or does not compile
            (for example ``a**`` or ``*a``: nothing to repeat).
    """
    python = translate(source)
    try:
        with warnings.catch_warnings():
            # Our escaping means Python should never warn; if it does, the
            # regex means something we did not intend, so refuse it.
            warnings.simplefilter("error")
            return re.compile(python, re.ASCII | re.DOTALL)
    except (re.error, FutureWarning, DeprecationWarning) as exc:
        raise RegexSyntaxError(0, f"invalid regex: {exc}") from None


def _check_literal(c: str, offset: int) -> None:
    if c in _LITERALS:
        return
    if c in "()":
        raise RegexSyntaxError(
            offset,
            "parentheses are not supported in filter-pattern regex",
            "AWS does not support sub-patterns; use '\\x28' or '\\x29' to match a literal parenthesis",
        )
    if ord(c) > 0x7F:
        raise RegexSyntaxError(
            offset,
            f"multi-byte character {c!r} is not supported in filter-pattern regex",
        )
    raise RegexSyntaxError(
        offset,
        f"character {c!r} is not allowed in filter-pattern regex",
        f"use '\\x{ord(c):02X}' to match it",
    )


def _escape(source: str, i: int) -> tuple[str, int]:
    """Translate the escape starting at ``source[i] == '\\'``."""
    if i + 1 >= len(source):
        raise RegexSyntaxError(i, "the regex ends with a lone backslash")
    d = source[i + 1]
    if d in _CLASS_ESCAPES:
        return "\\" + d, i + 2
    if d == "x":
        digits = source[i + 2 : i + 4]
        if len(digits) != 2 or not set(digits) <= _HEX:
            raise RegexSyntaxError(i, "'\\x' must be followed by two hexadecimal digits, e.g. '\\x3A'")
        return "\\x" + digits, i + 4
    if d in OPERATORS or d in SYMBOLS:
        return re.escape(d), i + 2
    raise RegexSyntaxError(
        i,
        f"unsupported escape '\\{d}'",
        "supported escapes are \\d \\D \\s \\S \\w \\W \\xhh and a backslash before an operator character",
    )


def _char_class(source: str, i: int) -> tuple[str, int]:
    """Translate the character class starting at ``source[i] == '['``."""
    start = i
    i += 1
    out = ["["]
    if source[i : i + 1] == "^":
        out.append("^")
        i += 1
    if source[i : i + 1] == "]":
        raise RegexSyntaxError(start, "empty character class", "escape a literal bracket as '\\['")
    # A '-' is a range operator only right after a single character and
    # before another member; elsewhere (first, last, after a range or a
    # class escape such as \d) it is a literal hyphen.
    can_start_range = False
    while True:
        if i >= len(source):
            raise RegexSyntaxError(start, "unterminated character class", "close it with ']'")
        c = source[i]
        if c == "]":
            break
        if c == "-" and can_start_range and source[i + 1 : i + 2] not in ("", "]"):
            end, i = _class_member(source, i + 1)
            out.append("-" + end)
            can_start_range = False
        else:
            text, i = _class_member(source, i)
            out.append(text)
            can_start_range = text not in _CLASS_ESCAPE_TEXTS
    out.append("]")
    return "".join(out), i + 1


def _class_member(source: str, i: int) -> tuple[str, int]:
    """Translate one member of a character class: a literal or an escape."""
    c = source[i]
    if c == "\\":
        return _escape(source, i)
    if c not in OPERATORS:
        _check_literal(c, i)
    # Escape every literal so that Python never reads '[[', '--', '&&' or
    # '||' as the set operations it reserves.
    return re.escape(c), i + 1


def _quantifier(source: str, i: int) -> tuple[str, int]:
    """Translate ``{m}``, ``{m,}``, ``{,n}`` or ``{m, n}`` at ``source[i]``."""
    match = _QUANTIFIER.match(source, i)
    if match is None or not (match.group(1) or match.group(3)):
        raise RegexSyntaxError(
            i,
            "malformed '{m,n}' quantifier",
            "write {m}, {m,}, {,n} or {m,n}, or escape a literal brace as '\\{'",
        )
    low, comma, high = match.group(1), match.group(2), match.group(3)
    text = "{" + low + "}" if comma is None else "{" + (low or "0") + "," + high + "}"
    return text, match.end()


def to_insights(source: str) -> str:
    """Return ``source`` as a Logs Insights ``/regex/`` body (slashes escaped)."""
    out: list[str] = []
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\" and i + 1 < len(source):
            out.append(source[i : i + 2])
            i += 2
            continue
        out.append("\\/" if c == "/" else c)
        i += 1
    return "".join(out)
