/** Container labels by which kamal-dev finds and compares its containers (docs/state.md#container-labels). */
export const SERVICE_LABEL = 'kamal-dev.service';
export const WORKSPACE_LABEL = 'kamal-dev.workspace';
/** sha256 of the generated `docker run` (without this label and without secret values). */
export const SPEC_HASH_LABEL = 'kamal-dev.spec-hash';
