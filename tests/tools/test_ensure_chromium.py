"""tools/ensure-chromium.sh, which `make test` runs: installs Debian's chromium only when none is found.

Run with a PATH of stubs (no real apt-get is ever called): a stub ``apt-get`` records its arguments.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "ensure-chromium.sh"


def _stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    """A PATH with `id` and `env` only (so no chromium), and an apt-get that logs its calls."""
    directory = tmp_path / "bin"
    directory.mkdir()
    for tool in ("id", "env"):
        found = shutil.which(tool)
        assert found is not None
        (directory / tool).symlink_to(found)
    _stub(directory, "apt-get", f'echo "$*" >> {tmp_path / "apt.log"}')
    return directory


def _run(bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        env={"PATH": str(bin_dir), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _apt_calls(bin_dir: Path) -> list[str]:
    log = bin_dir.parent / "apt.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_without_chromium_it_installs_debians_package_as_root_or_says_what_to_run(bin_dir: Path) -> None:
    result = _run(bin_dir)
    assert result.returncode == 0, result.stderr
    if os.geteuid() == 0:  # CI runs as root
        assert _apt_calls(bin_dir) == ["update -qq", "install -y -qq chromium"]
    else:  # the stub PATH has no sudo
        assert _apt_calls(bin_dir) == []
        assert "run: sudo apt-get install -y chromium" in result.stderr


def test_with_chromium_on_path_it_does_nothing(bin_dir: Path) -> None:
    _stub(bin_dir, "chromium", "exit 0")
    assert _run(bin_dir).returncode == 0
    assert _apt_calls(bin_dir) == []


def test_with_trailwatch_chromium_set_it_does_nothing(bin_dir: Path) -> None:
    assert _run(bin_dir, TRAILWATCH_CHROMIUM="/opt/chrome/chrome").returncode == 0
    assert _apt_calls(bin_dir) == []


def test_a_failed_install_is_reported_and_left_to_the_tests(bin_dir: Path) -> None:
    _stub(bin_dir, "apt-get", "exit 100")
    result = _run(bin_dir)
    assert result.returncode == 0
    expected = "apt-get could not install chromium" if os.geteuid() == 0 else "no root to install it"
    assert f"ensure-chromium: {expected}" in result.stderr
