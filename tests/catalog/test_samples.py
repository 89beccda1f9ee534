"""The sample CloudTrail records shipped with each control prove its real filter pattern.

Every ``fires`` record must match the control's pattern (Security Hub's exact text, evaluated by
trailwatch's filter-pattern engine) and every ``ignores`` record, a deliberate near miss, must not.
The records themselves must look like what CloudTrail writes, so that users can replay them.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from ipaddress import ip_address, ip_network
from typing import Any

import pytest

from trailwatch_constructs.catalog import (
    CONTROL_IDS,
    PRIVILEGED_GROUP_CONTROL_ID,
    ControlDefinition,
    ControlSamples,
    get_control,
    load_samples,
    privileged_group_membership_changes,
    sample_control_ids,
)
from trailwatch_constructs.catalog.variants import VARIANT_IDS, get_variant
from trailwatch_constructs.core.errors import UnknownControlError

MIN_SAMPLES = 3
TWO_GROUPS = ("Admins", "Security")

# What every record carries, whatever its eventType (CloudTrail record contents).
TOP_LEVEL_FIELDS = frozenset(
    {
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "requestParameters",
        "responseElements",
        "eventID",
        "readOnly",
        "eventType",
        "managementEvent",
        "recipientAccountId",
        "eventCategory",
    }
)
EVENT_TYPES = frozenset({"AwsApiCall", "AwsConsoleSignIn", "AwsServiceEvent"})
DOC_ACCOUNTS = frozenset({"111122223333", "444455556666"})
# RFC 5737 documentation ranges; AWS services calling on a principal's behalf write their own name instead.
DOC_NETWORKS = tuple(ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
EVENT_TIME_RE = re.compile(r"^2026-10-\d{2}T\d{2}:\d{2}:\d{2}Z$")
HIDDEN_USER = "HIDDEN_DUE_TO_SECURITY_REASONS"


def _slug(text: str, words: int = 6) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:words])


def _all_samples() -> Iterator[tuple[str, str, int, str, Mapping[str, Any]]]:
    """(control id, "fires" | "ignores", index, why, record) for every sample of every control."""
    for control_id in sample_control_ids():
        samples = load_samples(control_id)
        for kind, events in (("fires", samples.fires), ("ignores", samples.ignores)):
            for index, event in enumerate(events):
                yield control_id, kind, index, event.why, event.record


def _params(kind: str | None = None, *, event_type: str | None = None) -> list[Any]:
    return [
        pytest.param(control_id, sample_kind, index, id=f"{control_id}-{sample_kind}[{index}]-{_slug(why)}")
        for control_id, sample_kind, index, why, record in _all_samples()
        if (kind is None or sample_kind == kind) and (event_type is None or record.get("eventType") == event_type)
    ]


def _record(control_id: str, kind: str, index: int) -> Mapping[str, Any]:
    samples = load_samples(control_id)
    events = samples.fires if kind == "fires" else samples.ignores
    return events[index].record


def _control_for(samples: ControlSamples) -> ControlDefinition:
    """The control exactly as the catalogue builds it, with the parameters the samples assume."""
    if samples.control_id in VARIANT_IDS:
        return get_variant(samples.control_id)
    return get_control(samples.control_id, privileged_groups=samples.parameters.get("privileged_groups", ()))


def _with_group(record: Mapping[str, Any], group: str) -> dict[str, Any]:
    variant = copy.deepcopy(dict(record))
    variant["requestParameters"]["groupName"] = group
    return variant


# ---------------------------------------------------------------- the patterns against the samples


@pytest.mark.parametrize(("control_id", "kind", "index"), _params("fires"))
def test_fires_sample_matches_the_control_pattern(control_id: str, kind: str, index: int) -> None:
    # GIVEN a record the control exists to alarm on, and the control built as the catalogue builds it
    samples = load_samples(control_id)
    event = samples.fires[index]
    control = _control_for(samples)
    # WHEN its real filter pattern evaluates the record
    matched = control.matches(event.record)
    # THEN the metric filter would count it
    assert matched, f"pattern {control.pattern!r} should match: {event.why}"


@pytest.mark.parametrize(("control_id", "kind", "index"), _params("ignores"))
def test_near_miss_sample_does_not_match_the_control_pattern(control_id: str, kind: str, index: int) -> None:
    # GIVEN a near miss: a realistic record that looks like the control's event but is not
    samples = load_samples(control_id)
    event = samples.ignores[index]
    control = _control_for(samples)
    # WHEN its real filter pattern evaluates the record
    matched = control.matches(event.record)
    # THEN the metric filter would not count it
    assert not matched, f"pattern {control.pattern!r} should not match: {event.why}"


# ---------------------------------------------------------------- every control has samples


@pytest.mark.parametrize("control_id", CONTROL_IDS)
def test_every_catalogue_control_ships_a_sample_file(control_id: str) -> None:
    # GIVEN a catalogue control WHEN listing the shipped sample files THEN the control has one
    assert control_id in sample_control_ids()


def test_every_sample_file_belongs_to_a_catalogue_control() -> None:
    # GIVEN the shipped sample files WHEN comparing them with the catalogue THEN none is orphaned
    assert set(sample_control_ids()) <= set(CONTROL_IDS) | set(VARIANT_IDS)


@pytest.mark.parametrize("control_id", sample_control_ids())
def test_sample_file_names_its_own_control(control_id: str) -> None:
    # GIVEN samples/<id>.json WHEN loaded THEN its "control" field is that same id
    assert load_samples(control_id).control_id == control_id


@pytest.mark.parametrize("control_id", CONTROL_IDS)
def test_control_has_enough_firing_samples(control_id: str) -> None:
    # GIVEN a control's samples WHEN counting the records it must fire on THEN there are at least three
    assert len(load_samples(control_id).fires) >= MIN_SAMPLES


@pytest.mark.parametrize("control_id", CONTROL_IDS)
def test_control_has_enough_near_misses(control_id: str) -> None:
    # GIVEN a control's samples WHEN counting the near misses THEN there are at least three
    assert len(load_samples(control_id).ignores) >= MIN_SAMPLES


@pytest.mark.parametrize("control_id", CONTROL_IDS)
def test_every_sample_explains_itself_once(control_id: str) -> None:
    # GIVEN a control's samples WHEN reading their `why` lines THEN each is non-empty and none repeats
    samples = load_samples(control_id)
    whys = [e.why.strip() for e in (*samples.fires, *samples.ignores)]
    assert all(whys)
    assert len(whys) == len(set(whys))


def test_privileged_group_samples_declare_the_group_they_assume() -> None:
    # GIVEN the privileged-group samples WHEN reading their parameters THEN they name the Admins group
    samples = load_samples(PRIVILEGED_GROUP_CONTROL_ID)
    assert samples.parameters == {"privileged_groups": ["Admins"]}


# ---------------------------------------------------------------- the records look like CloudTrail's


@pytest.mark.parametrize(("control_id", "kind", "index"), _params())
def test_record_has_the_cloudtrail_top_level_fields(control_id: str, kind: str, index: int) -> None:
    # GIVEN a sample record WHEN listing its fields THEN every field CloudTrail always writes is there
    record = _record(control_id, kind, index)
    assert TOP_LEVEL_FIELDS - record.keys() == set()


@pytest.mark.parametrize(("control_id", "kind", "index"), _params())
def test_record_field_types_follow_cloudtrail(control_id: str, kind: str, index: int) -> None:
    # GIVEN a sample record WHEN checking its typed fields THEN they hold the kinds of value CloudTrail writes
    record = _record(control_id, kind, index)
    assert record["eventType"] in EVENT_TYPES
    assert record["eventCategory"] in {"Management", "Data"}
    assert isinstance(record["readOnly"], bool)
    assert isinstance(record["managementEvent"], bool)
    assert record["managementEvent"] == (record["eventCategory"] == "Management")
    assert re.fullmatch(r"1\.\d{2}", record["eventVersion"])


@pytest.mark.parametrize(("control_id", "kind", "index"), _params(event_type="AwsApiCall"))
def test_api_call_record_has_a_request_id(control_id: str, kind: str, index: int) -> None:
    # GIVEN an API call record (console sign-ins and service events carry no request of their own)
    record = _record(control_id, kind, index)
    # THEN it names the request CloudTrail recorded
    assert isinstance(record.get("requestID"), str) and record["requestID"]


def _missing_identity_fields(record: Mapping[str, Any]) -> list[str]:
    ident = record["userIdentity"]
    kind = ident.get("type")
    if kind is None:  # an AWS service event: only the account and the acting service
        required = ["accountId", "invokedBy"]
    elif kind == "IAMUser" and ident.get("userName") == HIDDEN_USER:  # sign-in with an unknown user name
        required = ["accountId", "accessKeyId", "userName"]
    elif kind == "IAMUser":
        required = ["principalId", "accountId", "userName"]
    elif kind == "Root":
        required = ["principalId", "arn", "accountId"]
    elif kind == "AWSService":  # a service principal acting on a resource-policy grant: no account, no key
        required = ["invokedBy"]
    elif kind in {"AssumedRole", "FederatedUser"}:
        required = ["principalId", "arn", "accountId", "sessionContext"]
    else:
        return [f"unexpected userIdentity.type {kind!r}"]
    if kind not in (None, "AWSService") and record["eventType"] == "AwsApiCall":
        required += ["arn", "accessKeyId"]
    missing = [f"userIdentity.{name}" for name in required if name not in ident]
    if kind in {"AssumedRole", "FederatedUser"} and "sessionIssuer" not in ident.get("sessionContext", {}):
        missing.append("userIdentity.sessionContext.sessionIssuer")
    return missing


@pytest.mark.parametrize(("control_id", "kind", "index"), _params())
def test_user_identity_has_the_fields_of_its_type(control_id: str, kind: str, index: int) -> None:
    # GIVEN a sample record WHEN reading its userIdentity THEN it has what CloudTrail writes for that identity type
    assert _missing_identity_fields(_record(control_id, kind, index)) == []


@pytest.mark.parametrize(("control_id", "kind", "index"), [p for p in _params() if "errorCode" in _record(*p.values)])
def test_failed_call_explains_its_error(control_id: str, kind: str, index: int) -> None:
    # GIVEN a sample record of a failed call (it carries an errorCode)
    record = _record(control_id, kind, index)
    # THEN it also carries the errorMessage AWS writes with the code
    assert isinstance(record.get("errorMessage"), str) and record["errorMessage"]


@pytest.mark.parametrize(
    ("control_id", "kind", "index"),
    [p for p in _params() if _record(*p.values)["eventName"] == "ConsoleLogin"],
)
def test_console_login_record_has_its_sign_in_details(control_id: str, kind: str, index: int) -> None:
    # GIVEN a ConsoleLogin record
    record = _record(control_id, kind, index)
    # THEN it has the sign-in outcome and the additionalEventData every sign-in writes
    assert record["eventType"] == "AwsConsoleSignIn"
    assert record["responseElements"]["ConsoleLogin"] in {"Success", "Failure"}
    assert {"LoginTo", "MobileVersion", "MFAUsed"} <= record["additionalEventData"].keys()
    assert record["additionalEventData"]["MFAUsed"] in {"Yes", "No"}


@pytest.mark.parametrize(("control_id", "kind", "index"), _params())
def test_event_time_is_utc_iso8601_in_october_2026(control_id: str, kind: str, index: int) -> None:
    # GIVEN a sample record WHEN reading eventTime THEN it is ISO 8601 in UTC ("Z"), within October 2026
    event_time = _record(control_id, kind, index)["eventTime"]
    assert EVENT_TIME_RE.match(event_time)
    assert datetime.strptime(event_time, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).month == 10


def test_event_ids_are_distinct_uuids() -> None:
    # GIVEN every sample record of every control
    ids = [record["eventID"] for *_, record in _all_samples()]
    # THEN each eventID is a UUID and no two records share one
    assert all(str(uuid.UUID(event_id)) == event_id for event_id in ids)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("control_id", "kind", "index"), _params())
def test_record_uses_documentation_accounts(control_id: str, kind: str, index: int) -> None:
    # GIVEN a sample record WHEN reading the accounts it is about THEN they are AWS's documentation accounts
    record = _record(control_id, kind, index)
    ident = record["userIdentity"]
    issuer = ident.get("sessionContext", {}).get("sessionIssuer", {})
    accounts = {
        record["recipientAccountId"],
        *([ident["accountId"]] if "accountId" in ident else []),
        *([issuer["accountId"]] if issuer else []),
    }
    assert accounts <= DOC_ACCOUNTS


@pytest.mark.parametrize(("control_id", "kind", "index"), _params())
def test_record_source_ip_is_documentation_safe(control_id: str, kind: str, index: int) -> None:
    # GIVEN a sample record WHEN reading sourceIPAddress THEN it is an RFC 5737 address or an AWS service's name
    source = _record(control_id, kind, index)["sourceIPAddress"]
    if source == "AWS Internal" or source.endswith(".amazonaws.com"):
        return
    assert any(ip_address(source) in net for net in DOC_NETWORKS), source


@pytest.mark.parametrize(("control_id", "kind", "index"), _params())
def test_record_mentions_no_account_but_documentation_ones(control_id: str, kind: str, index: int) -> None:
    # GIVEN a sample record WHEN scanning all its text for ARN account fields THEN only documentation accounts appear
    text = json.dumps(_record(control_id, kind, index))
    arn_accounts = set(re.findall(r"arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):", text))
    assert arn_accounts <= DOC_ACCOUNTS | {"777788889999"}  # 777788889999: AWS's third example account


# ---------------------------------------------------------------- the privileged-group control with two groups


@pytest.fixture(scope="module")
def two_group_control() -> ControlDefinition:
    return privileged_group_membership_changes(TWO_GROUPS)


def _privileged_params(kind: str) -> list[Any]:
    return [p for p in _params(kind) if p.values[0] == PRIVILEGED_GROUP_CONTROL_ID]


@pytest.mark.parametrize(("control_id", "kind", "index"), _privileged_params("fires"))
def test_two_group_control_still_fires_on_the_admins_samples(
    two_group_control: ControlDefinition, control_id: str, kind: str, index: int
) -> None:
    # GIVEN the control built for Admins AND Security (the shorter multi-group pattern)
    record = _record(control_id, kind, index)
    # WHEN it evaluates a membership change of Admins
    # THEN it fires exactly as the one-group pattern does
    assert two_group_control.matches(record), two_group_control.pattern


@pytest.mark.parametrize(("control_id", "kind", "index"), _privileged_params("fires"))
def test_two_group_control_fires_on_the_security_variant(
    two_group_control: ControlDefinition, control_id: str, kind: str, index: int
) -> None:
    # GIVEN an Admins membership change rewritten to target the Security group
    variant = _with_group(_record(control_id, kind, index), "Security")
    # WHEN the Admins-and-Security control evaluates it
    # THEN it fires for the second group too
    assert two_group_control.matches(variant), two_group_control.pattern


@pytest.mark.parametrize(("control_id", "kind", "index"), _privileged_params("fires"))
def test_admins_only_control_ignores_the_security_variant(control_id: str, kind: str, index: int) -> None:
    # GIVEN the same Security-group variant and the control built for Admins only
    variant = _with_group(_record(control_id, kind, index), "Security")
    admins_only = privileged_group_membership_changes(["Admins"])
    # WHEN it evaluates the variant
    # THEN it does not fire: the group list, not the event name alone, decides
    assert not admins_only.matches(variant), admins_only.pattern


@pytest.mark.parametrize(("control_id", "kind", "index"), _privileged_params("ignores"))
def test_two_group_control_still_ignores_the_near_misses(
    two_group_control: ControlDefinition, control_id: str, kind: str, index: int
) -> None:
    # GIVEN a near miss of the Admins samples (none of them concerns the Security group)
    record = _record(control_id, kind, index)
    # WHEN the Admins-and-Security control evaluates it
    # THEN it still does not fire
    assert not two_group_control.matches(record), two_group_control.pattern


def test_a_control_without_samples_names_the_controls_that_have_them() -> None:
    with pytest.raises(UnknownControlError) as caught:
        load_samples("no-such-control")
    assert str(caught.value) == (
        f"no sample events for control 'no-such-control'; controls with samples: {', '.join(sample_control_ids())}"
    )
    assert "root-account-usage, root-account-usage-" not in str(caught.value)
    assert len(sample_control_ids()) == len(CONTROL_IDS) + len(VARIANT_IDS)
