"""The ``trailwatch`` command line: ``controls``, ``compliance``, ``test`` and ``replay`` (see docs/cli.md).

Nothing under this package may import ``aws_cdk`` or ``jsii``: the CLI runs offline, starts
fast and works without Node.js.
"""

from typing import Final

PROG: Final = "trailwatch"
"""The program's name, as every message starts with it."""
