"""Enriched notifications: subject, text and chat in each language, the what fields of every control, the limits."""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from typing import Any

import pytest

from trailwatch_constructs.catalog import (
    ControlDefinition,
    Language,
    LocalizedText,
    catalog_controls,
    get_control,
    get_variant,
    load_samples,
)
from trailwatch_constructs.texts.notification import (
    CHAT_DESCRIPTION_BUDGET,
    MESSAGE_BUDGET,
    PHRASES,
    SUBJECT_LIMIT,
    TEXT_SHOWN_LIMIT,
    VALUE_LIMIT,
    WHAT_FIELDS,
    EnrichedAlarm,
    cut_text,
    message_size,
    render_notification,
    summarize_event,
    what_fields,
)

CONTROLS = catalog_controls(privileged_groups=["Admins"])
ROOT = get_control("root-account-usage")
ALARM_ARN = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:TrailwatchStack-RootAccountUsage"
EVENTS_LINK = "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights"
ALARM_LINK = "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/x"


def _alarm(control: ControlDefinition | None, records: list[Any], **changes: Any) -> EnrichedAlarm:
    alarm = EnrichedAlarm(
        alarm_name=f"TrailwatchStack-{control.metric_name if control else 'Custom'}",
        alarm_arn=ALARM_ARN,
        account="111122223333",
        region="eu-west-1",
        changed_at="2026-10-07T09:42:30Z",
        metric=f"CloudTrailMetrics/{control.metric_name if control else 'Custom'}",
        control=control,
        records=tuple(records),
        events_links=(EVENTS_LINK,),
        alarm_link=ALARM_LINK,
    )
    return dataclasses.replace(alarm, **changes)


def _fires(control_id: str) -> list[Any]:
    return [dict(e.record) for e in load_samples(control_id).fires]


def _copies(record: dict[str, Any], count: int, **changes: Any) -> list[dict[str, Any]]:
    """``count`` copies of a record with distinct event ids (and the given fields changed)."""
    return [record | {"eventID": f"{n:08d}-0000-4000-8000-000000000000", **changes} for n in range(count)]


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_every_control_renders_within_the_limits_in_each_language(
    control: ControlDefinition, language: Language
) -> None:
    # GIVEN a control's firing samples WHEN rendered
    notification = render_notification(_alarm(control, _fires(control.id)), language)
    # THEN the subject fits SNS, the message fits SNS, and the chat description fits a Slack section
    assert len(notification.subject) <= SUBJECT_LIMIT and "\n" not in notification.subject
    assert notification.subject.startswith(f"{PHRASES[language].state} {control.severity.value}: ")
    assert control.text(language).title in notification.subject
    assert notification.ascii_subject.isascii()
    assert message_size(notification.text, notification.chat) <= MESSAGE_BUDGET
    assert len(notification.chat["content"]["description"]) <= CHAT_DESCRIPTION_BUDGET
    assert notification.total == notification.text_shown == len(_fires(control.id))


def test_the_english_text_counts_and_shows_who_what_where() -> None:
    # GIVEN root usage's four firing samples WHEN rendered in English
    text = render_notification(_alarm(ROOT, _fires(ROOT.id))).text
    # THEN it opens with the control, the alarm and the counts, details each event and ends with the links
    assert text.startswith(
        "ALARM: Root user activity (root-account-usage, severity CRITICAL)\n"
        "Alarm TrailwatchStack-RootAccountUsage in account 111122223333, region eu-west-1 entered ALARM at "
        "2026-10-07T09:42:30Z.\nMatching events: 4 in all, 4 shown.\n\n#1 "
    )
    first = summarize_event(_fires(ROOT.id)[0], ROOT.id)
    assert (
        f"#1 ConsoleLogin (signin.amazonaws.com) at {first.time}\n"
        f"  Who: arn:aws:iam::111122223333:root (type Root, MFA yes)\n"
        f"  What: ConsoleLogin=Success, LoginTo={first.details[1][1]}, MFAUsed=Yes\n"
        f"  Where: account 111122223333, region {first.region}, source IP {first.source_ip}\n"
    ) in text
    assert text.endswith(f"Events: {EVENTS_LINK}\nAlarm: {ALARM_LINK}")
    assert f"First check: {ROOT.en.investigation}\n" in text


