import { ProviderError } from '../../lib/errors.js';
import { sleep } from '../../lib/sleep.js';
import type { UpcloudApi } from './api.js';
import { toAppError } from './api-error.js';
import { vmState } from './server-mapping.js';

const RESEND_AFTER_POLLS = 12;

/**
 * Brings a server to `stopped` (hard stop) or `started`, reading its state before every request so a repeat
 * after a lost answer is harmless: a 409 (state changed meanwhile, or maintenance) just means read again.
 * Resolves 'gone' when the server does not exist (404 at any point). `untilAccepted`: resolves as soon as the
 * request is accepted, for callers that wait for many servers at once.
 */
export async function driveServer(
  api: UpcloudApi,
  id: string,
  target: 'stopped' | 'started',
  options: { intervalMs: number; deadline: number; signal: AbortSignal | undefined; untilAccepted?: boolean },
): Promise<'done' | 'gone'> {
  const path = `/server/${encodeURIComponent(id)}/${target === 'stopped' ? 'stop' : 'start'}`;
  const body = target === 'stopped' ? { stop_server: { stop_type: 'hard', timeout: '60' } } : { server: {} };
  const from = target === 'stopped' ? 'started' : 'stopped';
  // An accepted request is sent again only if the server still has not moved after a while (a lost stop).
  let acceptedAt = -Infinity;
  for (;;) {
    const server = await api.getServer(id, options.signal);
    if (server === undefined) return 'gone';
    const state = vmState(server.state);
    if (state === target) return 'done';
    if (state === from && Date.now() - acceptedAt > options.intervalMs * RESEND_AFTER_POLLS) {
      const response = await api.action('POST', path, body, options.signal);
      if (response.status === 404) return 'gone';
      const accepted = response.status >= 200 && response.status < 300;
      if (!accepted && response.status !== 409) throw toAppError(response, `${target === 'stopped' ? 'stop' : 'start'} server ${id}`);
      if (accepted) acceptedAt = Date.now();
      if (accepted && options.untilAccepted) return 'done';
      if (accepted && target === 'started') continue;
    }
    if (Date.now() > options.deadline) {
      throw new ProviderError(`UpCloud: server ${id} did not reach ${target} before the deadline (state ${server.state})`);
    }
    await sleep(options.intervalMs, options.signal);
  }
}
