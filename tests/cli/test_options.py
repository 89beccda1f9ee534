"""Options several commands share, and standard input as they read it."""

from __future__ import annotations

import io
import sys
from typing import Literal

import click
import pytest
from click.testing import CliRunner

from trailwatch_constructs.cli.options import format_option, stdin


def test_format_choices_come_from_the_literal_and_the_first_is_the_default() -> None:
    # GIVEN a command whose formats are a Literal
    @click.command()
    @format_option(Literal["table", "json", "markdown"], help="How.")
    def show(fmt: str) -> None:
        click.echo(fmt)

    runner = CliRunner()
    # WHEN it runs without --format, with one, and with a wrong one
    # THEN the first format is the default, the others are accepted, anything else refused
    assert runner.invoke(show, []).output == "table\n"
    assert runner.invoke(show, ["--format", "markdown"]).output == "markdown\n"
    assert runner.invoke(show, ["--format", "xml"]).exit_code == 2
    assert "How. [default: table]" in " ".join(runner.invoke(show, ["--help"]).output.split())


def test_stdin_is_the_binary_stream_or_none(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a text standard input with a binary buffer, then one without
    buffer = io.BytesIO(b"x")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(buffer))
    assert stdin() is buffer
    monkeypatch.setattr(sys, "stdin", None)
    assert stdin() is None
