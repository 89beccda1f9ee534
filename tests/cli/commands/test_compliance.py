"""``trailwatch compliance``: benchmark coverage of a selection, as Markdown or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from trailwatch_constructs.catalog.auditors import Auditor
from trailwatch_constructs.cli.main import cli
from trailwatch_constructs.texts.reference_docs import render_compliance_markdown

ROOT = Path(__file__).resolve().parents[3]


def _items(stdout: str) -> dict[tuple[str, str], dict[str, object]]:
    return {(i["framework"], i["item"]): i for i in json.loads(stdout)["items"]}


def test_markdown_for_the_default_selection_is_the_committed_doc(runner: CliRunner) -> None:
    # GIVEN the sample app's selection (every control, one privileged group)
    result = runner.invoke(cli, ["compliance", "--privileged-group", "Administrators"])
    # THEN the tables are exactly those of docs/compliance.md
    assert result.exit_code == 0
    assert result.stdout in render_compliance_markdown()
    assert result.stdout in (ROOT / "docs/compliance.md").read_text(encoding="utf-8")


def test_json_reports_exact_text_for_every_security_hub_item(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["compliance", "--format", "json"])
    items = _items(result.stdout)
    for n in range(1, 15):
        item = items[("AWS Security Hub", f"CloudWatch.{n}")]
        assert item["control"] is not None
        assert item["exact_security_hub_text"] is True


def test_tuned_variant_is_reported_as_not_exact(runner: CliRunner) -> None:
    # GIVEN the unauthorized-calls variant WHEN reporting THEN CloudWatch.2 is covered by it but not exact
    result = runner.invoke(cli, ["compliance", "--format", "json", "--tuned-variant", "unauthorized-api-calls-tuned"])
    item = _items(result.stdout)[("AWS Security Hub", "CloudWatch.2")]
    assert item["control"] == "unauthorized-api-calls-tuned"
    assert item["exact_security_hub_text"] is False
    assert "exact-text check fails" in str(item["note"])


def test_excluded_control_leaves_its_items_uncovered(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["compliance", "--format", "json", "--exclude", "vpc-changes"])
    items = _items(result.stdout)
    assert items[("AWS Security Hub", "CloudWatch.14")]["control"] is None
    assert items[("CIS AWS Foundations Benchmark v3.0.0", "4.14")]["control"] is None


def test_bad_selection_is_one_line_naming_every_problem_with_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["compliance", "--exclude", "nope", "--tuned-variant", "x"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("trailwatch: error: unknown control id 'nope' in exclude; known ids: ")
    assert "unknown tuned variant 'x'; known variants: unauthorized-api-calls-tuned" in lines[0]
    assert "Traceback" not in result.output


def test_include_reports_only_the_controls_named(runner: CliRunner) -> None:
    # GIVEN two controls named with --include
    # WHEN reporting
    result = runner.invoke(
        cli, ["compliance", "--format", "json", "--include", "root-account-usage", "--include", "vpc-changes"]
    )
    # THEN only their items are covered
    assert result.exit_code == 0
    covered = {i["control"] for i in json.loads(result.stdout)["items"]} - {None}
    assert covered == {"root-account-usage", "vpc-changes"}


def test_include_with_exclude_is_a_usage_error(runner: CliRunner) -> None:
    # GIVEN both --include and --exclude
    # WHEN reporting
    result = runner.invoke(cli, ["compliance", "--include", "root-account-usage", "--exclude", "vpc-changes"])
    # THEN one line says to give one of them, exit 2
    assert result.exit_code == 2
    assert result.stderr == (
        "trailwatch: error: give include or exclude, not both; see 'trailwatch compliance --help'\n"
    )
    assert result.stdout == ""


def test_unknown_id_in_include_is_named(runner: CliRunner) -> None:
    # GIVEN a misspelt id in --include
    # WHEN reporting
    result = runner.invoke(cli, ["compliance", "--include", "root-usage"])
    # THEN the line names it and where it was given
    assert result.exit_code == 2
    assert result.stderr.startswith("trailwatch: error: unknown control id 'root-usage' in include; known ids: ")


def test_auditor_matrix_for_every_auditor_is_the_committed_doc_section(runner: CliRunner) -> None:
    # GIVEN the sample app's selection and every auditor
    args = ["compliance", "--privileged-group", "Administrators"]
    for auditor in Auditor:
        args += ["--auditor", auditor.value]
    result = runner.invoke(cli, args)
    # THEN the matrix is exactly the one in docs/compliance.md
    assert result.exit_code == 0
    assert result.stdout.startswith("### Security Hub (`security-hub`)")
    assert result.stdout in (ROOT / "docs/compliance.md").read_text(encoding="utf-8")


def test_auditor_matrix_json_names_the_filter_passing_each_check(runner: CliRunner) -> None:
    # GIVEN prowler alone WHEN its matrix is printed as JSON
    result = runner.invoke(cli, ["compliance", "--format", "json", "--auditor", "prowler"])
    data = json.loads(result.stdout)
    checks = {c["check"]: c for c in data["auditors"]["prowler"]["checks"]}
    # THEN every check passes, route tables by prowler's remediation text, which the control deploys
    assert {c["status"] for c in checks.values()} == {"pass"}
    route = checks["cloudwatch_changes_to_network_route_tables_alarm_configured"]
    assert route["satisfied_by"] == "prowler-remediation"
    assert [t["text_id"] for t in data["deployed"]["route-table-changes"]] == ["prowler-remediation"]
    assert data["auditors"]["prowler"]["source"].startswith("prowler-cloud/prowler")


def test_auditor_matrix_reports_an_upstream_defect(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["compliance", "--format", "json", "--auditor", "inspec"])
    checks = {c["check"]: c for c in json.loads(result.stdout)["auditors"]["inspec"]["checks"]}
    assert checks["aws-foundations-cis-4.15"]["status"] == "upstream defect"
    assert "single-quoted Ruby string" in checks["aws-foundations-cis-4.15"]["defect"]


def test_unknown_auditor_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["compliance", "--auditor", "wiz"])
    assert result.exit_code == 2
    assert "'wiz' is not one of" in result.stderr


def test_every_auditor_passes_every_check_of_the_default_selection(runner: CliRunner) -> None:
    # GIVEN the sample app's selection and every auditor WHEN the matrix is printed as JSON
    args = ["compliance", "--format", "json", "--privileged-group", "Administrators"]
    for auditor in Auditor:
        args += ["--auditor", auditor.value]
    data = json.loads(runner.invoke(cli, args).stdout)
    # THEN every check passes, except the one no deployable text can pass (InSpec's 4.15)
    statuses = {(a, c["check"]): c["status"] for a, v in data["auditors"].items() for c in v["checks"]}
    assert {k for k, status in statuses.items() if status != "pass"} == {("inspec", "aws-foundations-cis-4.15")}
    assert len(statuses) > 100
