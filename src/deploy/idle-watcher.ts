import { quote } from '../remote/quote.js';

/** How the watcher runs on the VM (docs/configuration.md#idle-timeout). */
export interface IdleSettings {
  /** The command that powers the VM off from inside: `systemctl poweroff`, or the local cloud's stand-in. */
  poweroff: string;
  /** `systemd`: a timer (real VMs); `loop`: a background loop started over SSH (VMs without systemd). */
  runner: 'systemd' | 'loop';
  /** Busy while the 1-minute load average is at least this; undefined: the VM's number of CPUs. */
  loadMax: number | undefined;
}

/** The folder of the watcher's files under the SSH user's home (per VM on the local cloud too). */
export function watcherDir(home: string): string {
  return `${home}/.kamal-dev/idle`;
}

/** Seconds between two checks: a quarter of the timeout, at least 5 s and at most a minute. */
export function checkInterval(idleSeconds: number): number {
  return Math.min(60, Math.max(5, Math.floor(idleSeconds / 4)));
}

const CHECK = `#!/bin/sh
# kamal-dev idle watcher, one check (docs/configuration.md#idle-timeout). It holds no cloud credentials: it
# powers this VM off with the configured command, and the provider then shows the server stopped.
DIR=$(dirname "$0")
[ -f "$DIR/config" ] || exit 0
. "$DIR/config"
now=$(date +%s)
# The VM counts as idle from the first check that finds nothing busy: idle-since is at or after the last
# activity. A start of the watcher (--reset, or the first check after a boot) counts as activity.
if [ "\${1:-}" = --reset ] || { [ -n "\${BOOT_MARK:-}" ] && [ ! -e "$BOOT_MARK" ]; }; then
  [ -n "\${BOOT_MARK:-}" ] && touch "$BOOT_MARK"
  rm -f "$DIR/idle-since"
  exit 0
fi
busy=
[ -n "$(ss -Htn state established '( sport = :22 )' 2>/dev/null)" ] && busy="an SSH session"
if [ -z "$busy" ] && command -v docker >/dev/null 2>&1; then
  for c in $(docker ps -q 2>/dev/null); do
    [ "$(docker inspect --format '{{len .ExecIDs}}' "$c" 2>/dev/null || echo 0)" != 0 ] && busy="a docker exec session"
  done
fi
load=$(cut -d' ' -f1 /proc/loadavg)
if [ -z "$busy" ] && awk -v l="$load" -v m="\${LOAD_MAX:-$(nproc)}" 'BEGIN { exit !(l >= m) }'; then busy="load $load"; fi
if [ -n "$busy" ]; then
  rm -f "$DIR/idle-since"
  exit 0
fi
if [ ! -f "$DIR/idle-since" ]; then
  echo "$now" > "$DIR/idle-since"
  exit 0
fi
idle=$((now - $(cat "$DIR/idle-since")))
[ "$idle" -ge "$IDLE_SECONDS" ] || exit 0
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) idle for \${idle} s: $POWEROFF" >> "$DIR/log"
exec sh -c "$POWEROFF"
`;

/** The config the check sources: its values quoted for sh. */
function config(idleSeconds: number, settings: IdleSettings): string {
  const lines = [`IDLE_SECONDS=${idleSeconds}`, `POWEROFF=${quote(settings.poweroff)}`];
  if (settings.loadMax !== undefined) lines.push(`LOAD_MAX=${settings.loadMax}`);
  if (settings.runner === 'systemd') lines.push('BOOT_MARK=/run/kamal-dev-idle.boot');
  return `${lines.join('\n')}\n`;
}

function loop(dir: string, interval: number): string {
  return `#!/bin/sh
# Runs the idle check every ${interval} s on a VM without systemd; ends with the VM, or when the config goes.
DIR=${quote(dir)}
echo $$ > "$DIR/loop.pid"
sh "$DIR/check.sh" --reset
while [ -f "$DIR/config" ]; do sleep ${interval}; sh "$DIR/check.sh"; done
`;
}

function units(dir: string, interval: number): Record<string, string> {
  return {
    'kamal-dev-idle.service': `[Unit]
Description=kamal-dev idle watcher: one check

[Service]
Type=oneshot
ExecStart=/bin/sh ${dir}/check.sh
`,
    'kamal-dev-idle.timer': `[Unit]
Description=kamal-dev idle watcher: powers the VM off when idle

[Timer]
OnBootSec=${interval}s
OnUnitActiveSec=${interval}s

[Install]
WantedBy=timers.target
`,
  };
}

/** systemctl is looked for before anything is written, so a VM without it is left untouched. */
const INSTALL_SYSTEMD = `#!/bin/sh
set -e
DIR=$(dirname "$0")
command -v systemctl >/dev/null 2>&1 || { echo "kamal-dev idle watcher: systemctl not found on this VM (KAMAL_DEV_IDLE_RUNNER=loop runs the watcher without systemd)" >&2; exit 1; }
cp "$DIR/kamal-dev-idle.service" "$DIR/kamal-dev-idle.timer" /etc/systemd/system/
systemctl daemon-reload
systemctl enable --now kamal-dev-idle.timer
`;

/** Starts the loop unless one of this folder already runs (its pid's command line names the folder). */
function startLoop(dir: string): string {
  const pid = `${quote(dir)}/loop.pid`;
  return `p=$(cat ${pid} 2>/dev/null); if [ -n "$p" ] && grep -qs ${quote(`${dir}/loop.sh`)} /proc/$p/cmdline; then exit 0; fi; setsid sh ${quote(`${dir}/loop.sh`)} </dev/null >/dev/null 2>&1 &`;
}

export interface WatcherInstall {
  /** Path -> content, uploaded with mode 0755. */
  files: Record<string, string>;
  /** Run after the upload: enables the timer, or starts the loop. */
  argv: string[];
}

/** What installing the watcher on a VM means: its files and the command that starts it. Text only. */
export function watcherInstall(home: string, idleSeconds: number, settings: IdleSettings): WatcherInstall {
  const dir = watcherDir(home);
  const interval = checkInterval(idleSeconds);
  const files: Record<string, string> = { [`${dir}/check.sh`]: CHECK, [`${dir}/config`]: config(idleSeconds, settings) };
  if (settings.runner === 'loop') {
    files[`${dir}/loop.sh`] = loop(dir, interval);
    return { files, argv: ['sh', '-c', startLoop(dir)] };
  }
  for (const [name, text] of Object.entries(units(dir, interval))) files[`${dir}/${name}`] = text;
  files[`${dir}/install-systemd.sh`] = INSTALL_SYSTEMD;
  return { files, argv: ['sh', `${dir}/install-systemd.sh`] };
}
