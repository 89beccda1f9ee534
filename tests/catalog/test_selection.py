"""Resolving a selection: catalogue order, variants in their base's place, and every mistake named."""

from __future__ import annotations

import pytest

from trailwatch_constructs.catalog import CONTROL_IDS, PRIVILEGED_GROUP_CONTROL_ID, STATIC_CONTROLS
from trailwatch_constructs.catalog.selection import Selection, resolve_selection

STATIC_IDS = [c.id for c in STATIC_CONTROLS]
KNOWN = ", ".join(CONTROL_IDS)


def _ids(selection: Selection) -> list[str]:
    return [c.id for c in selection.controls]


# ---------------------------------------------------------------- what is selected


def test_the_default_is_the_catalogue_without_the_privileged_group_control() -> None:
    # GIVEN no options WHEN resolving THEN every static control is selected, and the group control is left out
    selection = resolve_selection()
    assert selection == Selection(controls=STATIC_CONTROLS, problems=(), replaced=frozenset(), left_out_for_groups=True)


def test_privileged_groups_add_the_group_control_last() -> None:
    selection = resolve_selection(privileged_groups=["Admins", "Security"])
    assert _ids(selection) == [*STATIC_IDS, PRIVILEGED_GROUP_CONTROL_ID]
    assert '($.requestParameters.groupName="Security")' in selection.controls[-1].pattern
    assert (selection.problems, selection.left_out_for_groups) == ((), False)


def test_include_keeps_catalogue_order() -> None:
    selection = resolve_selection(include=["vpc-changes", "root-account-usage"])
    assert _ids(selection) == ["root-account-usage", "vpc-changes"]
    assert (selection.problems, selection.left_out_for_groups) == ((), False)


def test_include_with_the_group_control_and_groups() -> None:
    selection = resolve_selection(include=[PRIVILEGED_GROUP_CONTROL_ID], privileged_groups=["Admins"])
    assert (_ids(selection), selection.problems) == ([PRIVILEGED_GROUP_CONTROL_ID], ())


def test_exclude_leaves_out_the_named_controls() -> None:
    selection = resolve_selection(exclude=["root-account-usage", PRIVILEGED_GROUP_CONTROL_ID])
    assert _ids(selection) == STATIC_IDS[1:]
    assert (selection.problems, selection.left_out_for_groups) == ((), False)


def test_a_tuned_variant_takes_its_bases_place() -> None:
    # GIVEN a tuned variant WHEN resolving THEN it stands where its base stood, and the base is named as replaced
    selection = resolve_selection(tuned_variants=["unauthorized-api-calls-tuned"])
    assert _ids(selection) == [
        "unauthorized-api-calls-tuned" if i == "unauthorized-api-calls" else i for i in STATIC_IDS
    ]
    assert (selection.problems, selection.replaced) == ((), frozenset({"unauthorized-api-calls"}))


def test_two_variants_of_different_bases_both_replace() -> None:
    selection = resolve_selection(tuned_variants=["console-signin-without-mfa-tuned", "unauthorized-api-calls-tuned"])
    assert selection.replaced == frozenset({"unauthorized-api-calls", "console-signin-without-mfa"})
    assert selection.problems == ()


# ---------------------------------------------------------------- every mistake, named


