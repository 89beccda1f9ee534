"""Run the examples of a Markdown doc: its labelled code blocks are the files of a small project.

A block is a file when the line before it (a blank line between is allowed) is the file's path in
backticks and a colon, as a reader sees it::

    `my_controls.py`:

    ```python
    ...

A ```` ```console ```` block is a shell session: lines starting with ``$ `` are commands, the
others their expected output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

_BLOCK = re.compile(
    r"^(?:`(?P<title>[^`\s]+)`:\n\n?)?```(?P<language>[\w-]*)[^\n]*\n(?P<text>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_PROMPT = "$ "


@dataclass(frozen=True)
class CodeBlock:
    """One fenced block of a doc."""

    language: str
    title: str | None
    """The file the block is, relative to the example project's root; ``None`` for a fragment."""
    text: str


@dataclass(frozen=True)
class Completed:
    """A finished command: its exit code and its output (stdout, then stderr)."""

    returncode: int
    output: str


def code_blocks(doc: Path) -> list[CodeBlock]:
    """Every fenced block of ``doc``, in order."""
    text = doc.read_text(encoding="utf-8")
    return [CodeBlock(m["language"], m["title"], m["text"]) for m in _BLOCK.finditer(text)]


def write_project(blocks: list[CodeBlock], root: Path) -> list[Path]:
    """Write each labelled block to its file under ``root``; return the files written."""
    written = []
    for block in blocks:
        if block.title is None:
            continue
        path = root / block.title
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.text, encoding="utf-8")
        written.append(path)
    return written


def console_session(block: CodeBlock) -> tuple[str, str]:
    """A console block as (the commands as one shell script, the output they are shown to print)."""
    lines = block.text.splitlines()
    commands = [line.removeprefix(_PROMPT) for line in lines if line.startswith(_PROMPT)]
    output = [line for line in lines if not line.startswith(_PROMPT)]
    return "\n".join(commands) + "\n", "\n".join(output) + "\n"


def clean_environment() -> dict[str, str]:
    """This environment without the outer pytest's variables, with this interpreter's scripts first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _run(argv: list[str], project: Path, timeout: int) -> Completed:
    done = subprocess.run(argv, cwd=project, env=clean_environment(), capture_output=True, text=True, timeout=timeout)
    return Completed(done.returncode, done.stdout + done.stderr)


def run_pytest(project: Path, *args: str) -> Completed:
    """``python -m pytest -q`` in ``project``, as the doc's reader runs it."""
    return _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], project, 300)


def run_shell(script: str, project: Path) -> Completed:
    """``script`` in bash, in ``project``, stopping at the first failing command."""
    return _run(["bash", "-e", "-c", script], project, 120)
