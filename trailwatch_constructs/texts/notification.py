"""Enriched alarm notifications: who did what, where and when, for email and for chat, per language.

The alert enricher (``functions/alert_enricher``) gathers an alarm's matching CloudTrail records
into an :class:`EnrichedAlarm`; :func:`render_notification` turns it into one :class:`Notification`:
an SNS subject, a plain text (email and every other protocol) and an Amazon Q Developer in chat
applications (formerly AWS Chatbot) custom notification for Slack and Microsoft Teams.

Limits kept, with their sources:

- Subject: "Subjects must be UTF-8 text with no line breaks or control characters, and less than 100
  characters long" (SNS API reference, Publish, ``Subject``), so at most :data:`SUBJECT_LIMIT`.
- Message: "at most 256 KB in size (262,144 bytes, not 262,144 characters)" (same page, ``Message``);
  with ``MessageStructure=json`` that is the whole JSON object, every protocol's text included.
- Chat: the custom notification schema (Amazon Q Developer in chat applications administrator guide,
  "Custom notifications": ``version`` 1.0, ``source`` custom, ``content.textType`` client-markdown);
  the guide states no length limit, so the description keeps within Slack's 3,000 characters for
  the text of one section block (:data:`CHAT_DESCRIPTION_BUDGET`).

Every value taken from a record is untrusted (a user agent is whatever the caller sent): control and
format characters are replaced, so it cannot forge lines of the text, and in chat it is set in code
with ``<``, ``>`` and backticks replaced, so it cannot mention a channel or open a link.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trailwatch_constructs.catalog.definition import ControlDefinition, Language, Severity

SUBJECT_LIMIT = 99
"""SNS subjects must be less than 100 characters long."""
MESSAGE_LIMIT = 262_144
"""SNS's largest message, in UTF-8 bytes."""
MESSAGE_BUDGET = MESSAGE_LIMIT - 4_096
"""What the JSON message may use: a margin under :data:`MESSAGE_LIMIT` for the request's other parts."""
CHAT_DESCRIPTION_BUDGET = 3_000
"""The longest chat description: Slack's limit for the text of one section block."""
TEXT_SHOWN_LIMIT = 20
"""The most events the text details; the rest are counted and left to the link."""
VALUE_LIMIT = 300
"""The longest value shown from a record (a user agent, a request parameter); longer ones are cut."""
ERROR_LIMIT = 500
"""The longest error message shown."""

_ELLIPSIS = "…"
# Characters that attach to the one before them: a cut must not separate them from it.
_ATTACHING = {"\u200d", "\ufe0e", "\ufe0f"}


@dataclass(frozen=True)
class WhatField:
    """One thing a control's notification shows about an event: a value at a path of the record.

    Attributes:
        path: dotted keys into the record, e.g. ``requestParameters.policyArn``.
        label: how it is named. Default: the path without its first key when that is
            ``requestParameters``, ``responseElements`` or ``additionalEventData``.
        summarize: turns the value into one line (e.g. security group rules). Default: the
            value itself, objects as compact JSON.
    """

    path: str
    label: str = ""
    summarize: Callable[[Any], str | None] | None = None

    @property
    def name(self) -> str:
        """The label shown."""
        if self.label:
            return self.label
        head, _, rest = self.path.partition(".")
        return rest if rest and head in ("requestParameters", "responseElements", "additionalEventData") else self.path

    def value(self, record: Mapping[str, Any]) -> str | None:
        """The field's value in ``record`` as shown, or ``None`` when it is absent or empty."""
        found = value_at(record, self.path)
        if found in (None, "", {}, []):
            return None
        return self.summarize(found) if self.summarize else show_value(found)


