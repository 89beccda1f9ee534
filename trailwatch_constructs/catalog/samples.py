"""Loading the sample CloudTrail records of each control: records it must fire on, and near misses.

The samples are plain JSON files beside this module (``samples/<control-id>.json``) so that
users can read them, reuse them in their own tests, or replay them with the CLI.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from trailwatch_constructs.core.errors import UnknownControlError


@dataclass(frozen=True)
class SampleEvent:
    """One CloudTrail record and why it should (or should not) fire the control.

    ``differs_for`` names the auditor texts (:mod:`.auditors.texts`) that decide the record the
    other way from the control's own pattern: a narrower text misses a record in ``fires``, a
    broader one counts a record in ``ignores``.
    """

    why: str
    record: Mapping[str, Any]
    differs_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class ControlSamples:
    """A control's sample events, and the parameters (e.g. privileged groups) they assume."""

    control_id: str
    fires: tuple[SampleEvent, ...]
    ignores: tuple[SampleEvent, ...]
    parameters: Mapping[str, Any]


def _samples_dir() -> resources.abc.Traversable:
    return resources.files("trailwatch_constructs.catalog").joinpath("samples")


def sample_control_ids() -> tuple[str, ...]:
    """Ids of every control (and tuned variant) that ships samples.

    Returns:
        The ids, sorted.
    """
    return tuple(sorted(p.name.removesuffix(".json") for p in _samples_dir().iterdir() if p.name.endswith(".json")))


def load_samples(control_id: str) -> ControlSamples:
    """The sample events of one control.

    Args:
        control_id: a control or tuned variant id.

    Returns:
        Its samples: the records it fires on, the near misses it ignores, and their parameters.

    Raises:
        UnknownControlError: naming the controls with samples, when ``control_id`` has none.
    """
    path = _samples_dir().joinpath(f"{control_id}.json")
    if not path.is_file():
        raise UnknownControlError(
            f"no sample events for control {control_id!r}; controls with samples: {', '.join(sample_control_ids())}"
        )
    data = json.loads(path.read_text(encoding="utf-8"))

    def events(key: str) -> tuple[SampleEvent, ...]:
        return tuple(
            SampleEvent(why=e["why"], record=e["record"], differs_for=tuple(e.get("differs_for", ())))
            for e in data[key]
        )

    return ControlSamples(
        control_id=data["control"],
        fires=events("fires"),
        ignores=events("ignores"),
        parameters=data.get("parameters", {}),
    )
