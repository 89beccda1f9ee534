"""The auditors' recorded rules: sources pinned, facts from their public code, and what we deploy for them."""

from __future__ import annotations

import itertools
import json
import re
from importlib import resources

import pytest

from trailwatch_constructs.catalog import STATIC_CONTROLS, get_control
from trailwatch_constructs.catalog.auditors import (
    ALL_AUDITORS,
    Auditor,
    auditor_profile,
    candidate_texts,
    check_coverage,
    control_checks,
    deployed_texts,
)
from trailwatch_constructs.catalog.auditors.rules import AuditorDataError, auditors_problem
from trailwatch_constructs.core.limits import MAX_METRIC_FILTERS_PER_LOG_GROUP
from trailwatch_constructs.filter_pattern import FilterPatternError, PatternKind, parse_filter_pattern

_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_CIS_IDS = [c.id for c in STATIC_CONTROLS if c.id != "access-key-created"]


def _rule_file(name: str) -> dict[str, object]:
    path = resources.files("trailwatch_constructs.catalog.auditors").joinpath("rules", f"{name}.json")
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _accepts(auditor: Auditor, control_id: str, text: str) -> bool:
    """Whether every check ``auditor`` makes of the control accepts ``text``."""
    return all(check.accepting([text]) is not None for check in control_checks(control_id, [auditor]))


# ---------------------------------------------------------------- the data and its sources


@pytest.mark.parametrize("auditor", list(Auditor), ids=str)
def test_every_rule_names_a_catalogue_control_and_a_pinned_source(auditor: Auditor) -> None:
    # GIVEN an auditor's recorded rules
    profile = auditor_profile(auditor)
    # THEN there are rules, each for a catalogue control, read at a pinned commit of a named file
    assert profile.rules
    for rule in profile.rules:
        assert rule.control_id in {c.id for c in STATIC_CONTROLS}, rule.check
        assert _COMMIT.match(rule.source.commit), (rule.check, rule.source)
        assert "/" in rule.source.repository and rule.source.path, rule.check


@pytest.mark.parametrize(
    ("auditor", "checks"),
    [
        (Auditor.SECURITY_HUB, 14),
        (Auditor.CIS_V3, 15),
        (Auditor.CIS_V5, 15),
        (Auditor.PROWLER, 15),
        (Auditor.STEAMPIPE, 30),
        (Auditor.CUSTODIAN, 15),
        (Auditor.SCOUTSUITE, 14),
        (Auditor.INSPEC, 15),
    ],
    ids=str,
)
def test_each_auditor_checks_the_cis_items_it_covers(auditor: Auditor, checks: int) -> None:
    # GIVEN an auditor THEN it checks every CIS monitoring item it implements, once per check id
    # (steampipe runs each query for CIS v3.0.0 and v5.0.0; ScoutSuite and Security Hub have no 4.15)
    assert len({rule.check for rule in auditor_profile(auditor).rules}) == checks


@pytest.mark.parametrize(
    "auditor",
    [Auditor.SECURITY_HUB, Auditor.PROWLER, Auditor.STEAMPIPE, Auditor.CUSTODIAN, Auditor.SCOUTSUITE, Auditor.INSPEC],
    ids=str,
)
def test_our_evaluation_of_the_security_hub_texts_agrees_with_the_research_notes(auditor: Auditor) -> None:
    # GIVEN what the person who read the tool's code recorded about our Security Hub texts
    notes = _rule_file(auditor.value)["our_patterns"]
    assert isinstance(notes, dict)
    # WHEN the recorded rules are applied, as the tool applies them, to those texts
    # THEN each verdict is the same (where the auditor checks the control at all)
    for control_id, note in notes.items():
        if not control_checks(control_id, [auditor]):
            continue
        assert _accepts(auditor, control_id, get_control(control_id).pattern) is note["accepted"], control_id


def test_a_rules_file_naming_the_wrong_auditor_is_a_data_error(tmp_path: object) -> None:
    # GIVEN rules data whose auditor field disagrees with its file
    from trailwatch_constructs.catalog.auditors import rules

    data = {"auditor": "prowler", "title": "t", "comparison": "exact", "source": {"repository": "a/b"}, "rules": []}
    # WHEN it is read as ScoutSuite's THEN the mistake is named
    with pytest.raises(ValueError, match="expected 'scoutsuite'"):
        rules._profile(Auditor.SCOUTSUITE, data, "scoutsuite", "")
    assert issubclass(AuditorDataError, ValueError)


