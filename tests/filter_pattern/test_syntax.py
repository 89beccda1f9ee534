"""The syntax tree: nodes compare by meaning, not by spelling."""

from __future__ import annotations

from trailwatch_constructs.filter_pattern.syntax import AnyIndex, AnyKey, Index, Key, Selector, WildcardValue


def test_lone_star_has_one_form_whichever_end_it_is_written_at() -> None:
    # GIVEN the lone '*' built as a trailing star and as a leading star
    trailing = WildcardValue("", leading=False, trailing=True)
    leading = WildcardValue("", leading=True, trailing=False)
    # WHEN they are compared
    # THEN they are the same node: the trailing form is normalised to the leading one
    assert trailing == leading
    assert (trailing.leading, trailing.trailing) == (True, False)


def test_star_after_text_stays_a_trailing_wildcard() -> None:
    # GIVEN a prefix wildcard such as 'AccessDenied*'
    value = WildcardValue("AccessDenied", leading=False, trailing=True)
    # WHEN it is built
    # THEN it is not normalised: only the lone '*' is
    assert (value.leading, value.trailing) == (False, True)


def test_selector_counts_its_wildcard_segments() -> None:
    # GIVEN a selector with one of each wildcard and two plain segments
    selector = Selector((Key("a"), AnyIndex(), Index(0), AnyKey()))
    # WHEN its wildcards are counted
    # THEN both kinds count, plain segments do not
    assert selector.wildcard_count == 2
