#!/usr/bin/env bash
# Runs `tokenwarden github-action` for action.yml. Exit code 1 (findings) is left for the
# action's "Fail on findings" step to act on, after the SARIF upload; 2 (error) fails now.
set -uo pipefail

args=(github-action --min-confidence "${TW_MIN_CONFIDENCE:-medium}")
if [[ "${TW_VERIFY:-false}" == "true" ]]; then
  args+=(--verify)
fi
for org in ${TW_OKTA_ORG:-}; do
  args+=(--okta-org "$org")
done
if [[ -n "${TW_CONFIG:-}" ]]; then
  args+=(--config "$TW_CONFIG")
fi
# shellcheck disable=SC2206 # extra-args is a whitespace-separated list by design
extra=(${TW_EXTRA_ARGS:-})

"$GITHUB_ACTION_PATH/target/release/tokenwarden" "${args[@]}" "${extra[@]}"
code=$?
if [[ $code -ge 2 ]]; then
  echo "::error title=tokenwarden::the scan failed (exit $code); see the log above"
  exit "$code"
fi
exit 0
