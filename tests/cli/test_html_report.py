"""``trailwatch replay --html``: one self-contained page whose numbers are the JSON report's."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trailwatch_constructs.catalog import Language, catalog_controls, variants_for
from trailwatch_constructs.cli.html_report import variant_change
from trailwatch_constructs.cli.main import cli
from trailwatch_constructs.texts.alarm_description import alarm_rule
from trailwatch_constructs.texts.report_phrases import REPORT_PHRASES

from .helpers import ALICE, denied, encode, quiet_record, root_login, run_json, write


class _Page(HTMLParser):
    """What a test reads of the page: tags, the data- attributes of sections and charts, every URL."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections: list[dict[str, str]] = []
        self.charts: list[dict[str, str]] = []
        self.summary: dict[str, str] = {}
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.lang = ""
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        self.urls += [v for k, v in values.items() if k in ("src", "href", "srcset", "action", "xlink:href")]
        if tag == "html":
            self.lang = values.get("lang", "")
        if tag == "section":
            self.sections.append(values)
        if tag == "svg" and "tw-chart" in values.get("class", ""):
            self.charts.append(values)
        if tag == "dl":
            self.summary = values


def replay_html(runner: CliRunner, tmp_path: Path, *args: str) -> tuple[dict[str, Any], str]:
    """Runs ``replay ARGS --format json --html FILE``; returns the JSON report and the page."""
    page = tmp_path / "report.html"
    _, report = run_json(runner, ["replay", *args, "--html", str(page)])
    return report, page.read_text(encoding="utf-8")


def test_page_numbers_are_the_json_reports(runner: CliRunner, archive: Path, tmp_path: Path) -> None:
    # GIVEN the archive (denied calls, a root sign-in, a quiet call)
    # WHEN it is replayed to JSON and HTML at once
    report, text = replay_html(runner, tmp_path, str(archive))
    page = _Page(text)
    # THEN every control has a section and a chart with the JSON report's matches and notifications
    expected = {cid: (str(c["matches"]), str(c["notifications"])) for cid, c in report["controls"].items()}
    assert {s["data-control"]: (s["data-matches"], s["data-notifications"]) for s in page.sections} == expected
    assert [(c["data-matches"], c["data-notifications"]) for c in page.charts] == list(expected.values())
    assert expected["unauthorized-api-calls"] == ("5", "1")
    # AND the summary's totals are the JSON report's
    assert (page.summary["data-files"], page.summary["data-events"]) == (str(report["files"]), str(report["events"]))


def _summary(text: str) -> dict[str, str]:
    return dict(re.findall(r'<dd data-summary="([a-z-]+)">([^<]*)</dd>', text))


def test_summary_says_files_events_skipped_span_and_controls(
    runner: CliRunner, s3_archive: Path, tmp_path: Path
) -> None:
    # GIVEN a trail's bucket: three log files (six events) and two digest files
    # WHEN reported, the privileged-group control left out for want of groups
    _, text = replay_html(runner, tmp_path, str(s3_archive))
    # THEN the summary gives every total in words, the span of the events and what was (not) evaluated
    summary = _summary(text)
    evaluated = [c.title for c in catalog_controls()]
    assert summary == {
        "files": "5 found, 3 read (0 only in part), 2 skipped",
        "events": "6 evaluated of 6 records seen, 0 skipped",
        "skipped": "digest 2",
        "span": "2024-05-01T00:00:00Z – 2024-05-01T01:03:00Z",
        "controls": f"{len(evaluated)}: {', '.join(evaluated)}",
        "not-selected": "privileged-group-membership-changes (needs at least one --privileged-group NAME)",
    }


def test_a_report_without_event_times_has_no_span_and_empty_charts(runner: CliRunner, tmp_path: Path) -> None:
    record = root_login(1)
    del record["eventTime"]
    path = write(tmp_path / "a.json", encode("cloudtrail", [record]))
    _, text = replay_html(runner, tmp_path, str(path), "--control", "root-account-usage")
    assert _summary(text)["span"] == "none"
    assert _summary(text)["skipped"] == "none"
    assert "Root user activity: matches and notifications per day (UTC)" in text
    assert ">no matches<" in text


@pytest.mark.parametrize(
    ("setting", "text"),
    [
        ("period_seconds=30", "1+ matching CloudTrail events in 30 s."),
        ("period_seconds=60", "1+ matching CloudTrail events in 1 min."),
        ("period_seconds=120,evaluation_periods=4", "1+ matching CloudTrail events per 2 min in 4 of 4 periods."),
        (
            "statistic=Maximum,evaluation_periods=3,datapoints_to_alarm=2",
            "Matching CloudTrail events in 2 of 3 periods of 5 min.",
        ),
    ],
)
def test_each_control_states_its_alarm_rule_as_its_alarm_description_does(
    runner: CliRunner, archive: Path, tmp_path: Path, setting: str, text: str
) -> None:
    args = ["--control", "root-account-usage", "--alarm", f"root-account-usage:{setting}"]
    _, page = replay_html(runner, tmp_path, str(archive), *args)
    assert f"Alarm: {text}</p>" in page