def test_the_japanese_text_uses_japanese_phrases_and_texts() -> None:
    notification = render_notification(_alarm(ROOT, _fires(ROOT.id)), Language.JA)
    assert notification.subject == "アラーム CRITICAL: ルートユーザの使用 (4件) 操作者 root"
    assert notification.ascii_subject == "ALARM CRITICAL: Root user activity (4 events) by root"
    assert "該当イベント: 全4件、うち4件を表示。" in notification.text
    assert "  操作者: arn:aws:iam::111122223333:root (種別 Root、MFA あり)" in notification.text
    assert f"まず確認すること: {ROOT.ja.investigation if ROOT.ja else ''}" in notification.text
    assert "該当イベント: 全4件、うち4件を表示。" in notification.chat["content"]["description"]


@pytest.mark.parametrize("language", list(Language))
def test_the_text_shows_at_most_its_limit_and_counts_the_rest(language: Language) -> None:
    # GIVEN more events than the text details
    records = _copies(_fires(ROOT.id)[0], TEXT_SHOWN_LIMIT + 7)
    # WHEN rendered
    notification = render_notification(_alarm(ROOT, records), language)
    # THEN the text shows the limit and says how many in all and how many are not shown
    phrases = PHRASES[language]
    total, shown = TEXT_SHOWN_LIMIT + 7, TEXT_SHOWN_LIMIT
    assert (notification.total, notification.text_shown) == (total, shown)
    assert phrases.counts.format(total=total, shown=shown) in notification.text
    assert phrases.more.format(n=7) in notification.text
    assert notification.text.count("\n#") == shown


def test_an_incomplete_reading_is_counted_as_at_least() -> None:
    notification = render_notification(_alarm(ROOT, _fires(ROOT.id)[:2], complete=False))
    assert notification.subject == "ALARM CRITICAL: Root user activity (2+ events) by root"
    assert "Matching events: at least 2 (reading stopped before the end), 2 shown." in notification.text


@pytest.mark.parametrize("language", list(Language))
def test_a_read_error_is_said_with_the_links(language: Language) -> None:
    # GIVEN no record read, because reading failed
    error = "AccessDeniedException from FilterLogEvents: not authorized"
    notification = render_notification(_alarm(ROOT, [], complete=False, read_error=error), language)
    # THEN the subject says the events were not read, and the text says why and links them
    phrases = PHRASES[language]
    assert notification.subject.endswith(f"({phrases.count_unread})")
    assert phrases.read_error.format(error=error) in notification.text
    assert phrases.events_link.format(value=EVENTS_LINK) in notification.text
    assert phrases.events_link.format(value=EVENTS_LINK) in notification.chat["content"]["description"]


def test_no_event_found_says_so() -> None:
    notification = render_notification(_alarm(ROOT, []))
    assert notification.subject == "ALARM CRITICAL: Root user activity (0 events)"
    assert "No matching event was found in the alarm's window; open the link to look further." in notification.text


def test_a_long_subject_is_cut_within_the_limit() -> None:
    # GIVEN a custom control with a long title and a long principal name
    long_title = dataclasses.replace(ROOT, en=LocalizedText("Activity " * 20, "r", "i"))
    record = _fires(ROOT.id)[1] | {"userIdentity": {"type": "IAMUser", "userName": "u" * 64}}
    # WHEN rendered THEN the subject ends with an ellipsis within SNS's limit
    subject = render_notification(_alarm(long_title, [record])).subject
    assert len(subject) == SUBJECT_LIMIT
    assert subject.endswith("…") and not subject.endswith(" …")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abcdef", 6, "abcdef"),
        ("abcdefgh", 5, "abcd…"),
        ("abcde\u0301fgh", 6, "abcd…"),  # e and its combining acute stay together: the cut falls before both
        ("abc\U0001f469\u200d\U0001f4bbgh", 6, "abc…"),  # a ZWJ emoji sequence is not split
        ("ab   cdefgh", 5, "ab…"),
    ],
    ids=["fits", "cut", "combining-mark", "zwj-sequence", "trailing-space"],
)
def test_cut_text_keeps_characters_whole(text: str, limit: int, expected: str) -> None:
    assert cut_text(text, limit) == expected


