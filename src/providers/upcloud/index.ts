export { UpcloudProvider, type UpcloudProviderOptions } from './upcloud-provider.js';
export { normaliseApiUrl, type RequestEvent } from './http.js';
export { HOURS_PER_MONTH } from './cost.js';
export { REQUEST_LABEL, hostnameFor } from './server-mapping.js';
