"""The replay engine only evaluates controls that can match a record's eventName: prove it is sound."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trailwatch_constructs.catalog import STATIC_CONTROLS, catalog_controls, load_samples, sample_control_ids
from trailwatch_constructs.cli.dispatch import EventNameDispatch, required_event_names, required_key
from trailwatch_constructs.filter_pattern import parse_filter_pattern

CONTROLS = catalog_controls(privileged_groups=["Admins"])
DISPATCH = EventNameDispatch(CONTROLS)
SAMPLES: list[dict[str, Any]] = [
    dict(e.record) for cid in sample_control_ids() for e in (*load_samples(cid).fires, *load_samples(cid).ignores)
]
NAMES_IN_PATTERNS = sorted(DISPATCH.by_name)


def matched_by_all(record: dict[str, Any]) -> list[str]:
    return [c.id for c in CONTROLS if c.filter_pattern.matches(record)]


def matched_by_dispatch(record: dict[str, Any]) -> list[str]:
    # A dispatch built here, not at import, so that it is the code under test that builds it.
    return [cid for _, cid in EventNameDispatch(CONTROLS).evaluate([record]).matches]


@pytest.mark.parametrize(
    ("pattern", "names"),
    [
        ("{($.eventName=A) || ($.eventName=B)}", {"A", "B"}),
        ("{($.eventSource=kms.amazonaws.com) && (($.eventName=A)||($.eventName=B))}", {"A", "B"}),
        ("{($.eventName=A) || ($.errorCode=X)}", None),
        ('{$.eventName = "A*"}', None),
        ("{$.eventName != A}", None),
        ("{($.eventName=A) && ($.eventName=B)}", set()),
        ("{$.requestParameters.eventName = A}", None),
        ("ConsoleLogin", None),
    ],
)
def test_required_event_names_reads_the_syntax_tree(pattern: str, names: set[str] | None) -> None:
    # GIVEN a pattern
    # WHEN its required eventName values are computed
    required = required_event_names(parse_filter_pattern(pattern))
    # THEN only exact eventName equality in every alternative constrains the name
    assert required == (None if names is None else frozenset(names))


def test_most_catalogue_controls_are_indexed_by_event_name() -> None:
    # GIVEN the catalogue with a privileged group
    # WHEN the dispatch index is built
    generic = [cid for cid, *_ in DISPATCH.generic]
    # THEN only the two controls that do not test eventName run on every record
    assert generic == ["root-account-usage", "unauthorized-api-calls"]


@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_dispatch_matches_what_evaluating_every_control_matches_on_samples(index: int) -> None:
    # GIVEN a catalogue sample event
    record = SAMPLES[index]
    # WHEN it is evaluated through the index and by every control
    # THEN the same controls match, in the same order
    assert matched_by_dispatch(record) == matched_by_all(record)


@settings(max_examples=200, deadline=None)
@given(
    base=st.sampled_from(SAMPLES),
    name=st.one_of(
        st.sampled_from(NAMES_IN_PATTERNS),
        st.text(max_size=12),
        st.integers(),
        st.none(),
        st.booleans(),
        st.just(["ConsoleLogin"]),
    ),
    drop=st.booleans(),
)
def test_dispatch_is_sound_for_any_event_name(base: dict[str, Any], name: object, drop: bool) -> None:
    # GIVEN a sample event whose eventName is replaced by anything, or removed
    record = dict(base)
    if drop:
        record.pop("eventName", None)
    else:
        record["eventName"] = name
    # WHEN it is evaluated through the index and by every control
    # THEN the same controls match
    assert matched_by_dispatch(record) == matched_by_all(record)


@pytest.mark.parametrize(
    ("pattern", "key"),
    [
        ('{$.errorCode = "AccessDenied*"}', "errorCode"),
        ("{($.errorCode = A*) || ($.errorCode = *B)}", "errorCode"),
        ("{($.errorCode = A) || ($.errorMessage = B)}", None),
        ("{($.userIdentity.type = Root) && ($.eventType != X)}", "userIdentity"),
        ("{($.b = 1) && ($.a = x)}", "a"),
        ("{$.a != x}", None),
        ("{$.a NOT EXISTS}", None),
        ("{$.a IS NULL}", None),
        ("{$.a = 5}", None),
        ("{$.*.b = x}", None),
        ("{$.a[0] = x}", "a"),
        ("ERROR", None),
    ],
)
def test_required_key_reads_the_syntax_tree(pattern: str, key: str | None) -> None:
    # GIVEN a pattern
    # WHEN the top-level key it needs is computed
    # THEN only a string or wildcard = test names one, an AND what any operand needs, an OR what all need
    assert required_key(parse_filter_pattern(pattern)) == key


TOP_LEVEL_KEYS = sorted({key for record in SAMPLES for key in record})


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from(SAMPLES),
    dropped=st.sets(st.sampled_from(TOP_LEVEL_KEYS)),
    nulled=st.sets(st.sampled_from(TOP_LEVEL_KEYS)),
)
def test_dispatch_is_sound_for_records_missing_any_keys(
    base: dict[str, Any], dropped: set[str], nulled: set[str]
) -> None:
    # GIVEN a sample event with some top-level keys removed and others set to null
    record = {key: (None if key in nulled else value) for key, value in base.items() if key not in dropped}
    # WHEN it is evaluated through the index and by every control
    # THEN the same controls match
    assert matched_by_dispatch(record) == matched_by_all(record)


def test_records_that_are_not_objects_are_set_aside_and_matches_keep_record_order() -> None:
    # GIVEN a batch mixing records that match, records that do not, and values that are not objects
    fire = dict(SAMPLES[0])
    batch: list[object] = [7, fire, None, {"eventName": "Nothing"}, "x", fire]
    # WHEN it is evaluated
    found = DISPATCH.evaluate(batch)
    # THEN the values that are not objects are listed by offset, and matches come in record order
    assert found.not_objects == [0, 2, 4]
    expected = matched_by_all(fire)
    assert found.matches == [(1, cid) for cid in expected] + [(5, cid) for cid in expected]


# --- patterns beyond the catalogue's: what the index assumes holds for any pattern ----------------

CUSTOM_PATTERNS = [
    "{$.a != x}",
    '{$.eventName = "123"}',
    "{($.eventName = A) || ($.b = 1)}",
    "{($.eventName = A) && ($.a = x)}",
    "{$.a NOT EXISTS}",
    '{$.b = "x*"}',
    "{($.a = x) || ($.a = y)}",
]
CUSTOM = tuple(
    dataclasses.replace(STATIC_CONTROLS[0], id=f"custom-{n}", pattern=pattern, metric_name=f"Custom{n}")
    for n, pattern in enumerate(CUSTOM_PATTERNS)
)


@settings(max_examples=300, deadline=None)
@given(
    record=st.dictionaries(
        st.sampled_from(["eventName", "a", "b"]),
        st.sampled_from(["A", "B", "x", "y", "xx", "123", 123, 1, None, True, ["A"], {"a": "x"}]),
    )
)
def test_dispatch_is_sound_for_patterns_beyond_the_catalogue(record: dict[str, Any]) -> None:
    # GIVEN patterns that need no key, match a number by its text, or test other keys than eventName
    dispatch = EventNameDispatch(CUSTOM)
    # WHEN any record over their keys is evaluated through the index and by every pattern
    # THEN the same controls match
    assert [cid for _, cid in dispatch.evaluate([record]).matches] == [
        c.id for c in CUSTOM if c.filter_pattern.matches(record)
    ]
