"""The rules third-party auditors apply to a metric filter's pattern TEXT, as data with their sources.

Each auditor (Security Hub, the CIS benchmark texts, prowler, steampipe, Cloud Custodian,
ScoutSuite, MITRE's InSpec profile) decides "is there a metric filter for CIS 4.x?" by its own
test of the pattern text: exact equality or a regular expression. Those tests are facts about
those tools, read in their public sources and recorded in ``rules/<auditor>.json`` with the
repository, path and commit (or the document and version) they came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, cast

from trailwatch_constructs.core.errors import TrailwatchError
from trailwatch_constructs.core.validation import string_sequence_problem


class Auditor(StrEnum):
    """A tool (or benchmark text) that checks the CIS monitoring items by the filter pattern's text."""

    SECURITY_HUB = "security-hub"
    CIS_V3 = "cis-v3.0.0"
    CIS_V5 = "cis-v5.0.0"
    PROWLER = "prowler"
    STEAMPIPE = "steampipe"
    CUSTODIAN = "custodian"
    SCOUTSUITE = "scoutsuite"
    INSPEC = "inspec"

    @property
    def label(self) -> str:
        """How findings and docs name the auditor."""
        return _LABELS[self]


_LABELS: Mapping[Auditor, str] = {
    Auditor.SECURITY_HUB: "Security Hub",
    Auditor.CIS_V3: "CIS v3.0.0",
    Auditor.CIS_V5: "CIS v5.0.0",
    Auditor.PROWLER: "prowler",
    Auditor.STEAMPIPE: "steampipe",
    Auditor.CUSTODIAN: "Cloud Custodian (ecc-aws-rulepack)",
    Auditor.SCOUTSUITE: "ScoutSuite",
    Auditor.INSPEC: "InSpec (aws-foundations-cis-baseline)",
}


class Comparison(StrEnum):
    """How an auditor compares its rule text with a filter pattern."""

    EXACT = "exact"
    """The pattern equals the text, byte for byte."""
    REGEX_SEARCH = "regex-search"
    """The regex matches somewhere in the pattern (Python ``re.search``, Postgres ``~``)."""
    REGEX_MATCH = "regex-match"
    """The regex matches at the start of the pattern (Python ``re.match``)."""


# The CIS benchmark texts of every version share one file; each version is its own auditor.
# v1.4.0 is recorded there but is not an auditor: its 4.1 text joins `$.eventName!="HeadBucket"`
# with `||`, so a filter with that exact text counts nearly every event (docs/compliance.md).
_FILES: Mapping[Auditor, tuple[str, str]] = {
    Auditor.CIS_V3: ("cis", "CIS v3.0.0 "),
    Auditor.CIS_V5: ("cis", "CIS v5.0.0 "),
}

# Rows of a rules file that are not the auditor's test: another source's damaged copy of a text.
_NOT_A_RULE = "source-variant"

_FLAGS = {"IGNORECASE": re.IGNORECASE, "DOTALL": re.DOTALL, "MULTILINE": re.MULTILINE}


class AuditorDataError(TrailwatchError, ValueError):
    """A rules file that does not describe rules the way this module reads them."""


@dataclass(frozen=True)
class Source:
    """Where a rule was read: a repository, path and commit, or a document and its version."""

    repository: str
    path: str
    commit: str

    def __str__(self) -> str:
        if self.repository.startswith("https://"):
            return f"{self.repository} ({self.commit})"
        return f"{self.repository}/{self.path}@{self.commit[:12]}"


