"""Checks of user-given values that every construct and the CLI share (ground floor: no CDK import).

Each check returns a problem sentence naming the option, the value given and what is allowed, or
``None``; the owner of the property collects them, and ``CloudTrailSecurityMonitoring`` gathers
every owner's problems into one :class:`~trailwatch_constructs.core.errors.ConfigurationError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def _never_unresolved(_: object) -> bool:
    return False


def string_sequence_problem(option: str, value: object) -> str | None:
    """A problem unless ``value`` is a list or tuple of strings.

    A lone ``str`` is the mistake this exists for: iterating ``"Admins"`` would watch the groups
    ``"A"``, ``"d"``... so it is refused, never iterated.
    """
    if isinstance(value, str | bytes):
        return f"{option} {value!r} is a single string; give a list of strings, e.g. {option}=[{value!r}]"
    if not isinstance(value, Sequence):
        return f"{option} {value!r} is a {type(value).__name__}; give a list of strings"
    wrong = [item for item in value if not isinstance(item, str)]
    if wrong:
        return f"{option} must hold strings only; got {', '.join(repr(w) for w in wrong)}"
    return None


def type_problem(option: str, value: object, expected: type | tuple[type, ...], allowed: str) -> str | None:
    """A problem unless ``value`` is an instance of ``expected``; ``allowed`` says what to give instead."""
    if isinstance(value, expected):
        return None
    return f"{option} {value!r} is a {type(value).__name__}; expected {allowed}"


def number_problem(
    option: str,
    value: object,
    *,
    integer: bool = False,
    is_unresolved: Callable[[object], bool] = _never_unresolved,
) -> str | None:
    """A problem unless ``value`` is a number (an ``int`` when ``integer``); ``bool`` is not a number here."""
    if is_unresolved(value):
        return None
    kinds: tuple[type, ...] = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        return f"{option} {value!r} is a {type(value).__name__}; expected {'an integer' if integer else 'a number'}"
    return None