def test_page_is_self_contained(runner: CliRunner, archive: Path, tmp_path: Path) -> None:
    # WHEN a report is written
    _, text = replay_html(runner, tmp_path, str(archive))
    page = _Page(text)
    # THEN it loads nothing: no script, no link, no URL anywhere, and its policy forbids fetching
    assert not {"script", "link", "img", "iframe", "object"} & set(page.tags)
    assert page.urls == []
    assert not re.search(r"https?:|url\(|@import|//[a-z]", text.replace('xmlns="http://www.w3.org/2000/svg"', ""))
    assert "default-src 'none'" in text


def test_language_ja_gives_japanese_labels_and_titles(runner: CliRunner, archive: Path, tmp_path: Path) -> None:
    # WHEN the report is written in Japanese
    _, text = replay_html(runner, tmp_path, str(archive), "--language", "ja")
    # THEN the page says so, its labels and the controls' titles (headings too) are Japanese
    root = next(c for c in catalog_controls() if c.id == "root-account-usage")
    assert _Page(text).lang == "ja"
    assert root.ja is not None and f"<h2>{root.ja.title} <code>root-account-usage</code></h2>" in text
    assert REPORT_PHRASES[Language.JA].summary in text
    assert root.ja is not None and root.ja.title in text
    assert REPORT_PHRASES[Language.EN].summary not in text
    assert alarm_rule(root.alarm, Language.JA) in text


