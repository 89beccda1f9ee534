"""Alarm descriptions, the text of every notification: their phrases per language and console links.

A description says what happened, why it matters, what to check and where, and links to the
CloudWatch Logs Insights query returning the control's matching events. The CDK layer passes
account, region and log group (tokens or values).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from trailwatch_constructs.catalog.definition import (
    COUNTING_STATISTICS,
    AlarmSettings,
    ControlDefinition,
    Framework,
    Language,
    LocalizedText,
)
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
    """The AWS Management Console's host in a partition.

    Args:
        partition: e.g. ``aws``, ``aws-cn``; one without a public console gets the commercial host.
        region: the Region, part of the commercial host.

    Returns:
        The host name, e.g. ``eu-west-1.console.aws.amazon.com``.
    """
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
    organization_trail: bool = False
    """The log group receives an organization trail: events may come from any member account."""

    @property
    def console(self) -> str:
        """``https://<host>/cloudwatch/home?region=<region>``."""
        host = self.host if self.host is not None else console_host("aws", self.region)
        return f"https://{host}/cloudwatch/home?region={self.region}"


@dataclass(frozen=True)
class DescriptionPhrases:
    """The fixed phrases of an alarm description in one language; ``{names}`` are filled in."""

    count: str
    """The rule of a counting statistic over one period: ``{threshold}``, ``{period}``."""
    count_of: str
    """The same over several periods: ``{threshold}``, ``{period}``, ``{datapoints}``, ``{periods}``."""
    any: str
    """The rule of a presence statistic over one period: ``{period}``."""
    any_of: str
    """The same over several periods: ``{period}``, ``{datapoints}``, ``{periods}``."""
    minutes: str
    """A period in whole minutes: ``{n}``."""
    seconds: str
    """A period in seconds: ``{n}``."""
    why: str
    """The rationale line: ``{rationale}``."""
    check: str
    """The first-checks line: ``{investigation}``."""
    where: str
    """Account, region and control: ``{account}``, ``{region}``, ``{id}``, ``{refs}``."""
    where_organization: str
    """The same for an organization trail, saying the events may come from any member account."""
    events: str
    """The Logs Insights link: ``{url}``."""
    log_group: str
    """The log group link, when no faithful query exists: ``{log_group}``, ``{url}``."""


PHRASES: Mapping[Language, DescriptionPhrases] = {
    Language.EN: DescriptionPhrases(
        count="{threshold}+ matching CloudTrail events in {period}.",
        count_of="{threshold}+ matching CloudTrail events per {period} in {datapoints} of {periods} periods.",
        any="Matching CloudTrail events in {period}.",
        any_of="Matching CloudTrail events in {datapoints} of {periods} periods of {period}.",
        minutes="{n} min",
        seconds="{n} s",
        why="Why: {rationale}",
        check="First check: {investigation}",
        where="Account {account}, region {region}, control {id}{refs}.",
        where_organization=(
            "Organization trail: the events may come from any member account (recipientAccountId). "
            "Alarm in account {account}, region {region}, control {id}{refs}."
        ),
        events="Events: {url}",
        log_group="Events: search log group {log_group} (no faithful Logs Insights query): {url}",
    ),
    Language.JA: DescriptionPhrases(
        count="{period}以内に該当するCloudTrailイベントが{threshold}件以上記録されました。",
        count_of=(
            "{period}ごとの該当CloudTrailイベントが{threshold}件以上の期間が{periods}期間中{datapoints}期間ありました。"
        ),
        any="{period}以内に該当するCloudTrailイベントが記録されました。",
        any_of="該当するCloudTrailイベントが記録された{period}の期間が{periods}期間中{datapoints}期間ありました。",
        minutes="{n}分",
        seconds="{n}秒",
        why="リスク: {rationale}",
        check="まず確認すること: {investigation}",
        where="アカウント {account}、リージョン {region}。コントロール {id}{refs}。",
        where_organization=(
            "組織の証跡: イベントはどのメンバーアカウントからでも記録されます (recipientAccountId)。"
            "アラームはアカウント {account}、リージョン {region}。コントロール {id}{refs}。"
        ),
        events="該当イベント: {url}",
        log_group="イベント: ロググループ {log_group} を検索してください: {url}",
    ),
}
"""The phrases of each language descriptions are written in."""
LANGUAGES: tuple[Language, ...] = tuple(PHRASES)
"""Every language descriptions are written in."""


