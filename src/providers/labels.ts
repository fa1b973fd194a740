/**
 * The labels kamal-dev puts on every VM it creates, so that the state can always be rebuilt from the provider
 * (docs/state.md#provider-labels). Providers check them against their own label rules.
 */
export const MANAGED_BY_LABEL = 'managedBy';
export const MANAGED_BY = 'kamal-dev';
export const SERVICE_LABEL = 'kamal-dev-service';
export const WORKSPACE_LABEL = 'kamal-dev-workspace';
/** Only on VMs of a destination (`-d NAME`): a VM without it belongs to no destination. */
export const DESTINATION_LABEL = 'kamal-dev-destination';
/** Unique per create request: looked up after an unknown outcome, so that a create is never sent twice. */
export const REQUEST_LABEL = 'kamal-dev-request';

/** Whose VMs a command sees: one service, of one destination or (undefined) of none. */
export interface ServiceScope {
  service: string;
  destination: string | undefined;
}

/**
 * The labels every VM of the service carries (the filter of list calls); with a destination, its label too.
 * Without one, see inScope.
 */
export function serviceLabels(service: string, destination?: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [SERVICE_LABEL]: service, ...(destination === undefined ? {} : { [DESTINATION_LABEL]: destination }) };
}

/**
 * Whether a VM listed by serviceLabels belongs to the destination (undefined: none): label filters match what
 * a VM has, never what it lacks, so without a destination the VMs of every destination are listed too and
 * dropped here.
 */
export function inScope(labels: Readonly<Record<string, string>>, destination: string | undefined): boolean {
  return labels[DESTINATION_LABEL] === destination;
}

/** The labels of a new VM: its service (and destination), the workspace it was made for, and its create request. */
export function vmLabels(service: string, workspace: string, requestId: string, destination?: string): Record<string, string> {
  return { ...serviceLabels(service, destination), [WORKSPACE_LABEL]: workspace, [REQUEST_LABEL]: requestId };
}

/** The look-up of the VM one create request made. */
export function requestLabels(service: string, requestId: string, destination?: string): Record<string, string> {
  return { ...serviceLabels(service, destination), [REQUEST_LABEL]: requestId };
}
