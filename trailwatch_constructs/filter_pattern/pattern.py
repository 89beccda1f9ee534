"""``FilterPattern``: a parsed, validated, compiled CloudWatch Logs filter pattern."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from trailwatch_constructs.filter_pattern.compiler import Matcher, compile_pattern
from trailwatch_constructs.filter_pattern.errors import FilterPatternError, PatternWarning
from trailwatch_constructs.filter_pattern.parser import join, parse
from trailwatch_constructs.filter_pattern.render import render_pattern
from trailwatch_constructs.filter_pattern.syntax import And, Condition, JsonPattern, Or, PatternKind, PatternRoot


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


def union_of(patterns: Sequence[FilterPattern]) -> FilterPattern:
    """One pattern matching exactly the events any of several JSON patterns match.

    Several metric filters publishing to one metric count an event once per filter; what they
    detect together is this union. Its ``text`` is the rendered union, which may be longer than
    CloudWatch Logs allows: it is for evaluating, not for deploying.

    Raises:
        FilterPatternError: no pattern is given, or one is not a JSON pattern (space-delimited
            and term patterns cannot be joined into one).
    """
    if len(patterns) == 1:
        return patterns[0]
    roots = [p.root for p in patterns]
    conditions = [root.condition for root in roots if isinstance(root, JsonPattern)]
    if not roots or len(conditions) != len(roots):
        text = " | ".join(p.text for p in patterns)
        raise FilterPatternError(pattern=text, position=0, reason="only one or more JSON patterns can be joined")
    root = JsonPattern(_without_subsumed(join(Or, conditions)))
    warnings = tuple(w for p in patterns for w in p.warnings)
    return FilterPattern(render_pattern(root), PatternKind.JSON, root, warnings)


def _without_subsumed(condition: Condition) -> Condition:
    """Drops each alternative of an OR that another alternative already covers, so the union reads short.

    E.g. CIS 4.1's ``A || (B && C && D)`` joined with Security Hub's ``A || B`` is ``A || B``.
    """
    if not isinstance(condition, Or):
        return condition
    kept: list[Condition] = []
    for operand in dict.fromkeys(condition.operands):
        if kept and _implies(operand, Or(tuple(kept))):
            continue
        kept = [other for other in kept if not _implies(other, operand)] + [operand]
    return kept[0] if len(kept) == 1 else Or(tuple(kept))


def _implies(a: Condition, b: Condition) -> bool:
    """Whether every event ``a`` matches, ``b`` matches, judged by structure alone (sound, not complete)."""
    if a == b:
        return True
    if isinstance(a, Or):
        return all(_implies(x, b) for x in a.operands)
    if isinstance(b, And):
        return all(_implies(a, y) for y in b.operands)
    if isinstance(a, And) and any(_implies(x, b) for x in a.operands):
        return True
    return isinstance(b, Or) and any(_implies(a, y) for y in b.operands)


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
