"""Opt-in tuned variants of the noisy catalogue controls, never deployed by default, and their lookups.

Each variant's rules, exclusions and evidence are in ``docs/tuned-variants.md``; its samples in
``samples/<variant-id>.json``.
"""

from __future__ import annotations

from collections.abc import Mapping

from trailwatch_constructs.catalog.controls import (
    CONSOLE_SIGNIN_WITHOUT_MFA,
    CONTROL_IDS,
    STATIC_CONTROLS,
    UNAUTHORIZED_API_CALLS,
    unknown_id_message,
)
from trailwatch_constructs.catalog.definition import ControlDefinition, Language, LocalizedText
from trailwatch_constructs.core.errors import UnknownControlError

TUNED_SUFFIX = "-tuned"
"""Appended to the base id to form a variant id."""
TUNED_METRIC_SUFFIX = "Tuned"
"""Appended to the base metric name to form a variant's metric name."""


def _tuned(base: ControlDefinition, pattern: str, *, texts: Mapping[Language, LocalizedText]) -> ControlDefinition:
    """A variant of ``base``: its own id, metric and pattern; the base's severity, references and alarm."""
    return ControlDefinition(
        id=base.id + TUNED_SUFFIX,
        pattern=pattern,
        metric_name=base.metric_name + TUNED_METRIC_SUFFIX,
        severity=base.severity,
        references=base.references,
        alarm=base.alarm,
        variant_of=base.id,
        texts=texts,
    )


# ------------------------------------------------------------------ console-signin-without-mfa-tuned
#
# The base (Security Hub CloudWatch.3) text already requires userIdentity.type = "IAMUser", and
# IAM Identity Center and SAML sign-ins are recorded as "AssumedRole", so the base does not fire on
# them today. The two federation exclusions below are a guard that keeps them out even if a record
# ever pairs IAMUser with federation evidence; they change nothing for records AWS writes today.
# The one behavioural difference on real records is the MFA clause: the base's bare
# `MFAUsed != "Yes"` is false when MFAUsed is missing, so the base stays silent on a successful
# IAM-user sign-in that records no MFA evidence at all; here such a record counts.
_CONSOLE_SIGNIN_TUNED_PATTERN = (
    '{ ($.eventName = "ConsoleLogin")'
    ' && (($.additionalEventData.MFAUsed NOT EXISTS) || ($.additionalEventData.MFAUsed != "Yes"))'
    ' && ($.userIdentity.type = "IAMUser")'
    ' && ($.responseElements.ConsoleLogin = "Success")'
    # SAML federation through an IAM SAML provider: MFA happens at the IdP; CloudTrail writes
    # MFAUsed "No" and names the provider here.
    " && ($.additionalEventData.SamlProviderArn NOT EXISTS)"
    # IAM Identity Center: the console session is the permission set's AWSReservedSSO_ role.
    ' && (($.userIdentity.arn NOT EXISTS) || ($.userIdentity.arn != "*:assumed-role/AWSReservedSSO_*")) }'
)

CONSOLE_SIGNIN_WITHOUT_MFA_TUNED = _tuned(
    CONSOLE_SIGNIN_WITHOUT_MFA,
    _CONSOLE_SIGNIN_TUNED_PATTERN,
    texts={
        Language.EN: LocalizedText(
            title="Console sign-in without MFA (tuned: SSO and SAML sign-ins excluded)",
            rationale="A password alone protects this IAM user's console session; a leaked or guessed password is "
            "enough to take over the account. This variant also excludes sign-ins federated through a SAML "
            "provider (SamlProviderArn present) or IAM Identity Center (an AWSReservedSSO_ role), where MFA is "
            'enforced by the identity provider and CloudTrail always writes MFAUsed "No". The Security Hub '
            "text already skips those because they are not IAM users, so this is a safeguard, not a noise cut. "
            "Unlike that text, a sign-in that records no MFAUsed field at all still counts.",
            investigation="Ask the user whether the sign-in was theirs, enforce an MFA device for them, and review "
            "what the session did after signing in. If additionalEventData has no MFAUsed field, treat the "
            "sign-in as password-only until proven otherwise.",
        ),
        Language.JA: LocalizedText(
            title="MFA未使用のコンソールサインイン(調整版: SSO・SAMLのサインインを除外)",
            rationale="このIAMユーザのコンソールセッションはパスワードのみで保護されており、パスワードの漏えいや推測だけで乗っ取られます。"
            "この調整版は、SAMLプロバイダー経由(SamlProviderArnあり)とIAM Identity Center経由"
            "(AWSReservedSSO_ロール)のサインインも除外します。これらはIDプロバイダー側でMFAが強制され、"
            'CloudTrailには常にMFAUsed "No"と記録されます。'
            "Security Hubの文言もIAMユーザ以外としてこれらを既に除外しているため、これはノイズ削減ではなく安全策です。"
            "Security Hubの文言と異なり、MFAUsedフィールド自体がないサインインも検知します。",
            investigation="本人のサインインかを確認し、MFAデバイスを必須にし、サインイン後のセッションの操作を確認してください。"
            "additionalEventDataにMFAUsedがない場合は、確認できるまでパスワードのみのサインインとして扱ってください。",
        ),
    },
)

