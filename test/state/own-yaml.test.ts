import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseOwnYaml } from '../../src/state/own-yaml.js';
import { stringifyYaml } from '../../src/state/serialize.js';

/** Deterministic pseudo-random numbers (mulberry32), so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'Z', '0', '7', ' ', ':', '#', '"', "'", '\\', '\n', '\t', '\r', '\x00', '\x07', '\x1b', '\x7f', '\x85', '\xa0', '\u2028', 'é', '😀', '{', '}', '[', '-', '.', '~', 'null', 'true', 'yes', '1e3', '0x1F'];

function randomValue(next: () => number, depth: number): unknown {
  const pick = next();
  if (pick < 0.35) return Array.from({ length: Math.floor(next() * 6) }, () => PIECES[Math.floor(next() * PIECES.length)]).join('');
  if (pick < 0.45) return Math.floor((next() - 0.5) * 1e6);
  if (pick < 0.5) return null;
  if (pick < 0.55) return next() < 0.5;
  if (pick < 0.6) return ['running', 'stopped', 'failed'][Math.floor(next() * 3)];
  if (pick < 0.63) return next() * 10;
  if (pick < 0.66) return [1, 'a'];
  if (depth > 2) return 'leaf';
  return randomMapping(next, depth + 1);
}

function randomMapping(next: () => number, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Math.floor(next() * 5);
  for (let i = 0; i < keys; i += 1) {
    const key = next() < 0.6 ? `key_${i}` : (randomValue(next, 9) as string | number | null | boolean);
    out[String(key)] = randomValue(next, depth);
  }
  return out;
}

describe("the reader of kamal-dev's own YAML", () => {
  it('reads what serialize.ts writes exactly as yaml does, for 1000 random states', () => {
    let read = 0;
    for (let seed = 1; seed <= 1000; seed += 1) {
      const text = stringifyYaml({ deployments: randomMapping(random(seed), 0) });
      const own = parseOwnYaml(text);
      if (own === undefined) continue;
      read += 1;
      expect(own, `seed ${seed}:\n${text}`).toEqual(parse(text) ?? {});
    }
    expect(read).toBeGreaterThan(250); // most are within the form it reads
  });

  it('reads a real state file, and leaves to yaml what it does not know', () => {
    const text = stringifyYaml({
      deployments: {
        'myapp-dev-1': { vm_id: '00ab', vm_ip: null, container_name: 'myapp-dev-1', status: 'running', ports: { '3000': 3000 }, deployed_at: '2026-11-22T12:00:00.000Z' },
      },
    });
    expect(parseOwnYaml(text)).toEqual(parse(text));
    for (const other of [
      'deployments: # a comment\n',
      'deployments:\n  a:\n    status: running # done\n',
      'deployments:\n  a: &x\n    status: running\n  b: *x\n',
      'deployments:\n\ta: 1\n',
      'deployments:\r\n  a: 1\r\n',
      'deployments:\n  a: 1\n  a: 2\n',
      'deployments:\n  - a\n',
      'deployments:\n  a: [1]\n',
      'deployments:\n  a: ~\n',
      'deployments:\n  a: 0x1F\n',
      'deployments:\n  a: 1.5\n',
      'deployments:\n  a: -0\n',
      'deployments:\n  a: 007\n',
      'deployments:\n  a: "open\n',
      'deployments:\n  a: "a\\\n  b"\n',
      'deployments:\n  a: "\\q"\n',
      'deployments:\n   a: 1\n',
      '---\ndeployments: {}\n',
      'deployments:\n  1e3: x\n',
      'deployments:\n  true: x\n',
      'deployments:\n  a: x y\n',
      'deployments:\n  a: \n',
      'deployments:\n  __proto__: x\n',
    ]) {
      expect(parseOwnYaml(other), JSON.stringify(other)).toBeUndefined();
    }
  });

  it('a key without a value is null, as in yaml; an empty file is an empty mapping', () => {
    expect(parseOwnYaml('deployments:\n')).toEqual({ deployments: null });
    expect(parseOwnYaml('a:\nb: 1\n')).toEqual(parse('a:\nb: 1\n'));
    expect(parseOwnYaml('')).toEqual({});
  });

  it('names of Object.prototype are plain keys and words, as in yaml', () => {
    const text = 'constructor: toString\nhasOwnProperty: valueOf\nx:\n  isPrototypeOf: constructor\n';
    expect(parseOwnYaml(text)).toEqual(parse(text));
    expect(parseOwnYaml(text)).toEqual({ constructor: 'toString', hasOwnProperty: 'valueOf', x: { isPrototypeOf: 'constructor' } });
    // read by this reader itself (no other key sends it to yaml): the word, not Object.prototype.constructor
    expect(parseOwnYaml('a: constructor\nb: toString\n')).toEqual({ a: 'constructor', b: 'toString' });
  });
});