# ---------------------------------------------------------------- facts about the tools


def test_cis_v3_and_v5_unauthorized_api_calls_add_the_log_delivery_and_head_bucket_exclusions() -> None:
    # GIVEN CIS 4.1 in v3.0.0 and v5.0.0 THEN both exclude log delivery and HeadBucket, and the
    # Security Hub text (CIS 1.2 3.1) passes neither
    for auditor in (Auditor.CIS_V3, Auditor.CIS_V5):
        (check,) = control_checks("unauthorized-api-calls", [auditor])
        (rule,) = check.rules
        assert '$.sourceIPAddress!="delivery.logs.amazonaws.com"' in rule.text
        assert '$.eventName!="HeadBucket"' in rule.text
        assert check.accepting([get_control("unauthorized-api-calls").pattern]) is None


def test_only_cis_v5_adds_modify_security_group_rules() -> None:
    # GIVEN CIS 4.10 THEN v5.0.0 lists ModifySecurityGroupRules and v3.0.0 does not
    (v3,) = control_checks("security-group-changes", [Auditor.CIS_V3])
    (v5,) = control_checks("security-group-changes", [Auditor.CIS_V5])
    assert "ModifySecurityGroupRules" in v5.rules[0].text
    assert "ModifySecurityGroupRules" not in v3.rules[0].text


def test_cis_4_2_accepts_either_of_its_two_texts() -> None:
    # GIVEN CIS 4.2 (console sign-in without MFA) THEN the benchmark's two alternatives each pass,
    # the four-clause one being the Security Hub text
    (check,) = control_checks("console-signin-without-mfa", [Auditor.CIS_V3])
    assert len(check.rules) == 2
    assert check.accepting([get_control("console-signin-without-mfa").pattern]) is not None


def test_prowler_wants_three_more_organizations_event_names_than_cis() -> None:
    # GIVEN prowler's Organizations check THEN the CIS 4.15 text fails it, and adding
    # CancelHandshake, CreateOrganization and EnableAllFeatures to it passes
    cis = get_control("organizations-changes").pattern
    assert not _accepts(Auditor.PROWLER, "organizations-changes", cis)
    more = cis.replace(
        '($.eventName = "UpdateOrganizationalUnit"))',
        '($.eventName = "UpdateOrganizationalUnit") || ($.eventName = "CancelHandshake") || '
        '($.eventName = "CreateOrganization") || ($.eventName = "EnableAllFeatures"))',
    )
    assert more != cis
    assert _accepts(Auditor.PROWLER, "organizations-changes", more)


@pytest.mark.parametrize("auditor", [Auditor.SCOUTSUITE, Auditor.INSPEC], ids=str)
def test_scoutsuite_and_inspec_compare_the_spaced_cis_text_byte_for_byte(auditor: Auditor) -> None:
    # GIVEN the CloudTrail-changes check of an exact-text tool
    spaced = (
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
        "($.eventName = StartLogging) || ($.eventName = StopLogging) }"
    )
    # THEN the spaced CIS text passes, and the same pattern without the spaces (Security Hub's) fails
    assert _accepts(auditor, "cloudtrail-config-changes", spaced)
    assert not _accepts(auditor, "cloudtrail-config-changes", get_control("cloudtrail-config-changes").pattern)
    assert not _accepts(auditor, "cloudtrail-config-changes", spaced + " ")


def test_custodian_matches_from_the_start_ignoring_case() -> None:
    # GIVEN Custodian's regex op (re.match with IGNORECASE, c7n/filters/core.py) on CIS 4.3
    (check,) = control_checks("root-account-usage", [Auditor.CUSTODIAN])
    own = get_control("root-account-usage").pattern
    # THEN the pattern passes in any case, and fails with text before it
    assert check.accepting([own.lower()]) is not None
    assert check.accepting(["x" + own]) is None


def test_inspecs_organizations_text_is_a_recorded_upstream_defect_no_filter_can_carry() -> None:
    # GIVEN InSpec's 4.15 text (backslashes from a single-quoted Ruby string)
    (check,) = control_checks("organizations-changes", [Auditor.INSPEC])
    # THEN it is recorded as a defect, and CloudWatch Logs' syntax rejects the text it wants
    assert "single-quoted Ruby string" in check.defect
    with pytest.raises(FilterPatternError, match="must be inside a quoted string"):
        parse_filter_pattern(check.rules[0].text)