# ------------------------------------------------------------------ unauthorized-api-calls-tuned
#
# Base conditions (Security Hub CloudWatch.2), then three exclusions of denials that AWS services
# cause on their own. Deliberately NOT excluded: HeadBucket in general (the CIS remediation text's
# blanket `$.eventName != "HeadBucket"` would also hide a person or a stolen key probing buckets),
# and calls an AWS service makes with the caller's own credentials (invokedBy set on an IAM user or
# customer role, e.g. CloudFormation), because those are the caller's denials.
_UNAUTHORIZED_API_CALLS_TUNED_PATTERN = (
    '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*"))'
    # Log delivery (VPC Flow Logs, ELB/CloudFront access logs... to S3) checking a bucket it may not
    # read: the exclusion the later CIS remediation text suggests.
    ' && (($.sourceIPAddress NOT EXISTS) || ($.sourceIPAddress != "delivery.logs.amazonaws.com"))'
    # AWS Config's documented bucket existence check before delivery (HeadBucket, invoked by Config,
    # also when Config uses a customer-managed role).
    ' && (($.eventName NOT EXISTS) || ($.eventName != "HeadBucket")'
    ' || ($.userIdentity.invokedBy NOT EXISTS) || ($.userIdentity.invokedBy != "config.amazonaws.com"))'
    # Service-linked roles (AWS Config, Access Analyzer, Inspector, Trusted Advisor...): their trust
    # policy cannot be edited, so only the owning AWS service can use them.
    " && (($.userIdentity.sessionContext.sessionIssuer.arn NOT EXISTS)"
    ' || ($.userIdentity.sessionContext.sessionIssuer.arn != "*:role/aws-service-role/*")) }'
)

UNAUTHORIZED_API_CALLS_TUNED = _tuned(
    UNAUTHORIZED_API_CALLS,
    _UNAUTHORIZED_API_CALLS_TUNED_PATTERN,
    texts={
        Language.EN: LocalizedText(
            title="Unauthorized API calls (tuned: AWS service noise excluded)",
            rationale="Calls denied by IAM can reveal a principal probing for permissions it should not have, "
            "stolen credentials being tried, or a broken deployment. This variant does not count three kinds of "
            "denial that AWS services cause on their own: log delivery (source delivery.logs.amazonaws.com) "
            "checking a bucket, AWS Config's HeadBucket existence check, and calls by service-linked roles, "
            "which only their AWS service can use. Denials by people, applications and customer-managed roles "
            "still count, HeadBucket included.",
            investigation="Group the denied calls by principal and source IP; a burst from one principal across many "
            "services points to enumeration, a single repeated call to a misconfigured application. Denials of "
            "AWS services are not counted here: if you need to know that Config or Access Analyzer is blocked, "
            "watch those separately.",
        ),
        Language.JA: LocalizedText(
            title="不正なAPIコール(調整版: AWSサービス由来のノイズを除外)",
            rationale="権限上許可されていないAPIコールは、権限の探索、盗まれた認証情報の試用、設定誤りを示す可能性があります。"
            "この調整版は、AWSサービス自身が起こす3種類の拒否を数えません: "
            "ログ配信(送信元 delivery.logs.amazonaws.com)によるバケットの確認、AWS ConfigのHeadBucketによる"
            "バケット存在確認、そしてそのAWSサービスしか使えないサービスリンクロールのコールです。"
            "人、アプリケーション、カスタマー管理ロールによる拒否は、HeadBucketを含めて引き続き検知します。",
            investigation="拒否されたコールをプリンシパルと送信元IPで集計してください。多数のサービスへの連続した拒否は列挙行為、"
            "同じコールの繰り返しはアプリケーションの設定誤りを示します。AWSサービスの拒否はここでは数えないため、"
            "ConfigやAccess Analyzerが拒否されていないかを知りたい場合は別途監視してください。",
        ),
    },
)

TUNED_VARIANTS: tuple[ControlDefinition, ...] = (
    UNAUTHORIZED_API_CALLS_TUNED,
    CONSOLE_SIGNIN_WITHOUT_MFA_TUNED,
)
"""Every tuned variant, in catalogue order of their base controls. None is deployed by default."""

VARIANT_IDS: tuple[str, ...] = tuple(v.id for v in TUNED_VARIANTS)
"""Ids of every tuned variant, in the order of :data:`TUNED_VARIANTS`."""


def get_variant(variant_id: str) -> ControlDefinition:
    """One tuned variant by id.

    Args:
        variant_id: e.g. ``unauthorized-api-calls-tuned``.

    Returns:
        The variant's definition.

    Raises:
        UnknownControlError: naming the known variant ids, when ``variant_id`` is none of them.
    """
    for variant in TUNED_VARIANTS:
        if variant.id == variant_id:
            return variant
    raise UnknownControlError(f"unknown tuned variant id {variant_id!r}; known variant ids: {', '.join(VARIANT_IDS)}")


def variants_for(base_id: str) -> tuple[ControlDefinition, ...]:
    """The tuned variants of one catalogue control.

    Args:
        base_id: a catalogue control id.

    Returns:
        Its variants, in the order of :data:`TUNED_VARIANTS`; empty when it has none.

    Raises:
        UnknownControlError: naming the known ids, when ``base_id`` is not a catalogue control (so a
            typo is not mistaken for "no variants").
    """
    if base_id not in CONTROL_IDS:
        raise UnknownControlError(unknown_id_message([base_id], "variants_for()"))
    return tuple(v for v in TUNED_VARIANTS if v.variant_of == base_id)


def replaces_security_hub_text(variant: ControlDefinition) -> str | None:
    """The Security Hub control whose exact-text check fails when a variant replaces its base.

    Args:
        variant: a tuned variant (any definition is accepted).

    Returns:
        The Security Hub control id, e.g. ``CloudWatch.2``; ``None`` when ``variant`` is not a
        variant, its base is not a Security Hub control, or the two patterns are identical.
    """
    base = next((c for c in STATIC_CONTROLS if c.id == variant.variant_of), None)
    if base is None or base.security_hub_control is None or base.pattern == variant.pattern:
        return None
    return base.security_hub_control
