"""``SecurityHubMemberPolicy``: a Security Hub central configuration policy that turns CloudWatch.1-14 off
in the member accounts of an organization trail.

Security Hub evaluates CloudWatch.1-14 only in the account that owns a trail; in member accounts of an
organization trail they report ``NO_DATA`` (Security Hub User Guide, "Security Hub controls for Amazon
CloudWatch"). This opt-in construct, deployed by the Security Hub delegated administrator in the home
Region, disables them there and leaves the trail owner's account checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType

from aws_cdk import Annotations, Aws, Names, Token
from aws_cdk import aws_securityhub as securityhub
from constructs import Construct

from trailwatch_constructs.catalog import STATIC_CONTROLS
from trailwatch_constructs.constructs.monitoring import construct_id_for
from trailwatch_constructs.core.errors import ConfigurationError
from trailwatch_constructs.core.validation import string_sequence_problem

CLOUDWATCH_ALARM_CONTROLS: tuple[str, ...] = tuple(
    c.security_hub_control for c in STATIC_CONTROLS if c.security_hub_control is not None
)
"""CloudWatch.1-14: the Security Hub controls the catalogue's metric filters and alarms satisfy."""


def _standard_arn(path: str) -> str:
    return f"arn:{Aws.PARTITION}:securityhub:{Aws.REGION}::standards/{path}"


class SecurityHubStandard:
    """ARNs of common Security Hub standards in the stack's partition and Region, for ``enabled_standards``.

    Any other standard's ARN works too (``aws securityhub describe-standards`` lists them).
    """

    FOUNDATIONAL_SECURITY_BEST_PRACTICES = _standard_arn("aws-foundational-security-best-practices/v/1.0.0")
    """AWS Foundational Security Best Practices v1.0.0."""
    CIS_AWS_FOUNDATIONS_1_2_0 = f"arn:{Aws.PARTITION}:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"
    """CIS AWS Foundations Benchmark v1.2.0 (its ARN names no Region)."""
    CIS_AWS_FOUNDATIONS_1_4_0 = _standard_arn("cis-aws-foundations-benchmark/v/1.4.0")
    """CIS AWS Foundations Benchmark v1.4.0."""
    CIS_AWS_FOUNDATIONS_3_0_0 = _standard_arn("cis-aws-foundations-benchmark/v/3.0.0")
    """CIS AWS Foundations Benchmark v3.0.0."""
    NIST_800_53_REV_5 = _standard_arn("nist-800-53/v/5.0.0")
    """NIST SP 800-53 Revision 5."""
    PCI_DSS_3_2_1 = _standard_arn("pci-dss/v/3.2.1")
    """PCI DSS v3.2.1."""


class TargetType(StrEnum):
    """What a policy association targets (``AWS::SecurityHub::PolicyAssociation`` ``TargetType``)."""

    ACCOUNT = "ACCOUNT"
    ORGANIZATIONAL_UNIT = "ORGANIZATIONAL_UNIT"
    ROOT = "ROOT"