# ---------------------------------------------------------------- what each control deploys


@pytest.mark.parametrize("control_id", _CIS_IDS)
def test_every_candidate_text_is_a_valid_json_pattern_some_auditor_needs(control_id: str) -> None:
    # GIVEN a control's candidate texts THEN each parses, fits CloudWatch Logs' limit, and some check accepts it
    checks = control_checks(control_id, ALL_AUDITORS)
    for candidate in candidate_texts(control_id):
        assert parse_filter_pattern(candidate.text).kind is PatternKind.JSON, candidate.id
        assert any(check.accepting([candidate.text]) for check in checks), candidate.id


@pytest.mark.parametrize("control", STATIC_CONTROLS, ids=lambda c: c.id)
def test_with_every_auditor_each_control_passes_every_check_security_hub_text_first(control: object) -> None:
    # GIVEN every auditor WHEN a control's texts are chosen
    from trailwatch_constructs.catalog import ControlDefinition

    assert isinstance(control, ControlDefinition)
    texts = deployed_texts(control)
    # THEN its own (Security Hub) text comes first, and only checks with a recorded defect fail
    assert texts[0] == control.pattern
    coverage = check_coverage(control.id, texts, ALL_AUDITORS)
    assert coverage.failing == ()
    assert all(r.check.defect for r in coverage.results if r.satisfied_by is None)


@pytest.mark.parametrize("control", STATIC_CONTROLS, ids=lambda c: c.id)
def test_no_smaller_set_of_texts_passes_the_same_checks(control: object) -> None:
    # GIVEN a control's chosen texts and every text it could deploy
    from trailwatch_constructs.catalog import ControlDefinition

    assert isinstance(control, ControlDefinition)
    chosen = deployed_texts(control)
    pool = [control.pattern, *(t.text for t in candidate_texts(control.id))]
    # WHEN every smaller set that keeps the Security Hub text is tried
    smaller = [
        (control.pattern, *rest) for size in range(len(chosen) - 1) for rest in itertools.combinations(pool[1:], size)
    ]
    # THEN none passes every check the chosen texts pass
    for texts in smaller:
        assert check_coverage(control.id, texts, ALL_AUDITORS).failing, texts


def test_security_hub_alone_deploys_each_controls_own_text_only() -> None:
    # GIVEN only Security Hub THEN every control deploys exactly its pattern
    for control in STATIC_CONTROLS:
        assert deployed_texts(control, [Auditor.SECURITY_HUB]) == (control.pattern,)


def test_without_security_hub_its_text_is_left_out_when_others_suffice() -> None:
    # GIVEN only steampipe WHEN unauthorized-api-calls' texts are chosen
    control = get_control("unauthorized-api-calls")
    texts = deployed_texts(control, [Auditor.STEAMPIPE])
    # THEN one text passes steampipe, and it is not the Security Hub one (which steampipe rejects)
    assert len(texts) == 1 and texts[0] != control.pattern
    assert check_coverage(control.id, texts, [Auditor.STEAMPIPE]).failing == ()


def test_every_auditor_at_once_stays_within_the_metric_filter_quota() -> None:
    # GIVEN every catalogue control and every auditor THEN the filters fit one log group's quota
    total = sum(len(deployed_texts(c)) for c in STATIC_CONTROLS)
    assert len(STATIC_CONTROLS) < total <= MAX_METRIC_FILTERS_PER_LOG_GROUP


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("prowler", "is a single string"),
        (["prowler", "wiz"], "unknown auditor(s) 'wiz'"),
        ([Auditor.PROWLER, 3], "must hold strings only"),
    ],
    ids=["lone-string", "unknown", "not-a-string"],
)
def test_auditors_option_mistakes_are_named(value: object, message: str) -> None:
    # GIVEN a wrong auditors= value THEN the problem names the option and what is allowed
    problem = auditors_problem("auditors", value)
    assert problem is not None and problem.startswith("auditors") and message in problem


def test_auditors_option_accepts_members_names_and_nothing() -> None:
    # GIVEN auditor members, their names, or an empty list THEN there is no problem
    assert auditors_problem("auditors", [Auditor.PROWLER, "cis-v5.0.0"]) is None
    assert auditors_problem("auditors", []) is None
