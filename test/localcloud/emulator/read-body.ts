import type { IncomingMessage } from 'node:http';
import { ApiError } from './http-reply.js';

const LIMIT = 1024 * 1024;

const read = new WeakMap<IncomingMessage, Promise<string>>();

/** The request body as text; read once, so the request log and a route can both have it. */
export function readBody(req: IncomingMessage): Promise<string> {
  let text = read.get(req);
  if (text === undefined) {
    text = readAll(req);
    read.set(req, text);
  }
  return text;
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > LIMIT) throw new ApiError(413, 'REQUEST_INVALID', 'The request body is too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An empty body reads as `{}`; anything else must be JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'REQUEST_INVALID', 'The request body is not valid JSON.');
  }
}
