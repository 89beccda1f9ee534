#!/bin/bash
# Mutation-test one module against one tests directory, in a copy of the repository
# (mutmut 3 reads [tool.mutmut] from pyproject.toml, which the copy gets and the repository does not).
# usage: tools/mutate.sh trailwatch_constructs/catalog/definition.py [tests/catalog]
# Scores: docs/testing.md. Each run takes about a minute per module on two cores.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
module=$1
tests=${2:-tests/catalog}
work=${MUTATION_DIR:-/tmp/trailwatch-mutation}/$(basename "$module" .py)
rm -rf "$work" && mkdir -p "$work"
tar -C "$repo" --exclude=./.venv --exclude=./node_modules --exclude=./.git --exclude=./cdk.out \
    --exclude=./mutants --exclude='__pycache__' --exclude=./.mypy_cache --exclude=./.ruff_cache \
    --exclude=./.pytest_cache -cf - . | tar -C "$work" -xf -
# mutmut's trampolines add frames to every call: the parser's 100-deep nesting tests need more stack.
cat > "$work/mutation_recursion.py" <<'PY'
import sys

sys.setrecursionlimit(20_000)
PY
cat >> "$work/pyproject.toml" <<TOML

[tool.mutmut]
# mutmut 3.8 names for paths_to_mutate and tests_dir; the rest of the package is copied unmutated.
source_paths = ["$module"]
pytest_add_cli_args = ["-p", "mutation_recursion"]
pytest_add_cli_args_test_selection = ["$tests/"]
also_copy = ["trailwatch_constructs/", "mutation_recursion.py", "docs/", "benchmarks/", "app.py", "cdk.json"]
TOML
cd "$work"
"$repo/.venv/bin/python" -m mutmut run --max-children 2 > run.log 2>&1 || true
"$repo/.venv/bin/python" -m mutmut results --all true 2>/dev/null > results.txt || true
echo "$module:" $(grep -c ': killed$' results.txt) killed of $(grep -c ': ' results.txt) \
    "(" $(awk -F': ' '{print $2}' results.txt | sort | uniq -c | tr '\n' ' ') ")"
