#!/usr/bin/env bash
# Try kamal-dev without a cloud account: starts the local cloud (the UpCloud emulator with VMs made of network
# namespaces running sshd and dockerd), deploys COUNT workspaces of the example project to it, shows `list`
# and `status`, then removes everything. Linux, as root.  Usage: sudo bash scripts/try-local.sh [COUNT] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
count=3
keep=no
for arg in "$@"; do
  case "$arg" in
    --keep) keep=yes ;;
    *[!0-9]* | '') echo "usage: sudo bash scripts/try-local.sh [COUNT] [--keep]" >&2; exit 2 ;;
    *) count=$arg ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "the local cloud makes network namespaces: run as root (sudo)" >&2; exit 2; }

[ -d node_modules ] || npm ci
[ -f dist/main.js ] || npm run build
bash scripts/install-test-deps.sh

work=$(mktemp -d /tmp/kamal-dev-try-XXXXXX)
cloud_pid=
cleanup() {
  if [ -n "$cloud_pid" ]; then kill -TERM "$cloud_pid" 2>/dev/null || true; wait "$cloud_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== starting the local cloud (log: $work/cloud.log)"
node --import tsx test/localcloud/main.ts --backend netns --boot-delay-ms 2000 >"$work/cloud.json" 2>"$work/cloud.log" &
cloud_pid=$!
for _ in $(seq 1 120); do [ -s "$work/cloud.json" ] && break; sleep 0.5; done
[ -s "$work/cloud.json" ] || { cat "$work/cloud.log" >&2; exit 1; }
field() { node -e 'const v=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(process.argv[2].split(".").reduce((o,k)=>o[k],v))' "$work/cloud.json" "$1"; }

mkdir -p "$work/home/.ssh"
ssh-keygen -q -t ed25519 -N '' -C kamal-dev-try -f "$work/home/.ssh/id_ed25519"
cp -r fixtures/e2e-workspace "$work/project"
export HOME="$work/home" NO_COLOR=1
export UPCLOUD_API_URL="$(field api_url)" UPCLOUD_USERNAME="$(field username)" UPCLOUD_PASSWORD="$(field password)"
export KAMAL_DEV_DOCKER_INSTALL_URL="$(field docker_install_url)" KAMAL_DEV_TEST_IMAGE="$(field images.v1)"
export KAMAL_DEV_TEST_TOKEN="ghp_example_$(date +%s)" KAMAL_DEV_POLL_INTERVAL_MS=1000
kd() { (cd "$work/project" && node "$OLDPWD/bin/kamal-dev.js" "$@"); }

echo "== kamal-dev deploy --count $count --yes"
kd deploy --count "$count" --yes
echo "== kamal-dev list"
kd list
echo "== kamal-dev status"
kd status
if [ "$keep" = yes ]; then
  echo "== the workspaces stay up until you press Enter (project: $work/project)"
  read -r _ || true
fi
echo "== kamal-dev remove --all --force"
kd remove --all --force
echo "== servers left at the local cloud: $(curl -s "${UPCLOUD_API_URL%/1.3}/_localcloud/stats" | node -pe 'JSON.parse(require("fs").readFileSync(0)).live_servers')"
