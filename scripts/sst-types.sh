#!/usr/bin/env bash
# Generates SST's platform types (.sst/platform/config.d.ts: `$config`, `sst.aws.*`) offline, from
# the npm registry alone, so `npm run typecheck:infra` can check sst.config.ts and infra/.
# Nothing under .sst/ is committed. Needs no AWS account and no download but npm packages:
# - SST_SKIP_DEPENDENCY_CHECK=true: skip the Pulumi download (only `sst deploy`/`diff` need it);
# - Bun comes from the `bun` npm package; SST 3 looks for it at $HOME/.config/sst/bin/bun.
set -euo pipefail
cd "$(dirname "$0")/.."

export SST_SKIP_DEPENDENCY_CHECK=true
export SST_TELEMETRY_DISABLED=1

find_bun() {
  local candidate
  for candidate in node_modules/@oven/bun-*/bin/bun node_modules/bun/bin/bun.exe; do
    if [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
      realpath "$candidate"
      return 0
    fi
  done
  return 1
}

bun_path="$(find_bun)" || {
  echo "sst-types: no runnable Bun binary under node_modules (is the 'bun' package installed?)" >&2
  exit 1
}
mkdir -p "$HOME/.config/sst/bin"
ln -sf "$bun_path" "$HOME/.config/sst/bin/bun"

# About 2 s once the packages are cached: cheap enough to run every time (provider pins may change).
node_modules/.bin/sst install --stage dev