def _encode(value: str) -> str:
    # The console's hash fragment uses URL-encoding with '*' in place of '%'.
    return quote(value, safe="").replace("%", "*")


def _log_group_part(context: AlarmContext) -> str:
    return context.log_group_name if context.log_group_name_is_token else _encode(context.log_group_name)


ORGANIZATION_FIELDS = "fields @timestamp, recipientAccountId, @message"
"""The first command of an organization trail's query: which member account each event is from."""


def link_query(definition: ControlDefinition, *, organization_trail: bool = False) -> str | None:
    """The Logs Insights query behind a description's link: the control's filter, newest first.

    No ``fields`` command: Insights then shows each event whole, and the link stays short enough
    to leave room for the why and the first checks within CloudWatch's 1,024 characters. Over an
    organization trail the member account comes first (:data:`ORGANIZATION_FIELDS`).

    Args:
        definition: the control.
        organization_trail: the log group receives an organization trail. Default: ``False``.

    Returns:
        The query; ``None`` when the pattern has no faithful Insights translation.
    """
    expr = to_logs_insights_filter(definition.filter_pattern, compact=True)
    if expr is None:
        return None
    commands = [ORGANIZATION_FIELDS] if organization_trail else []
    commands += [f"filter {expr}"] if expr else []
    return " | ".join([*commands, "sort @timestamp desc"])


def insights_console_url(query: str, context: AlarmContext) -> str:
    """A console link that runs a Logs Insights query over the alarm's log group.

    Args:
        query: the query, e.g. from :func:`link_query`.
        context: where the alarm lives; the link looks back over its window plus
            :data:`LINK_SLACK_SECONDS`.

    Returns:
        The URL.
    """
    seconds = context.window_seconds + LINK_SLACK_SECONDS
    return (
        f"{context.console}#logsV2:logs-insights$3FqueryDetail$3D~(end~0~start~-{seconds}~timeType~'RELATIVE~unit~'seconds"
        f"~editorString~'{_encode(query)}~source~(~'{_log_group_part(context)}))"
    )


def log_group_console_url(context: AlarmContext) -> str:
    """A console link to the alarm's log group (the fallback when no faithful query exists).

    Args:
        context: where the alarm lives.

    Returns:
        The URL.
    """
    name = context.log_group_name if context.log_group_name_is_token else quote(context.log_group_name, safe="")
    return f"{context.console}#logsV2:log-groups/log-group/{name.replace('%', '$25')}"


def alarm_description(
    definition: ControlDefinition,
    context: AlarmContext,
    *,
    language: Language | str = Language.EN,
    settings: AlarmSettings | None = None,
    length_of: Callable[[str], int] = len,
) -> str:
    """The alarm description: what happened, why it matters, what to check, where, and a link.

    When the full text is over :data:`DESCRIPTION_BUDGET`, the benchmark references go, the
    rationale and the first checks shrink to their first sentence and then go (the rationale
    first); only then does the query link give way to the log group link.

    Args:
        definition: the control the alarm belongs to.
        context: the account, region and log group the alarm watches.
        language: a language of :data:`LANGUAGES`, or its code (``"ja"``). Default: English.
        settings: the alarm settings in force. Default: the definition's.
        length_of: how to measure a text; the CDK layer passes the deployed length of tokens.
            Default: ``len``.

    Returns:
        The most complete text within the budget; the shortest one when none fits (the caller
        reports its length).

    Raises:
        ValueError: when ``language`` is not a :class:`Language`.
    """
    phrases = PHRASES[Language(language)]
    localized = definition.text(language)
    head = f"{localized.title}: " + alarm_rule(settings or definition.alarm, language)
    candidates = [
        "\n".join([head, *middle, where, link])
        for link in _links(definition, context, phrases)
        for middle in _middles(localized, phrases)
        for where in _wheres(definition, context, phrases)
    ]
    fitting = [c for c in candidates if length_of(c) <= DESCRIPTION_BUDGET]
    return fitting[0] if fitting else candidates[-1]


