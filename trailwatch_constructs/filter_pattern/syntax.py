"""The syntax tree of a CloudWatch Logs filter pattern.

Every node is a frozen, hashable dataclass, so a parsed pattern can be used as
a dictionary key and compared structurally.  The tree keeps semantics, not
spelling: ``$.a = "x"`` and ``($.a=x)`` give equal trees, because quoting a
plain string does not change what it matches.  Number literals keep their
source text (``10e3`` stays ``10e3``) so rendering reproduces what was written.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeAlias


class PatternKind(enum.Enum):
    """The three filter-pattern families CloudWatch Logs documents."""

    JSON = "json"
    """``{ ... }``: conditions on the fields of a JSON log event."""
    SPACE_DELIMITED = "space_delimited"
    """``[ ... ]``: named, optionally constrained fields of a space-delimited line."""
    TERM = "term"
    """Plain terms, quoted phrases, ``?``/``-`` terms or one standalone ``%regex%``."""


# --------------------------------------------------------------------------
# Property selectors (JSON patterns)


@dataclass(frozen=True, slots=True)
class Key:
    """``.name`` or ``.['name']``: the member ``name`` of an object."""

    name: str


@dataclass(frozen=True, slots=True)
class Index:
    """``[n]``: the zero-based element ``n`` of an array."""

    index: int


@dataclass(frozen=True, slots=True)
class AnyKey:
    """``.*``: every member value of an object (a wildcard selector)."""


@dataclass(frozen=True, slots=True)
class AnyIndex:
    """``[*]``: every element of an array (a wildcard selector)."""


Segment: TypeAlias = Key | Index | AnyKey | AnyIndex


@dataclass(frozen=True, slots=True)
class Selector:
    """A property selector: ``$`` followed by one or more segments."""

    segments: tuple[Segment, ...]

    @property
    def wildcard_count(self) -> int:
        """How many wildcard segments (``.*`` or ``[*]``) the selector uses."""
        return sum(1 for s in self.segments if isinstance(s, AnyKey | AnyIndex))


# --------------------------------------------------------------------------
# Values on the right of a comparison


@dataclass(frozen=True, slots=True)
class StringValue:
    """An exact string, quoted or not in the source."""

    value: str


@dataclass(frozen=True, slots=True)
class NumberValue:
    """A number literal, e.g. ``400``, ``+1000``, ``55.5``, ``10e-3``."""

    text: str


@dataclass(frozen=True, slots=True)
class WildcardValue:
    """A string with ``*`` at its start and/or end.

    ``*`` alone is ``WildcardValue(core="", leading=True, trailing=False)`` and
    matches any string or number; the equivalent ``leading=False,
    trailing=True`` is normalised to that, so equal meanings compare equal.
    """

    core: str
    leading: bool
    trailing: bool

    def __post_init__(self) -> None:
        if not self.core and self.trailing and not self.leading:
            object.__setattr__(self, "leading", True)
            object.__setattr__(self, "trailing", False)


@dataclass(frozen=True, slots=True)
class RegexValue:
    """``%regex%``: the source between the percent signs."""

    pattern: str


Value: TypeAlias = StringValue | NumberValue | WildcardValue | RegexValue


class ComparisonOp(enum.Enum):
    """The comparison operators; the value is the operator's spelling."""

    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


class StateCheck(enum.Enum):
    """The keyword tests of JSON patterns; the value is their spelling."""

    IS_NULL = "IS NULL"
    IS_TRUE = "IS TRUE"
    IS_FALSE = "IS FALSE"
    NOT_EXISTS = "NOT EXISTS"


# --------------------------------------------------------------------------
# Conditions


@dataclass(frozen=True, slots=True)
class Comparison:
    """``selector op value`` in a JSON pattern."""

    selector: Selector
    op: ComparisonOp
    value: Value


@dataclass(frozen=True, slots=True)
class StateTest:
    """``selector IS NULL|TRUE|FALSE`` or ``selector NOT EXISTS``."""

    selector: Selector
    check: StateCheck


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """``name op value`` inside a space-delimited pattern."""

    field: str
    op: ComparisonOp
    value: Value


@dataclass(frozen=True, slots=True)
class And:
    """All operands hold (``&&``).  Always two or more operands, none an ``And``."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one operand holds (``||``).  Two or more operands, none an ``Or``."""

    operands: tuple[Condition, ...]


Condition: TypeAlias = Comparison | StateTest | FieldComparison | And | Or


# --------------------------------------------------------------------------
# Pattern roots


@dataclass(frozen=True, slots=True)
class JsonPattern:
    """``{ condition }``."""

    condition: Condition


@dataclass(frozen=True, slots=True)
class SkipFields:
    """``...``: any number of unnamed fields."""


@dataclass(frozen=True, slots=True)
class DelimitedField:
    """One comma-separated slot of a space-delimited pattern.

    ``name`` is ``None`` for an empty slot (an anonymous field, as in the
    AWS example ``[..., request=*.html*, status_code=4*,]``).  ``condition``
    is ``None`` when the slot only names the field.
    """

    name: str | None
    condition: Condition | None


@dataclass(frozen=True, slots=True)
class SpaceDelimitedPattern:
    """``[ field, field, ... ]``."""

    fields: tuple[DelimitedField | SkipFields, ...]


class TermMode(enum.Enum):
    """How a plain term takes part in the match; the value is its prefix."""

    REQUIRED = ""
    OPTIONAL = "?"
    EXCLUDED = "-"


@dataclass(frozen=True, slots=True)
class Term:
    """A word or a quoted phrase, with its ``?``/``-`` mode."""

    text: str
    mode: TermMode


@dataclass(frozen=True, slots=True)
class TermPattern:
    """Zero or more terms; no terms (an empty pattern) matches every event."""

    terms: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class RegexPattern:
    """A standalone ``%regex%`` pattern."""

    pattern: str


PatternRoot: TypeAlias = JsonPattern | SpaceDelimitedPattern | TermPattern | RegexPattern
