"""What each third-party auditor accepts as a metric filter for a CIS monitoring item, and what to deploy.

- :mod:`.rules`: each auditor's test of the pattern text, as recorded data with its source;
- :mod:`.texts`: the texts a control may deploy beside its own for those auditors;
- :mod:`.coverage`: the fewest texts that satisfy the chosen auditors, and which satisfies which check.
"""

from __future__ import annotations

from trailwatch_constructs.catalog.auditors.coverage import (
    ALL_AUDITORS,
    AuditorCheck,
    CheckResult,
    ControlCoverage,
    check_coverage,
    control_checks,
    deployed_texts,
)
from trailwatch_constructs.catalog.auditors.rules import Auditor, AuditorProfile, AuditorRule, auditor_profile
from trailwatch_constructs.catalog.auditors.texts import AuditorText, candidate_texts

__all__ = [
    "ALL_AUDITORS",
    "Auditor",
    "AuditorCheck",
    "AuditorProfile",
    "AuditorRule",
    "AuditorText",
    "CheckResult",
    "ControlCoverage",
    "auditor_profile",
    "candidate_texts",
    "check_coverage",
    "control_checks",
    "deployed_texts",
]
