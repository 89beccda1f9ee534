"""What the filter-pattern engine reports: the one exception it raises on purpose, and warnings."""

from __future__ import annotations

from dataclasses import dataclass

from trailwatch_constructs.core.errors import TrailwatchError

# How much of the pattern to show either side of the caret when a pattern is
# long: a 1,024-character pattern on one line is unreadable in a terminal.
_WINDOW = 60


class FilterPatternError(TrailwatchError, ValueError):
    """A filter pattern that CloudWatch Logs would reject (or that we cannot build).

    Attributes:
        pattern: the full pattern text that was being parsed.
        position: 0-based character offset of the problem in ``pattern``.
        fragment: the offending text at ``position`` (may be empty at the end).
        reason: what is wrong, in one sentence.
        hint: how to fix it (may be empty).

    ``str(error)`` names the position and fragment, gives the reason and the
    hint, then quotes the pattern line with a caret under the problem.
    """

    pattern: str
    position: int
    fragment: str
    reason: str
    hint: str

    def __init__(
        self,
        *,
        pattern: str,
        position: int,
        reason: str,
        hint: str = "",
        fragment: str | None = None,
    ) -> None:
        position = max(0, min(position, len(pattern)))
        if fragment is None:
            fragment = _default_fragment(pattern, position)
        self.pattern = pattern
        self.position = position
        self.fragment = fragment
        self.reason = reason
        self.hint = hint
        super().__init__(self._format())

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only __init__ defeats the default exception pickling, and
        # errors may cross process boundaries in the CLI's worker pool.
        return (
            _rebuild,
            (self.pattern, self.position, self.reason, self.hint, self.fragment),
        )

    def _format(self) -> str:
        head = f"invalid filter pattern at position {self.position} near {self.fragment!r}: {self.reason}"
        if self.hint:
            head = f"{head}; {self.hint}"
        line, column = _caret_line(self.pattern, self.position)
        return f"{head}\n  {line}\n  {' ' * column}^"


def _rebuild(pattern: str, position: int, reason: str, hint: str, fragment: str) -> FilterPatternError:
    return FilterPatternError(pattern=pattern, position=position, reason=reason, hint=hint, fragment=fragment)


def _default_fragment(pattern: str, position: int) -> str:
    return pattern[position : position + 10]


def _caret_line(pattern: str, position: int) -> tuple[str, int]:
    """Return the display line holding ``position`` and the caret's column in it."""
    start = pattern.rfind("\n", 0, position) + 1
    end = pattern.find("\n", position)
    if end == -1:
        end = len(pattern)
    line = pattern[start:end]
    column = position - start
    if len(line) > 2 * _WINDOW:
        left = max(0, column - _WINDOW)
        right = min(len(line), column + _WINDOW)
        prefix = "..." if left > 0 else ""
        suffix = "..." if right < len(line) else ""
        line = prefix + line[left:right] + suffix
        column = column - left + len(prefix)
    # Tabs and other control characters would shift the caret; show each as
    # one space so the caret stays under the character it points at.
    shown = "".join(" " if ch.isspace() or not ch.isprintable() else ch for ch in line)
    return shown, column


@dataclass(frozen=True, slots=True)
class PatternWarning:
    """A pattern CloudWatch Logs accepts that probably does not mean what its author meant.

    Attributes:
        position: 0-based character offset of the text in the pattern.
        fragment: that text.
        message: what the pattern does instead, in one sentence.
        hint: what to write for the likely intent.
    """

    position: int
    fragment: str
    message: str
    hint: str

    def __str__(self) -> str:
        return f"position {self.position} near {self.fragment!r}: {self.message}; {self.hint}"
