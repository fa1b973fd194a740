import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { CORRUPT_STATES } from '../state/corrupt-files.js';

/** An example state in the gem's format (docs/state.md#the-state-file), comments included. */
const GEM_STATE = `deployments:
  myapp-dev-1:
    vm_id: "00abc123-def4-5678-90ab-cdef12345678"
    vm_ip: "1.2.3.4"
    container_name: "myapp-dev-1"
    status: running          # provisioning | provisioned | running | stopped | failed | missing
    deployed_at: "2025-11-16T14:30:00Z"
    # extras: provider, zone, plan, request_id, host_key (pinned), ports, error
`;

const GEM_ENTRY = {
  vm_id: '00abc123-def4-5678-90ab-cdef12345678',
  vm_ip: '1.2.3.4',
  container_name: 'myapp-dev-1',
  status: 'running',
  deployed_at: '2025-11-16T14:30:00Z',
};

let root: string;
let file: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'kamal-dev-list-'));
  file = path.join(root, '.kamal', 'dev_state.yml');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function writeState(text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const list = (...args: string[]) => runCli(['list', ...args], { cwd: root });

describe('list on the gem example state', () => {
  beforeEach(() => writeState(GEM_STATE));

  it('prints the table by default', async () => {
    const result = await list();
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('NAME         IP       VM       STATUS   DEPLOYED AT\nmyapp-dev-1  1.2.3.4  started  running  2025-11-16T14:30:00Z\n');
  });

  it('prints JSON keyed by workspace name', async () => {
    const result = await list('--format', 'json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ 'myapp-dev-1': GEM_ENTRY });
  });

  it('prints YAML keyed by workspace name, in the state file style', async () => {
    const result = await list('--format', 'yaml');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`myapp-dev-1:
  vm_id: "00abc123-def4-5678-90ab-cdef12345678"
  vm_ip: "1.2.3.4"
  container_name: "myapp-dev-1"
  status: running
  deployed_at: "2025-11-16T14:30:00Z"
`);
  });

  it('works without config/dev.yml, and with an invalid one', async () => {
    expect((await runCli(['-c', 'nowhere.yml', 'list'], { cwd: root })).code).toBe(0);
    mkdirSync(path.join(root, 'config'));
    writeFileSync(path.join(root, 'config', 'dev.yml'), 'service: [\n');
    const result = await list('--format', 'json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ 'myapp-dev-1': GEM_ENTRY });
  });
});

describe('list with several workspaces', () => {
  it('shows a dash for what is not known yet, in the order of the file', async () => {
    writeState(`deployments:
  web-2:
    vm_id: null
    container_name: "web-2"
    status: provisioning
    request_id: "5c1d"
  web-10:
    vm_id: "00aa"
    vm_ip: "198.18.0.10"
    container_name: "web-10"
    status: failed
    deployed_at: "2026-01-02T03:04:05Z"
    error: "docker pull failed"
`);
    const table = await list();
    expect(table.stdout).toBe(
      ['NAME    IP           VM       STATUS        DEPLOYED AT', 'web-2   -            -        provisioning  -', 'web-10  198.18.0.10  started  failed        2026-01-02T03:04:05Z', ''].join('\n'),
    );
    const json = JSON.parse((await list('--format', 'json')).stdout) as Record<string, Record<string, unknown>>;
    expect(Object.keys(json)).toEqual(['web-2', 'web-10']);
    expect(json['web-2']).toEqual({ vm_id: null, container_name: 'web-2', status: 'provisioning', request_id: '5c1d' });
    expect(json['web-10']?.error).toBe('docker pull failed');
  });
});

describe('list with no deployments', () => {
  it('no state file: "No deployments found", exit 0, {} for json and yaml, nothing created', async () => {
    expect(await list()).toEqual({ code: 0, signal: null, stdout: '', stderr: 'No deployments found\n' });
    expect(await list('--format', 'json')).toEqual({ code: 0, signal: null, stdout: '{}\n', stderr: 'No deployments found\n' });
    expect(await list('--format', 'yaml')).toEqual({ code: 0, signal: null, stdout: '{}\n', stderr: 'No deployments found\n' });
    expect(existsSync(path.join(root, '.kamal'))).toBe(false);
  });

  it.each([
    ['an empty deployments mapping', 'deployments: {}\n'],
    ['deployments: null', 'deployments:\n'],
  ])('%s: the same', async (_, text) => {
    writeState(text);
    expect(await list('--format', 'json')).toEqual({ code: 0, signal: null, stdout: '{}\n', stderr: 'No deployments found\n' });
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('list with bad input', () => {
  it('rejects an unknown format with exit 2', async () => {
    const result = await list('--format', 'xml');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("ERROR: option '--format <format>' argument 'xml' is invalid. Allowed choices are table, json, yaml.");
    expect(result.stdout).toBe('');
  });

  it.each(CORRUPT_STATES)('leaves a state file with $what byte for byte unchanged: exit 1 naming the file and the problem', async ({ text, problem }) => {
    writeState(text);
    // the state is read before any formatting: every format fails alike (all three checked on the first file)
    for (const format of text === CORRUPT_STATES[0]?.text ? ['table', 'json', 'yaml'] : ['table']) {
      const result = await list('--format', format);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const [message, hint] = result.stderr.split('\n');
      expect(message).toMatch(new RegExp(`^ERROR: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+:\\d+)?: .*${problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(hint).toContain('kamal-dev list --rebuild');
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });
});
