#!/usr/bin/env bash
# Proves the set-up of docs/development.md on a fresh machine: a minimal Debian bookworm root (debootstrap, set up like the
# debian:bookworm container image) holding nothing but this machine's Node 20 and npm, a clone of
# the current branch, and in it, as root: `npm install && npm test && npm start`. npm test's first
# step has to install Chromium and NumPy there by itself. Before that, the same `npm test` as an
# unprivileged user must stop at once with the commands to run.
#
# Needs: root, debootstrap (apt-get install debootstrap), Debian's mirror and the npm registry.
# Usage: sudo scripts/fresh-machine.sh [--keep]   (--keep leaves the root folder for inspection)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
branch=$(git -C "$repo" rev-parse --abbrev-ref HEAD)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
keep=${1:-}
work=$(mktemp -d /tmp/simdnet-fresh.XXXXXX)
root=$work/root
mounts=(proc sys dev dev/shm)

started=$(date +%s)
step() { echo "fresh-machine: [$(( $(date +%s) - started )) s] $*"; }

unmount() {
  local m
  for (( i = ${#mounts[@]} - 1; i >= 0; i-- )); do
    m=$root/${mounts[i]}
    if mountpoint -q "$m"; then umount "$m" || umount -l "$m"; fi
  done
}
cleanup() {
  unmount
  # never delete through a mount that is still there (it would reach the host's /dev or /proc)
  if grep -q " $root/" /proc/mounts; then echo "fresh-machine: mounts remain under $root, not deleting it" >&2; return; fi
  if [ "$keep" = --keep ]; then echo "fresh-machine: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

step "1. debootstrap --variant=minbase bookworm $root ($mirror)"
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log"; exit 1; }
# as in the debian:bookworm image: its three suites, and no services started by package scripts
rm -f "$root/etc/apt/sources.list"
cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# a network whose proxy re-signs TLS: the certificates this machine's Node trusts for it (not part of the proof)
extra_ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  mkdir -p "$root/etc/ssl" && cp "$NODE_EXTRA_CA_CERTS" "$root/etc/ssl/host-extra-ca.crt"
  extra_ca=(NODE_EXTRA_CA_CERTS=/etc/ssl/host-extra-ca.crt)
fi

step "2. this machine's Node $(node --version) and npm $(npm --version) copied in"
cp "$(command -v node)" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$(npm root -g)/npm" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

step "3. git clone --branch $branch (commit $(git -C "$repo" rev-parse --short HEAD)) into /srv/simdnet"
git clone --quiet --branch "$branch" "$repo" "$root/srv/simdnet"

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount -t tmpfs -o mode=1777 shm "$root/dev/shm" # Chromium's shared memory
inside() { # runs a shell command in the fresh root with a clean environment
  local user=$1; shift
  chroot --userspec="$user" "$root" /usr/bin/env -i HOME="$([ "$user" = root ] && echo /root || echo /tmp)" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb "${extra_ca[@]}" \
    bash -c "cd /srv/simdnet && $*"
}
inside root "node --version && (python3 --version || true) && (command -v chromium || echo 'no chromium')"

step "4. npm install"
inside root "npm install --no-audit --no-fund"

step "5. npm test as an unprivileged user: must stop at once, naming the commands to run"
t=$(date +%s)
if inside nobody:nogroup "npm test" > "$work/nobody.log" 2>&1; then
  echo "fresh-machine: npm test passed as nobody without Chromium: the check is broken"; exit 1
fi
grep '^test tools:' "$work/nobody.log"
for command in 'apt-get install -y chromium' 'apt-get install -y python3-numpy'; do
  grep -q "Run: sudo $command" "$work/nobody.log" || { cat "$work/nobody.log"; exit 1; }
done
step "   stopped after $(( $(date +%s) - t )) s"

step "6. npm test as root (installs Chromium and NumPy itself)"
inside root "npm test"

step "7. npm start"
inside root "npm start"

step "done: npm install, npm test and npm start pass on a fresh Debian bookworm with only Node $(node --version)"
