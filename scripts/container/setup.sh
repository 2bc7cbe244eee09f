#!/usr/bin/env bash
# Gets a real container engine ready for the container tests (test/container): Debian's podman, configured
# under a cache folder outside the repository, and a small pinned Python image, localhost/ci-python:3.11,
# built locally with no registry (mmdebstrap: python3, pytest, flake8). The image is saved as an OCI archive
# and loaded again next time, so its digest stays the same from run to run. Idempotent; a few seconds when
# everything is cached.
#
#   CI_TRIAGE_CACHE   cache folder (default ~/.cache/ci-triage); podman's files go to $CI_TRIAGE_CACHE/podman
#
# Writes $CI_TRIAGE_CACHE/podman/env (KEY=VALUE lines: CONTAINERS_CONF, CONTAINERS_STORAGE_CONF,
# CI_TRIAGE_IMAGE, CI_TRIAGE_IMAGE_DIGEST) for the tests, and prints the same lines on standard output.
set -euo pipefail

IMAGE=localhost/ci-python:3.11
SUITE=bookworm
EPOCH=1700000000
PACKAGES=python3,python3-pytest,flake8
HOME_DIR="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
CACHE="${CI_TRIAGE_CACHE:-$HOME_DIR/.cache/ci-triage}"
DIR="$CACHE/podman"
ARCHIVE="$DIR/ci-python-3.11.oci.tar"
# The archive's name says what it holds: a change of packages or suite builds a new one.
STAMP_TEXT="$IMAGE $SUITE $PACKAGES $EPOCH"

say() { printf 'container-setup: %s\n' "$*" >&2; }
mkdir -p "$DIR"

# --- Debian packages -------------------------------------------------------------------------------------
# shellcheck source=../lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
apt_install_missing container-setup podman runc conmon golang-github-containers-common containernetworking-plugins catatonit mmdebstrap

# --- podman's configuration --------------------------------------------------------------------------------
# runc: crun refuses hybrid cgroup hosts; cgroupfs and a file event log: no systemd here; no network
# namespace: the tests need none and CNI set-up is the slowest part of a run. The ulimits cannot exceed the
# hard limits (root here cannot raise them).
cap() { local h="$1"; if [ "$h" = unlimited ] || [ "$h" -gt 32768 ]; then echo 32768; else echo "$h"; fi; }
nofile=$(cap "$(ulimit -Hn)")
nproc=$(cap "$(ulimit -Hu)")
cat >"$DIR/containers.conf.new" <<CONF
[containers]
netns = "none"
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
mv "$DIR/containers.conf.new" "$DIR/containers.conf"
if [ ! -f "$DIR/storage.conf" ]; then
  # overlay where the kernel allows it (fast); vfs otherwise (always works, copies layers).
  driver=vfs
  if grep -qw overlay /proc/filesystems 2>/dev/null; then driver=overlay; fi
  cat >"$DIR/storage.conf" <<CONF
[storage]
driver = "$driver"
graphroot = "$DIR/storage"
runroot = "$DIR/run"
CONF
fi
export CONTAINERS_CONF="$DIR/containers.conf"
export CONTAINERS_STORAGE_CONF="$DIR/storage.conf"

if ! podman info >/dev/null 2>"$DIR/info.err"; then
  if grep -q 'driver = "overlay"' "$DIR/storage.conf"; then
    say "podman cannot use overlay storage here; falling back to vfs"
    rm -rf "$DIR/storage" "$DIR/run"
    sed -i 's/driver = "overlay"/driver = "vfs"/' "$DIR/storage.conf"
    podman info >/dev/null
  else
    cat "$DIR/info.err" >&2
    exit 1
  fi
fi

# --- the pinned image ----------------------------------------------------------------------------------------
if [ "$(cat "$DIR/image.stamp" 2>/dev/null)" != "$STAMP_TEXT" ]; then
  rm -f "$ARCHIVE"
  podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
fi
if ! podman image exists "$IMAGE"; then
  if [ -f "$ARCHIVE" ]; then
    say "loading $IMAGE from $ARCHIVE"
    podman load -q -i "$ARCHIVE" >/dev/null
  else
    mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
    mirror="${mirror:-http://deb.debian.org/debian}"
    build="$DIR/build"
    rm -rf "$build"
    mkdir -p "$build"
    say "building $IMAGE with mmdebstrap ($SUITE, $PACKAGES) from $mirror"
    # mmdebstrap is chatty (dpkg inside the chroot): its output goes to a file, shown only on failure.
    if ! SOURCE_DATE_EPOCH=$EPOCH mmdebstrap --quiet --variant=minbase --include="$PACKAGES" \
      --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr "$SUITE" "$build/rootfs.tar" "$mirror" \
      >"$DIR/mmdebstrap.log" 2>&1; then
      tail -n 40 "$DIR/mmdebstrap.log" >&2
      exit 1
    fi
    printf 'FROM scratch\nADD rootfs.tar /\nENV LANG=C.UTF-8\nCMD ["/bin/bash"]\n' >"$build/Containerfile"
    podman build -q --pull=never --timestamp "$EPOCH" -t "$IMAGE" "$build" >/dev/null
    podman save -q --format oci-archive -o "$ARCHIVE.new" "$IMAGE"
    mv "$ARCHIVE.new" "$ARCHIVE"
    rm -rf "$build"
    # Saving as OCI rewrites the manifest, so the digest of the built image is not the one a load gives.
    # Use the archive's from the start: the digest is then the same on every run that reuses the archive.
    podman rmi -f "$IMAGE" >/dev/null
    podman load -q -i "$ARCHIVE" >/dev/null
  fi
  echo "$STAMP_TEXT" >"$DIR/image.stamp"
fi
digest=$(podman image inspect --format '{{.Digest}}' "$IMAGE")
case "$digest" in
  sha256:*) ;;
  *) say "no digest for $IMAGE (got '$digest')"; exit 1 ;;
esac
printf '%s\n' "$digest" >"$DIR/ci-python-3.11.digest"
cat >"$DIR/env" <<ENV
CONTAINERS_CONF=$CONTAINERS_CONF
CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF
CI_TRIAGE_IMAGE=$IMAGE
CI_TRIAGE_IMAGE_DIGEST=$digest
ENV
cat "$DIR/env"
