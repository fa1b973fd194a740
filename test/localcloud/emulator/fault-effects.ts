import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNever } from '../../../src/lib/assert-never.js';
import type { Effect, ErrorAnswer } from './faults.js';
import { ApiError, RecordedReply, sendError, sendJson, type ReplySink } from './http-reply.js';

/** How a request ended when no reply was written. */
export type Unanswered = 'dropped' | 'hung';

type Route = (sink: ReplySink) => Promise<void>;

const INTERNAL = 'An internal error occurred.';

/** How an API writes its errors: the faults are the same for every emulated API, their answers its own. */
export interface ErrorDialect {
  sendError(res: ReplySink, status: number, code: string, message: string): void;
  /** A scripted `{status, code, message, ...}` answer. */
  sendAnswer(res: ReplySink, answer: ErrorAnswer): void;
  internalError(res: ReplySink): void;
  tooManyRequests(res: ReplySink): void;
}

/** UpCloud's: legacy bodies, problem+json on request, 429 with Retry-After. */
export const UPCLOUD_DIALECT: ErrorDialect = {
  sendError: (res, status, code, message) => sendError(res, status, code, message),
  sendAnswer(res, answer) {
    if (answer.retryAfter !== undefined) res.setHeader('Retry-After', String(answer.retryAfter));
    if (!answer.problem) return sendError(res, answer.status, answer.code, answer.message);
    const body = { type: `https://developers.upcloud.com/1.3/errors#ERROR_${answer.code}`, title: answer.message, status: answer.status };
    sendJson(res, answer.status, body, 'application/problem+json');
  },
  internalError: (res) => sendError(res, 500, 'INTERNAL_ERROR', INTERNAL),
  tooManyRequests(res) {
    res.setHeader('Retry-After', '1');
    sendError(res, 429, 'TOO_MANY_REQUESTS', 'Too many requests. Try again later.');
  },
};

/** Runs the route into a held-back reply; an API error becomes that reply too, as it would have been sent. */
async function routeHeld(route: Route, dialect: ErrorDialect): Promise<RecordedReply> {
  const held = new RecordedReply();
  try {
    await route(held);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    dialect.sendError(held, e.status, e.code, e.message);
  }
  return held;
}

/** The real status (200 if it had no body) with the body cut in half: no client can parse it. */
function sendMangled(res: ServerResponse, held: RecordedReply): void {
  const text = held.text === '' ? '{"server" : {' : held.text.slice(0, Math.floor(held.text.length / 2));
  const status = held.status >= 200 && held.status < 300 && held.status !== 204 ? held.status : 200;
  res.writeHead(status, { ...held.headers, 'Content-Length': Buffer.byteLength(text) }).end(text);
}

/** Serves one authenticated API request under the fault effect drawn or scripted for it. */
export async function applyEffect(
  effect: Effect,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  slowMs: number,
  dialect: ErrorDialect = UPCLOUD_DIALECT,
): Promise<Unanswered | void> {
  if (typeof effect === 'object') return void dialect.sendAnswer(res, effect);
  switch (effect) {
    case 'pass':
      return route(res);
    case 'slow':
      await sleep(slowMs);
      return route(res);
    case 'hang':
      return 'hung';
    case 'drop-before':
      req.socket.destroy();
      return 'dropped';
    case '500-before':
      return dialect.internalError(res);
    case '503-before':
      res.writeHead(503, { 'Content-Type': 'text/html' }).end('<html><body><h1>503 Service Unavailable</h1></body></html>\n');
      return;
    case '429':
      return dialect.tooManyRequests(res);
    case '500-after':
      await routeHeld(route, dialect);
      return dialect.internalError(res);
    case 'drop-after':
      await routeHeld(route, dialect);
      req.socket.destroy();
      return 'dropped';
    case 'mangle-after':
      return sendMangled(res, await routeHeld(route, dialect));
    default:
      return assertNever(effect, 'fault effect');
  }
}