def test_the_chat_notification_has_the_custom_notification_shape() -> None:
    # GIVEN root usage's samples WHEN rendered
    notification = render_notification(_alarm(ROOT, _fires(ROOT.id)))
    chat = notification.chat
    # THEN it is a custom notification (version 1.0, source custom, client-markdown), threaded by alarm
    assert (chat["version"], chat["source"], chat["content"]["textType"]) == ("1.0", "custom", "client-markdown")
    assert chat["content"]["title"] == f":rotating_light: {notification.subject}"
    assert chat["content"]["nextSteps"] == [ROOT.en.investigation]
    assert chat["content"]["keywords"] == ["root-account-usage", "CRITICAL"]
    assert chat["metadata"]["threadId"] == ALARM_ARN
    assert chat["metadata"]["additionalContext"]["events"] == "4"
    assert all(isinstance(v, str) for v in chat["metadata"]["additionalContext"].values())
    assert chat["content"]["description"].splitlines()[1] == "Matching events: 4 in all, 4 shown."
    # AND the SNS message gives it to HTTPS (Amazon Q Developer's subscription), the text to the rest
    message = json.loads(notification.message)
    assert message == {
        "default": notification.text,
        "email": notification.text,
        "https": json.dumps(chat, ensure_ascii=False, separators=(",", ":")),
    }
    assert json.loads(message["https"]) == chat


def test_the_chat_shows_the_events_that_fit_and_counts_them() -> None:
    # GIVEN many events with long user agents and parameters
    records = _copies(_fires("iam-policy-changes")[1], 40)
    # WHEN rendered
    notification = render_notification(_alarm(get_control("iam-policy-changes"), records))
    description = notification.chat["content"]["description"]
    # THEN the chat shows fewer than all, within its budget, and says how many
    assert 0 < notification.chat_shown < 40
    assert len(description) <= CHAT_DESCRIPTION_BUDGET
    assert f"Matching events: 40 in all, {notification.chat_shown} shown." in description
    assert f"{40 - notification.chat_shown} more not shown: open the link." in description


def test_the_text_gives_way_to_the_message_budget() -> None:
    # GIVEN ten events, and a message budget one byte short of what showing three of them takes
    records = _copies(_fires(ROOT.id)[0], 10)
    three = render_notification(_alarm(ROOT, records), text_shown_limit=3)
    budget = message_size(three.text, three.chat) - 1
    # WHEN rendered within it THEN two are shown, and the message fits
    notification = render_notification(_alarm(ROOT, records), message_budget=budget)
    assert notification.text_shown == 2
    assert message_size(notification.text, notification.chat) <= budget
    assert "Matching events: 10 in all, 2 shown." in notification.text


def test_huge_values_are_cut_and_the_message_stays_within_sns_limits() -> None:
    # GIVEN the cap of 50 events, each with a 100 KB user agent and error message
    records = _copies(_fires(ROOT.id)[0], 50, userAgent="A" * 100_000, errorMessage="E" * 100_000)
    # WHEN rendered THEN values are cut, and the message fits SNS
    notification = render_notification(_alarm(ROOT, records))
    assert f"User agent: {'A' * (VALUE_LIMIT - 1)}…\n" in notification.text
    assert message_size(notification.text, notification.chat) <= MESSAGE_BUDGET
    assert notification.text_shown == TEXT_SHOWN_LIMIT


