"""``trailwatch replay --html``: one self-contained page of alert volume over time, per control.

The page is built from the same :class:`~.report_model.ReplayReport` as the JSON report, so its
numbers are the JSON report's; the would-be notifications come from the alarm simulation over
each control's own :class:`~trailwatch_constructs.catalog.definition.AlarmSettings` (what the
construct deploys). Everything is inline: CSS, SVG charts (:mod:`.svg_chart`), no script, no
font, no image; a Content-Security-Policy forbids any fetch, so the page opens from disk or an
email attachment alike. Its size grows with the time span and the controls, never with the events:
charts are drawn per day (per hour for a span of two days or less).
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from trailwatch_constructs.catalog import ControlDefinition
from trailwatch_constructs.catalog.definition import Language
from trailwatch_constructs.cli.report_model import ReplayReport
from trailwatch_constructs.cli.statistics import ControlStats, epoch_seconds, notification_times, top
from trailwatch_constructs.cli.svg_chart import CHART_CSS, Bucket, bar_chart
from trailwatch_constructs.texts.alarm_description import alarm_rule
from trailwatch_constructs.texts.report_phrases import REPORT_PHRASES, ReportPhrases

HOURLY_UP_TO: Final = timedelta(days=2)
"""Spans up to this long are charted per hour; longer ones per day."""

PAGE_CSS: Final = """
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --line: #d1d9e0; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; }
}
body { font: 14px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 2rem auto;
       max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin: 0; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { color: var(--muted); } dd { margin: 0; }
section.control { border-top: 1px solid var(--line); padding: 1rem 0; }
section.variant { margin-left: 2rem; border-top-style: dashed; }
.numbers { display: flex; gap: 2rem; flex-wrap: wrap; margin: .5rem 0; }
.numbers b { font-size: 1.4rem; display: block; }
.tops { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; align-items: start; }
table { border-collapse: collapse; width: 100%; } td { padding: .1rem .4rem; border-bottom: 1px solid var(--line); }
td.count { text-align: right; font-variant-numeric: tabular-nums; }
.muted, caption { color: var(--muted); text-align: left; }
code { font-size: .9em; }
"""

CHART_HEIGHT: Final = 180
"""Pixels per chart: two bands (matches, notifications) of about 60 each, the legend and the labels."""

CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""Nothing outside the page may load: the page is complete in itself, whatever a later edit adds."""


@dataclass(frozen=True)
class _Axis:
    """The time buckets every chart shares: their starts (epoch seconds), width and labels."""

    starts: tuple[int, ...]
    seconds: int
    labels: tuple[str, ...]
    hourly: bool

    def index(self, when: int) -> int:
        return (when - self.starts[0]) // self.seconds


def render_html(report: ReplayReport, *, top_n: int, language: Language = Language.EN) -> str:
    """Returns the report as one self-contained HTML page.

    Args:
        report: the run's totals and statistics (tuned variants follow their base control).
        top_n: how many top values to list per statistic.
        language: the labels' and controls' language.
    """
    labels = REPORT_PHRASES[language]
    axis = _axis(report.first_event_time, report.last_event_time)
    sections = [_control_section(c, report, axis, labels, language, top_n) for c in report.controls]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{language.value}">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_esc(labels.title)}</title>",
            f"<style>{PAGE_CSS}{CHART_CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{_esc(labels.title)}</h1>",
            _summary(report, labels, language),
            *sections,
            f'<p class="muted">{_esc(labels.generated.format(files=_n(report.files_read)))}</p>',
            "</body>",
            "</html>",
            "",
        ]
    )


def _summary(report: ReplayReport, labels: ReportPhrases, language: Language) -> str:
    files = labels.found_read_skipped.format(
        found=_n(report.files_found),
        read=_n(report.files_read),
        partial=_n(report.files_partial),
        skipped=_n(report.files_skipped),
    )
    events = labels.events_value.format(
        events=_n(report.events), seen=_n(report.records_seen), skipped=_n(report.records_skipped)
    )
    skipped = ", ".join(f"{category} {_n(n)}" for category, n in sorted(report.problem_counts.items()))
    span = f"{report.first_event_time} – {report.last_event_time}" if report.first_event_time else labels.none
    evaluated = ", ".join(c.text(language).title for c in report.controls)
    rows = [
        (labels.files, files, "files"),
        (labels.events, events, "events"),
        (labels.skipped_by_category, skipped or labels.none, "skipped"),
        (labels.span, span, "span"),
        (labels.controls_evaluated, f"{len(report.controls)}: {evaluated}", "controls"),
    ]
    if report.not_selected:
        left_out = ", ".join(f"{i} ({why})" for i, why in report.not_selected)
        rows.append((labels.not_selected, left_out, "not-selected"))
    items = "".join(f'<dt>{_esc(term)}</dt><dd data-summary="{key}">{_esc(value)}</dd>' for term, value, key in rows)
    totals = (("files", report.files_read), ("events", report.events), ("skipped", report.records_skipped))
    attributes = " ".join(f'data-{name}="{value}"' for name, value in totals)
    return f'<h2>{_esc(labels.summary)}</h2>\n<dl class="summary" {attributes}>{items}</dl>'


