"""Alarm descriptions people can act on: what happened, why it matters, what to check, and a link.

CloudWatch puts the alarm description in every notification, so this is the text on-call reads.
It is generated from the catalogue in English or Japanese, and ends with a CloudWatch Logs
Insights console link that opens the query returning the control's matching events. Pure
Python: the CDK layer passes account, region and log group (tokens or values).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from trailwatch_constructs.catalog.definition import AlarmSettings, ControlDefinition, Framework
from trailwatch_constructs.filter_pattern import to_logs_insights_filter

DESCRIPTION_BUDGET = 1000
"""What a generated description may use: a margin under CloudWatch's 1,024-character limit for whatever a deploy-time
value turns out to be a little longer than measured."""

CONSOLE_HOSTS = {
    "aws": "{region}.console.aws.amazon.com",
    "aws-cn": "console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
}
"""The AWS Management Console's host in each partition that has a public console (``?region=`` picks the Region)."""


def console_host(partition: str, region: str) -> str:
    """The console host for ``partition`` (the commercial one for a partition without a public console)."""
    return CONSOLE_HOSTS.get(partition, CONSOLE_HOSTS["aws"]).format(region=region)


LINK_SLACK_SECONDS = 3600
"""Links look back over the alarm's window plus an hour, so a link opened late still shows the events."""


@dataclass(frozen=True)
class AlarmContext:
    """Where the alarm lives: values, or CDK token strings that resolve at deploy time."""

    account: str
    region: str
    log_group_name: str
    window_seconds: int
    """The alarm's evaluation window (period x evaluation periods)."""
    log_group_name_is_token: bool = False
    """A token cannot be URL-encoded at synth time; it is embedded as is (generated names are URL-safe)."""
    host: str | None = None
    """The console host (see :func:`console_host`). Default: the commercial partition's for ``region``."""

    @property
    def console(self) -> str:
        """``https://<host>/cloudwatch/home?region=<region>``."""
        host = self.host if self.host is not None else console_host("aws", self.region)
        return f"https://{host}/cloudwatch/home?region={self.region}"


_TEXT = {
    "en": {
        "count": "{threshold}+ matching CloudTrail events in {period}.",
        "count_of": "{threshold}+ matching CloudTrail events per {period} in {datapoints} of {periods} periods.",
        "any": "Matching CloudTrail events in {period}.",
        "any_of": "Matching CloudTrail events in {datapoints} of {periods} periods of {period}.",
        "minutes": "{n} min",
        "seconds": "{n} s",
        "why": "Why: {rationale}",
        "check": "First check: {investigation}",
        "where": "Account {account}, region {region}, control {id}{refs}.",
        "events": "Events: {url}",
        "log_group": "Events: search log group {log_group} (no faithful Logs Insights query): {url}",
    },
    "ja": {
        "count": "{period}以内に該当するCloudTrailイベントが{threshold}件以上記録されました。",
        "count_of": (
            "{period}ごとの該当CloudTrailイベントが{threshold}件以上の期間が{periods}期間中{datapoints}期間ありました。"
        ),
        "any": "{period}以内に該当するCloudTrailイベントが記録されました。",
        "any_of": "該当するCloudTrailイベントが記録された{period}の期間が{periods}期間中{datapoints}期間ありました。",
        "minutes": "{n}分",
        "seconds": "{n}秒",
        "why": "リスク: {rationale}",
        "check": "まず確認すること: {investigation}",
        "where": "アカウント {account}、リージョン {region}。コントロール {id}{refs}。",
        "events": "該当イベント: {url}",
        "log_group": "イベント: ロググループ {log_group} を検索してください: {url}",
    },
}
LANGUAGES = tuple(_TEXT)


def _encode(value: str) -> str:
    # The console's hash fragment uses URL-encoding with '*' in place of '%'.
    return quote(value, safe="").replace("%", "*")


def _log_group_part(context: AlarmContext) -> str:
    return context.log_group_name if context.log_group_name_is_token else _encode(context.log_group_name)


def link_query(definition: ControlDefinition) -> str | None:
    """The Logs Insights query behind a description's link: the control's filter, newest first.

    No ``fields`` command: Insights then shows each event whole, and the link stays short enough
    to leave room for the why and the first checks within CloudWatch's 1,024 characters.
    """
    expr = to_logs_insights_filter(definition.filter_pattern, compact=True)
    if expr is None:
        return None
    return f"filter {expr} | sort @timestamp desc" if expr else "sort @timestamp desc"


