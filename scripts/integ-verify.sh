#!/usr/bin/env bash
# Verifies the committed integ-runner snapshots of test/integ.*.ts, offline and without deploying:
# each app is synthesized again and its templates compared with the snapshot (asset hashes
# excluded, so a rebuilt lifecycle handler does not count as a change).
#
#   scripts/integ-verify.sh            verify; exits non-zero when a template differs
#   scripts/integ-verify.sh --update   rewrite every snapshot from the current code, deploying
#                                      nothing (review the diff before committing it)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ ! -f assets/lifecycle-handler/index.js ]; then
  node scripts/bundle-handler.mjs
fi

# Offline: no CLI telemetry. The apps are only synthesized, so type checking is left to tsc/jest.
export CDK_DISABLE_CLI_TELEMETRY=true
export TS_NODE_TRANSPILE_ONLY=true

args=(--directory test --language typescript --max-workers 2)
case "${1:-}" in
  '') ;;
  --update) args+=(--update-on-failed --dry-run --force) ;;
  *) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac

exec npx --no-install integ-runner "${args[@]}"
