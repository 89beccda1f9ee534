"""How the terms of a TERM pattern combine into one condition on a line."""

from __future__ import annotations

from dataclasses import dataclass

from trailwatch_constructs.filter_pattern.syntax import TermMode, TermPattern


@dataclass(frozen=True, slots=True)
class TermCondition:
    """What a line must contain to match a term pattern; every test is a substring test.

    Attributes:
        required: texts that must all occur.
        excluded: texts none of which may occur.
        any_of: texts of which at least one must occur; empty means no such test.
    """

    required: tuple[str, ...]
    excluded: tuple[str, ...]
    any_of: tuple[str, ...]


def term_condition(pattern: TermPattern) -> TermCondition:
    """Returns the condition a term pattern puts on a line.

    A term that is empty or only blanks matches everything (AWS's "Match
    everything" example is the pattern ``" "``), so it adds no test.  ``?``
    terms alone need one of them to occur (archived page: "?ERROR ?WARN
    matches ... all of them include either the word ERROR or the word
    WARN"); next to a plain or ``-`` term they are dropped (Syntax page: "If
    you combine '?' with other filter patterns, all question mark terms will
    be ignored").
    """
    effective = [t for t in pattern.terms if t.text.strip()]
    required = tuple(t.text for t in effective if t.mode is TermMode.REQUIRED)
    excluded = tuple(t.text for t in effective if t.mode is TermMode.EXCLUDED)
    optional = tuple(t.text for t in effective if t.mode is TermMode.OPTIONAL)
    return TermCondition(required, excluded, () if required or excluded else optional)
