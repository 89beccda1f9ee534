"""The AuditorChecks aspect reports each check of each chosen auditor a stack would fail."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk.assertions import Annotations, Match

from tests.constructs.helpers import existing_log_group, new_app
from tests.constructs.helpers import new_stack as _pinned_stack
from trailwatch_constructs import AuditorChecks, CloudTrailSecurityMonitoring
from trailwatch_constructs.catalog.auditors import ALL_AUDITORS, Auditor
from trailwatch_constructs.constructs.auditor_checks import stack_findings

_ANNOTATIONS_FAIL_SYNTH = "@aws-cdk/core:annotationsInValidationReport"


def _stack(**props: object) -> cdk.Stack:
    stack = _pinned_stack(new_app(**{_ANNOTATIONS_FAIL_SYNTH: False}))
    CloudTrailSecurityMonitoring(
        stack, "M", log_group=existing_log_group(stack), alarm_emails=["ops@example.com"], **props
    )
    return stack


def test_a_stack_deploying_security_hub_texts_only_fails_the_other_auditors_named_check_by_check() -> None:
    # GIVEN a stack built for Security Hub alone
    stack = _stack(auditors=["security-hub"])
    # WHEN every auditor's checks run
    found = {(f.auditor, f.check): f.why for f in stack_findings(stack, ALL_AUDITORS)}
    # THEN Security Hub passes, and e.g. prowler's route-table check and CIS v5.0.0 4.10 fail,
    # each saying the filter on the control's metric has a text the auditor does not accept
    assert not any(auditor is Auditor.SECURITY_HUB for auditor, _ in found)
    assert found[(Auditor.PROWLER, "cloudwatch_changes_to_network_route_tables_alarm_configured")] == (
        "a metric filter publishing its metric has pattern text it does not accept"
    )
    assert (Auditor.CIS_V5, "CIS v5.0.0 4.10") in found
    assert (Auditor.SCOUTSUITE, "logs-no-alarm-cloudtrail-configuration-changes") in found


def test_a_stack_deploying_every_auditors_texts_passes_them_all() -> None:
    assert stack_findings(_stack(), ALL_AUDITORS) == []


def test_findings_are_warnings_with_an_id_per_auditor_check_when_asked() -> None:
    # GIVEN a stack for Security Hub alone and the aspect for prowler, as warnings
    stack = _stack(auditors=["security-hub"])
    cdk.Aspects.of(stack).add(AuditorChecks(auditors=["prowler"], as_errors=False))
    # WHEN synthesized THEN each failing prowler check is a warning whose id names auditor and check
    warnings = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    texts = [str(w.entry.data) for w in warnings]
    assert any(
        t.startswith("prowler cloudwatch_log_metric_filter_aws_organizations_changes would fail")
        and "[ack: trailwatch:prowler:cloudwatch_log_metric_filter_aws_organizations_changes]" in t
        for t in texts
    ), texts


def test_a_check_with_an_upstream_defect_is_not_reported() -> None:
    # GIVEN every auditor's texts THEN InSpec 4.15 (no deployable text can pass it) is not a finding
    assert all(f.check != "aws-foundations-cis-4.15" for f in stack_findings(_stack(), [Auditor.INSPEC]))


def test_a_tuned_variant_warns_which_auditors_will_fail_for_its_control() -> None:
    # GIVEN the unauthorized-api-calls variant with every auditor
    stack = _stack(tuned_variants=["unauthorized-api-calls-tuned"])
    # THEN the warning names Security Hub's check and the other auditors' checks of that control
    warnings = [str(w.entry.data) for w in Annotations.from_stack(stack).find_warning("*", Match.any_value())]
    (warning,) = [w for w in warnings if "tuned variant" in w]
    assert "CloudWatch.2 will fail" in warning
    assert "so will CIS v3.0.0 4.1, CIS v5.0.0 4.1, Cloud Custodian" in warning