def value_at(record: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a decoded record, or ``None``."""
    current: Any = record
    for key in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def show_value(value: Any) -> str:
    """A record's value as one line: text as is, booleans and ``null`` as JSON writes them, objects as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _items(value: Any) -> list[Any]:
    """The elements of a CloudTrail list, which EC2 records wrap as ``{"items": [...]}``."""
    if isinstance(value, Mapping):
        value = value.get("items")
    return list(value) if isinstance(value, list) else []


def _ports(rule: Mapping[str, Any]) -> str:
    low, high = rule.get("fromPort"), rule.get("toPort")
    if low is None or low == -1:
        return ""
    return f" {low}" if high in (None, low) else f" {low}-{high}"


def ip_permissions_summary(value: Any) -> str | None:
    """Security group rules in one line, e.g. ``tcp 22 from 0.0.0.0/0; all from sg-0abc``."""
    parts = []
    for rule in _items(value):
        if not isinstance(rule, Mapping):
            continue
        protocol = str(rule.get("ipProtocol", "?"))
        sources = [
            str(source.get(key))
            for container, key in (
                ("ipRanges", "cidrIp"),
                ("ipv6Ranges", "cidrIpv6"),
                ("groups", "groupId"),
                ("prefixListIds", "prefixListId"),
            )
            for source in _items(rule.get(container))
            if isinstance(source, Mapping) and source.get(key)
        ]
        parts.append(f"{'all' if protocol == '-1' else protocol}{_ports(rule)} from {', '.join(sources) or '?'}")
    return "; ".join(parts) or None


def port_range_summary(value: Any) -> str | None:
    """A network ACL entry's ``portRange`` as ``from-to``."""
    if not isinstance(value, Mapping) or "from" not in value:
        return None
    low, high = value.get("from"), value.get("to", value.get("from"))
    return str(low) if low == high else f"{low}-{high}"


def _fields(*paths: str | WhatField) -> tuple[WhatField, ...]:
    return tuple(p if isinstance(p, WhatField) else WhatField(p) for p in paths)


def _created(path: str) -> WhatField:
    """The id of what a call created, from its response: labelled ``new <last key>``."""
    return WhatField(path, label=f"new {path.rsplit('.', 1)[-1]}")


_SIGN_IN = _fields("responseElements.ConsoleLogin", "additionalEventData.LoginTo", "additionalEventData.MFAUsed")

WHAT_FIELDS: Mapping[str, tuple[WhatField, ...]] = {
    "root-account-usage": _SIGN_IN,
    # Its error code and message are every failed call's result, shown beside the what fields.
    "unauthorized-api-calls": _fields(
        "requestParameters.bucketName",
        "requestParameters.roleArn",
        "requestParameters.keyId",
        "requestParameters.instanceType",
    ),
    "console-signin-without-mfa": _SIGN_IN,
    "iam-policy-changes": _fields(
        "requestParameters.policyArn",
        "requestParameters.policyName",
        "requestParameters.groupName",
        "requestParameters.roleName",
        "requestParameters.userName",
        "requestParameters.setAsDefault",
        "requestParameters.versionId",
        "responseElements.policyVersion.versionId",
    ),
    "cloudtrail-config-changes": _fields(
        "requestParameters.name",
        "requestParameters.trailName",
        "requestParameters.s3BucketName",
        "requestParameters.enableLogFileValidation",
        "requestParameters.isMultiRegionTrail",
        "requestParameters.includeGlobalServiceEvents",
        "requestParameters.kmsKeyId",
        "requestParameters.cloudWatchLogsLogGroupArn",
    ),
    "console-signin-failures": _SIGN_IN,
    "kms-key-disable-or-deletion": _fields(
        "requestParameters.keyId", "requestParameters.pendingWindowInDays", "responseElements.deletionDate"
    ),
    "s3-bucket-policy-changes": _fields("requestParameters.bucketName"),
    "config-changes": _fields(
        "requestParameters.configurationRecorderName",
        "requestParameters.deliveryChannelName",
        "requestParameters.configurationRecorder.name",
        "requestParameters.deliveryChannel.name",
        "requestParameters.deliveryChannel.s3BucketName",
    ),
    "security-group-changes": _fields(
        "requestParameters.groupId",
        "requestParameters.groupName",
        "requestParameters.vpcId",
        WhatField("requestParameters.ipPermissions", summarize=ip_permissions_summary),
        _created("responseElements.groupId"),
    ),
    "nacl-changes": _fields(
        "requestParameters.networkAclId",
        "requestParameters.ruleNumber",
        "requestParameters.ruleAction",
        "requestParameters.egress",
        "requestParameters.cidrBlock",
        "requestParameters.ipv6CidrBlock",
        WhatField("requestParameters.portRange", summarize=port_range_summary),
        "requestParameters.associationId",
        "requestParameters.vpcId",
        _created("responseElements.networkAcl.networkAclId"),
    ),
    "network-gateway-changes": _fields(
        "requestParameters.internetGatewayId",
        "requestParameters.customerGatewayId",
        "requestParameters.vpcId",
        "requestParameters.ipAddress",
        _created("responseElements.internetGateway.internetGatewayId"),
        _created("responseElements.customerGateway.customerGatewayId"),
    ),
    "route-table-changes": _fields(
        "requestParameters.routeTableId",
        "requestParameters.destinationCidrBlock",
        "requestParameters.gatewayId",
        "requestParameters.natGatewayId",
        "requestParameters.instanceId",
        "requestParameters.vpcPeeringConnectionId",
        "requestParameters.associationId",
        "requestParameters.vpcId",
        _created("responseElements.routeTable.routeTableId"),
        # API Gateway's CreateRoute also matches Security Hub's pattern: its API and route tell it apart.
        "requestParameters.apiId",
        "requestParameters.routeKey",
    ),
    "vpc-changes": _fields(
        "requestParameters.vpcId",
        "requestParameters.cidrBlock",
        "requestParameters.peerVpcId",
        "requestParameters.peerOwnerId",
        "requestParameters.vpcPeeringConnectionId",
        _created("responseElements.vpc.vpcId"),
        _created("responseElements.vpcPeeringConnection.vpcPeeringConnectionId"),
    ),
    "organizations-changes": _fields(
        "requestParameters.accountId",
        "requestParameters.policyId",
        "requestParameters.targetId",
        "requestParameters.target.id",
        "requestParameters.roleName",
        WhatField("responseElements.policy.policySummary.name", label="policy name"),
        WhatField("responseElements.createAccountStatus.id", label="createAccountStatus id"),
        WhatField("responseElements.handshake.id", label="handshake id"),
    ),
    "access-key-created": _fields(
        "requestParameters.userName",
        "requestParameters.accessKeyId",
        "requestParameters.status",
        WhatField("responseElements.accessKey.userName", label="userName"),
        WhatField("responseElements.accessKey.accessKeyId", label="accessKeyId"),
    ),
    "privileged-group-membership-changes": _fields("requestParameters.groupName", "requestParameters.userName"),
}
"""Per catalogue control id, what its notification shows of each event beyond its name, source and result
(``errorCode: errorMessage``, shown for every event that has one)."""

GENERIC_FIELD_COUNT = 6
"""For a control not in :data:`WHAT_FIELDS`, the first request parameters with a plain value shown."""


def what_fields(record: Mapping[str, Any], control_id: str | None) -> tuple[tuple[str, str], ...]:
    """What an event did, for a control: its fields' labels and values, each (label, value) once.

    Args:
        record: a decoded CloudTrail record.
        control_id: a catalogue control id, a tuned variant's base id, or ``None`` (a custom control:
            the first :data:`GENERIC_FIELD_COUNT` request parameters whose value is not an object).

    Returns:
        The (label, value) pairs present in the record, in the control's order.
    """
    fields = WHAT_FIELDS.get(control_id or "")
    if fields is None:
        parameters = record.get("requestParameters")
        plain = [
            (str(key), show_value(value))
            for key, value in (parameters.items() if isinstance(parameters, Mapping) else ())
            if value not in (None, "") and not isinstance(value, Mapping | list)
        ]
        return tuple(plain[:GENERIC_FIELD_COUNT])
    shown = ((f.name, f.value(record)) for f in fields)
    return tuple(dict.fromkeys((name, value) for name, value in shown if value is not None))


@dataclass(frozen=True)
class EventSummary:
    """Who did what, where and when, in one CloudTrail record; every value is ready to show."""

    event_id: str = ""
    time: str = ""
    name: str = ""
    source: str = ""
    principal: str = ""
    """The principal's ARN (or, without one, the invoking service or the principal id)."""
    principal_name: str = ""
    """A short name for subjects: ``root``, a user name, ``role/session``, a service."""
    identity_type: str = ""
    session_issuer: str = ""
    mfa: bool | None = None
    """Whether MFA was used (``MFAUsed`` of a sign-in, or the session's ``mfaAuthenticated``); ``None``: not said."""
    access_key: str = ""
    account: str = ""
    region: str = ""
    source_ip: str = ""
    user_agent: str = ""
    details: tuple[tuple[str, str], ...] = ()
    """What the event did, for its control (:func:`what_fields`)."""
    error: str = ""
    """The error code and message of a call that failed; empty when it succeeded."""


def clean(value: object, limit: int = VALUE_LIMIT) -> str:
    """A value as one safe line: line breaks become spaces, other control and format characters U+FFFD.

    Args:
        value: any value; shown as ``str(value)``.
        limit: the most characters kept. Default: :data:`VALUE_LIMIT`.

    Returns:
        The cleaned, cut text.
    """
    text = "".join(
        " " if char in "\t\n\r" else "\ufffd" if unicodedata.category(char) in ("Cc", "Cf") else char
        for char in str(value)
    )
    return cut_text(text, limit)


def cut_text(text: str, limit: int, ellipsis: str = _ELLIPSIS) -> str:
    """``text`` within ``limit`` characters, cut at a character boundary that keeps marks with their base.

    Args:
        text: any text.
        limit: the most characters the result may have (at least the ellipsis's length).
        ellipsis: appended when the text is cut.

    Returns:
        ``text`` when it fits; else its start, without trailing spaces or a character cut from the
        marks, joiners or variation selectors that follow it, then ``ellipsis``.
    """
    if len(text) <= limit:
        return text
    end = limit - len(ellipsis)
    while end > 0 and (_attaches(text[end]) or text[end - 1] in _ATTACHING):
        end -= 1
    return text[:end].rstrip() + ellipsis


def _attaches(char: str) -> bool:
    return char in _ATTACHING or unicodedata.combining(char) != 0 or unicodedata.category(char) in ("Mn", "Me")


def _mfa(record: Mapping[str, Any]) -> bool | None:
    used = value_at(record, "additionalEventData.MFAUsed")
    if isinstance(used, str) and used in ("Yes", "No"):
        return used == "Yes"
    authenticated = value_at(record, "userIdentity.sessionContext.attributes.mfaAuthenticated")
    if isinstance(authenticated, str) and authenticated in ("true", "false"):
        return authenticated == "true"
    return None


def _principal_name(identity: Mapping[str, Any]) -> str:
    arn = str(identity.get("arn") or "")
    if identity.get("type") == "Root":
        return "root"
    for marker in (":assumed-role/", ":federated-user/"):
        if marker in arn:
            return arn.split(marker, 1)[1]
    if identity.get("userName"):
        return str(identity["userName"])
    if arn:
        return arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return str(identity.get("invokedBy") or identity.get("principalId") or "unknown")


def _error(record: Mapping[str, Any]) -> str:
    code, message = record.get("errorCode"), record.get("errorMessage")
    return ": ".join(str(part) for part in (code, message) if part)


def summarize_event(record: object, control_id: str | None = None) -> EventSummary:
    """Who did what, where and when in one CloudTrail record.

    Args:
        record: the record decoded from JSON; anything else (a log line that is not JSON) is shown
            as its text.
        control_id: the control it matched, for its what fields (:func:`what_fields`). Default: none.

    Returns:
        The summary, every value cleaned (:func:`clean`); absent values are empty.
    """
    if not isinstance(record, Mapping):
        return EventSummary(details=(("message", clean(record)),))
    raw_identity = record.get("userIdentity")
    identity: Mapping[str, Any] = raw_identity if isinstance(raw_identity, Mapping) else {}
    principal = identity.get("arn") or identity.get("invokedBy") or identity.get("principalId") or ""
    issuer = value_at(identity, "sessionContext.sessionIssuer.arn") or ""
    return EventSummary(
        event_id=clean(record.get("eventID") or ""),
        time=clean(record.get("eventTime") or ""),
        name=clean(record.get("eventName") or ""),
        source=clean(record.get("eventSource") or ""),
        principal=clean(principal),
        principal_name=clean(_principal_name(identity)),
        identity_type=clean(identity.get("type") or ""),
        session_issuer=clean(issuer),
        mfa=_mfa(record),
        access_key=clean(identity.get("accessKeyId") or ""),
        account=clean(record.get("recipientAccountId") or identity.get("accountId") or ""),
        region=clean(record.get("awsRegion") or ""),
        source_ip=clean(record.get("sourceIPAddress") or ""),
        user_agent=clean(record.get("userAgent") or ""),
        details=tuple((clean(label), clean(value)) for label, value in what_fields(record, control_id)),
        error=clean(_error(record), ERROR_LIMIT),
    )


@dataclass(frozen=True)
class EnrichedAlarm:
    """An alarm's change to ALARM and the CloudTrail records behind it: what a notification says."""

    alarm_name: str
    alarm_arn: str
    account: str
    region: str
    changed_at: str
    """When the alarm entered ALARM (ISO 8601, UTC)."""
    metric: str
    """The alarm's metric as ``namespace/name``."""
    control: ControlDefinition | None
    """The catalogue control publishing the metric; ``None`` for a custom control."""
    records: Sequence[object] = ()
    """The matching records, each once, decoded from JSON."""
    complete: bool = True
    """Whether every matching record was read (``False``: reading stopped at the cap, the deadline or an error)."""
    read_error: str = ""
    """Why the records could not all be read; empty when nothing failed."""
    events_links: tuple[str, ...] = ()
    """Console links to the matching events, one per log group."""
    alarm_link: str = ""
    """A console link to the alarm."""

    @property
    def control_id(self) -> str | None:
        """The id whose what fields apply: a tuned variant's base control, the control's own, or ``None``."""
        if self.control is None:
            return None
        return self.control.variant_of or self.control.id


@dataclass(frozen=True)
class NotificationPhrases:
    """The fixed phrases of a notification in one language; ``{names}`` are filled in."""

    state: str
    generic_title: str
    """The title of a custom control: ``{metric}``."""
    count_one: str
    count: str
    """The number of events in a subject: ``{n}``."""
    count_at_least: str
    count_unread: str
    by: str
    """Who, in a subject: ``{who}``."""
    by_several: str
    """Who, when several principals acted: ``{who}``, ``{others}``."""
    heading: str
    """``{title}``, ``{control}``, ``{severity}``."""
    alarm: str
    """``{name}``, ``{account}``, ``{region}``, ``{time}``."""
    counts: str
    """``{total}``, ``{shown}``."""
    counts_at_least: str
    read_error: str
    """``{error}``."""
    none_found: str
    event: str
    """``{n}``, ``{name}``, ``{source}``, ``{time}``."""
    who: str
    identity_type: str
    session_issuer: str
    mfa: str
    access_key: str
    yes: str
    no: str
    what: str
    result: str
    where: str
    """``{account}``, ``{region}``, ``{ip}``."""
    user_agent: str
    event_id: str
    more: str
    """``{n}``."""
    check: str
    events_link: str
    alarm_link: str
    chat_event: str
    """One event in chat: ``{time}``, ``{name}``, ``{who}``, ``{identity}``, ``{ip}``."""
    separator: str


PHRASES: Mapping[Language, NotificationPhrases] = {
    Language.EN: NotificationPhrases(
        state="ALARM",
        generic_title="Metric {metric}",
        count_one="1 event",
        count="{n} events",
        count_at_least="{n}+ events",
        count_unread="events not read",
        by=" by {who}",
        by_several=" by {who} +{others}",
        heading="{title} ({control}, severity {severity})",
        alarm="Alarm {name} in account {account}, region {region} entered ALARM at {time}.",
        counts="Matching events: {total} in all, {shown} shown.",
        counts_at_least="Matching events: at least {total} (reading stopped before the end), {shown} shown.",
        read_error="The matching events could not all be read: {error}. Open the link to see them.",
        none_found="No matching event was found in the alarm's window; open the link to look further.",
        event="#{n} {name} ({source}) at {time}",
        who="Who: {value}",
        identity_type="type {value}",
        session_issuer="session issuer {value}",
        mfa="MFA {value}",
        access_key="access key {value}",
        yes="yes",
        no="no",
        what="What: {value}",
        result="Result: {value}",
        where="Where: account {account}, region {region}, source IP {ip}",
        user_agent="User agent: {value}",
        event_id="Event ID: {value}",
        more="{n} more not shown: open the link.",
        check="First check: {value}",
        events_link="Events: {value}",
        alarm_link="Alarm: {value}",
        chat_event="• {time} {name} by {who}{identity} from {ip}",
        separator=", ",
    ),
    Language.JA: NotificationPhrases(
        state="アラーム",
        generic_title="メトリクス {metric}",
        count_one="1件",
        count="{n}件",
        count_at_least="{n}件以上",
        count_unread="イベント未取得",
        by=" 操作者 {who}",
        by_several=" 操作者 {who} ほか{others}名",
        heading="{title} ({control}、重要度 {severity})",
        alarm="アラーム {name}（アカウント {account}、リージョン {region}）が {time} にALARM状態になりました。",
        counts="該当イベント: 全{total}件、うち{shown}件を表示。",
        counts_at_least="該当イベント: {total}件以上（読み取りを途中で終了）、うち{shown}件を表示。",
        read_error="該当イベントをすべては読み取れませんでした: {error}。リンク先で確認してください。",
        none_found="アラームの評価期間に該当イベントが見つかりませんでした。リンク先で確認してください。",
        event="#{n} {name} ({source}) {time}",
        who="操作者: {value}",
        identity_type="種別 {value}",
        session_issuer="セッション発行元 {value}",
        mfa="MFA {value}",
        access_key="アクセスキー {value}",
        yes="あり",
        no="なし",
        what="操作内容: {value}",
        result="結果: {value}",
        where="場所: アカウント {account}、リージョン {region}、送信元IP {ip}",
        user_agent="ユーザーエージェント: {value}",
        event_id="イベントID: {value}",
        more="ほか{n}件は表示していません。リンク先で確認してください。",
        check="まず確認すること: {value}",
        events_link="該当イベントの一覧: {value}",
        alarm_link="アラーム: {value}",
        chat_event="• {time} {name} 操作者 {who}{identity} 送信元 {ip}",
        separator="、",
    ),
}
"""The phrases of each language notifications are written in."""


@dataclass(frozen=True)
class Notification:
    """One alarm's notification, rendered for every SNS protocol."""

    subject: str
    """The email subject, at most :data:`SUBJECT_LIMIT` characters."""
    ascii_subject: str
    """The English subject in ASCII, for an endpoint that refuses the other."""
    text: str
    """The plain text: email and every protocol but HTTPS."""
    chat: Mapping[str, Any]
    """The Amazon Q Developer in chat applications custom notification."""
    total: int
    """How many matching events were read."""
    text_shown: int
    chat_shown: int

    @property
    def message(self) -> str:
        """The SNS message for ``MessageStructure=json``: the text by default and for email, the chat JSON
        for HTTPS (Amazon Q Developer subscribes to a topic with an HTTPS endpoint)."""
        return sns_message(self.text, self.chat)


def sns_message(text: str, chat: Mapping[str, Any]) -> str:
    """The JSON message giving each SNS protocol its form (``default`` is required)."""
    chat_json = json.dumps(chat, ensure_ascii=False, separators=(",", ":"))
    return json.dumps({"default": text, "email": text, "https": chat_json}, ensure_ascii=False)


def message_size(text: str, chat: Mapping[str, Any]) -> int:
    """The UTF-8 size of :func:`sns_message`, which SNS limits."""
    return len(sns_message(text, chat).encode("utf-8"))


def render_notification(
    alarm: EnrichedAlarm,
    language: Language | str = Language.EN,
    *,
    message_budget: int = MESSAGE_BUDGET,
    chat_budget: int = CHAT_DESCRIPTION_BUDGET,
    text_shown_limit: int = TEXT_SHOWN_LIMIT,
) -> Notification:
    """The notification of an alarm: subject, text and chat, each saying how many events it shows.

    The chat description shows as many events as fit in ``chat_budget``; the text as many as
    ``text_shown_limit`` allows while the whole message fits in ``message_budget``.

    Args:
        alarm: the alarm and its records.
        language: a language of :data:`PHRASES`, or its code. Default: English.
        message_budget: the most UTF-8 bytes of the SNS message. Default: :data:`MESSAGE_BUDGET`.
        chat_budget: the most characters of the chat description. Default: :data:`CHAT_DESCRIPTION_BUDGET`.
        text_shown_limit: the most events the text details. Default: :data:`TEXT_SHOWN_LIMIT`.

    Returns:
        The notification.

    Raises:
        ValueError: when ``language`` is not a :class:`Language`.
    """
    language = Language(language)
    events = sorted((summarize_event(r, alarm.control_id) for r in alarm.records), key=lambda e: e.time)
    subject = render_subject(alarm, events, language)
    chat_shown = _most_shown(lambda n: len(_chat_description(alarm, events, language, n)) <= chat_budget, len(events))
    chat = _chat(alarm, events, language, subject, chat_shown)
    text_shown = _most_shown(
        lambda n: message_size(_text(alarm, events, language, n), chat) <= message_budget,
        min(len(events), text_shown_limit),
    )
    return Notification(
        subject=subject,
        ascii_subject=render_subject(alarm, events, Language.EN).encode("ascii", "replace").decode(),
        text=_text(alarm, events, language, text_shown),
        chat=chat,
        total=len(events),
        text_shown=text_shown,
        chat_shown=chat_shown,
    )


def _most_shown(fits: Callable[[int], bool], most: int) -> int:
    """The largest count up to ``most`` that fits (0 when none does: the counts and links still go)."""
    return next((n for n in range(most, 0, -1) if fits(n)), 0)


def _title(alarm: EnrichedAlarm, language: Language) -> str:
    if alarm.control is None:
        return PHRASES[language].generic_title.format(metric=alarm.metric)
    return alarm.control.text(language).title


def render_subject(alarm: EnrichedAlarm, events: Sequence[EventSummary], language: Language) -> str:
    """The subject: state, severity, title, how many events and who, cut to :data:`SUBJECT_LIMIT`."""
    phrases = PHRASES[language]
    severity = f" {alarm.control.severity.value}" if alarm.control else ""
    if alarm.read_error and not events:
        count = phrases.count_unread
    elif alarm.complete:
        count = (phrases.count_one if len(events) == 1 else phrases.count).format(n=len(events))
    else:
        count = phrases.count_at_least.format(n=len(events))
    subject = f"{phrases.state}{severity}: {_title(alarm, language)} ({count}){_by(events, phrases)}"
    return cut_text(clean(subject, 10 * SUBJECT_LIMIT), SUBJECT_LIMIT)


def _by(events: Sequence[EventSummary], phrases: NotificationPhrases) -> str:
    names = list(dict.fromkeys(e.principal_name for e in events if e.principal_name))
    if not names:
        return ""
    if len(names) == 1:
        return phrases.by.format(who=names[0])
    return phrases.by_several.format(who=names[0], others=len(names) - 1)


def _heading(alarm: EnrichedAlarm, language: Language) -> str:
    phrases = PHRASES[language]
    title = _title(alarm, language)
    if alarm.control is None:
        return f"{phrases.state}: {title}"
    heading = phrases.heading.format(title=title, control=alarm.control.id, severity=alarm.control.severity.value)
    return f"{phrases.state}: {heading}"


def _summary_lines(alarm: EnrichedAlarm, events: Sequence[EventSummary], language: Language, shown: int) -> list[str]:
    """The alarm line, the counts, and what went wrong or was not found."""
    phrases = PHRASES[language]
    counts = phrases.counts if alarm.complete else phrases.counts_at_least
    lines = [
        phrases.alarm.format(
            name=clean(alarm.alarm_name), account=alarm.account, region=alarm.region, time=alarm.changed_at
        ),
        counts.format(total=len(events), shown=shown),
    ]
    if alarm.read_error:
        lines.append(phrases.read_error.format(error=clean(alarm.read_error, ERROR_LIMIT)))
    elif not events:
        lines.append(phrases.none_found)
    return lines


def _identity(event: EventSummary, phrases: NotificationPhrases) -> list[str]:
    """The identity's type, session issuer, MFA and access key, those that are known."""
    parts = [
        phrases.identity_type.format(value=event.identity_type) if event.identity_type else "",
        phrases.session_issuer.format(value=event.session_issuer) if event.session_issuer else "",
        phrases.mfa.format(value=phrases.yes if event.mfa else phrases.no) if event.mfa is not None else "",
        phrases.access_key.format(value=event.access_key) if event.access_key else "",
    ]
    return [p for p in parts if p]


def _event_block(number: int, event: EventSummary, phrases: NotificationPhrases) -> str:
    """One event in the text: what, who, result, where, user agent and id, each line when known."""
    identity = phrases.separator.join(_identity(event, phrases))
    details = phrases.separator.join(f"{label}={value}" for label, value in event.details)
    lines = [
        phrases.event.format(n=number, name=event.name, source=event.source, time=event.time),
        phrases.who.format(value=event.principal) + (f" ({identity})" if identity else ""),
        phrases.what.format(value=details) if details else "",
        phrases.result.format(value=event.error) if event.error else "",
        phrases.where.format(account=event.account, region=event.region, ip=event.source_ip),
        phrases.user_agent.format(value=event.user_agent) if event.user_agent else "",
        phrases.event_id.format(value=event.event_id) if event.event_id else "",
    ]
    return "\n".join([lines[0], *(f"  {line}" for line in lines[1:] if line)])


def _closing(
    alarm: EnrichedAlarm, events: Sequence[EventSummary], language: Language, shown: int, *, check: bool = True
) -> list[str]:
    """How many are not shown, what to check first (unless ``check`` is false), and the links."""
    phrases = PHRASES[language]
    lines = [phrases.more.format(n=len(events) - shown)] if len(events) > shown else []
    if check and alarm.control is not None:
        lines.append(phrases.check.format(value=alarm.control.text(language).investigation))
    lines += [phrases.events_link.format(value=link) for link in alarm.events_links]
    if alarm.alarm_link:
        lines.append(phrases.alarm_link.format(value=alarm.alarm_link))
    return lines


def _text(alarm: EnrichedAlarm, events: Sequence[EventSummary], language: Language, shown: int) -> str:
    phrases = PHRASES[language]
    blocks = [
        "\n".join([_heading(alarm, language), *_summary_lines(alarm, events, language, shown)]),
        *(_event_block(n, event, phrases) for n, event in enumerate(events[:shown], start=1)),
        "\n".join(_closing(alarm, events, language, shown)),
    ]
    return "\n\n".join(block for block in blocks if block)


def chat_code(value: str) -> str:
    """A value set in chat as code, unable to mention, link or end the code span."""
    return "`" + _chat_safe(value).replace("`", "'") + "`"


def _chat_safe(text: str) -> str:
    return text.replace("<", "\u2039").replace(">", "\u203a")


def _chat_event(event: EventSummary, phrases: NotificationPhrases) -> str:
    """One event in chat on one line: when, what, who (type and MFA), from where, and its details."""
    mfa = phrases.mfa.format(value=phrases.yes if event.mfa else phrases.no) if event.mfa is not None else ""
    identity = phrases.separator.join(part for part in (event.identity_type, mfa) if part)
    line = phrases.chat_event.format(
        time=chat_code(event.time),
        name=chat_code(event.name),
        who=chat_code(event.principal),
        identity=f" ({_chat_safe(identity)})" if identity else "",
        ip=chat_code(event.source_ip),
    )
    parts = [f"{_chat_safe(label)} {chat_code(value)}" for label, value in event.details]
    if event.error:
        parts.append(phrases.result.format(value=chat_code(event.error)))
    return line + (" — " + phrases.separator.join(parts) if parts else "")


def _chat_description(alarm: EnrichedAlarm, events: Sequence[EventSummary], language: Language, shown: int) -> str:
    """The chat description: the summary, one line per shown event, and the links (the first check is a next step)."""
    phrases = PHRASES[language]
    lines = [
        *(_chat_safe(line) for line in _summary_lines(alarm, events, language, shown)),
        *(_chat_event(event, phrases) for event in events[:shown]),
        *_closing(alarm, events, language, shown, check=False),
    ]
    return "\n".join(lines)


_SEVERITY_EMOJI = {Severity.CRITICAL: ":rotating_light:", Severity.HIGH: ":rotating_light:"}


def _chat(
    alarm: EnrichedAlarm, events: Sequence[EventSummary], language: Language, subject: str, shown: int
) -> dict[str, Any]:
    """The custom notification (Amazon Q Developer in chat applications' event schema, version 1.0)."""
    emoji = _SEVERITY_EMOJI.get(alarm.control.severity, ":warning:") if alarm.control else ":warning:"
    content: dict[str, Any] = {
        "textType": "client-markdown",
        "title": f"{emoji} {_chat_safe(subject)}",
        "description": _chat_description(alarm, events, language, shown),
        "keywords": [alarm.control.id, alarm.control.severity.value] if alarm.control else [alarm.metric],
    }
    if alarm.control is not None:
        content["nextSteps"] = [_chat_safe(alarm.control.text(language).investigation)]
    context = {"metric": alarm.metric, "account": alarm.account, "region": alarm.region, "events": str(len(events))}
    if alarm.control is not None:
        context["control"] = alarm.control.id
    return {
        "version": "1.0",
        "source": "custom",
        "id": f"{alarm.alarm_arn}/{alarm.changed_at}",
        "content": content,
        "metadata": {
            "threadId": alarm.alarm_arn,
            "summary": _chat_safe(subject),
            "eventType": "TrailwatchAlarm",
            "relatedResources": [alarm.alarm_arn],
            "additionalContext": context,
        },
    }
