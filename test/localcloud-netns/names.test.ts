import { describe, expect, it } from 'vitest';
import { installScript } from '../localcloud/netns/install-server.js';
import { instanceNames, instanceOfName, vmNames } from '../localcloud/netns/names.js';

describe('netns backend names', () => {
  it('gives instance k its own /24 in 198.18.0.0/16, a bridge and a folder', () => {
    const names = instanceNames(16);
    expect(names).toMatchObject({ bridge: 'kdl016br', bridgeIp: '198.18.16.1', subnet: '198.18.16.0/24', dir: '/run/kamal-dev-localcloud/i016', claimFile: '/run/kamal-dev-localcloud/i016.claim' });
    expect(vmNames(names, 254)).toEqual({ ip: '198.18.16.254', netns: 'kdl016-254', veth: 'kdl016v254', dir: '/run/kamal-dev-localcloud/i016/vm254' });
  });

  it('keeps interface names within the kernel limit of 15 characters', () => {
    const names = instanceNames(255);
    expect(names.bridge.length).toBeLessThanOrEqual(15);
    expect(vmNames(names, 254).veth.length).toBeLessThanOrEqual(15);
  });

  it('refuses numbers outside the ranges', () => {
    expect(() => instanceNames(256)).toThrow('instance number out of range: 256');
    expect(() => vmNames(instanceNames(16), 1)).toThrow('host number out of range: 1');
    expect(() => vmNames(instanceNames(16), 255)).toThrow('host number out of range: 255');
  });

  it('tells the instance of its own names only', () => {
    expect(instanceOfName('kdl016br')).toBe(16);
    expect(instanceOfName('kdl016v12')).toBe(16);
    expect(instanceOfName('kdl200-3')).toBe(200);
    expect(instanceOfName('kdl16br')).toBeUndefined();
    expect(instanceOfName('docker0')).toBeUndefined();
    expect(instanceOfName('kdl016brx')).toBeUndefined();
  });

  it('serves an install script that asks the backend, then checks the engine answers', () => {
    const script = installScript('http://198.18.16.1:8080');
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain('curl -fsS -X POST http://198.18.16.1:8080/install-docker\n');
    expect(script).toContain('docker version');
  });
});