def insights_console_url(query: str, context: AlarmContext) -> str:
    """A console link that opens ``query`` over the log group for the alarm's window (+ slack)."""
    seconds = context.window_seconds + LINK_SLACK_SECONDS
    return (
        f"{context.console}#logsV2:logs-insights$3FqueryDetail$3D~(end~0~start~-{seconds}~timeType~'RELATIVE~unit~'seconds"
        f"~editorString~'{_encode(query)}~source~(~'{_log_group_part(context)}))"
    )


def log_group_console_url(context: AlarmContext) -> str:
    """A console link to the log group (the fallback when no faithful query exists)."""
    name = context.log_group_name if context.log_group_name_is_token else quote(context.log_group_name, safe="")
    return f"{context.console}#logsV2:log-groups/log-group/{name.replace('%', '$25')}"


def alarm_description(
    definition: ControlDefinition,
    context: AlarmContext,
    *,
    language: str = "en",
    settings: AlarmSettings | None = None,
    length_of: Callable[[str], int] = len,
) -> str:
    """The alarm description, within :data:`DESCRIPTION_BUDGET` characters as measured by ``length_of``.

    ``length_of`` lets the CDK layer measure with the deployed length of tokens. When the text
    is too long the benchmark references go, the rationale and the first checks shrink to their
    first sentence and then go (the rationale first); only then does the query link give way to
    the log group link.
    """
    text = _TEXT[language]
    localized = definition.text(language)
    query = link_query(definition)
    links = [text["events"].format(url=insights_console_url(query, context))] if query is not None else []
    links.append(text["log_group"].format(log_group=context.log_group_name, url=log_group_console_url(context)))
    head = f"{localized.title}: " + alarm_rule(settings or definition.alarm, language)
    refs = compact_references(definition)
    wheres = [
        text["where"].format(account=context.account, region=context.region, id=definition.id, refs=refs_text)
        for refs_text in ((f" ({refs})" if refs else ""), "")
    ]
    why = [text["why"].format(rationale=r) for r in (localized.rationale, first_sentence(localized.rationale))]
    check = [
        text["check"].format(investigation=i)
        for i in (localized.investigation, first_sentence(localized.investigation))
    ]
    # From most to least complete: leave out the benchmark references, shorten the rationale, then
    # the checks, then drop them (the rationale first); only then does the query link give way to
    # the log group link.
    middles = [
        [why[0], check[0]],
        [why[1], check[0]],
        [why[1], check[1]],
        [check[0]],
        [check[1]],
        [],
    ]
    candidates = ["\n".join([head, *middle, where, link]) for link in links for middle in middles for where in wheres]
    fitting = [c for c in candidates if length_of(c) <= DESCRIPTION_BUDGET]
    # Over-long text is returned as is; DetectiveControl then reports it with its length.
    return fitting[0] if fitting else candidates[-1]


def alarm_rule(settings: AlarmSettings, language: str = "en") -> str:
    """When the alarm fires, as one sentence: the count per period and how many periods must breach.

    The metric is 1 per matching event, so Sum and SampleCount count events, while Maximum, Minimum
    and Average are 1 in any period with an event (their threshold can only be 1).
    """
    text = _TEXT[language]
    seconds = settings.period_seconds
    unit, n = ("minutes", seconds // 60) if seconds % 60 == 0 else ("seconds", seconds)
    periods = settings.evaluation_periods
    datapoints = settings.datapoints_to_alarm or periods
    counts = settings.statistic in ("Sum", "SampleCount")
    key = ("count" if counts else "any") + ("" if periods == 1 else "_of")
    return text[key].format(
        threshold=f"{settings.threshold:g}",
        period=text[unit].format(n=n),
        periods=periods,
        datapoints=datapoints,
    )


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (English or Japanese punctuation)."""
    for index, char in enumerate(text):
        if char in ".。" and (index + 1 == len(text) or text[index + 1] in " \n" or char == "。"):
            return text[: index + 1]
    return text


def compact_references(definition: ControlDefinition) -> str:
    """``Security Hub CloudWatch.1; CIS 1.2.0 3.3/1.1, 1.4.0 4.3/1.7, 3.0.0 4.3``."""
    parts: list[str] = []
    security_hub = definition.references_for(Framework.SECURITY_HUB)
    if security_hub:
        parts.append("Security Hub " + "/".join(security_hub))
    cis = [
        f"{framework.value.rsplit(' v', 1)[-1]} {'/'.join(items)}"
        for framework in (Framework.CIS_1_2_0, Framework.CIS_1_4_0, Framework.CIS_3_0_0)
        if (items := definition.references_for(framework))
    ]
    if cis:
        parts.append("CIS " + ", ".join(cis))
    return "; ".join(parts)
