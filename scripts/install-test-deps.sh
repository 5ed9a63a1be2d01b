#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine (run as root, or with sudo available):
# the real tools the integration and e2e tests drive, then the npm dependencies.
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
PKGS=(rsync zstd xz-utils gzip bzip2 lz4 zip unzip tar fdisk util-linux e2fsprogs dosfstools exfatprogs minisign bmap-tools git
      acl attr chromium ca-certificates pipx systemd bindfs fuse3 curl time ostree apt dpkg python3)
# pipx: the frameworks layer's pipx recipe (test/integration/frameworks-pipx.test.ts).
# systemd: for systemd-analyze, which checks the schedule's unit files (test/integration/schedule.test.ts); it
# verifies units without systemd running (containers, CI).
# bindfs, fuse3: a loop device over a FUSE file whose daemon is stopped is a source drive that stalls for real
# (test/integration/stalled-device.test.ts).
# ostree: the ostree OS backend against a temporary sysroot and a served archive repo
# (test/integration/os-ostree*.test.ts, test/helpers/ostree-sysroot.ts).
# apt, dpkg, python3: the OS updates' apt backend against throwaway roots (test/integration/os-apt.test.ts, bench/os.mjs);
# Debian's /usr/bin/python3 holds a real fcntl lock on dpkg's lock-frontend in the held-lock test.
# curl, time: the models benchmark (bench/models.mjs) pulls against `curl -o` and reads peak RSS from /usr/bin/time.
missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
npm ci --no-audit --no-fund
