import { findPlan, findTemplate, findZone } from './catalog.js';
import { ApiError } from './http-reply.js';
import type { Label } from './rules.js';

export interface StorageSpec {
  template: string;
  title: string;
  size: number;
  tier: string;
  templateLabels: Label[];
  partOfPlan: boolean;
}

export interface CreateSpec {
  zone: string;
  title: string;
  hostname: string;
  plan: string;
  coreNumber: number;
  memoryAmount: number;
  metadata: 'yes' | 'no';
  remoteAccessEnabled: 'yes' | 'no';
  labels: Label[];
  storages: StorageSpec[];
  sshKeys: string[];
  /** user_data as sent (cloud-config for the netns backend). */
  userData?: string;
}

type Obj = Record<string, unknown>;
const HOSTNAME = /^(?=.{1,128}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const LABEL_KEY = /^[\x21-\x7e]{2,32}$/;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(code: string, message: string, status = 400): never {
  throw new ApiError(status, code, message);
}

export function yesNo(value: unknown, fallback: 'yes' | 'no', code: string, what: string): 'yes' | 'no' {
  if (value === undefined) return fallback;
  if (value === 'yes' || value === 'no') return value;
  return bad(code, `The ${what} must be "yes" or "no".`);
}

function wrappedList(value: unknown, inner: string): unknown[] | undefined {
  if (value === undefined) return undefined;
  return isObj(value) && Array.isArray(value[inner]) ? value[inner] : undefined;
}

export function parseLabels(value: unknown): Label[] {
  if (value === undefined) return [];
  const list = wrappedList(value, 'label');
  if (!list) return bad('INVALID_LABEL_KEY', 'Labels must be given as {"label":[{"key":..,"value":..}]}.');
  const seen = new Set<string>();
  return list.map((item) => {
    const key = isObj(item) ? item.key : undefined;
    const value = isObj(item) ? item.value : undefined;
    if (typeof key !== 'string' || !LABEL_KEY.test(key) || key.startsWith('_')) {
      bad('INVALID_LABEL_KEY', `The label key ${JSON.stringify(key)} is invalid.`);
    }
    if (typeof value !== 'string' || value.length > 255) bad('INVALID_LABEL_VALUE', `The value of label ${key} is invalid.`);
    if (seen.has(key)) bad('DUPLICATE_LABEL_KEYS', `The label key ${key} is given more than once.`);
    seen.add(key);
    return { key, value };
  });
}

function toInt(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) ? n : undefined;
}

function parseStorage(item: unknown, planStorage: { size: number; tier: string } | undefined): StorageSpec {
  if (!isObj(item)) return bad('STORAGE_DEVICE_INVALID', 'A storage device must be an object.');
  if (item.action !== 'clone') return bad('ACTION_INVALID', 'The emulator supports only the "clone" storage action.');
  if (typeof item.storage !== 'string') return bad('STORAGE_MISSING', 'The storage to clone is missing.');
  const template = findTemplate(item.storage);
  if (!template) return bad('STORAGE_NOT_FOUND', `The storage ${item.storage} does not exist.`, 404);
  const tier = item.tier ?? planStorage?.tier ?? 'maxiops';
  if (tier !== 'maxiops' && tier !== 'standard' && tier !== 'hdd') return bad('TIER_INVALID', 'The storage tier is invalid.');
  const size = item.size === undefined ? (planStorage?.size ?? template.size) : toInt(item.size);
  if (size === undefined || size < template.size || size > 4096) {
    return bad('SIZE_INVALID', `The storage size must be between ${template.size} and 4096 GiB.`);
  }
  const title = typeof item.title === 'string' ? item.title : `${template.title} disk`;
  const partOfPlan = planStorage !== undefined && size === planStorage.size && tier === planStorage.tier;
  const templateLabels = [...template.labels, { key: '_template_uuid', value: template.uuid }];
  return { template: template.uuid, title, size, tier, templateLabels, partOfPlan };
}

