"""Every error trailwatch raises on purpose.

User mistakes subclass ``ValueError`` so that callers who already guard configuration code
with ``except ValueError`` keep working; each message names the bad value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence


class TrailwatchError(Exception):
    """Base class of every error trailwatch raises on purpose."""


class ControlDefinitionError(TrailwatchError, ValueError):
    """A control definition has a bad field (id, metric name, alarm settings...)."""


class UnknownControlError(TrailwatchError, ValueError):
    """A control id that the catalogue (or the monitoring construct) does not know."""


class PatternTooLongError(TrailwatchError, ValueError):
    """A generated filter pattern would exceed CloudWatch Logs' 1,024-character limit."""


class UnusableInputError(TrailwatchError, ValueError):
    """The paths given cannot be read at all: one is missing or in S3, or they hold no file to read."""


class ConfigurationError(TrailwatchError, ValueError):
    """One or more construct properties are invalid; ``problems`` lists each one.

    Raised once, before anything is created, so that a user fixes every mistake in one go.
    """

    def __init__(self, subject: str, problems: Sequence[str]) -> None:
        self.subject = subject
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"invalid {subject} ({len(self.problems)} problem(s)):\n{lines}")
