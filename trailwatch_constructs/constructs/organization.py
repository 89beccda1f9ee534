"""``OrganizationOptions``: deploying the controls once for a whole AWS Organizations organization.

The organization trail's log group lives in one account and Region (Control Tower: the
management account's home Region). Metric filters only see the log group of their own Region,
and Security Hub evaluates CloudWatch.1-14 in the account that owns the trail (member accounts
get NO_DATA), so the controls belong in that account and Region; docs/organizations.md has the
recipe and the status each account should expect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aws_cdk import Stack, Token

from trailwatch_constructs.constructs.alarm_topic import organization_id_problems

# A Region name: e.g. eu-west-1, us-gov-west-1, cn-north-1, ap-southeast-5.
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


@dataclass(frozen=True)
class OrganizationOptions:
    """The organization trail the controls watch.

    Attributes:
        organization_id: the organization's id (``o-...``). The alarm topic lets the
            organization's accounts list its subscriptions, so that Security Hub's CloudWatch.1-14
            are not WARNING in accounts that see the alarms but do not own the topic.
        trail_home_region: the Region of the organization trail's log group (for Control Tower,
            the landing zone's home Region). The stack must be deployed there: a metric filter only
            sees the log group of its own Region.
        grant_subscription_listing: add the topic-policy grant above. Default: ``True``.
    """

    organization_id: str
    trail_home_region: str
    grant_subscription_listing: bool = True


def organization_problems(option: str, organization: object, stack: Stack) -> list[str]:
    """The problems of ``organization`` for a construct in ``stack``, naming ``option``."""
    if not isinstance(organization, OrganizationOptions):
        return [f"{option} {organization!r} is a {type(organization).__name__}; expected OrganizationOptions(...)"]
    problems = organization_id_problems(f"{option}.organization_id", organization.organization_id)
    region = organization.trail_home_region
    if not isinstance(region, str) or not _REGION.match(region):
        problems.append(f"{option}.trail_home_region {region!r} is not a Region name, e.g. 'us-east-1'")
    elif Token.is_unresolved(stack.region):
        problems.append(
            f"the stack's Region is not explicit, so nothing proves it is {option}.trail_home_region {region!r}; "
            f"give the stack env=Environment(region={region!r}) (metric filters only see their own Region's log group)"
        )
    elif stack.region != region:
        problems.append(
            f"the stack is in {stack.region!r} but {option}.trail_home_region is {region!r}; deploy the stack in "
            f"{region!r} (metric filters only see their own Region's log group)"
        )
    return problems
