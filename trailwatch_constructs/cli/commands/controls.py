"""``trailwatch controls``: the catalogue."""

from __future__ import annotations

import click

from trailwatch_constructs.catalog import PRIVILEGED_GROUP_CONTROL_ID, catalog_controls
from trailwatch_constructs.cli import report
from trailwatch_constructs.cli.options import format_option, privileged_group_option
from trailwatch_constructs.cli.selection import NEEDS_GROUPS_REASON


@click.command("controls", short_help="List the catalogue of controls.")
@format_option(report.ControlsFormat)
@privileged_group_option
def controls_command(fmt: report.ControlsFormat, privileged_groups: tuple[str, ...]) -> int:
    """List the catalogue: id, title, severity, references and filter pattern.

    The privileged-group control needs group names: without --privileged-group the table shows
    it with a placeholder pattern and the JSON leaves it out (with a note on stderr).
    """
    controls = catalog_controls(privileged_groups=privileged_groups)
    report.print_controls(controls, fmt, needs_groups=not privileged_groups)
    if fmt == "json" and not privileged_groups:
        report.note(f"{PRIVILEGED_GROUP_CONTROL_ID} is not listed: it {NEEDS_GROUPS_REASON}")
    return 0
