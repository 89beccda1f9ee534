"""The auditor matrix: per auditor check, which deployed filter satisfies it, with the rules' sources.

Shared by ``trailwatch compliance --auditor`` and the generated ``docs/compliance.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trailwatch_constructs.catalog.auditors import Auditor, auditor_profile, check_coverage
from trailwatch_constructs.catalog.auditors.coverage import text_origin
from trailwatch_constructs.catalog.definition import ControlDefinition
from trailwatch_constructs.catalog.samples import load_samples, sample_control_ids

OWN_TEXT = "own pattern"
"""How the matrix names a control's own (catalogue) text."""


@dataclass(frozen=True)
class MatrixRow:
    """One auditor check of one deployed control.

    Attributes:
        auditor: the auditor.
        check: the auditor's id for the check.
        cis: the CIS item the auditor maps it to.
        control_id: the control the check is about.
        satisfied_by: the deployed text that passes it: :data:`OWN_TEXT` or an auditor text id;
            ``None`` when none does.
        defect: why no deployable text can pass it (an upstream bug), or "".
    """

    auditor: Auditor
    check: str
    cis: str
    control_id: str
    satisfied_by: str | None
    defect: str = ""

    @property
    def status(self) -> str:
        """``pass``, ``fail``, or ``upstream defect``."""
        if self.satisfied_by is not None:
            return "pass"
        return "upstream defect" if self.defect else "fail"


def _text_name(control: ControlDefinition, text: str) -> str:
    origin = text_origin(control, text)
    return OWN_TEXT if origin is None else origin.id


def auditor_matrix(controls: Sequence[ControlDefinition], auditors: Sequence[Auditor]) -> list[MatrixRow]:
    """Every check of the chosen auditors over the deployed controls, in auditor then control order.

    Args:
        controls: the controls as deployed (after :meth:`ControlDefinition.deploying`); a tuned
            variant answers for the checks of the control it replaces.
        auditors: the auditors to report.
    """
    rows = []
    for auditor in auditors:
        for control in controls:
            checked_id = control.variant_of or control.id
            for result in check_coverage(checked_id, control.deployed_patterns, [auditor]).results:
                by = None if result.satisfied_by is None else _text_name(control, result.satisfied_by)
                cis = result.check.rules[0].cis
                rows.append(MatrixRow(auditor, result.check.check, cis, control.id, by, result.check.defect))
    return rows


def matrix_json(controls: Sequence[ControlDefinition], auditors: Sequence[Auditor]) -> dict[str, object]:
    """The matrix as JSON: per auditor, its title, source and checks; per control, its deployed texts."""
    rows = auditor_matrix(controls, auditors)
    return {
        "auditors": {
            a.value: {
                "title": auditor_profile(a).title,
                "source": str(auditor_profile(a).source),
                "checks": [
                    {
                        "check": r.check,
                        "cis": r.cis,
                        "control": r.control_id,
                        "status": r.status,
                        "satisfied_by": r.satisfied_by,
                        **({"defect": r.defect} if r.defect else {}),
                    }
                    for r in rows
                    if r.auditor is a
                ],
            }
            for a in auditors
        },
        "deployed": {c.id: _deployed(c) for c in controls},
    }


def _deployed(control: ControlDefinition) -> list[dict[str, str]]:
    texts = []
    for text in control.deployed_patterns:
        origin = text_origin(control, text)
        texts.append(
            {"text_id": OWN_TEXT if origin is None else origin.id, "origin": "" if origin is None else origin.origin}
            | {"pattern": text}
        )
    return texts


def matrix_markdown(controls: Sequence[ControlDefinition], auditors: Sequence[Auditor]) -> str:
    """The matrix as Markdown: a table per auditor, then each control's deployed texts and their differences."""
    rows = auditor_matrix(controls, auditors)
    parts = []
    for auditor in auditors:
        profile = auditor_profile(auditor)
        source = f"{profile.source.repository}@{profile.source.commit[:12]}"
        parts.append(f"### {auditor.label} (`{auditor.value}`)\n\n{profile.title}. Source: {source}.\n\n")
        parts.append("| check | CIS | control | satisfied by |\n|---|---|---|---|\n")
        parts.extend(f"| {r.check} | {r.cis} | `{r.control_id}` | {_cell(r)} |\n" for r in rows if r.auditor is auditor)
        parts.append("\n")
    parts.append(_texts_markdown(controls))
    return "".join(parts)


def _cell(row: MatrixRow) -> str:
    if row.satisfied_by is not None:
        return f"`{row.satisfied_by}`"
    return f"**{row.status}**" + (f": {row.defect}" if row.defect else "")


def _texts_markdown(controls: Sequence[ControlDefinition]) -> str:
    """Per control with more than one filter: its texts, and the sample events on which they differ."""
    lines = ["### Deployed texts and what their union detects\n\n"]
    several = [c for c in controls if len(c.deployed_patterns) > 1]
    if not several:
        lines.append("Each control deploys one filter.\n")
    for control in several:
        lines.append(f"**`{control.id}`** deploys {len(control.deployed_patterns)} filters on one metric:\n\n")
        for entry in _deployed(control):
            where = f" (from {entry['origin']})" if entry["origin"] else ""
            lines.append(f"- `{entry['text_id']}`{where}: `{entry['pattern']}`\n")
        lines.append(_differences(control))
    return "".join(lines)


def _differences(control: ControlDefinition) -> str:
    """The control's samples that a deployed auditor text decides differently from its own pattern."""
    if control.id not in sample_control_ids():
        return "\n"
    deployed = {_text_name(control, t) for t in control.deployed_patterns}
    samples = load_samples(control.id)
    lines = []
    for kind, verb in (("fires", "does not count"), ("ignores", "counts")):
        for sample in getattr(samples, kind):
            texts = [t for t in sample.differs_for if t in deployed]
            if texts:
                counted = "counted" if control.matches(sample.record) else "not counted"
                lines.append(f"  - {', '.join(f'`{t}`' for t in texts)} {verb}: {sample.why} (union: {counted})\n")
    if not lines:
        return "\n  The texts match the same sample events.\n\n"
    return "\n  Where they differ (from the control's samples):\n\n" + "".join(lines) + "\n"
