"""The replay engine only evaluates controls that can match a record's eventName: prove it is sound."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trailwatch_constructs.catalog import catalog_controls, load_samples, sample_control_ids
from trailwatch_constructs.cli.replay import EventNameDispatch, required_event_names
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
    return [cid for cid, matches in DISPATCH.candidates(record) if matches(record)]


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
    generic = [cid for cid, _ in DISPATCH.generic]
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
