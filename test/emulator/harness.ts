import { afterEach, beforeEach, expect } from 'vitest';
import type { VmBackend } from '../localcloud/backend.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { createNoneBackend } from '../localcloud/none-backend.js';
import { call, createBody } from './client.js';

/** The none backend, with every call it receives written down. */
export function recordingBackend(calls: string[]): VmBackend {
  const inner = createNoneBackend();
  return {
    name: 'none',
    allocate: async (s) => {
      calls.push(`allocate ${s.uuid} ${s.hostname} docker=${s.options.docker} ssh=${s.options.ssh} keys=${s.sshKeys.length}`);
      return inner.allocate(s);
    },
    start: async (uuid) => void calls.push(`start ${uuid}`),
    stop: async (uuid) => void calls.push(`stop ${uuid}`),
    destroy: async (uuid) => void calls.push(`destroy ${uuid}`),
    close: async () => void calls.push('close'),
  };
}

/** Per test: an emulator (boot delay 50 ms) over a backend that writes down its calls. */
export interface Harness {
  readonly em: Emulator;
  readonly calls: string[];
  /** Creates a server from createBody(overrides) and expects 202. */
  create(overrides?: Record<string, unknown>): Promise<string>;
}

export function useEmulator(): Harness {
  let em: Emulator;
  let calls: string[];
  beforeEach(async () => {
    calls = [];
    em = await startEmulator({ bootDelayMs: 50, backend: recordingBackend(calls) });
  });
  afterEach(async () => {
    await em.close();
  });
  return {
    get em() {
      return em;
    },
    get calls() {
      return calls;
    },
    create: (overrides = {}) => create(em, overrides),
  };
}

async function create(em: Emulator, overrides: Record<string, unknown>): Promise<string> {
  const r = await call(em, 'POST', '/server', createBody(overrides));
  expect(r.status, r.text).toBe(202);
  return r.json.server.uuid as string;
}

