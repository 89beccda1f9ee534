"""``FilterPattern``: a parsed, validated, compiled CloudWatch Logs filter pattern."""

from __future__ import annotations

from dataclasses import dataclass, field

from trailwatch_constructs.filter_pattern.compiler import Matcher, compile_pattern
from trailwatch_constructs.filter_pattern.errors import PatternWarning
from trailwatch_constructs.filter_pattern.parser import parse
from trailwatch_constructs.filter_pattern.render import render_pattern
from trailwatch_constructs.filter_pattern.syntax import PatternKind, PatternRoot


def parse_filter_pattern(text: str) -> FilterPattern:
    """Parse, validate and compile a CloudWatch Logs filter pattern.

    Args:
        text: the pattern exactly as it would be given to ``PutMetricFilter``.

    Returns:
        An immutable :class:`FilterPattern` whose ``text`` is ``text``.

    Raises:
        FilterPatternError: CloudWatch Logs would reject the pattern (bad
            syntax, an unsupported construct such as ``EXISTS`` or
            ``IS NOT``, or a documented limit such as 1,024 characters).
            No other exception escapes.
    """
    kind, root, warnings = parse(text)
    return FilterPattern(text, kind, root, warnings)


@dataclass(frozen=True, slots=True)
class FilterPattern:
    """A filter pattern: its original text, kind, syntax tree and matcher.

    Build one with :func:`parse_filter_pattern`.  Instances are immutable
    and hashable; equality compares ``text``, ``kind`` and ``root``.

    Attributes:
        text: the original pattern text, unchanged.
        kind: ``JSON``, ``SPACE_DELIMITED`` or ``TERM``.
        root: the syntax tree (see :mod:`.syntax`).
        warnings: what CloudWatch Logs accepts here but probably means
            something other than intended (e.g. ``$.readOnly = false``,
            which compares text and never matches the JSON boolean).
        matches: ``matches(event) -> bool``, whether CloudWatch Logs would
            count ``event`` as a match.  ``event`` is a decoded JSON value
            (``dict``, ``list``, ``str``, number, ``bool`` or ``None``) or a
            raw log line as ``str``.  JSON patterns only match a ``dict`` (a
            JSON object); anything else is ``False``.  TERM and
            SPACE_DELIMITED patterns match a ``str`` as the raw log line; any
            other JSON value is matched against its compact JSON serialisation
            (``json.dumps(event, separators=(",", ":"), ensure_ascii=False)``),
            the form CloudTrail delivers to CloudWatch Logs.  Never raises for
            a JSON value.  It is the compiled function itself rather than a
            method, so a hot loop pays one call per event.
    """

    text: str
    kind: PatternKind
    root: PatternRoot
    warnings: tuple[PatternWarning, ...] = field(default=(), compare=False)
    matches: Matcher = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Compiled once here so that matching never looks at the text or
        # walks the tree.
        object.__setattr__(self, "matches", compile_pattern(self.root))

    def __reduce__(self) -> tuple[object, ...]:
        # The compiled function cannot be pickled; rebuild it on the other side.
        return (FilterPattern, (self.text, self.kind, self.root, self.warnings))

    def render(self) -> str:
        """Canonical text with the same meaning as ``text``.

        ``parse_filter_pattern(p.render())`` matches exactly the same events
        as ``p``, and rendering that again gives the same string.
        """
        return render_pattern(self.root)

    def __str__(self) -> str:
        return self.render()
