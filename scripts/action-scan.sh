#!/usr/bin/env bash
# Runs `tokenwarden github-action` for action.yml. Exit code 1 (findings) is left for the
# action's "Fail on findings" step to act on, after the SARIF upload; 2 (error) fails now.
set -uo pipefail

args=(github-action --min-confidence "${TW_MIN_CONFIDENCE:-medium}")
if [[ "${TW_VERIFY:-false}" == "true" ]]; then
  args+=(--verify)
fi
if [[ "${TW_REVOKE_LIVE:-false}" == "true" ]]; then
  args+=(--revoke-live)
fi
if [[ -n "${TW_STATE:-}" ]]; then
  args+=(--state "$TW_STATE")
fi
# Split on white space without glob expansion: a `*` in an input stays a `*`.
read -r -a orgs <<<"${TW_OKTA_ORG:-}"
for org in "${orgs[@]}"; do
  args+=(--okta-org "$org")
done
if [[ -n "${TW_CONFIG:-}" ]]; then
  args+=(--config "$TW_CONFIG")
fi
read -r -a extra <<<"${TW_EXTRA_ARGS:-}"

"${TW_BIN:-$GITHUB_ACTION_PATH/target/release/tokenwarden}" "${args[@]}" "${extra[@]}"
code=$?
if [[ $code -ge 2 ]]; then
  echo "::error title=tokenwarden::the scan failed (exit $code); see the log above"
  exit "$code"
fi
exit 0
