import type { Emulator } from '../localcloud/emulator/emulator.js';

export interface Reply {
  status: number;
  contentType: string | null;
  text: string;
  json: any;
}

/** One authenticated API call against the emulator; `path` is relative to /1.3. */
export async function call(em: Emulator, method: string, path: string, body?: unknown, auth?: string): Promise<Reply> {
  const res = await fetch(`${em.apiUrl}${path}`, {
    method,
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      Authorization: auth ?? `Basic ${Buffer.from(`${em.username}:${em.password}`).toString('base64')}`,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), text, json };
}

export async function control(em: Emulator, method: string, name: string, body?: unknown): Promise<any> {
  const res = await fetch(`${em.url}/_localcloud/${name}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  return { status: res.status, ...((await res.json()) as object) };
}

/** Polls GET /server/{uuid} until the wanted state, failing after `timeoutMs`. */
export async function waitForState(em: Emulator, uuid: string, state: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(em, 'GET', `/server/${uuid}`);
    if (r.json?.server?.state === state) return;
    if (Date.now() > deadline) throw new Error(`server ${uuid} never reached ${state} (last: ${r.status} ${r.text.slice(0, 200)})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function createBody(overrides: Record<string, unknown> = {}): { server: Record<string, unknown> } {
  return {
    server: {
      zone: 'us-nyc1',
      title: 'ws-1',
      hostname: 'ws-1',
      plan: '1xCPU-2GB',
      metadata: 'yes',
      labels: { label: [{ key: 'kamal-dev-service', value: 'svc' }, { key: 'kamal-dev-workspace', value: 'ws-1' }] },
      storage_devices: { storage_device: [{ action: 'clone', storage: '01000000-0000-4000-8000-000030240200', title: 'ws-1-os' }] },
      login_user: { username: 'root', create_password: 'no', ssh_keys: { ssh_key: ['ssh-ed25519 AAAAC3Nza test@host'] } },
      password_delivery: 'none',
      ...overrides,
    },
  };
}
