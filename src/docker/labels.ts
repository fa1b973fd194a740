/** Container labels by which kamal-dev finds and compares its containers (docs/state.md#container-labels). */
export const SERVICE_LABEL = 'kamal-dev.service';
export const WORKSPACE_LABEL = 'kamal-dev.workspace';
/** Only on containers of a destination (`-d NAME`). */
export const DESTINATION_LABEL = 'kamal-dev.destination';
/** sha256 of the generated `docker run` (without this label and without secret values). */
export const SPEC_HASH_LABEL = 'kamal-dev.spec-hash';

/** The labels naming a container's service and destination: the `docker ps` filter, and part of every container's. */
export function serviceContainerLabels(service: string, destination: string | undefined): Record<string, string> {
  return { [SERVICE_LABEL]: service, ...(destination === undefined ? {} : { [DESTINATION_LABEL]: destination }) };
}

/** A filter matches labels a container has, not ones it lacks: without a destination, those of one are dropped here. */
export function containerInScope(labels: Readonly<Record<string, string>>, destination: string | undefined): boolean {
  return labels[DESTINATION_LABEL] === destination;
}
