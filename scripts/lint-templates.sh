#!/usr/bin/env bash
# Synthesizes the example app offline and lints every template it produces with cfn-lint.
#
# Fails on any cfn-lint error; warnings and informational findings are printed and tolerated.
# The app needs no AWS account: account, region and secret ARN come from context defaults, and
# nothing is looked up. Usage: scripts/lint-templates.sh [extra cdk synth arguments]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ ! -f assets/lifecycle-handler/index.js ]; then
  node scripts/bundle-handler.mjs
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# Offline: no telemetry, no notices, no version reporting.
export CDK_DISABLE_CLI_TELEMETRY=true
npx --no-install cdk synth \
  --app 'npx ts-node --prefer-ts-exts examples/app.ts' \
  --output "$out" \
  --no-notices --no-version-reporting --quiet \
  "$@" >/dev/null

shopt -s nullglob
templates=("$out"/*.template.json)
if [ "${#templates[@]}" -eq 0 ]; then
  echo "lint-templates: the example app produced no template in $out" >&2
  exit 1
fi

status=0
for template in "${templates[@]}"; do
  echo "cfn-lint $(basename "$template")"
  set +e
  cfn-lint --format parseable -- "$template"
  rc=$?
  set -e
  # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational; 1 a failure.
  if (( rc & 3 )); then
    status=1
  fi
done

if (( status )); then
  echo "lint-templates: cfn-lint found errors" >&2
else
  echo "lint-templates: ${#templates[@]} template(s), no cfn-lint errors"
fi
exit "$status"
