"""The sdist is the whole source: the tests and what they read, the licence, the changelog."""

from __future__ import annotations

import tarfile

import pytest

from tests.packaging.helpers import ROOT, VERSION, Distributions

pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("packaging")]

PREFIX = f"trailwatch_constructs-{VERSION}/"


def sdist_files(distributions: Distributions) -> dict[str, bytes]:
    """Each regular file of the sdist by its path inside the project, with its content."""
    files: dict[str, bytes] = {}
    with tarfile.open(distributions.sdist) as sdist:
        for member in sdist.getmembers():
            extracted = sdist.extractfile(member) if member.isfile() else None
            if extracted is not None:
                files[member.name.removeprefix(PREFIX)] = extracted.read()
    return files


def test_sdist_contains_every_test_file(distributions: Distributions) -> None:
    # GIVEN the tests of the tree the sdist was built from THEN each of them is in it
    source = distributions.source
    tests = {p.relative_to(source).as_posix() for p in (source / "tests").rglob("*") if p.is_file()}
    assert tests - set(sdist_files(distributions)) == set()


@pytest.mark.parametrize("path", ["app.py", "cdk.json", "docs/compliance.md", "benchmarks/generate_archive.py"])
def test_sdist_contains_what_the_tests_read(distributions: Distributions, path: str) -> None:
    # GIVEN a file outside tests/ that a test reads THEN the sdist has it, so its tests can run
    assert sdist_files(distributions)[path] == (distributions.source / path).read_bytes()


@pytest.mark.parametrize("path", ["LICENSE", "CHANGELOG.md", "README.md"])
def test_sdist_contains_the_project_documents(distributions: Distributions, path: str) -> None:
    # GIVEN the licence, the changelog and the README THEN the sdist has each as committed
    assert sdist_files(distributions)[path] == (distributions.source / path).read_bytes()


def test_sdist_metadata_names_the_licence_and_its_file(distributions: Distributions) -> None:
    # GIVEN the sdist's metadata THEN it carries the SPDX licence and the file that holds its text
    metadata = sdist_files(distributions)["PKG-INFO"].decode().splitlines()
    assert "License-Expression: Apache-2.0" in metadata
    assert "License-File: LICENSE" in metadata


def test_sdist_holds_no_bytecode_or_caches(distributions: Distributions) -> None:
    leftovers = [
        path
        for path in sdist_files(distributions)
        if path.endswith(".pyc")
        or set(path.split("/")) & {"__pycache__", ".pytest_cache", ".mypy_cache", ".hypothesis"}
    ]
    assert leftovers == []


def test_licence_is_the_full_apache_2_text() -> None:
    # GIVEN the LICENSE file THEN it is Apache-2.0 (the CDK's licence) in full: title, the nine
    # sections of the terms, and their end
    text = " ".join((ROOT / "LICENSE").read_text(encoding="utf-8").split())
    assert text.startswith("Apache License Version 2.0, January 2004 http://www.apache.org/licenses/")
    for number, title in enumerate(
        [
            "Definitions",
            "Grant of Copyright License",
            "Grant of Patent License",
            "Redistribution",
            "Submission of Contributions",
            "Trademarks",
            "Disclaimer of Warranty",
            "Limitation of Liability",
            "Accepting Warranty or Additional Liability",
        ],
        start=1,
    ):
        assert f"{number}. {title}." in text
    assert "END OF TERMS AND CONDITIONS" in text
