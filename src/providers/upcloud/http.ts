import { HttpTransport, type HttpOptions as TransportOptions } from '../http.js';

export { isTransientStatus, NO_RESPONSE, type ApiResponse, type Method } from '../http.js';

export interface HttpOptions extends Omit<TransportOptions, 'baseUrl' | 'label' | 'isTransient'> {
  /** `https://api.upcloud.com` or `.../1.3`, with or without a trailing slash. */
  apiUrl: string;
}

/** `https://host` or `https://host/1.3/` -> `https://host/1.3`. */
export function normaliseApiUrl(apiUrl: string): string {
  const trimmed = apiUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/1.3') ? trimmed : `${trimmed}/1.3`;
}

/** The shared transport (../http.ts) on UpCloud's base URL. */
export class UpcloudHttp extends HttpTransport {
  constructor({ apiUrl, ...options }: HttpOptions) {
    super({ ...options, baseUrl: normaliseApiUrl(apiUrl), label: 'UpCloud' });
  }
}
