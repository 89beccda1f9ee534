"""Resolving which controls to deploy from include / exclude, privileged groups and tuned variants.

Shared by ``CloudTrailSecurityMonitoring`` and ``trailwatch compliance`` so that the CLI reports
on exactly the selection a stack would deploy. Problems are collected, not raised, so that a
caller can report them together with its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trailwatch_constructs.catalog.controls import (
    CONTROL_IDS,
    PRIVILEGED_GROUP_CONTROL_ID,
    STATIC_CONTROLS,
    privileged_group_membership_changes,
    unknown_id_message,
)
from trailwatch_constructs.catalog.definition import ControlDefinition
from trailwatch_constructs.catalog.variants import VARIANT_IDS, get_variant
from trailwatch_constructs.core.validation import string_sequence_problem


@dataclass(frozen=True)
class Selection:
    """The selected definitions (catalogue order, variants in their base's place) and any problems."""

    controls: tuple[ControlDefinition, ...]
    problems: tuple[str, ...]
    replaced: frozenset[str]
    """Ids of catalogue controls replaced by a tuned variant."""
    left_out_for_groups: bool = False
    """The privileged-group control was selected by default but is left out: no groups were given."""


def resolve_selection(
    *,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    privileged_groups: Sequence[str] = (),
    tuned_variants: Sequence[str] = (),
) -> Selection:
    """Resolve a selection, naming every bad id, duplicate or conflict in its ``problems``.

    Each option must be a list of strings: a lone string is reported, never iterated (``"Admins"``
    would otherwise watch the groups "A", "d", "m"...).

    Args:
        include: the catalogue ids to deploy. Default: every catalogue control.
        exclude: catalogue ids to leave out (not with ``include``). Default: none.
        privileged_groups: IAM group names for the privileged-group control. Default: none, and
            that control is left out unless ``include`` names it (a problem then).
        tuned_variants: ids of tuned variants, each replacing its (deployed) base. Default: none.

    Returns:
        The selection; its ``problems`` are empty when every option is valid.
    """
    problems: list[str] = []
    include = None if include is None else _strings("include", include, problems)
    exclude = _strings("exclude", exclude, problems)
    privileged_groups = _strings("privileged_groups", privileged_groups, problems)
    tuned_variants = _strings("tuned_variants", tuned_variants, problems)
    _check_ids(include, exclude, problems)
    wanted = [i for i in (include if include is not None else CONTROL_IDS) if i not in exclude]
    selected = _catalogue_controls(wanted, include, privileged_groups, problems)
    variants = _variants(tuned_variants, wanted, problems)
    return Selection(
        controls=tuple(variants.get(c.id, c) for c in selected),
        problems=tuple(problems),
        replaced=frozenset(variants),
        left_out_for_groups=include is None and PRIVILEGED_GROUP_CONTROL_ID in wanted and not privileged_groups,
    )


def _strings(option: str, value: Sequence[str], problems: list[str]) -> Sequence[str]:
    """``value`` when it is a list of strings; else nothing, and its problem goes to ``problems``."""
    problem = string_sequence_problem(option, value)
    if problem:
        problems.append(problem)
        return ()
    return value


def _check_ids(include: Sequence[str] | None, exclude: Sequence[str], problems: list[str]) -> None:
    """Add unknown and duplicate ids, include with exclude, and an empty include (unless explained) to ``problems``."""
    if include is not None and exclude:
        problems.append("give include or exclude, not both")
    for where, ids in (("include", include or ()), ("exclude", exclude)):
        bad = [i for i in ids if i not in CONTROL_IDS]
        if bad:
            problems.append(unknown_id_message(bad, where))
        duplicates = sorted({i for i in ids if list(ids).count(i) > 1})
        if duplicates:
            problems.append(f"duplicate control ids in {where}: {', '.join(duplicates)}")
    if include is not None and not include and not problems:
        problems.append("include is empty; give at least one control id or leave include unset")


def _catalogue_controls(
    wanted: Sequence[str], include: Sequence[str] | None, privileged_groups: Sequence[str], problems: list[str]
) -> list[ControlDefinition]:
    """The wanted catalogue controls (the privileged-group one built for its groups); problems go to ``problems``."""
    selected: list[ControlDefinition] = [c for c in STATIC_CONTROLS if c.id in wanted]
    if PRIVILEGED_GROUP_CONTROL_ID in wanted and privileged_groups:
        try:
            selected.append(privileged_group_membership_changes(privileged_groups))
        except ValueError as error:  # bad group names, or a pattern over the length limit
            problems.append(str(error))
    if include is not None and PRIVILEGED_GROUP_CONTROL_ID in include and not privileged_groups:
        problems.append(
            f"include names {PRIVILEGED_GROUP_CONTROL_ID!r} but no privileged_groups were given; pass the IAM "
            "group names to watch, e.g. privileged_groups=['Administrators']"
        )
    if privileged_groups and PRIVILEGED_GROUP_CONTROL_ID not in wanted:
        problems.append(
            f"privileged_groups are given but {PRIVILEGED_GROUP_CONTROL_ID!r} is excluded; drop one of the two"
        )
    return selected


def _variants(
    tuned_variants: Sequence[str], wanted: Sequence[str], problems: list[str]
) -> dict[str, ControlDefinition]:
    """Base id -> the tuned variant replacing it; the variants that cannot replace theirs go to ``problems``."""
    variants: dict[str, ControlDefinition] = {}
    for variant_id in tuned_variants:
        if variant_id not in VARIANT_IDS:
            problems.append(f"unknown tuned variant {variant_id!r}; known variants: {', '.join(VARIANT_IDS)}")
            continue
        variant = get_variant(variant_id)
        base = variant.variant_of or ""
        if base in variants:
            problems.append(f"tuned variants {variants[base].id!r} and {variant_id!r} both replace {base!r}")
        elif base not in wanted:
            problems.append(f"tuned variant {variant_id!r} replaces {base!r}, which is not deployed")
        else:
            variants[base] = variant
    return variants
