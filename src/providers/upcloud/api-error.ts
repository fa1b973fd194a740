import { type AppError, AuthError, ProviderError } from '../../lib/errors.js';
import type { ApiResponse } from './http.js';
import { jsonOrUndefined, unreadableError, type ApiErrorInfo } from '../http.js';
import { LegacyErrorBody, ProblemBody } from './schemas.js';

const QUOTA_CODE = /_LIMIT_REACHED$/;

/** Reads either error format, choosing the parser from the Content-Type like the official SDK, then trying the other. */
export function parseApiError(response: ApiResponse): ApiErrorInfo {
  const json = jsonOrUndefined(response.text);
  const legacy = LegacyErrorBody.safeParse(json);
  const problem = ProblemBody.safeParse(json);
  const preferProblem = response.contentType.includes('application/problem+json');
  if (problem.success && (preferProblem || !legacy.success)) {
    const fragment = problem.data.type.split('#')[1] ?? problem.data.type;
    return { status: response.status, code: fragment.replace(/^ERROR_/, ''), message: problem.data.title };
  }
  if (legacy.success) {
    return { status: response.status, code: legacy.data.error.error_code, message: legacy.data.error.error_message };
  }
  return unreadableError(response);
}

/** Maps a non-2xx answer to the project's errors, with a hint saying what to do where there is one. */
export function toAppError(response: ApiResponse, action: string): AppError {
  const info = parseApiError(response);
  const label = `${info.status}${info.code ? ` ${info.code}` : ''}`;
  const details = { status: info.status, ...(info.code ? { code: info.code } : {}) };
  if (info.status === 401) {
    return new AuthError(`UpCloud rejected the credentials (${label}): ${info.message}`, {
      hint: 'check UPCLOUD_TOKEN, or UPCLOUD_USERNAME/UPCLOUD_PASSWORD, and that the API user has API access enabled in the UpCloud control panel',
    });
  }
  if (info.status === 402 || info.code === 'INSUFFICIENT_CREDITS') {
    return new ProviderError(`UpCloud: not enough credit to ${action} (${label}): ${info.message}`, {
      ...details,
      hint: 'add credit to the UpCloud account (control panel, Billing), then run the command again',
    });
  }
  if (info.code !== undefined && QUOTA_CODE.test(info.code)) {
    return new ProviderError(`UpCloud: account limit reached, cannot ${action} (${label}): ${info.message}`, {
      ...details,
      hint: 'remove servers you no longer need (kamal-dev list, kamal-dev remove) or ask UpCloud support to raise the account limits',
    });
  }
  if (info.code === 'SERVER_RESOURCES_UNAVAILABLE') {
    return new ProviderError(`UpCloud: the zone has no capacity to ${action} (${label}): ${info.message}`, {
      ...details,
      hint: 'try again later, or choose another provider.zone or provider.plan in config/dev.yml',
    });
  }
  if (info.code === 'TRIAL_PLAN') {
    return new ProviderError(`UpCloud: the trial account cannot ${action} with this plan (${label}): ${info.message}`, {
      ...details,
      hint: 'choose a plan allowed for trial accounts in provider.plan, or upgrade the UpCloud account',
    });
  }
  return new ProviderError(`UpCloud: cannot ${action} (${label}): ${info.message}`, details);
}
