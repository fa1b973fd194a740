/**
 * Where a workspace's image comes from. Only `pull` exists so far: a Dockerfile build and features are
 * refused by the schema until they are added here as cases of their own.
 */
export type ImageSource = { kind: 'pull'; ref: string };
