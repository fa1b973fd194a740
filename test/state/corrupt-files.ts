/** State files that are not kamal-dev states, with what the error must say about each. */
export const CORRUPT_STATES: ReadonlyArray<{ what: string; text: string; problem: string }> = [
  { what: 'not YAML', text: 'deployments:\n  myapp-dev-1: [\n    vm_id: "x"\n', problem: 'not valid YAML' },
  { what: 'a duplicated workspace', text: 'deployments:\n  myapp-dev-1:\n    container_name: "a"\n    status: running\n  myapp-dev-1:\n    container_name: "b"\n    status: running\n', problem: 'not valid YAML' },
  { what: 'a list at the top', text: '- myapp-dev-1\n- myapp-dev-2\n', problem: 'not a kamal-dev state file' },
  { what: 'deployments as a list', text: 'deployments:\n  - myapp-dev-1\n', problem: 'deployments' },
  { what: 'an entry without container_name', text: 'deployments:\n  myapp-dev-1:\n    vm_id: "x"\n    status: running\n', problem: 'deployments.myapp-dev-1.container_name' },
  { what: 'an unknown status', text: 'deployments:\n  myapp-dev-1:\n    container_name: "myapp-dev-1"\n    status: exploded\n', problem: 'deployments.myapp-dev-1.status' },
];
