/** Where kamal-dev looks for its configuration unless `-c` says otherwise (a module of its own: no parser loaded). */
export const DEFAULT_CONFIG_PATH = 'config/dev.yml';
