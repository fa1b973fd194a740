import { z } from 'zod';
import type { Argv } from '../lib/argv.js';

/** The engine's registry settings (insecure-registries among them) as one JSON line. */
export const dockerRegistryConfig: Argv = ['docker', 'info', '--format', '{{json .RegistryConfig}}'];

const RegistryConfig = z.looseObject({
  InsecureRegistryCIDRs: z.array(z.string()).nullish(),
  IndexConfigs: z.record(z.string(), z.looseObject({ Secure: z.boolean().optional() })).nullish(),
});

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inCidr(ip: number, cidr: string): boolean {
  const [network, bits] = cidr.split('/');
  const base = ipv4(network ?? '');
  const size = Number(bits);
  if (base === undefined || !Number.isInteger(size) || size < 0 || size > 32) return false;
  const block = 2 ** (32 - size);
  return Math.floor(ip / block) === Math.floor(base / block);
}

/**
 * Whether the engine whose dockerRegistryConfig printed `stdout` speaks plain HTTP to `host` (`host:port`): it is
 * one of its insecure-registries, by name or, for an IPv4 address, by one of their CIDRs, as dockerd decides.
 */
export function engineAllowsHttp(stdout: string, host: string): boolean {
  const config = RegistryConfig.parse(JSON.parse(stdout.trim()));
  if (config.IndexConfigs?.[host]?.Secure === false) return true;
  const ip = ipv4(host.replace(/:\d+$/, ''));
  return ip !== undefined && (config.InsecureRegistryCIDRs ?? []).some((cidr) => inCidr(ip, cidr));
}
