"""The sample app deploys in any account: no stack that needs a resource the account may lack, no
placeholder subscriber, and the feature flags `cdk init` writes for the pinned CDK."""

from __future__ import annotations

import json
import os
import subprocess

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import app as sample_app
from tests.constructs.helpers import CDK_JSON_CONTEXT, ROOT, new_app, resources_of
from tests.sample_app.helpers import SampleApp, logical_id


@pytest.fixture(scope="module")
def bare() -> tuple[list[cdk.Stack], cdk.cx_api.CloudAssembly]:
    """The sample app as `make synth` builds it from a fresh clone: no -c options at all."""
    app = new_app()
    stacks = sample_app.build_app(app)
    return stacks, app.synth()


def test_without_context_only_the_trail_stack_is_created(
    bare: tuple[list[cdk.Stack], cdk.cx_api.CloudAssembly],
) -> None:
    # GIVEN no trailwatch:existingLogGroupName WHEN building THEN no stack reads a log group the account may lack
    stacks, _ = bare
    assert [s.stack_name for s in stacks] == ["TrailwatchStack"]


def test_without_an_email_nothing_is_subscribed_and_synth_warns(
    bare: tuple[list[cdk.Stack], cdk.cx_api.CloudAssembly],
) -> None:
    # GIVEN no trailwatch:alarmEmail WHEN synthesizing THEN no placeholder is subscribed, synth succeeds,
    # and a warning says nobody will be notified
    stacks, assembly = bare
    artifact = assembly.get_stack_by_name(stacks[0].stack_name)
    assert resources_of(Template.from_json(artifact.template), "AWS::SNS::Subscription") == {}
    messages = [(m.level.value, str(m.entry.data)) for m in artifact.messages]
    assert ("WARNING", sample_app.NO_SUBSCRIBER_WARNING + " [ack: trailwatch:no-subscriber]") in messages
    assert [text for level, text in messages if level == "ERROR"] == []


def test_the_given_email_is_the_only_subscriber(sample: SampleApp) -> None:
    # GIVEN -c trailwatch:alarmEmail WHEN synthesized THEN that address, and only it, is subscribed, once
    # to each topic: the alarm topic and the enricher's notifications and critical topics
    monitoring = sample.main_stack.monitoring
    assert monitoring.enricher is not None and monitoring.enricher.critical_topic is not None
    topics = [monitoring.topic, monitoring.enricher.topic, monitoring.enricher.critical_topic]
    subscriptions = resources_of(sample.main, "AWS::SNS::Subscription").values()
    assert sorted((s["Properties"]["TopicArn"]["Ref"], s["Properties"]["Endpoint"]) for s in subscriptions) == sorted(
        (logical_id(topic), "security-alerts@example.com") for topic in topics
    )


def test_cdk_json_has_no_placeholder_email() -> None:
    # GIVEN the cdk.json users copy THEN it subscribes nobody by default
    assert "trailwatch:alarmEmail" not in CDK_JSON_CONTEXT


def test_the_existing_log_group_stack_has_its_own_namespace(sample: SampleApp) -> None:
    # GIVEN both sample stacks in one account and Region THEN their metrics do not share a namespace,
    # so neither stack's alarms count the other's events
    def namespaces(template: Template) -> set[str]:
        return {
            t["MetricNamespace"]
            for f in resources_of(template, "AWS::Logs::MetricFilter").values()
            for t in f["Properties"]["MetricTransformations"]
        }

    assert namespaces(sample.main) == {"CloudTrailMetrics"}
    assert namespaces(sample.existing) == {sample_app.EXISTING_LOG_GROUP_NAMESPACE}


def test_cdk_json_carries_the_flags_cdk_init_writes_for_the_pinned_cli() -> None:
    # GIVEN the pinned CDK CLI's init template flags THEN cdk.json sets each of them to the same value
    recommended = json.loads(
        (ROOT / "node_modules/aws-cdk/lib/init-templates/.recommended-feature-flags.json").read_text()
    )
    assert {k: CDK_JSON_CONTEXT.get(k) for k in recommended} == recommended


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ALARM_EMAIL", "MAKEFLAGS", "MFLAGS")}
    return subprocess.run(["make", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_make_deploy_refuses_without_an_alarm_email() -> None:
    # GIVEN no ALARM_EMAIL WHEN `make deploy` THEN it stops before any install or cdk command, with the
    # command to pass an address
    refused = _make("deploy")
    assert refused.returncode == 2
    assert "run: make deploy ALARM_EMAIL=you@example.com" in refused.stderr
    assert "cdk" not in refused.stdout


def test_make_deploy_passes_the_address_to_the_app() -> None:
    # GIVEN ALARM_EMAIL WHEN planning `make deploy` (-n: print, do not run) THEN cdk gets it as context
    planned = _make("-n", "deploy", "ALARM_EMAIL=secops@example.com")
    assert planned.returncode == 0
    assert "deploy --all -c trailwatch:alarmEmail='secops@example.com'" in planned.stdout


@pytest.mark.parametrize(("value", "reserved"), [(None, 5), ("none", None), ("None", None), ("20", 20), (3, 3)])
def test_reserved_concurrency_context_reaches_the_enrichment_options(value: object, reserved: int | None) -> None:
    # GIVEN -c trailwatch:reservedConcurrency=VALUE (or none given: the construct's default, 5)
    app = new_app(**({} if value is None else {"trailwatch:reservedConcurrency": value}))
    # WHEN the sample app reads it THEN the enrichment function reserves that many executions (none: no reservation)
    options = sample_app._enrichment([], sample_app._reserved_concurrency(app))
    assert options.reserved_concurrency == reserved


def test_a_bad_reserved_concurrency_context_names_the_key_and_what_is_allowed() -> None:
    app = new_app(**{"trailwatch:reservedConcurrency": "lots"})
    with pytest.raises(ValueError, match="reservedConcurrency 'lots' is not a whole number of executions or 'none'"):
        sample_app._reserved_concurrency(app)