/** Validates a `POST /server` body the way the API does, first failure wins. */
export function parseCreateRequest(body: unknown): CreateSpec {
  const server = isObj(body) ? body.server : undefined;
  if (!isObj(server)) return bad('REQUEST_INVALID', 'The request body must be {"server":{...}}.');
  const { zone, title, hostname } = server;
  if (zone === undefined || zone === '') return bad('ZONE_MISSING', 'The zone is missing.');
  if (typeof zone !== 'string' || !findZone(zone)) return bad('ZONE_INVALID', `The zone ${String(zone)} is invalid.`);
  if (title === undefined || title === '') return bad('SERVER_TITLE_MISSING', 'The server title is missing.');
  if (typeof title !== 'string' || title.length > 255) return bad('SERVER_TITLE_INVALID', 'The server title is invalid.');
  if (hostname === undefined || hostname === '') return bad('HOSTNAME_MISSING', 'The hostname is missing.');
  if (typeof hostname !== 'string' || !HOSTNAME.test(hostname)) return bad('HOSTNAME_INVALID', 'The hostname is invalid.');

  const planName = server.plan ?? 'custom';
  let coreNumber = 1;
  let memoryAmount = 1024;
  let planStorage: { size: number; tier: string } | undefined;
  if (planName === 'custom') {
    coreNumber = server.core_number === undefined ? 1 : (toInt(server.core_number) ?? bad('CORE_NUMBER_INVALID', 'The core number is invalid.'));
    memoryAmount = server.memory_amount === undefined ? 1024 : (toInt(server.memory_amount) ?? bad('MEMORY_AMOUNT_INVALID', 'The memory amount is invalid.'));
  } else {
    const plan = typeof planName === 'string' ? findPlan(planName) : undefined;
    if (!plan) return bad('PLAN_INVALID', `The plan ${String(planName)} does not exist.`);
    ({ core_number: coreNumber, memory_amount: memoryAmount } = plan);
    planStorage = { size: plan.storage_size, tier: plan.storage_tier };
  }

  const devices = wrappedList(server.storage_devices, 'storage_device');
  if (!devices || devices.length === 0) return bad('STORAGE_DEVICES_MISSING', 'The storage devices are missing.');
  const storages = devices.map((d, i) => parseStorage(d, i === 0 ? planStorage : undefined));

  const metadata = yesNo(server.metadata, 'no', 'METADATA_INVALID', 'metadata');
  const cloudInit = storages.find((s) => findTemplate(s.template)?.template_type === 'cloud-init');
  if (cloudInit && metadata !== 'yes') {
    return bad('METADATA_DISABLED_ON_CLOUD-INIT', `The template ${cloudInit.template} needs the metadata service: set "metadata":"yes".`);
  }
  const remoteAccessEnabled = yesNo(server.remote_access_enabled, 'no', 'VNC_INVALID', 'remote_access_enabled');
  const labels = parseLabels(server.labels);

  const pd = server.password_delivery;
  if (pd !== undefined && pd !== 'none' && pd !== 'email' && pd !== 'sms') {
    return bad('PASSWORD_DELIVERY_INVALID', 'The password delivery must be none, email or sms.');
  }
  if (server.user_data !== undefined && typeof server.user_data !== 'string') return bad('USER_DATA_INVALID', 'The user data must be a string.');
  const login = server.login_user;
  if (login !== undefined && !isObj(login)) return bad('REQUEST_INVALID', 'login_user must be an object.');
  if (login) yesNo(login.create_password, 'no', 'CREATE_PASSWORD_INVALID', 'create_password');
  const keys = login?.ssh_keys === undefined ? [] : wrappedList(login.ssh_keys, 'ssh_key');
  if (!keys || !keys.every((k) => typeof k === 'string')) return bad('REQUEST_INVALID', 'ssh_keys must be {"ssh_key":["..."]}.');

  return {
    zone, title, hostname, plan: planName as string, coreNumber, memoryAmount, metadata, remoteAccessEnabled, labels, storages,
    sshKeys: keys as string[],
    ...(typeof server.user_data === 'string' ? { userData: server.user_data } : {}),
  };
}