@dataclass(frozen=True)
class AuditorRule:
    """One auditor check's test of one control's pattern text.

    Attributes:
        auditor: the tool applying the rule.
        check: the tool's own id for the check (e.g. ``cloudwatch_log_metric_filter_root_usage``).
        title: the check's title.
        cis: the CIS item the tool maps the check to (e.g. ``v3.0.0 4.3``).
        control_id: the trailwatch control the check is about.
        comparison: exact text or a regex, and how the regex is applied.
        text: the exact text or the regex, byte for byte as the tool uses it.
        flags: the regex flags the tool applies.
        source: where the rule was read.
        notes: what is odd about the rule, from its source.
        defect: why no pattern CloudWatch Logs accepts can pass the check (an upstream bug), or "".
    """

    auditor: Auditor
    check: str
    title: str
    cis: str
    control_id: str
    comparison: Comparison
    text: str
    source: Source
    flags: int = 0
    notes: str = ""
    defect: str = ""
    _regex: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self.comparison is not Comparison.EXACT:
            object.__setattr__(self, "_regex", re.compile(self.text, self.flags))

    def accepts(self, pattern: str) -> bool:
        """Whether the tool counts a metric filter with this pattern text for the check."""
        if self._regex is None:
            return pattern == self.text
        if self.comparison is Comparison.REGEX_MATCH:
            return self._regex.match(pattern) is not None
        return self._regex.search(pattern) is not None


@dataclass(frozen=True)
class AuditorProfile:
    """An auditor: its title, how it compares, what else it requires, its source and its rules."""

    auditor: Auditor
    title: str
    comparison_notes: str
    source: Source
    rules: tuple[AuditorRule, ...]

    def rules_for(self, control_id: str) -> tuple[AuditorRule, ...]:
        """The auditor's checks of one control (none when the auditor has no check for it)."""
        return tuple(rule for rule in self.rules if rule.control_id == control_id)


def _rules_dir() -> resources.abc.Traversable:
    return resources.files("trailwatch_constructs.catalog.auditors").joinpath("rules")


@cache
def auditor_profile(auditor: Auditor) -> AuditorProfile:
    """The recorded rules of one auditor.

    Raises:
        AuditorDataError: its rules file is malformed (a bug in the package's data).
    """
    file, prefix = _FILES.get(auditor, (auditor.value, ""))
    data = json.loads(_rules_dir().joinpath(f"{file}.json").read_text(encoding="utf-8"))
    try:
        return _profile(auditor, data, file, prefix)
    except (KeyError, TypeError, ValueError, re.error) as error:
        raise AuditorDataError(f"rules/{file}.json: {error!r}") from error


def auditor_profiles(auditors: Sequence[Auditor] = tuple(Auditor)) -> tuple[AuditorProfile, ...]:
    """The recorded rules of several auditors, in the order given."""
    return tuple(auditor_profile(a) for a in auditors)


def _profile(auditor: Auditor, data: Mapping[str, Any], file: str, prefix: str) -> AuditorProfile:
    if data["auditor"] != file:
        raise ValueError(f"auditor is {data['auditor']!r}, expected {file!r}")
    source = data["source"]
    default = Source(source["repository"], ", ".join(source.get("paths", ())), source.get("commit") or "")
    comparison = Comparison(data["comparison"])
    flags = 0
    for name in data.get("flags", ()):
        flags |= _FLAGS[name]
    rules = tuple(
        AuditorRule(
            auditor=auditor,
            check=rule["check"],
            title=rule.get("title", ""),
            cis=rule.get("cis", ""),
            control_id=rule["control"],
            comparison=Comparison(rule.get("comparison", comparison)),
            text=rule["text"],
            flags=flags,
            source=Source(
                rule.get("repository") or default.repository,
                rule.get("path") or default.path,
                rule.get("commit") or default.commit,
            ),
            notes=rule.get("notes", ""),
            defect=rule.get("defect", ""),
        )
        for rule in data["rules"]
        if rule.get("control") and rule["check"].startswith(prefix) and not rule.get("role", "").startswith(_NOT_A_RULE)
    )
    return AuditorProfile(auditor, data["title"], data.get("comparison_notes", ""), default, rules)


def auditors_problem(option: str, value: object) -> str | None:
    """A problem unless ``value`` is a list of auditor names (:class:`Auditor` members or their values)."""
    problem = string_sequence_problem(option, value)
    if problem is not None:
        return problem
    known = {a.value for a in Auditor}
    unknown = [name for name in cast(Sequence[str], value) if name not in known]
    if unknown:
        return f"{option} has unknown auditor(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}"
    return None