def test_compare_variants_puts_each_variant_after_its_base_with_the_change(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN denied calls by a user, and by CloudTrail's log delivery, which the tuned variant leaves out
    service = denied(7, ip="delivery.logs.amazonaws.com")
    path = write(tmp_path / "a.json", encode("cloudtrail", [denied(1), service]))
    # WHEN replayed with --compare-variants
    report, text = replay_html(runner, tmp_path, str(path), "--control", "unauthorized-api-calls", "--compare-variants")
    # THEN the variant is evaluated and reported right after its base, with the notifications compared
    (variant,) = variants_for("unauthorized-api-calls")
    assert list(report["controls"]) == ["unauthorized-api-calls", variant.id]
    assert [s["data-control"] for s in _Page(text).sections] == ["unauthorized-api-calls", variant.id]
    base, tuned = report["controls"]["unauthorized-api-calls"], report["controls"][variant.id]
    assert (base["matches"], tuned["matches"]) == (2, 1)
    assert "Notifications: 1 with unauthorized-api-calls, 1 with this variant (+0%)" in text
    assert ">Tuned variant of unauthorized-api-calls<" in text
    assert [s["class"] for s in _Page(text).sections] == ["control", "control variant"]


@pytest.mark.parametrize(("base", "variant", "text"), [(4, 1, "-75%"), (3, 3, "+0%"), (0, 0, "±0%"), (0, 2, "+2")])
def test_variant_change(base: int, variant: int, text: str) -> None:
    assert variant_change(base, variant) == text


def test_an_alarm_that_is_not_simulated_says_so_everywhere(runner: CliRunner, archive: Path, tmp_path: Path) -> None:
    # GIVEN an alarm that ignores missing data (CloudWatch's rule for it is not simulated)
    args = ["--control", "root-account-usage", "--alarm", "root-account-usage:treat_missing_data=ignore"]
    # WHEN reported as JSON and HTML, and as a table
    report, text = replay_html(runner, tmp_path, str(archive), *args)
    table = runner.invoke(cli, ["replay", str(archive), *args])
    # THEN JSON has null, the page says why, the table a dash
    assert report["controls"]["root-account-usage"]["notifications"] is None
    assert "not simulated (missing data treated as ignore)" in text
    assert _Page(text).sections[0]["data-notifications"] == ""
    (row,) = [line for line in table.stdout.splitlines() if line.strip().startswith("root-account-usage ")]
    assert row.split()[-1] == "-"


def test_top_values_are_listed_up_to_top(runner: CliRunner, archive: Path, tmp_path: Path) -> None:
    # GIVEN denied calls by alice (3), bob (1) and an AWS service (1)
    # WHEN reported with --top 1 and --top 3
    _, one = replay_html(runner, tmp_path, str(archive), "--control", "unauthorized-api-calls", "--top", "1")
    _, three = replay_html(runner, tmp_path, str(archive), "--control", "unauthorized-api-calls", "--top", "3")
    # THEN the principals' table lists the most frequent first, as many as asked
    rows = re.compile(r'<tr><td>([^<]+)</td><td class="count">(\d+)</td></tr>')
    assert rows.findall(one.split("Top principals")[1].split("</table>")[0]) == [(ALICE, "3")]
    assert len(rows.findall(three.split("Top principals")[1].split("</table>")[0])) == 3


def test_short_spans_are_charted_per_hour_and_long_ones_per_day(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN a span of one hour, and one of three days
    short = write(tmp_path / "short.json", encode("cloudtrail", [quiet_record(0), root_login(1)]))
    late = root_login(2)
    late["eventTime"] = "2024-05-03T23:00:00Z"
    long = write(tmp_path / "long.json", encode("cloudtrail", [quiet_record(0), late]))
    # WHEN each is reported
    _, hourly = replay_html(runner, tmp_path, str(short), "--control", "root-account-usage")
    _, daily = replay_html(runner, tmp_path, str(long), "--control", "root-account-usage")
    # THEN the first has hour buckets (00:00 and 01:00) and the second day buckets (05-01 to 05-03)
    assert "per hour" in hourly and ">05-01 00:00<" in hourly and ">05-01 01:00<" in hourly
    assert "per day" in daily and ">2024-05-01<" in daily and ">2024-05-03<" in daily


def _bars(page: str, series: str) -> dict[str, int]:
    """Each bar of one series in the page's only chart: bucket label -> number (from the bar's tooltip)."""
    found = re.findall(rf'<rect class="bar {series}"[^>]*><title>([^<]+): ([\d,]+) {series}</title>', page)
    return {label: int(n.replace(",", "")) for label, n in found}


def _root_logins_at(tmp_path: Path, *times: str) -> Path:
    records = []
    for n, when in enumerate(times):
        record = root_login(n)
        record["eventTime"] = when
        records.append(record)
    return write(tmp_path / "times.json", encode("cloudtrail", records))


@pytest.mark.parametrize(
    ("times", "bars", "alerts"),
    [
        # a span over two days: one bar per UTC day, the empty day included
        (
            ("2024-05-01T01:01:00Z", "2024-05-03T23:00:00Z"),
            {"2024-05-01": 1, "2024-05-02": 0, "2024-05-03": 1},
            None,
        ),
        # exactly two days: still per hour, both ends in their own hour (49 bars)
        (
            ("2024-05-01T00:00:00Z", "2024-05-03T00:00:00Z"),
            {**{f"05-{d:02d} {h:02d}:00": 0 for d in (1, 2) for h in range(24)}, "05-03 00:00": 1} | {"05-01 00:00": 1},
            None,
        ),
        # an event on the hour starts that hour's bar, late in an hour stays in it; the alarm stays
        # in ALARM over the two adjacent 5-minute periods (00:55 and 01:00): no second notification
        (
            ("2024-05-01T00:59:59Z", "2024-05-01T01:00:00Z", "2024-05-01T02:00:00Z"),
            {"05-01 00:00": 1, "05-01 01:00": 1, "05-01 02:00": 1},
            {"05-01 00:00": 1, "05-01 01:00": 0, "05-01 02:00": 1},
        ),
    ],
)
def test_every_match_is_charted_in_its_utc_bucket(
    runner: CliRunner, tmp_path: Path, times: tuple[str, ...], bars: dict[str, int], alerts: dict[str, int] | None
) -> None:
    # GIVEN root sign-ins at these times
    path = _root_logins_at(tmp_path, *times)
    # WHEN reported
    _, page = replay_html(runner, tmp_path, str(path), "--control", "root-account-usage")
    # THEN the chart has one bar per bucket of the span, each with its matches, and the
    # notifications in the same buckets (one per isolated sign-in)
    assert _bars(page, "matches") == bars
    assert _bars(page, "notifications") == (alerts or bars)


def test_page_size_does_not_grow_with_the_events(runner: CliRunner, tmp_path: Path) -> None:
    # GIVEN the same hour of traffic with 60 and 6,000 denied calls (one principal, one address)
    few = write(tmp_path / "few.json", encode("cloudtrail", [denied(n) for n in range(60)]))
    many = write(tmp_path / "many.json", encode("cloudtrail", [denied(n % 60) for n in range(6000)]))
    # WHEN each is reported
    _, small = replay_html(runner, tmp_path, str(few), "--control", "unauthorized-api-calls")
    _, large = replay_html(runner, tmp_path, str(many), "--control", "unauthorized-api-calls")
    # THEN the pages differ only by the digits of the larger numbers
    assert len(large.encode()) - len(small.encode()) < 200


def test_an_unwritable_html_path_is_an_error_naming_it(runner: CliRunner, archive: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "report.html"
    result = runner.invoke(cli, ["replay", str(archive), "--format", "json", "--html", str(target)])
    assert result.exit_code == 1
    assert f"cannot write the HTML report to {str(target)!r}: No such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_page_is_the_same_whatever_jobs_is(runner: CliRunner, s3_archive: Path, tmp_path: Path) -> None:
    # GIVEN a trail's bucket (matches in several files) WHEN reported with one process and with two
    one = tmp_path / "one.html"
    two = tmp_path / "two.html"
    for jobs, page in (("1", one), ("2", two)):
        run_json(runner, ["replay", str(s3_archive), "--jobs", jobs, "--html", str(page)])
    # THEN the pages are byte for byte the same (the workers' timelines merge in file order)
    assert one.read_bytes() == two.read_bytes()
