#!/usr/bin/env bash
# Installs the Debian packages the end-to-end tests need (OpenSSH server, Docker engine, Docker's registry,
# busybox, mmdebstrap, iproute2), only those missing. Needs root; elsewhere it says what to install and exits 0.
set -euo pipefail

# mmdebstrap builds the local cloud's Debian image (cached, see test/localcloud/netns/debian-image.ts).
# util-linux (nsenter, findmnt), mount (umount) and procps (ps) are used by the netns VM backend and its tests.
packages=(openssh-server openssh-client docker.io docker-registry busybox-static mmdebstrap iproute2 curl ca-certificates util-linux mount procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test dependencies: all present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "test dependencies missing (install as root): ${missing[*]}" >&2
  exit 0
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# With recommends (cgroupfs-mount among them), as the local cloud was verified.
apt-get install -y -qq "${missing[@]}" >/dev/null
# The packages' own services are not used: tests start sshd and dockerd themselves, per VM.
for s in ssh docker containerd; do
  (command -v systemctl >/dev/null && systemctl disable --now "$s" >/dev/null 2>&1) || true
done
echo "test dependencies: installed"
