"""The catalogue controls a command evaluates, chosen by its ``--control`` and ``--privileged-group`` options."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any, Final

from trailwatch_constructs.catalog import CONTROL_IDS, PRIVILEGED_GROUP_CONTROL_ID, ControlDefinition, catalog_controls
from trailwatch_constructs.catalog.auditors import ALL_AUDITORS, Auditor, deployed_texts
from trailwatch_constructs.catalog.controls import unknown_id_message
from trailwatch_constructs.catalog.selection import Selection
from trailwatch_constructs.catalog.variants import variants_for
from trailwatch_constructs.core.errors import ControlDefinitionError, UnknownControlError

NEEDS_GROUPS_REASON: Final = "needs at least one --privileged-group NAME"
"""Why the privileged-group control is not evaluated without ``--privileged-group``."""


def select_controls(
    ids: Sequence[str], privileged_groups: Sequence[str], auditors: Sequence[str] = ALL_AUDITORS
) -> Selection:
    """Chooses the catalogue controls named by ``ids``, in catalogue order; every control when none are named.

    Each control matches what the metric filters a stack deploys for ``auditors`` match together
    (:meth:`ControlDefinition.deploying`), so an event two of its filters match counts once.

    When every control is chosen implicitly and no groups are given, the privileged-group control
    is left out, and the selection says so (:func:`not_selected`). A name given twice counts once.

    Args:
        ids: the ``--control`` values.
        privileged_groups: the ``--privileged-group`` values.
        auditors: the ``--auditor`` values. Default: every auditor, as the constructs deploy.

    Returns:
        The controls, with no problems: every problem is raised.

    Raises:
        UnknownControlError: an id the catalogue does not know, or the privileged-group control
            named without groups.
        ControlDefinitionError: a group name IAM would reject.
    """
    unknown = [i for i in dict.fromkeys(ids) if i not in CONTROL_IDS]
    if unknown:
        raise UnknownControlError(unknown_id_message(unknown))
    if PRIVILEGED_GROUP_CONTROL_ID in ids and not privileged_groups:
        raise UnknownControlError(f"control {PRIVILEGED_GROUP_CONTROL_ID!r} {NEEDS_GROUPS_REASON}")
    every = catalog_controls(privileged_groups=tuple(privileged_groups))
    wanted = [Auditor(a) for a in auditors]
    chosen = tuple(c.deploying(deployed_texts(c, wanted)) for c in every if not ids or c.id in ids)
    left_out = not ids and not privileged_groups
    return Selection(chosen, problems=(), replaced=frozenset(), left_out_for_groups=left_out)


def not_selected(selection: Selection) -> tuple[tuple[str, str], ...]:
    """Returns the controls a run could not evaluate, as ``(control id, reason)`` pairs.

    Args:
        selection: what :func:`select_controls` chose.
    """
    return ((PRIVILEGED_GROUP_CONTROL_ID, NEEDS_GROUPS_REASON),) if selection.left_out_for_groups else ()


def with_variants(controls: Sequence[ControlDefinition]) -> tuple[ControlDefinition, ...]:
    """Returns ``controls`` with each one's tuned variants right after it (``replay --compare-variants``).

    Args:
        controls: the selected controls, in catalogue order.
    """
    return tuple(chain.from_iterable((c, *variants_for(c.id)) for c in controls))


def with_alarm_overrides(
    controls: Sequence[ControlDefinition], overrides: Mapping[str, Mapping[str, Any]]
) -> tuple[ControlDefinition, ...]:
    """Returns ``controls`` with the alarm settings ``--alarm`` changes (a base's apply to its variants).

    Args:
        controls: the controls evaluated.
        overrides: control id -> the AlarmSettings fields it changes.

    Raises:
        UnknownControlError: an id that is not among ``controls``.
        ControlDefinitionError: settings CloudWatch (or a control that must fire) would refuse.
    """
    evaluated = {c.id for c in controls}
    unknown = [i for i in overrides if i not in evaluated]
    if unknown:
        raise UnknownControlError(
            f"--alarm names {', '.join(map(repr, unknown))}, which this run does not evaluate; evaluated: "
            f"{', '.join(sorted(evaluated))}"
        )
    # Checked once per id (a variant shares its base's settings); then applied to variants too.
    by_id = {c.id: c for c in controls}
    problems: list[str] = []
    for control_id, changes in overrides.items():
        try:
            by_id[control_id].with_alarm(dataclasses.replace(by_id[control_id].alarm, **changes))
        except ControlDefinitionError as err:
            problems.append(str(err))
    if problems:
        raise ControlDefinitionError("--alarm: " + "; ".join(problems))
    return tuple(_overridden(c, overrides) for c in controls)


def _overridden(control: ControlDefinition, overrides: Mapping[str, Mapping[str, Any]]) -> ControlDefinition:
    changes = overrides.get(control.id) or overrides.get(control.variant_of or "")
    return control.with_alarm(dataclasses.replace(control.alarm, **changes)) if changes else control