def test_untrusted_values_cannot_forge_lines_mentions_or_links() -> None:
    # GIVEN a caller-chosen user agent with a line break, a bidi override and a Slack mention
    record = _fires(ROOT.id)[0] | {"userAgent": "curl\nWho: arn:aws:iam::1:user/admin\u202e <!channel> `x`"}
    notification = render_notification(_alarm(ROOT, [record]))
    # THEN the text keeps it on one line with the override replaced, and chat cannot mention or break out of code
    assert "User agent: curl Who: arn:aws:iam::1:user/admin\ufffd <!channel> `x`\n" in notification.text
    assert "\nWho: arn:aws:iam::1:user/admin" not in notification.text
    description = notification.chat["content"]["description"]
    assert "<!channel>" not in description and "‹!channel›" not in description  # the user agent is not in chat
    principal = _fires(ROOT.id)[0] | {"userIdentity": {"type": "IAMUser", "arn": "<!here> `evil`"}}
    chat = render_notification(_alarm(ROOT, [principal])).chat["content"]["description"]
    assert "`‹!here› 'evil'`" in chat and "<!here>" not in chat


def test_a_custom_control_has_a_generic_title_and_its_plain_parameters() -> None:
    record = _fires("iam-policy-changes")[1]
    notification = render_notification(_alarm(None, [record]))
    assert notification.subject.startswith("ALARM: Metric CloudTrailMetrics/Custom (1 event) by ")
    assert (
        "What: roleName=platform-ops-AppRole-9XK2LM4N8P0Q, policyArn=arn:aws:iam::aws:policy/AdministratorAccess"
        in (notification.text)
    )
    assert "nextSteps" not in notification.chat["content"]


def test_a_tuned_variant_shows_its_base_controls_fields() -> None:
    text = render_notification(
        _alarm(get_variant("unauthorized-api-calls-tuned"), _fires("unauthorized-api-calls")[2:3])
    ).text
    assert "  What: bucketName=example-finance-exports-111122223333\n  Result: AccessDenied: " in text


@pytest.mark.parametrize("control_id", ["unauthorized-api-calls", "console-signin-failures"])
def test_the_result_of_each_failed_call_is_shown(control_id: str) -> None:
    # GIVEN denied calls and failed sign-ins WHEN summarized THEN each shows its error code and message
    for record in _fires(control_id):
        expected = ": ".join(str(record[k]) for k in ("errorCode", "errorMessage") if record.get(k))
        assert summarize_event(record, control_id).error == expected != ""


# Who, for each kind of identity.


def _who(record: dict[str, Any]) -> tuple[str, str, str, bool | None, str]:
    event = summarize_event(record)
    return event.principal, event.principal_name, event.session_issuer, event.mfa, event.access_key


def test_who_an_assumed_role_session_is() -> None:
    record = _fires("security-group-changes")[1]
    assert _who(record) == (
        "arn:aws:sts::111122223333:assumed-role/terraform-deploy/github-actions-infra-4821",
        "terraform-deploy/github-actions-infra-4821",
        "arn:aws:iam::111122223333:role/terraform-deploy",
        False,
        "ASIAYTZ6WQXTFEXAMPLE",
    )


def test_who_the_root_user_and_a_service_are() -> None:
    assert _who(_fires(ROOT.id)[0]) == ("arn:aws:iam::111122223333:root", "root", "", True, "")
    service = _fires("unauthorized-api-calls")[6]
    assert _who(service) == ("delivery.logs.amazonaws.com", "delivery.logs.amazonaws.com", "", None, "")


def test_a_message_that_is_not_json_is_shown_as_text() -> None:
    event = summarize_event("2026-10-07 not json\nsecond line")
    assert event.details == (("message", "2026-10-07 not json second line"),)


# What, for each control.