@pytest.mark.parametrize(
    ("options", "problems"),
    [
        (
            {"include": "vpc-changes"},
            ("include 'vpc-changes' is a single string; give a list of strings, e.g. include=['vpc-changes']",),
        ),
        (
            {"exclude": "vpc-changes"},
            ("exclude 'vpc-changes' is a single string; give a list of strings, e.g. exclude=['vpc-changes']",),
        ),
        (
            {"privileged_groups": "Admins"},
            (
                "privileged_groups 'Admins' is a single string; give a list of strings, e.g. "
                "privileged_groups=['Admins']",
            ),
        ),
        (
            {"tuned_variants": "unauthorized-api-calls-tuned"},
            (
                "tuned_variants 'unauthorized-api-calls-tuned' is a single string; give a list of strings, e.g. "
                "tuned_variants=['unauthorized-api-calls-tuned']",
            ),
        ),
        (
            {"include": ["vpc-changes"], "exclude": ["nacl-changes"]},
            ("give include or exclude, not both",),
        ),
        (
            {"include": ["root-usage"]},
            (f"unknown control id 'root-usage' in include; known ids: {KNOWN}",),
        ),
        (
            {"exclude": ["root-usage", "vpc"]},
            (f"unknown control ids 'root-usage', 'vpc' in exclude; known ids: {KNOWN}",),
        ),
        (
            {"include": ["vpc-changes", "nacl-changes", "vpc-changes", "nacl-changes"]},
            ("duplicate control ids in include: nacl-changes, vpc-changes",),
        ),
        (
            {"exclude": ["vpc-changes", "vpc-changes"]},
            ("duplicate control ids in exclude: vpc-changes",),
        ),
        (
            {"include": []},
            ("include is empty; give at least one control id or leave include unset",),
        ),
        (
            {"include": [PRIVILEGED_GROUP_CONTROL_ID]},
            (
                "include names 'privileged-group-membership-changes' but no privileged_groups were given; pass the "
                "IAM group names to watch, e.g. privileged_groups=['Administrators']",
            ),
        ),
        (
            {"privileged_groups": ["Admins"], "exclude": [PRIVILEGED_GROUP_CONTROL_ID]},
            ("privileged_groups are given but 'privileged-group-membership-changes' is excluded; drop one of the two",),
        ),
        (
            {"privileged_groups": ["Admins"], "include": ["vpc-changes"]},
            ("privileged_groups are given but 'privileged-group-membership-changes' is excluded; drop one of the two",),
        ),
        (
            {"privileged_groups": ["Domain Admins"]},
            ("IAM group name 'Domain Admins' must be 1-128 characters of letters, digits and +=,.@_-",),
        ),
        (
            {"tuned_variants": ["vpc-changes-tuned"]},
            (
                "unknown tuned variant 'vpc-changes-tuned'; known variants: unauthorized-api-calls-tuned, "
                "console-signin-without-mfa-tuned",
            ),
        ),
        (
            {"tuned_variants": ["unauthorized-api-calls-tuned", "unauthorized-api-calls-tuned"]},
            (
                "tuned variants 'unauthorized-api-calls-tuned' and 'unauthorized-api-calls-tuned' both replace "
                "'unauthorized-api-calls'",
            ),
        ),
        (
            {"tuned_variants": ["unauthorized-api-calls-tuned"], "exclude": ["unauthorized-api-calls"]},
            ("tuned variant 'unauthorized-api-calls-tuned' replaces 'unauthorized-api-calls', which is not deployed",),
        ),
    ],
    ids=lambda v: "-".join(f"{k}" for k in v) if isinstance(v, dict) else None,
)
def test_each_mistake_is_one_problem(options: dict[str, object], problems: tuple[str, ...]) -> None:
    # GIVEN options with one mistake WHEN resolving THEN exactly that problem is reported, in full
    assert resolve_selection(**options).problems == problems  # type: ignore[arg-type]


def test_an_empty_include_is_not_reported_when_another_problem_explains_it() -> None:
    # GIVEN an empty include next to a bad exclude THEN the conflict is reported, not the emptiness as well
    assert resolve_selection(include=[], exclude="x").problems == (
        "exclude 'x' is a single string; give a list of strings, e.g. exclude=['x']",
    )
    assert resolve_selection(include=[], exclude=["vpc-changes"]).problems == ("give include or exclude, not both",)


def test_problems_come_in_the_order_of_the_options() -> None:
    selection = resolve_selection(
        include=["root-usage", PRIVILEGED_GROUP_CONTROL_ID],
        exclude=["vpc-changes"],
        tuned_variants=["nope"],
    )
    assert [p.split(" ", 2)[:2] for p in selection.problems] == [
        ["give", "include"],
        ["unknown", "control"],
        ["include", "names"],
        ["unknown", "tuned"],
    ]


def test_a_mistaken_option_selects_as_if_it_were_not_given() -> None:
    # GIVEN a lone string as exclude WHEN resolving THEN nothing is excluded (the string is never iterated)
    selection = resolve_selection(exclude="vpc-changes")
    assert _ids(selection) == STATIC_IDS
    assert len(selection.problems) == 1


def test_an_unknown_variant_does_not_stop_a_known_one() -> None:
    selection = resolve_selection(tuned_variants=["nope", "unauthorized-api-calls-tuned"])
    assert selection.replaced == frozenset({"unauthorized-api-calls"})
    assert len(selection.problems) == 1


def test_the_group_control_is_not_left_out_for_groups_when_include_names_other_controls() -> None:
    assert resolve_selection(include=["vpc-changes"]).left_out_for_groups is False
    assert resolve_selection(exclude=[PRIVILEGED_GROUP_CONTROL_ID]).left_out_for_groups is False
