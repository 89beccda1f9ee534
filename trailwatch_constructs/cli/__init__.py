"""The ``trailwatch`` command line: ``controls``, ``compliance``, ``test``, ``replay``, ``verify`` (docs/cli.md).

Nothing under this package may import ``aws_cdk`` or ``jsii``: the CLI starts fast and works
without Node.js. Every command but ``verify`` runs offline; ``verify`` calls AWS with boto3, which
it imports only when it runs.
"""

from typing import Final

PROG: Final = "trailwatch"
"""The program's name, as every message starts with it."""