def _control_section(
    control: ControlDefinition,
    report: ReplayReport,
    axis: _Axis | None,
    labels: ReportPhrases,
    language: Language,
    top_n: int,
) -> str:
    title = control.text(language).title
    stats = report.stats_for(control.id)
    sent = notification_times(control.alarm, stats)
    notified = (
        _n(len(sent))
        if sent is not None
        else labels.not_simulated.format(treatment=control.alarm.treat_missing_data.value)
    )
    base = next((c for c in report.controls if c.id == control.variant_of), None)
    variant = base is not None
    parts = [
        f"<h2>{_esc(title)} <code>{_esc(control.id)}</code></h2>",
        _variant_note(base, sent, report, labels) if base is not None else "",
        '<div class="numbers">',
        f"<div><b>{_n(stats.matches)}</b>{_esc(labels.matches)}</div>",
        f"<div><b>{_esc(notified)}</b>{_esc(labels.notifications)}</div>",
        f"<div><b>{_esc(control.severity.value)}</b>{_esc(labels.severity)}</div>",
        "</div>",
        f'<p class="muted">{_esc(labels.alarm)}: {_esc(alarm_rule(control.alarm, language))}</p>',
        _chart(title, stats, sent, axis, labels),
        f'<p class="muted">{_esc(labels.first_last)}: '
        f"{_esc(stats.first_event_time or '–')} / {_esc(stats.last_event_time or '–')}</p>",
        '<div class="tops">',
        _top_table(labels.top_principals, stats.principals, top_n),
        _top_table(labels.top_event_names, stats.event_names, top_n),
        _top_table(labels.top_source_ips, stats.source_ips, top_n),
        "</div>",
    ]
    css = "control variant" if variant else "control"
    notifications_attr = len(sent) if sent is not None else ""
    return (
        f'<section class="{css}" id="{_esc(control.id)}" data-control="{_esc(control.id)}" '
        f'data-matches="{stats.matches}" data-notifications="{notifications_attr}">\n'
        + "\n".join(p for p in parts if p)
        + "\n</section>"
    )


def _variant_note(
    base: ControlDefinition, sent: tuple[int, ...] | None, report: ReplayReport, labels: ReportPhrases
) -> str:
    lines = [labels.variant_of.format(base=base.id)]
    base_sent = notification_times(base.alarm, report.stats_for(base.id))
    if sent is not None and base_sent is not None:
        change = variant_change(len(base_sent), len(sent))
        lines.append(
            labels.reduction.format(base=_n(len(base_sent)), base_id=base.id, variant=_n(len(sent)), change=change)
        )
    return "".join(f'<p class="muted variant-note">{_esc(line)}</p>' for line in lines)


def _chart(
    title: str, stats: ControlStats, sent: tuple[int, ...] | None, axis: _Axis | None, labels: ReportPhrases
) -> str:
    caption = (labels.per_hour if axis is not None and axis.hourly else labels.per_day).format(title=title)
    series = (labels.matches, labels.notifications)
    if axis is None:
        return bar_chart([], title=caption, series_labels=series, height=CHART_HEIGHT, empty_text=labels.no_matches)
    matches: Counter[int] = Counter()
    for when, count in stats.timeline.items():
        matches[axis.index(when)] += count
    notified = Counter(axis.index(when) for when in sent or ())
    buckets = [Bucket(label, matches[i], notified[i]) for i, label in enumerate(axis.labels)]
    return bar_chart(buckets, title=caption, series_labels=series, height=CHART_HEIGHT, empty_text=labels.no_matches)


def _axis(first: str | None, last: str | None) -> _Axis | None:
    """The buckets from the first event's day (or hour) to the last's; None without a time span."""
    start, end = (epoch_seconds(first) if first else None), (epoch_seconds(last) if last else None)
    if start is None or end is None:
        return None
    hourly = timedelta(seconds=end - start) <= HOURLY_UP_TO
    seconds = 3600 if hourly else 86_400
    starts = tuple(range(start - start % seconds, end + 1, seconds))
    form = "%m-%d %H:00" if hourly else "%Y-%m-%d"
    return _Axis(starts, seconds, tuple(datetime.fromtimestamp(s, UTC).strftime(form) for s in starts), hourly)


def _top_table(caption: str, values: Counter[str], n: int) -> str:
    rows = "".join(f'<tr><td>{_esc(v)}</td><td class="count">{_n(c)}</td></tr>' for v, c in top(values, n))
    return f"<table><caption>{_esc(caption)}</caption>{rows}</table>"


def _n(value: int) -> str:
    return f"{value:,}"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def variant_change(base: int, variant: int) -> str:
    """Returns the change from the base control's notifications to the variant's, e.g. ``-75%``.

    Args:
        base: the base control's notifications.
        variant: the variant's.
    """
    if base == 0:
        return "±0%" if variant == 0 else f"+{variant}"
    return f"{(variant - base) * 100 / base:+.0f}%"
