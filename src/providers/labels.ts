/**
 * The labels kamal-dev puts on every VM it creates, so that the state can always be rebuilt from the provider
 * (docs/state.md#provider-labels). Providers check them against their own label rules.
 */
export const MANAGED_BY_LABEL = 'managedBy';
export const MANAGED_BY = 'kamal-dev';
export const SERVICE_LABEL = 'kamal-dev-service';
export const WORKSPACE_LABEL = 'kamal-dev-workspace';
/** Unique per create request: looked up after an unknown outcome, so that a create is never sent twice. */
export const REQUEST_LABEL = 'kamal-dev-request';

/** The labels every VM of the service carries (the filter of list calls). */
export function serviceLabels(service: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [SERVICE_LABEL]: service };
}

/** The labels of a new VM: its service, the workspace it was made for, and its create request. */
export function vmLabels(service: string, workspace: string, requestId: string): Record<string, string> {
  return { ...serviceLabels(service), [WORKSPACE_LABEL]: workspace, [REQUEST_LABEL]: requestId };
}

/** The look-up of the VM one create request made. */
export function requestLabels(service: string, requestId: string): Record<string, string> {
  return { ...serviceLabels(service), [REQUEST_LABEL]: requestId };
}
