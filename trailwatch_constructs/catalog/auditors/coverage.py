"""Which pattern texts a control deploys so that every chosen auditor finds one it accepts.

An auditor's *check* of a control passes when one deployed text satisfies one of the check's
rules (a check may accept alternatives, e.g. CIS 4.2's two texts). Security Hub's text is the
control's own pattern and is always deployed when Security Hub is chosen; the fewest candidates
of :mod:`.texts` that satisfy every other check are deployed beside it, each publishing to the
control's own metric, so there is still one alarm per control.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from trailwatch_constructs.catalog.auditors.rules import Auditor, AuditorRule, auditor_profiles
from trailwatch_constructs.catalog.auditors.texts import AuditorText, candidate_texts
from trailwatch_constructs.catalog.definition import ControlDefinition

ALL_AUDITORS: tuple[Auditor, ...] = tuple(Auditor)
"""Every auditor trailwatch knows: the default of ``auditors=``."""


def check_name(auditor: Auditor, check: str) -> str:
    """An auditor's check as people name it: the auditor's label, then the check id (once)."""
    return check if check.startswith(auditor.label) else f"{auditor.label} {check}"


@dataclass(frozen=True)
class AuditorCheck:
    """One auditor check of one control: the rules it accepts, any one of which is enough."""

    auditor: Auditor
    check: str
    control_id: str
    rules: tuple[AuditorRule, ...]

    @property
    def name(self) -> str:
        """The check as people name it: ``Security Hub CloudWatch.1``, ``CIS v3.0.0 4.1``, ``prowler <id>``."""
        return check_name(self.auditor, self.check)

    @property
    def defect(self) -> str:
        """Why no deployable text can pass the check (an upstream bug), or ""."""
        return next((r.defect for r in self.rules if r.defect), "")

    def accepting(self, patterns: Sequence[str]) -> str | None:
        """The first of ``patterns`` the check accepts, if any."""
        return next((p for p in patterns if any(rule.accepts(p) for rule in self.rules)), None)


@dataclass(frozen=True)
class CheckResult:
    """An auditor check and the deployed text that satisfies it (``None``: it fails)."""

    check: AuditorCheck
    satisfied_by: str | None


@dataclass(frozen=True)
class ControlCoverage:
    """What one control deploys for a set of auditors, and which text satisfies which check.

    Attributes:
        control_id: the control.
        patterns: the texts deployed, the control's own pattern first when deployed.
        results: every chosen auditor's checks of the control, with the text satisfying each.
    """

    control_id: str
    patterns: tuple[str, ...]
    results: tuple[CheckResult, ...]

    @property
    def failing(self) -> tuple[CheckResult, ...]:
        """The checks no deployed text satisfies, leaving out those no text can satisfy."""
        return tuple(r for r in self.results if r.satisfied_by is None and not r.check.defect)


def control_checks(control_id: str, auditors: Sequence[Auditor]) -> tuple[AuditorCheck, ...]:
    """Every check the chosen auditors make of one control, in auditor order."""
    checks: dict[tuple[Auditor, str], list[AuditorRule]] = {}
    for profile in auditor_profiles(tuple(auditors)):
        for rule in profile.rules_for(control_id):
            checks.setdefault((rule.auditor, rule.check), []).append(rule)
    return tuple(AuditorCheck(a, check, control_id, tuple(rules)) for (a, check), rules in checks.items())


def check_coverage(control_id: str, patterns: Sequence[str], auditors: Sequence[Auditor]) -> ControlCoverage:
    """Which of ``patterns`` satisfies each check the chosen auditors make of one control."""
    results = tuple(CheckResult(c, c.accepting(patterns)) for c in control_checks(control_id, auditors))
    return ControlCoverage(control_id, tuple(patterns), results)


def deployed_texts(definition: ControlDefinition, auditors: Sequence[Auditor] = ALL_AUDITORS) -> tuple[str, ...]:
    """The pattern texts a control deploys so that each chosen auditor accepts one of them.

    The control's own pattern comes first; it is left out only when Security Hub is not chosen
    and other texts satisfy every check. Then the fewest candidates (:func:`.texts.candidate_texts`)
    that satisfy the remaining checks; a check that no candidate satisfies stays failing (see
    :func:`check_coverage`), as do checks with an upstream defect.
    """
    own = definition.pattern
    checks = [c for c in control_checks(definition.id, auditors) if not c.defect]
    base = (own,) if Auditor.SECURITY_HUB in auditors else ()
    open_checks = [c for c in checks if c.accepting(base) is None]
    candidates = [t.text for t in candidate_texts(definition.id)]
    useful = [text for text in (own, *candidates) if text not in base and any(c.accepting([text]) for c in open_checks)]
    coverable = [c for c in open_checks if c.accepting(useful) is not None]
    for size in range(len(useful) + 1):
        for chosen in combinations(useful, size):
            if all(c.accepting(chosen) is not None for c in coverable):
                return _own_first(base + chosen, own)
    raise AssertionError("unreachable: all useful texts together cover every coverable check")


def _own_first(texts: tuple[str, ...], own: str) -> tuple[str, ...]:
    """Puts the control's own pattern first; with nothing chosen, deploys the own pattern alone."""
    if not texts:
        return (own,)
    return (own, *(t for t in texts if t != own)) if own in texts else texts


def text_origin(definition: ControlDefinition, text: str) -> AuditorText | None:
    """Where a deployed text comes from: ``None`` for the control's own pattern, else its candidate."""
    if text == definition.pattern:
        return None
    return next((t for t in candidate_texts(definition.id) if t.text == text), None)
