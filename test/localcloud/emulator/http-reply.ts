import type { ServerResponse } from 'node:http';

export const LEGACY_JSON = 'application/json; charset=UTF-8';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** The classic API's formatting: keys sorted, 3-space indents and `" : "` between a key and its value. */
export function formatLegacy(body: unknown): string {
  const text = JSON.stringify(sortKeys(body), null, 3);
  return `${text.replace(/^(\s*"(?:[^"\\]|\\.)*"): /gm, '$1 : ')}\n`;
}

/** Where a reply is written: the real response, or a RecordedReply held back by a fault. */
export interface ReplySink {
  setHeader(name: string, value: string): unknown;
  writeHead(status: number, headers?: Record<string, string | number>): unknown;
  end(text?: string): unknown;
}

/** A reply written but not sent, so that a fault can lose or mangle it after the request took effect. */
export class RecordedReply implements ReplySink {
  status = 0;
  headers: Record<string, string | number> = {};
  text = '';
  setHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  writeHead(status: number, headers: Record<string, string | number> = {}): void {
    this.status = status;
    Object.assign(this.headers, headers);
  }
  end(text = ''): void {
    this.text = text;
  }
}

function legacyHeaders(res: ReplySink): void {
  res.setHeader('Server', 'Apache');
  res.setHeader('Strict-Transport-Security', 'max-age=63072000');
}

export function sendJson(res: ReplySink, status: number, body: unknown, contentType = LEGACY_JSON): void {
  const text = formatLegacy(body);
  legacyHeaders(res);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ReplySink, status: number, code: string, message: string, contentType?: string): void {
  sendJson(res, status, { error: { error_code: code, error_message: message } }, contentType);
}

/** 204: no body and no Content-Type, as recorded. */
export function sendNoContent(res: ReplySink): void {
  legacyHeaders(res);
  res.writeHead(204);
  res.end();
}

/** Compact JSON for the emulator's own control endpoints. */
export function sendControl(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** An error with an HTTP status and an UpCloud error code, thrown by handlers and sent in the legacy format. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
