"""How the terms of a term pattern combine: the one place the '?' rule lives."""

from __future__ import annotations

from trailwatch_constructs.filter_pattern.syntax import Term, TermMode, TermPattern
from trailwatch_constructs.filter_pattern.terms import TermCondition, term_condition

REQUIRED, OPTIONAL, EXCLUDED = TermMode.REQUIRED, TermMode.OPTIONAL, TermMode.EXCLUDED


def test_optional_terms_alone_become_an_any_of_test() -> None:
    # GIVEN only '?' terms
    pattern = TermPattern((Term("ERROR", OPTIONAL), Term("WARN", OPTIONAL)))
    # WHEN their condition is worked out
    # THEN one of them must occur
    assert term_condition(pattern) == TermCondition(required=(), excluded=(), any_of=("ERROR", "WARN"))


def test_optional_terms_are_dropped_next_to_plain_and_excluded_terms() -> None:
    # GIVEN '?' terms with a plain and an excluded term (AWS: "all question mark terms will be ignored")
    pattern = TermPattern((Term("ERROR", OPTIONAL), Term("REQUEST", REQUIRED), Term("DEBUG", EXCLUDED)))
    # WHEN their condition is worked out
    # THEN only the plain and the excluded term remain
    assert term_condition(pattern) == TermCondition(required=("REQUEST",), excluded=("DEBUG",), any_of=())


def test_blank_terms_add_no_test() -> None:
    # GIVEN blank terms of every mode (AWS's '" "' matches everything)
    pattern = TermPattern((Term(" ", REQUIRED), Term("", EXCLUDED), Term("\t", OPTIONAL), Term("x", OPTIONAL)))
    # WHEN their condition is worked out
    # THEN they are ignored, and do not count as plain terms that would drop the '?' term
    assert term_condition(pattern) == TermCondition(required=(), excluded=(), any_of=("x",))
