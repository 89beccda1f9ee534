"""The ``trailwatch`` command line: ``controls``, ``test`` and ``replay`` (see docs/cli.md).

Nothing under this package may import ``aws_cdk`` or ``jsii``: the CLI runs offline, starts
fast and works without Node.js.
"""
