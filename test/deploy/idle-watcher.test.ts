import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInterval, watcherInstall, type IdleSettings } from '../../src/deploy/idle-watcher.js';

const SYSTEMD: IdleSettings = { poweroff: 'systemctl poweroff', runner: 'systemd', loadMax: undefined };
const LOOP: IdleSettings = { poweroff: 'localcloud-poweroff', runner: 'loop', loadMax: 8 };

/** The generated watcher is text: these tests read it, check its syntax and run its check against a harmless command. */
describe('the idle watcher, as generated', () => {
  it('a real VM gets a systemd timer whose service runs the check; the power-off is `systemctl poweroff`, as text only', () => {
    const { files, argv } = watcherInstall('/root', 1800, SYSTEMD);
    expect(Object.keys(files).sort()).toEqual(
      ['check.sh', 'config', 'install-systemd.sh', 'kamal-dev-idle.service', 'kamal-dev-idle.timer'].map((f) => `/root/.kamal-dev/idle/${f}`),
    );
    expect(files['/root/.kamal-dev/idle/config']).toBe("IDLE_SECONDS=1800\nPOWEROFF='systemctl poweroff'\nBOOT_MARK=/run/kamal-dev-idle.boot\n");
    expect(files['/root/.kamal-dev/idle/kamal-dev-idle.service']).toContain('ExecStart=/bin/sh /root/.kamal-dev/idle/check.sh');
    expect(files['/root/.kamal-dev/idle/kamal-dev-idle.timer']).toContain('OnUnitActiveSec=60s');
    expect(argv).toEqual(['sh', '/root/.kamal-dev/idle/install-systemd.sh']);
    // systemctl is looked for before anything is copied
    const install = files['/root/.kamal-dev/idle/install-systemd.sh']!;
    expect(install.indexOf('command -v systemctl')).toBeLessThan(install.indexOf('cp '));
  });

  it('the local cloud gets a loop and its own power-off command; the check interval is a quarter of the timeout, 5-60 s', () => {
    const { files, argv } = watcherInstall('/root', 20, LOOP);
    expect(files['/root/.kamal-dev/idle/config']).toBe('IDLE_SECONDS=20\nPOWEROFF=localcloud-poweroff\nLOAD_MAX=8\n');
    expect(files['/root/.kamal-dev/idle/loop.sh']).toContain('sleep 5;');
    expect(argv[0]).toBe('sh');
    expect(argv[2]).toContain('setsid sh /root/.kamal-dev/idle/loop.sh');
    expect(Object.values(files).join('\n').replaceAll('localcloud-poweroff', '')).not.toMatch(/systemctl|poweroff|shutdown|reboot|halt|telinit/);
    expect([checkInterval(4), checkInterval(20), checkInterval(100), checkInterval(1800), checkInterval(604_800)]).toEqual([5, 5, 25, 60, 60]);
  });

  it('every script is valid sh', () => {
    for (const settings of [SYSTEMD, LOOP]) {
      const { files, argv } = watcherInstall('/root', 1800, settings);
      for (const [file, text] of Object.entries(files)) if (text.startsWith('#!/bin/sh')) expect(spawnSync('sh', ['-n'], { input: text }).status, file).toBe(0);
      expect(spawnSync('sh', ['-n', '-c', argv.at(-1)!]).status).toBe(0);
    }
  });

  it.skipIf(!existsSync('/usr/bin/systemd-analyze'))('systemd-analyze verify accepts the units (read, never installed or started)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-units-'));
    const home = path.join(dir, 'home');
    mkdirSync(`${home}/.kamal-dev/idle`, { recursive: true });
    const { files } = watcherInstall(home, 1800, SYSTEMD);
    for (const [file, text] of Object.entries(files)) writeFileSync(file, text);
    const units = ['kamal-dev-idle.service', 'kamal-dev-idle.timer'].map((u) => `${home}/.kamal-dev/idle/${u}`);
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', ...units], { encoding: 'utf8' });
    expect([result.status, result.stdout, result.stderr]).toEqual([0, '', '']);
    // The same check refuses a broken unit, so a pass means something.
    writeFileSync(path.join(dir, 'broken.service'), '[Service]\nExecStart=relative\n');
    expect(spawnSync('systemd-analyze', ['verify', '--man=no', path.join(dir, 'broken.service')]).status).not.toBe(0);
  });

  it('the check powers off only after the timeout with nothing busy, by running the configured command (here: writing a file)', () => {
    // Run on this machine with a harmless command; an established connection to port 22 here would count as busy.
    const established = execFileSync('sh', ['-c', "ss -Htn state established '( sport = :22 )' 2>/dev/null || true"], { encoding: 'utf8' });
    if (established.trim() !== '') return;
    const dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-idle-'));
    const marker = path.join(dir, 'powered-off');
    const { files } = watcherInstall(dir, 1, { poweroff: `echo off > ${marker}`, runner: 'loop', loadMax: 1000 });
    for (const [file, text] of Object.entries(files)) writeFileSync(file.replace(`${dir}/.kamal-dev/idle`, dir), text);
    const check = (...args: string[]) => execFileSync('sh', [path.join(dir, 'check.sh'), ...args], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    check('--reset');
    check();
    expect(existsSync(marker)).toBe(false);
    execFileSync('sleep', ['1.2']);
    check();
    expect(readFileSync(marker, 'utf8')).toBe('off\n');
    expect(readFileSync(path.join(dir, 'log'), 'utf8')).toMatch(/idle for \d+ s: echo off/);
  });

  it('a load at or above the threshold is busy: with LOAD_MAX=0 the VM is never idle', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-idle-'));
    const marker = path.join(dir, 'powered-off');
    const { files } = watcherInstall(dir, 1, { poweroff: `echo off > ${marker}`, runner: 'loop', loadMax: 0 });
    for (const [file, text] of Object.entries(files)) writeFileSync(file.replace(`${dir}/.kamal-dev/idle`, dir), text);
    const check = (...args: string[]) => execFileSync('sh', [path.join(dir, 'check.sh'), ...args], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    check('--reset');
    execFileSync('sleep', ['1.2']);
    check();
    expect(existsSync(marker)).toBe(false);
  });
});
