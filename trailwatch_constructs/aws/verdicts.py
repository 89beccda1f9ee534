"""What verify concludes: a check's :class:`Status`, a :class:`Verdict` and its reason, a run's results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from trailwatch_constructs.aws.region_view import RegionView
from trailwatch_constructs.catalog.auditors import Auditor


class Status(StrEnum):
    """A check's verdict, as Security Hub names its control statuses."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    WARNING = "WARNING"
    NO_DATA = "NO_DATA"


@dataclass(frozen=True)
class Verdict:
    """A status, why, and how far along the chain a failure got (the furthest is the most telling)."""

    status: Status
    reason: str
    depth: int = 0


_STATUS_RANK: Final = {Status.FAILED: 0, Status.NO_DATA: 1, Status.WARNING: 2, Status.PASSED: 3}


def best_verdict(verdicts: Iterable[Verdict]) -> Verdict:
    """The verdict of a check met by any one of several paths (trails, filters, alarms, topics).

    The best status wins; between equal statuses, the one furthest along the chain, the most telling.

    Args:
        verdicts: one verdict per path (at least one).
    """
    return max(verdicts, key=lambda v: (_STATUS_RANK[v.status], v.depth))


@dataclass(frozen=True)
class Check:
    """One Security Hub control's verdict in one Region."""

    region: str
    control: str
    status: Status
    reason: str


@dataclass(frozen=True)
class AuditorResult:
    """One check of another auditor (prowler, CIS...) in one Region.

    Attributes:
        region: the Region.
        auditor: the auditor.
        check: the auditor's name of the check.
        control: the trailwatch control the check is about.
        status: the verdict's status.
        reason: why.
    """

    region: str
    auditor: Auditor
    check: str
    control: str
    status: Status
    reason: str


@dataclass(frozen=True)
class Verification:
    """Every verdict of a run, and what was read to reach them."""

    views: tuple[RegionView, ...]
    checks: tuple[Check, ...]
    auditor_results: tuple[AuditorResult, ...]

    @property
    def statuses(self) -> list[Status]:
        """The status of every check: Security Hub's, then the other auditors'."""
        return [c.status for c in self.checks] + [r.status for r in self.auditor_results]

    @property
    def failed(self) -> bool:
        """Whether any check FAILED."""
        return Status.FAILED in self.statuses
