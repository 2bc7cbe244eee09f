# Sourced by the setup scripts: apt_install_missing PREFIX PKG... installs the Debian packages that are not
# installed yet (as root, else through sudo), quietly; quick when all are there.
apt_install_missing() {
  local who=$1
  shift
  installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
  local need=() p
  for p in "$@"; do installed "$p" || need+=("$p"); done
  [ ${#need[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { printf '%s: please install as root: apt-get install -y %s\n' "$who" "${need[*]}" >&2; return 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  printf '%s: installing Debian packages: %s\n' "$who" "${need[*]}" >&2
  # A fresh image has no package lists; an old one may list versions the mirror no longer has.
  if ! compgen -G '/var/lib/apt/lists/*Packages*' >/dev/null \
    || ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    printf '%s: apt-get update\n' "$who" >&2
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}
