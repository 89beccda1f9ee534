"""Every auditor text is proven like the controls' own: on the control's sample events.

A sample fires the control's own pattern (``fires``) or not (``ignores``); an auditor text decides
it the same way unless the sample names the text in ``differs_for`` (a narrower text misses it, a
broader one counts it). So every difference between what the auditors want and what Security Hub
wants is a recorded, readable CloudTrail record.
"""

from __future__ import annotations

import pytest

from trailwatch_constructs.catalog import STATIC_CONTROLS, get_control, load_samples
from trailwatch_constructs.catalog.auditors import candidate_texts, deployed_texts
from trailwatch_constructs.filter_pattern import parse_filter_pattern


def _cases() -> list[tuple[str, str, str, int]]:
    """(control id, candidate id, "fires"/"ignores", sample index) for every candidate other than the own text."""
    cases = []
    for control in STATIC_CONTROLS:
        samples = load_samples(control.id)
        for candidate in candidate_texts(control.id):
            if candidate.text == control.pattern:
                continue
            for kind in ("fires", "ignores"):
                cases.extend((control.id, candidate.id, kind, i) for i in range(len(getattr(samples, kind))))
    return cases


@pytest.mark.parametrize(("control_id", "text_id", "kind", "index"), _cases())
def test_auditor_text_decides_each_sample_as_the_sample_says(
    control_id: str, text_id: str, kind: str, index: int
) -> None:
    # GIVEN an auditor text and one of its control's samples
    (candidate,) = [t for t in candidate_texts(control_id) if t.id == text_id]
    sample = getattr(load_samples(control_id), kind)[index]
    # WHEN the text evaluates the record
    matched = parse_filter_pattern(candidate.text).matches(sample.record)
    # THEN it agrees with the control's own pattern, unless the sample records the difference
    assert matched is ((kind == "fires") != (text_id in sample.differs_for)), sample.why


@pytest.mark.parametrize("control", STATIC_CONTROLS, ids=lambda c: c.id)
def test_every_recorded_difference_names_a_text_of_that_control(control: object) -> None:
    # GIVEN a control's samples THEN each text a sample names in differs_for is one of its candidates
    from trailwatch_constructs.catalog import ControlDefinition

    assert isinstance(control, ControlDefinition)
    ids = {t.id for t in candidate_texts(control.id)}
    samples = load_samples(control.id)
    for sample in (*samples.fires, *samples.ignores):
        assert set(sample.differs_for) <= ids, sample.why


@pytest.mark.parametrize("control", STATIC_CONTROLS, ids=lambda c: c.id)
def test_the_deployed_union_fires_on_a_sample_when_any_deployed_text_does(control: object) -> None:
    # GIVEN a control deploying every auditor's texts
    from trailwatch_constructs.catalog import ControlDefinition

    assert isinstance(control, ControlDefinition)
    deployed = control.deploying(deployed_texts(control))
    patterns = [parse_filter_pattern(t) for t in deployed.deployed_patterns]
    samples = load_samples(control.id)
    # WHEN it evaluates each sample THEN it matches exactly when one of its filters does
    for sample in (*samples.fires, *samples.ignores):
        assert deployed.matches(sample.record) is any(p.matches(sample.record) for p in patterns), sample.why


def test_every_auditor_broadens_console_signin_without_mfa_to_federated_sign_ins() -> None:
    # GIVEN every auditor (ScoutSuite and InSpec accept only CIS's two-clause 4.2 text)
    control = get_control("console-signin-without-mfa")
    deployed = control.deploying(deployed_texts(control))
    samples = load_samples(control.id)
    # WHEN the union evaluates the SSO sign-in sample the control's own pattern ignores
    sso = next(s for s in samples.ignores if "Identity Center" in s.why)
    # THEN it counts it: the docs say so (docs/compliance.md)
    assert not control.matches(sso.record)
    assert deployed.matches(sso.record)
