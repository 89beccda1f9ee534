"""Alarm descriptions: what happened, why, what to check, where, and a link to the matching events."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import unquote

import pytest

from trailwatch_constructs.catalog import (
    AlarmSettings,
    ControlDefinition,
    Language,
    LocalizedText,
    Statistic,
    catalog_controls,
    get_control,
)
from trailwatch_constructs.filter_pattern import to_logs_insights_filter
from trailwatch_constructs.texts.alarm_description import (
    DESCRIPTION_BUDGET,
    LANGUAGES,
    PHRASES,
    AlarmContext,
    alarm_description,
    alarm_rule,
    compact_references,
    console_host,
    first_sentence,
    insights_console_url,
)

CONTROLS = catalog_controls(privileged_groups=["Administrators"])
NAMED = AlarmContext(
    account="111122223333",
    region="ap-northeast-1",
    log_group_name="aws-controltower/CloudTrailLogs",
    window_seconds=300,
)
# The longest a generated log group name is assumed to be, embedded unencoded as a token would be.
GENERATED = dataclasses.replace(NAMED, log_group_name="x" * 200, log_group_name_is_token=True)


def _editor_string(description: str) -> str:
    match = re.search(r"~editorString~'(.*?)~source~", description)
    assert match, "no Logs Insights link"
    return unquote(match.group(1).replace("*", "%"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("context", [NAMED, GENERATED], ids=["named-log-group", "generated-log-group"])
@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_description_fits_and_says_what_where_and_links(
    control: ControlDefinition, context: AlarmContext, language: str
) -> None:
    # GIVEN any catalogue control, log group and language WHEN describing its alarm
    description = alarm_description(control, context, language=language)
    # THEN it fits CloudWatch's limit, starts with the title, names account, region and control, and links
    assert len(description) <= DESCRIPTION_BUDGET
    assert description.startswith(f"{control.text(language).title}: ")
    assert "111122223333" in description and "ap-northeast-1" in description and control.id in description
    assert "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:" in description


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_link_opens_the_controls_own_query(control: ControlDefinition) -> None:
    # GIVEN a control with a faithful Insights translation WHEN describing it for a named log group
    expression = to_logs_insights_filter(control.filter_pattern, compact=True)
    assert expression
    description = alarm_description(control, NAMED)
    # THEN the link's editor string decodes to that filter, newest first, over the named log group
    assert _editor_string(description) == f"filter {expression} | sort @timestamp desc"
    assert "~source~(~'aws-controltower*2FCloudTrailLogs))" in description


# Its query link (18 event names and the event source) is the longest: the why gives way so that the
# link and the first check fit.
WITHOUT_WHY = {"organizations-changes"}


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_named_log_group_keeps_the_first_check_and_nearly_always_the_why(control: ControlDefinition) -> None:
    # GIVEN a named log group (the common case) THEN the first check is always there, and the why is
    # there for every control but those whose query link leaves no room
    description = alarm_description(control, NAMED)
    assert "First check: " in description
    assert ("Why: " in description) is (control.id not in WITHOUT_WHY)


def test_link_covers_the_alarm_window_plus_an_hour() -> None:
    url = insights_console_url("fields @timestamp", dataclasses.replace(NAMED, window_seconds=900))
    assert "~start~-4500~timeType~'RELATIVE~unit~'seconds" in url


def test_japanese_description_uses_the_japanese_text() -> None:
    description = alarm_description(get_control("root-account-usage"), NAMED, language="ja")
    assert description.startswith("ルートユーザの使用: 5分以内に該当するCloudTrailイベントが1件以上記録されました。")
    assert "アカウント 111122223333、リージョン ap-northeast-1。" in description
    assert "まず確認すること: " in description


def test_over_long_text_shrinks_before_the_link_goes() -> None:
    # GIVEN a rationale far too long to fit THEN it is cut to its first sentence and the link stays
    control = get_control("vpc-changes")
    long = dataclasses.replace(
        control,
        en=LocalizedText(
            title=control.title,
            rationale="Short first sentence. " + "Padding words. " * 80,
            investigation=control.en.investigation,
        ),
    )
    description = alarm_description(long, NAMED)
    assert "Why: Short first sentence.\n" in description
    assert "Events: https://" in description and "logs-insights" in description


def test_first_sentence_handles_both_languages() -> None:
    assert first_sentence("One. Two.") == "One."
    assert first_sentence("ルートです。次の文。") == "ルートです。"
    assert first_sentence("no stop") == "no stop"
    assert first_sentence("Version 1.2 is out. Next.") == "Version 1.2 is out."


def test_compact_references_group_by_framework() -> None:
    assert compact_references(get_control("root-account-usage")) == (
        "Security Hub CloudWatch.1; CIS 1.2.0 3.3/1.1, 1.4.0 4.3/1.7, 3.0.0 4.3"
    )
    assert compact_references(get_control("organizations-changes")) == "CIS 1.4.0 4.15, 3.0.0 4.15"


@pytest.mark.parametrize(
    ("settings", "english", "japanese"),
    [
        (
            AlarmSettings(),
            "1+ matching CloudTrail events in 5 min.",
            "5分以内に該当するCloudTrailイベントが1件以上記録されました。",
        ),
        (
            AlarmSettings(threshold=5, evaluation_periods=3, datapoints_to_alarm=2, period_seconds=60),
            "5+ matching CloudTrail events per 1 min in 2 of 3 periods.",
            "1分ごとの該当CloudTrailイベントが5件以上の期間が3期間中2期間ありました。",
        ),
        (
            AlarmSettings(statistic="Maximum", period_seconds=30),
            "Matching CloudTrail events in 30 s.",
            "30秒以内に該当するCloudTrailイベントが記録されました。",
        ),
        (
            AlarmSettings(statistic="SampleCount", threshold=3, evaluation_periods=2),
            "3+ matching CloudTrail events per 5 min in 2 of 2 periods.",
            "5分ごとの該当CloudTrailイベントが3件以上の期間が2期間中2期間ありました。",
        ),
        (
            AlarmSettings(statistic="Average", evaluation_periods=4, datapoints_to_alarm=3),
            "Matching CloudTrail events in 3 of 4 periods of 5 min.",
            "該当するCloudTrailイベントが記録された5分の期間が4期間中3期間ありました。",
        ),
    ],
    ids=["default", "sum-m-of-n", "maximum", "sample-count", "average-m-of-n"],
)
def test_the_description_states_the_alarm_rule(settings: AlarmSettings, english: str, japanese: str) -> None:
    # GIVEN alarm settings WHEN describing THEN the first line states the statistic's meaning, the
    # threshold and how many periods out of how many must breach
    control = get_control("vpc-changes")
    assert alarm_description(control, NAMED, settings=settings).splitlines()[0] == f"{control.title}: {english}"
    assert alarm_description(control, NAMED, settings=settings, language="ja").splitlines()[0] == (
        f"{control.text('ja').title}: {japanese}"
    )


@pytest.mark.parametrize(
    ("partition", "region", "console"),
    [
        ("aws", "eu-west-1", "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"),
        ("aws-cn", "cn-north-1", "https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1"),
        ("aws-us-gov", "us-gov-west-1", "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1"),
    ],
)
def test_links_use_the_partitions_console(partition: str, region: str, console: str) -> None:
    context = dataclasses.replace(NAMED, region=region, host=console_host(partition, region))
    description = alarm_description(get_control("vpc-changes"), context)
    assert f"Events: {console}#logsV2:logs-insights" in description
    assert "aws.amazon.com" not in description or partition == "aws"


def test_every_language_has_its_phrases() -> None:
    # GIVEN the Language enum THEN each member has a phrase table, so adding a language cannot skip one
    assert set(PHRASES) == set(Language)
    assert tuple(Language) == LANGUAGES


@pytest.mark.parametrize("language", list(Language), ids=str)
def test_a_language_member_and_its_code_describe_alike(language: Language) -> None:
    control = get_control("vpc-changes")
    assert alarm_description(control, NAMED, language=language) == alarm_description(
        control, NAMED, language=language.value
    )


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="'fr' is not a valid Language"):
        alarm_description(get_control("vpc-changes"), NAMED, language="fr")


@pytest.mark.parametrize(
    ("statistic", "rule"),
    [
        (Statistic.SUM, "1+ matching CloudTrail events in 5 min."),
        (Statistic.MINIMUM, "Matching CloudTrail events in 5 min."),
    ],
    ids=str,
)
def test_the_rule_follows_the_statistic_member(statistic: Statistic, rule: str) -> None:
    assert alarm_rule(AlarmSettings(statistic=statistic)) == rule
