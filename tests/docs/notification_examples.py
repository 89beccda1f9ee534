"""The rendered examples of docs/notifications.md, generated from the catalogue's samples.

Each example is what the enrichment function publishes for one control of a family: the alarm's
change to ALARM, the control's firing sample records (moved into the alarm's window, as CloudTrail
would deliver them), gathered by the handler's own ``enrich`` and rendered by
``texts.notification.render_notification``. ``python -m tests.docs.notification_examples`` rewrites
the doc's generated section; tests/docs/test_notifications_md.py fails when the committed one is stale.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.docs.examples import DOCS
from trailwatch_constructs.catalog import Language, get_control, load_samples
from trailwatch_constructs.catalog.auditors import deployed_texts
from trailwatch_constructs.functions.alert_enricher.index import AlarmChange, Reading, Settings, enrich
from trailwatch_constructs.texts.notification import render_notification

DOC = DOCS / "notifications.md"
BEGIN = "<!-- begin generated examples: python -m tests.docs.notification_examples -->\n"
END = "<!-- end generated examples -->\n"

REGION = "eu-west-1"
LOG_GROUP = "CloudTrail/TrailwatchStack-SecurityMonitoringAuditTrail"
CHANGED_AT = datetime(2026, 10, 2, 7, 45, 12, tzinfo=UTC)
EVENT_SPACING = timedelta(seconds=41)
NOTIFICATIONS_TOPIC = f"arn:aws:sns:{REGION}:111122223333:TrailwatchStack-Notifications"


@dataclass(frozen=True)
class Example:
    """One rendered example: a family of controls, shown by one of its controls."""

    family: str
    control_id: str
    language: Language = Language.EN
    read_error: str = ""
    """Reading failed with this error: the notification says so and still links the events."""


EXAMPLES = (
    Example("Root user and console sign-in", "root-account-usage"),
    Example("Identity and access management", "iam-policy-changes"),
    Example("Logging, keys and configuration recording", "cloudtrail-config-changes"),
    Example("Network", "security-group-changes"),
    Example("Data", "s3-bucket-policy-changes"),
    Example("Organization", "organizations-changes"),
    Example("Denied calls", "unauthorized-api-calls"),
    Example("The same in Japanese", "root-account-usage", Language.JA),
    Example(
        "When the events cannot be read",
        "console-signin-without-mfa",
        read_error=(
            "AccessDeniedException from FilterLogEvents: User is not authorized to perform: logs:FilterLogEvents"
        ),
    ),
)


def _records(control_id: str, changed_at: datetime) -> list[Mapping[str, Any]]:
    """The control's firing samples, their times moved into the five minutes before ``changed_at``."""
    fires = load_samples(control_id).fires
    start = changed_at - EVENT_SPACING * (len(fires) + 1)
    return [
        {**event.record, "eventTime": (start + EVENT_SPACING * n).strftime("%Y-%m-%dT%H:%M:%SZ")}
        for n, event in enumerate(fires, start=1)
    ]


def rendered(example: Example) -> tuple[str, str, str]:
    """The example's subject, text and chat JSON, as the function publishes them."""
    control = get_control(example.control_id)
    records = [] if example.read_error else _records(example.control_id, CHANGED_AT)
    account = str(load_samples(example.control_id).fires[0].record.get("recipientAccountId", "111122223333"))
    name = f"TrailwatchStack-{control.id}"
    alarm = AlarmChange(
        arn=f"arn:aws:cloudwatch:{REGION}:{account}:alarm:{name}",
        name=name,
        account=account,
        region=REGION,
        state="ALARM",
        previous_state="OK",
        changed_at=CHANGED_AT,
        namespace="CloudTrailMetrics",
        metric_name=control.metric_name,
        window_start=CHANGED_AT.replace(second=0) - timedelta(minutes=5),
        window_end=CHANGED_AT.replace(second=0),
    )
    reading = Reading(
        records={str(r["eventID"]): r for r in records},
        filters={LOG_GROUP: deployed_texts(control)},
        read=len(records),
        complete=not example.read_error,
        error=example.read_error,
    )
    settings = Settings(topic_arn=NOTIFICATIONS_TOPIC, language=example.language)
    notification = render_notification(enrich(alarm, reading, settings), example.language)
    return notification.subject, notification.text, json.dumps(notification.chat, indent=2, ensure_ascii=False)


def render_examples() -> str:
    """The generated section of docs/notifications.md, between its markers."""
    parts = [BEGIN]
    for example in EXAMPLES:
        subject, text, chat = rendered(example)
        parts.append(f"\n### {example.family}: `{example.control_id}`\n\n")
        parts.append(f"Subject: `{subject}`\n\n```text\n{text.rstrip()}\n```\n\n")
        parts.append(f"<details><summary>Chat notification (JSON)</summary>\n\n```json\n{chat}\n```\n\n</details>\n")
    parts.append("\n" + END)
    return "".join(parts)


def generated_section(text: str) -> str:
    """The generated section of a doc's text, markers included; empty when it has none."""
    found = re.search(re.escape(BEGIN) + ".*?" + re.escape(END), text, re.DOTALL)
    return found.group(0) if found else ""


def refresh() -> None:
    """Rewrite the doc's generated section."""
    text = DOC.read_text(encoding="utf-8")
    current = generated_section(text)
    assert current, f"{DOC} has no generated section to replace"
    DOC.write_text(text.replace(current, render_examples()), encoding="utf-8")


if __name__ == "__main__":
    refresh()