# The AWS Organizations API's id patterns (account, OU and root ids).
_TARGET_ID_FORMS = (
    (TargetType.ACCOUNT, re.compile(r"^\d{12}$")),
    (TargetType.ORGANIZATIONAL_UNIT, re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")),
    (TargetType.ROOT, re.compile(r"^r-[0-9a-z]{4,32}$")),
)
_TARGET_FORMS_TEXT = "an account id (12 digits), an organizational unit id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)"
_ACCOUNT_RE = _TARGET_ID_FORMS[0][1]
_STANDARD_ARN_RE = re.compile(r"^arn:aws(-[a-z]+)*:securityhub:[a-z0-9-]*::(standards|ruleset)/\S+$")
_CONTROL_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*\.\d+$")
# AWS::SecurityHub::ConfigurationPolicy: Name 1-128 characters, Description at most 512, and at most
# 1,000 standards and 1,000 control ids.
_MAX_NAME_LENGTH = 128
_MAX_DESCRIPTION_LENGTH = 512
_MAX_IDENTIFIERS = 1000
DEFAULT_DESCRIPTION = (
    "trailwatch: disables CloudWatch.1-14 in member accounts of an organization trail, where they report "
    "NO_DATA; the account that owns the trail keeps them"
)


def target_type(target_id: str) -> TargetType | None:
    """The kind of organization entity ``target_id`` names, or ``None`` when it is none of them.

    Args:
        target_id: an account id, an organizational unit id or a root id.

    Returns:
        ``ACCOUNT`` for 12 digits, ``ORGANIZATIONAL_UNIT`` for ``ou-...``, ``ROOT`` for ``r-...``.
    """
    return next((kind for kind, form in _TARGET_ID_FORMS if form.match(target_id)), None)


class SecurityHubMemberPolicy(Construct):
    """Disables CloudWatch.1-14 in an organization trail's member accounts through Security Hub central configuration.

    An ``AWS::SecurityHub::ConfigurationPolicy`` that enables Security Hub and the standards you name,
    and every control except ``disabled_controls`` (newly released controls included), associated with
    each of ``targets``. Deploy it with the Security Hub delegated administrator account, in the home
    Region, once central configuration is on (it needs cross-Region aggregation)::

        SecurityHubMemberPolicy(self, "MemberPolicy",
                                enabled_standards=[SecurityHubStandard.FOUNDATIONAL_SECURITY_BEST_PRACTICES,
                                                   SecurityHubStandard.CIS_AWS_FOUNDATIONS_3_0_0],
                                targets=["ou-ab12-34cd56ef"], trail_owner_account="111122223333")

    A policy replaces the whole Security Hub configuration of the accounts it reaches (their standards
    included), hence ``enabled_standards`` has no default. The account that owns the organization
    trail is where Security Hub reports CloudWatch.1-14, so it must keep them: it may not be a
    target, and when it sits in a targeted OU or root, give it its own association (an account's
    own association wins over the one it inherits). Synth warns about that whenever an OU or a root
    is targeted (acknowledge ``trailwatch:policy-reaches-trail-owner`` once it is handled).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        enabled_standards: Sequence[str],
        targets: Sequence[str],
        trail_owner_account: str,
        disabled_controls: Sequence[str] = CLOUDWATCH_ALARM_CONTROLS,
        name: str | None = None,
        description: str = DEFAULT_DESCRIPTION,
    ) -> None:
        """Validate every property, then create the policy and one association per target.

        Args:
            scope: the parent construct.
            construct_id: the id of this construct.
            enabled_standards: ARNs of the standards the targeted accounts keep enabled (see
                :class:`SecurityHubStandard`); every other standard is disabled there. Required.
            targets: account ids (12 digits), organizational unit ids (``ou-...``) and root ids
                (``r-...``) to associate the policy with. Required.
            trail_owner_account: the account that owns the organization trail (with Control Tower,
                the management account); refused in ``targets``. Required.
            disabled_controls: Security Hub control ids to disable; every other control is enabled.
                Default: ``CloudWatch.1`` to ``CloudWatch.14``.
            name: the policy's name, 1-128 characters. Default: generated from the construct's path.
            description: the policy's description, at most 512 characters. Default: what the policy
                disables and why.

        Raises:
            ConfigurationError: naming every invalid property.
        """
        problems = [
            *_standards_problems(enabled_standards),
            *_targets_problems(targets, trail_owner_account),
            *_owner_problems(trail_owner_account),
            *_controls_problems(disabled_controls),
            *_text_problems("name", name, _MAX_NAME_LENGTH, allow_none=True),
            *_text_problems("description", description, _MAX_DESCRIPTION_LENGTH, allow_none=False),
        ]
        if problems:
            raise ConfigurationError("SecurityHubMemberPolicy properties", problems)
        super().__init__(scope, construct_id)
        self.policy = self._create_policy(enabled_standards, disabled_controls, name, description)
        """The ``AWS::SecurityHub::ConfigurationPolicy``."""
        self.policy_id: str = self.policy.attr_id
        """The policy's UUID (``Fn::GetAtt Id``), what associations refer to."""
        self.policy_arn: str = self.policy.attr_arn
        """The policy's ARN."""
        self.associations: Mapping[str, securityhub.CfnPolicyAssociation] = MappingProxyType(
            {target: self._associate(target) for target in targets}
        )
        """Target id -> its ``AWS::SecurityHub::PolicyAssociation``."""
        self._warn_about_inheritance(targets, trail_owner_account)

    def _create_policy(
        self, standards: Sequence[str], disabled_controls: Sequence[str], name: str | None, description: str
    ) -> securityhub.CfnConfigurationPolicy:
        policy = securityhub.CfnConfigurationPolicy
        return policy(
            self,
            "Policy",
            name=name if name is not None else Names.unique_resource_name(self, max_length=_MAX_NAME_LENGTH),
            description=description,
            configuration_policy=policy.PolicyProperty(
                security_hub=policy.SecurityHubPolicyProperty(
                    service_enabled=True,
                    enabled_standard_identifiers=list(standards),
                    # Only one of the two lists may be given; with the disabled list, Security Hub
                    # enables every other control, newly released ones included.
                    security_controls_configuration=policy.SecurityControlsConfigurationProperty(
                        disabled_security_control_identifiers=list(disabled_controls)
                    ),
                )
            ),
        )

    def _associate(self, target: str) -> securityhub.CfnPolicyAssociation:
        kind = target_type(target)
        assert kind is not None
        # Named after the target, so that reordering targets replaces no association.
        return securityhub.CfnPolicyAssociation(
            self,
            f"Association{construct_id_for(target)}",
            # The association takes the policy's UUID; its Ref is the ARN, which the schema refuses.
            configuration_policy_id=self.policy_id,
            target_id=target,
            target_type=kind.value,
        )

    def _warn_about_inheritance(self, targets: Sequence[str], owner: str) -> None:
        parents = [t for t in targets if target_type(t) is not TargetType.ACCOUNT]
        if not parents:
            return
        Annotations.of(self).add_warning_v2(
            "trailwatch:policy-reaches-trail-owner",
            f"targets {', '.join(parents)} may hold the trail owner's account {owner}, which would then inherit "
            "this policy and stop evaluating CloudWatch.1-14 where Security Hub reports them; if it does, give "
            f"{owner} its own association (e.g. CfnPolicyAssociation with configuration_policy_id="
            "'SELF_MANAGED_SECURITY_HUB', or a policy that keeps them enabled)",
        )


def _standards_problems(standards: object) -> list[str]:
    problem = string_sequence_problem("enabled_standards", standards)
    if problem:
        return [problem]
    assert isinstance(standards, Sequence)
    if not standards:
        return [
            "enabled_standards is empty; a configuration policy replaces each targeted account's standards, so "
            "name every standard to keep, e.g. [SecurityHubStandard.FOUNDATIONAL_SECURITY_BEST_PRACTICES]"
        ]
    problems = [
        f"enabled_standards: {arn!r} is not a Security Hub standard ARN "
        "(arn:<partition>:securityhub:<region>::standards/<name>/v/<version>); see SecurityHubStandard"
        for arn in standards
        if not Token.is_unresolved(arn) and not _STANDARD_ARN_RE.match(arn)
    ]
    return problems + _identifier_list_problems("enabled_standards", standards)


def _controls_problems(controls: object) -> list[str]:
    problem = string_sequence_problem("disabled_controls", controls)
    if problem:
        return [problem]
    assert isinstance(controls, Sequence)
    if not controls:
        return [
            "disabled_controls is empty; the policy would disable nothing. Leave it unset to disable CloudWatch.1-14"
        ]
    problems = [
        f"disabled_controls: {control!r} is not a Security Hub control id (e.g. 'CloudWatch.1')"
        for control in controls
        if not Token.is_unresolved(control) and not _CONTROL_ID_RE.match(control)
    ]
    return problems + _identifier_list_problems("disabled_controls", controls)


def _targets_problems(targets: object, owner: object) -> list[str]:
    problem = string_sequence_problem("targets", targets)
    if problem:
        return [problem]
    assert isinstance(targets, Sequence)
    if not targets:
        return [f"targets is empty; give at least one target: {_TARGET_FORMS_TEXT}"]
    problems = []
    for target in targets:
        if Token.is_unresolved(target):
            problems.append(
                f"targets: {target!r} is only known at deploy time, so its TargetType cannot be derived; give "
                f"{_TARGET_FORMS_TEXT}"
            )
        elif target_type(target) is None:
            problems.append(f"targets: {target!r} is not {_TARGET_FORMS_TEXT}")
        elif target == owner:
            problems.append(
                f"targets: {target!r} is trail_owner_account, the account that owns the organization trail; "
                "Security Hub reports CloudWatch.1-14 there, so it must keep them enabled: leave it out"
            )
    return problems + _duplicate_problems("targets", targets)


def _owner_problems(owner: object) -> list[str]:
    if Token.is_unresolved(owner) or (isinstance(owner, str) and _ACCOUNT_RE.match(owner)):
        return []
    return [f"trail_owner_account {owner!r} is not an account id; expected 12 digits, e.g. '111122223333'"]


def _identifier_list_problems(option: str, values: Sequence[str]) -> list[str]:
    problems = _duplicate_problems(option, values)
    if len(values) > _MAX_IDENTIFIERS:
        problems.append(f"{option} has {len(values)} entries; a configuration policy takes at most {_MAX_IDENTIFIERS}")
    return problems


def _duplicate_problems(option: str, values: Sequence[str]) -> list[str]:
    duplicates = sorted({v for v in values if values.count(v) > 1})
    return [f"{option} names {', '.join(duplicates)} more than once"] if duplicates else []


def _text_problems(option: str, value: object, limit: int, *, allow_none: bool) -> list[str]:
    if (value is None and allow_none) or Token.is_unresolved(value):
        return []
    if isinstance(value, str) and 0 < len(value) <= limit:
        return []
    shown = f"of {len(value)} characters" if isinstance(value, str) else repr(value)
    return [f"{option} {shown} must be a string of 1-{limit} characters"]
