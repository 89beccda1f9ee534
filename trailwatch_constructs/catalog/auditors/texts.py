"""The pattern texts a control may deploy beside its own so that other auditors find one they accept.

Two kinds: every exact text an exact-comparing auditor requires (the CIS benchmark texts,
ScoutSuite's, InSpec's), read from the rules files; and, for auditors that test a regex, a text
the tool documents as its remediation (recorded below with its source). Each is proven in
tests/catalog/test_auditor_texts.py: it parses, and it fires on the control's samples exactly as
the samples file says (``except`` names the texts that differ from the control's own pattern).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from trailwatch_constructs.catalog.auditors.rules import Auditor, Comparison, auditor_profiles


@dataclass(frozen=True)
class AuditorText:
    """A pattern text a control may deploy for the auditors that require it.

    Attributes:
        id: a short name, used in sample expectations, construct ids and the docs
            (e.g. ``cis-v3.0.0`` or ``prowler-remediation``).
        control_id: the control it belongs to.
        text: the pattern, byte for byte.
        origin: where the text was read.
    """

    id: str
    control_id: str
    text: str
    origin: str


# Remediation texts of the regex-testing tools, where no exact auditor's text satisfies them.
_REMEDIATIONS: tuple[AuditorText, ...] = (
    AuditorText(
        id="prowler-remediation",
        control_id="route-table-changes",
        text="{($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) "
        "|| ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || "
        "($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }",
        origin="prowler-cloud/prowler prowler/providers/aws/services/cloudwatch/"
        "cloudwatch_changes_to_network_route_tables_alarm_configured/"
        "cloudwatch_changes_to_network_route_tables_alarm_configured.metadata.json@afc62cf0de82 (Recommendation)",
    ),
    AuditorText(
        id="custodian-grouped",
        control_id="route-table-changes",
        # epam's ecc-aws-099 regex allows one '(' after '&&', so CIS's '&& ((' form fails it; this
        # grouping passes it and keeps the eventSource test AND-ed with the whole list.
        text="{$.eventSource=ec2.amazonaws.com && ($.eventName=CreateRoute || $.eventName=CreateRouteTable || "
        "$.eventName=ReplaceRoute || $.eventName=ReplaceRouteTableAssociation || $.eventName=DeleteRouteTable || "
        "($.eventName=DeleteRoute) || $.eventName=DisassociateRouteTable)}",
        origin="epam/ecc-aws-rulepack policies/ecc-aws-099-route_table_changes_alarm_exists.yml@08a73830 "
        "(a text its regex accepts)",
    ),
    AuditorText(
        id="prowler-remediation",
        control_id="organizations-changes",
        text='{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || '
        '($.eventName = "AttachPolicy") || ($.eventName = "CancelHandshake") || ($.eventName = "CreateAccount") || '
        '($.eventName = "CreateOrganization") || ($.eventName = "CreateOrganizationalUnit") || '
        '($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") '
        '|| ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || '
        '($.eventName = "EnableAllFeatures") || ($.eventName = "EnablePolicyType") || '
        '($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || '
        '($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "MoveAccount") || '
        '($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdateOrganizationalUnit") || '
        '($.eventName = "UpdatePolicy")) }',
        origin="prowler-cloud/prowler prowler/providers/aws/services/cloudwatch/"
        "cloudwatch_log_metric_filter_aws_organizations_changes/"
        "cloudwatch_log_metric_filter_aws_organizations_changes.metadata.json@177204cee942 (Remediation.Code.Other)",
    ),
)


def _text_id(auditor: Auditor) -> str:
    return auditor.value


@cache
def _exact_texts() -> Mapping[str, tuple[AuditorText, ...]]:
    """Every exact text an auditor requires, per control, one entry per distinct text."""
    by_control: dict[str, dict[str, AuditorText]] = {}
    for profile in auditor_profiles():
        if profile.auditor is Auditor.SECURITY_HUB:
            continue  # the control's own pattern
        for rule in profile.rules:
            if rule.comparison is not Comparison.EXACT or rule.defect:
                continue
            texts = by_control.setdefault(rule.control_id, {})
            if rule.text in texts:
                continue
            same_auditor = sum(t.id.startswith(_text_id(profile.auditor)) for t in texts.values())
            suffix = f"-{same_auditor + 1}" if same_auditor else ""
            texts[rule.text] = AuditorText(
                f"{_text_id(profile.auditor)}{suffix}", rule.control_id, rule.text, f"{rule.check}: {rule.source}"
            )
    return {control: tuple(texts.values()) for control, texts in by_control.items()}


def candidate_texts(control_id: str) -> tuple[AuditorText, ...]:
    """The texts a control may deploy beside its own pattern: exact auditors' texts, then remediations."""
    return _exact_texts().get(control_id, ()) + tuple(t for t in _REMEDIATIONS if t.control_id == control_id)
