#!/usr/bin/env bash
# Installs the system packages the tests need (Debian). Idempotent; quick when all is there.
set -euo pipefail
need=()
command -v python3 >/dev/null || need+=(python3)
command -v git >/dev/null || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "setup: please install: ${need[*]}" >&2
    exit 1
  fi
fi