def _links(definition: ControlDefinition, context: AlarmContext, phrases: DescriptionPhrases) -> list[str]:
    """The query link (when the pattern has a faithful query), then the log group link."""
    query = link_query(definition, organization_trail=context.organization_trail)
    links = [phrases.events.format(url=insights_console_url(query, context))] if query is not None else []
    links.append(phrases.log_group.format(log_group=context.log_group_name, url=log_group_console_url(context)))
    return links


def _middles(localized: LocalizedText, phrases: DescriptionPhrases) -> list[list[str]]:
    """The why and first-check lines, from most to least complete."""
    why = [phrases.why.format(rationale=r) for r in (localized.rationale, first_sentence(localized.rationale))]
    check = [
        phrases.check.format(investigation=i)
        for i in (localized.investigation, first_sentence(localized.investigation))
    ]
    return [[why[0], check[0]], [why[1], check[0]], [why[1], check[1]], [check[0]], [check[1]], []]


def _wheres(definition: ControlDefinition, context: AlarmContext, phrases: DescriptionPhrases) -> list[str]:
    """The where line, with the benchmark references and then without them."""
    refs = compact_references(definition)
    where = phrases.where_organization if context.organization_trail else phrases.where
    return [
        where.format(account=context.account, region=context.region, id=definition.id, refs=refs_text)
        for refs_text in ((f" ({refs})" if refs else ""), "")
    ]


def alarm_rule(settings: AlarmSettings, language: Language | str = Language.EN) -> str:
    """When the alarm fires, as one sentence: the count per period and how many periods must breach.

    The metric is 1 per matching event, so Sum and SampleCount count events, while Maximum, Minimum
    and Average are 1 in any period with an event (their threshold can only be 1).

    Args:
        settings: valid alarm settings.
        language: a language of :data:`LANGUAGES`, or its code. Default: English.

    Returns:
        The sentence, e.g. ``5+ matching CloudTrail events per 1 min in 2 of 3 periods.``
    """
    phrases = PHRASES[Language(language)]
    seconds = settings.period_seconds
    period = phrases.minutes.format(n=seconds // 60) if seconds % 60 == 0 else phrases.seconds.format(n=seconds)
    periods = settings.evaluation_periods
    counts = settings.statistic in COUNTING_STATISTICS
    if periods == 1:
        rule = phrases.count if counts else phrases.any
    else:
        rule = phrases.count_of if counts else phrases.any_of
    return rule.format(
        threshold=f"{settings.threshold:g}",
        period=period,
        periods=periods,
        datapoints=settings.datapoints_to_alarm or periods,
    )


def first_sentence(text: str) -> str:
    """The first sentence of a text, in English or Japanese punctuation.

    Args:
        text: one or more sentences.

    Returns:
        Up to and including the first ``.`` followed by a space or the end, or the first ``。``;
        the whole text when it has no such stop.
    """
    for index, char in enumerate(text):
        if char in ".。" and (index + 1 == len(text) or text[index + 1] in " \n" or char == "。"):
            return text[: index + 1]
    return text


def compact_references(definition: ControlDefinition) -> str:
    """A control's Security Hub and CIS references in one short line.

    Args:
        definition: the control.

    Returns:
        E.g. ``Security Hub CloudWatch.1; CIS 1.2.0 3.3/1.1, 1.4.0 4.3/1.7, 3.0.0 4.3``; empty
        when it has neither.
    """
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