FIRST_FIRING_WHAT: dict[str, tuple[tuple[str, str], ...]] = {
    "root-account-usage": (
        ("ConsoleLogin", "Success"),
        (
            "LoginTo",
            "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_"
            "a1b2c3d4e5f60718",
        ),
        ("MFAUsed", "Yes"),
    ),
    "unauthorized-api-calls": (("instanceType", "p4d.24xlarge"),),
    "console-signin-without-mfa": (),
    "iam-policy-changes": (("policyName", "temp-debug"), ("userName", "mallory")),
    "cloudtrail-config-changes": (("name", "arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events"),),
    "console-signin-failures": (),
    "kms-key-disable-or-deletion": (("keyId", "1234abcd-12ab-34cd-56ef-1234567890ab"),),
    "s3-bucket-policy-changes": (("bucketName", "example-customer-uploads-111122223333"),),
    "config-changes": (("configurationRecorderName", "default"),),
    "security-group-changes": (("groupId", "sg-0a1b2c3d4e5f60718"), ("ipPermissions", "tcp 22 from 0.0.0.0/0")),
    "nacl-changes": (
        ("networkAclId", "acl-0a1b2c3d4e5f60718"),
        ("ruleNumber", "90"),
        ("ruleAction", "allow"),
        ("egress", "false"),
        ("cidrBlock", "0.0.0.0/0"),
        ("portRange", "0-65535"),
    ),
    "network-gateway-changes": (("new internetGatewayId", "igw-0a1b2c3d4e5f60718"),),
    "route-table-changes": (("vpcId", "vpc-0123456789abcdef0"), ("new routeTableId", "rtb-0a1b2c3d4e5f60718")),
    "vpc-changes": (("cidrBlock", "10.1.0.0/16"), ("new vpcId", "vpc-0fedcba9876543210")),
    "organizations-changes": (("policyId", "p-examplescp01"), ("targetId", "ou-ab12-cd34ef56")),
    "access-key-created": (
        ("userName", "ci-deployer"),
        ("accessKeyId", "AKIAYTZ6WQXC2EXAMPLE"),
    ),
    "privileged-group-membership-changes": (("groupName", "Admins"), ("userName", "mallory")),
}
"""The what fields of each control's first firing sample, read off the samples by hand."""


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_the_first_firing_sample_shows_the_controls_what_fields(control: ControlDefinition) -> None:
    record = _fires(control.id)[0]
    expected = FIRST_FIRING_WHAT[control.id]
    if control.id in ("console-signin-without-mfa", "console-signin-failures"):
        login = record["additionalEventData"]
        expected = (
            ("ConsoleLogin", record["responseElements"]["ConsoleLogin"]),
            ("LoginTo", login["LoginTo"]),
            ("MFAUsed", login["MFAUsed"]),
        )
    assert what_fields(record, control.id) == expected


NOTHING_TO_ADD = {
    ("root-account-usage", "UpdateAccountPasswordPolicy"),
    ("root-account-usage", "DescribeInstances"),
    ("organizations-changes", "LeaveOrganization"),
}
"""Firing samples whose event name says all: a call without the control's parameters."""


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_every_firing_sample_shows_what_it_did(control: ControlDefinition) -> None:
    # GIVEN each firing sample of the control WHEN summarized THEN it has what fields or an error to show
    silent = [
        (control.id, r["eventName"])
        for r in _fires(control.id)
        if not summarize_event(r, control.id).details and not summarize_event(r, control.id).error
    ]
    assert set(silent) <= NOTHING_TO_ADD
    assert control.id in WHAT_FIELDS


def test_the_rules_of_a_security_group_change_are_summarized() -> None:
    fires = _fires("security-group-changes")
    rules = [dict(what_fields(r, "security-group-changes")).get("ipPermissions") for r in fires]
    assert rules == ["tcp 22 from 0.0.0.0/0", "all from 0.0.0.0/0", None, None, "tcp 5432 from sg-0fedcba9876543210"]


def test_the_languages_have_the_same_placeholders() -> None:
    def placeholders(text: str) -> set[str]:
        return {part.split("}")[0] for part in text.split("{")[1:]}

    english = PHRASES[Language.EN]
    for language, phrases in PHRASES.items():
        for name in english.__dataclass_fields__:
            assert placeholders(getattr(phrases, name)) == placeholders(getattr(english, name)), (language, name)


def test_subjects_hold_no_control_character() -> None:
    record = _fires(ROOT.id)[1] | {"userIdentity": {"type": "IAMUser", "userName": "eve\r\nBcc: x\u0007"}}
    subject = render_notification(_alarm(ROOT, [record])).subject
    assert all(unicodedata.category(c) not in ("Cc", "Cf") for c in subject)
