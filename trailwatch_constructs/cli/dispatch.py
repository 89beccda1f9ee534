"""Which controls can match a record, looked up by its ``eventName``: the replay's hot loop.

Fourteen of the seventeen catalogue patterns only match a few named API calls, and a CloudTrail
archive is mostly other calls. What each pattern requires is read off its syntax tree once: the
``eventName`` values it can match, and a top-level key it cannot match without. Per record, one
dict lookup on its ``eventName`` gives the controls worth evaluating (usually only those that do
not test ``eventName``), and a control whose key the record lacks is skipped without calling its
matcher (``unauthorized-api-calls`` needs an ``errorCode``, which most records have not). A
property test checks that the matches are exactly those of evaluating every control.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from trailwatch_constructs.catalog import ControlDefinition
from trailwatch_constructs.filter_pattern import FilterPattern
from trailwatch_constructs.filter_pattern.syntax import (
    And,
    Comparison,
    ComparisonOp,
    Condition,
    JsonPattern,
    Key,
    Or,
    Selector,
    StringValue,
    WildcardValue,
)

Matcher = Callable[[object], bool]
Candidate = tuple[str, Matcher, str | None]
"""A control worth evaluating: its id, its matcher, and a top-level key it needs (``None``: none)."""
Candidates = tuple[Candidate, ...]
"""In catalogue order."""

_EVENT_NAME = Selector((Key("eventName"),))


def required_event_names(pattern: FilterPattern) -> frozenset[str] | None:
    """Returns the ``eventName`` values without one of which ``pattern`` cannot match; ``None``: any.

    Read off the syntax tree: ``$.eventName = "X"`` requires X; an AND requires what all of
    its constrained operands require; an OR what any operand requires, and nothing when one
    operand is unconstrained. Everything else constrains nothing. This is sound because the
    engine's ``=`` on a string value is plain string equality, false for a missing key or null.

    Args:
        pattern: a parsed filter pattern.
    """
    root = pattern.root
    if not isinstance(root, JsonPattern):
        return None
    return _required(root.condition)


def _required(condition: Condition) -> frozenset[str] | None:
    match condition:
        case Comparison(selector, ComparisonOp.EQ, StringValue(text)) if selector == _EVENT_NAME:
            return frozenset((text,))
        case And(operands):
            known = [names for names in map(_required, operands) if names is not None]
            return frozenset.intersection(*known) if known else None
        case Or(operands):
            alternatives = [_required(operand) for operand in operands]
            if any(names is None for names in alternatives):
                return None
            return frozenset().union(*(names for names in alternatives if names is not None))
        case _:
            return None


def required_key(pattern: FilterPattern) -> str | None:
    """Returns a top-level key without which ``pattern`` cannot match; ``None`` when it needs none.

    An ``=`` test needs the key its selector starts with: the engine's ``=`` on a string or
    wildcard value is false for a missing key. An AND needs what any operand needs; an OR what
    every operand needs. Of several keys, the first in alphabetical order is returned.

    Args:
        pattern: a parsed filter pattern.
    """
    root = pattern.root
    if not isinstance(root, JsonPattern):
        return None
    return min(_keys(root.condition), default=None)


def _keys(condition: Condition) -> frozenset[str]:
    match condition:
        case Comparison(Selector((Key(name), *_)), ComparisonOp.EQ, StringValue() | WildcardValue()):
            return frozenset((name,))
        case And(operands):
            return frozenset().union(*map(_keys, operands))
        case Or(operands):
            return frozenset.intersection(*map(_keys, operands))
        case _:
            return frozenset()


@dataclass(slots=True)
class BatchMatches:
    """What :meth:`EventNameDispatch.evaluate` found in a batch of records."""

    matches: list[tuple[int, str]] = field(default_factory=list)
    """``(offset, control id)`` of every match, in record order, then catalogue order."""
    not_objects: list[int] = field(default_factory=list)
    """The offsets of the records that are not JSON objects, and so were not evaluated."""


class EventNameDispatch:
    """Per ``eventName``, the controls that can match a record with it: a compile-once index.

    Candidates keep catalogue order, so matches come out in the same order as without the index.
    """

    def __init__(self, controls: Sequence[ControlDefinition]) -> None:
        """Builds the index from the controls' syntax trees.

        Args:
            controls: the controls to evaluate, in catalogue order.
        """
        entries = [((c.id, c.filter_pattern.matches, required_key(c.filter_pattern)), c) for c in controls]
        names = {c.id: required_event_names(c.filter_pattern) for c in controls}
        self.everything: Candidates = tuple(candidate for candidate, _ in entries)
        """For an ``eventName`` that is not a string (a number may equal a quoted name's text)."""
        self.generic: Candidates = tuple(candidate for candidate, c in entries if names[c.id] is None)
        """For a string name no pattern asks for, and for a missing or null ``eventName``."""
        every_name = sorted(set().union(*(n for n in names.values() if n is not None)))
        self.by_name: dict[str, Candidates] = {
            name: tuple(candidate for candidate, c in entries if (n := names[c.id]) is None or name in n)
            for name in every_name
        }

    def evaluate(self, records: list[object]) -> BatchMatches:
        """Evaluates the controls that can match each record.

        Args:
            records: decoded records, whatever their JSON type.

        Returns:
            The matches, and the records that were not evaluated because they are not objects.
        """
        found = BatchMatches()
        matches, not_objects = found.matches, found.not_objects
        by_name, generic, everything = self.by_name, self.generic, self.everything
        for offset, record in enumerate(records):
            if type(record) is not dict:
                not_objects.append(offset)
                continue
            name = record.get("eventName")
            if type(name) is str:
                candidates = by_name.get(name, generic)
            elif name is None:
                candidates = generic
            else:
                candidates = everything
            for control_id, matcher, key in candidates:
                if (key is None or key in record) and matcher(record):
                    matches.append((offset, control_id))
        return found
