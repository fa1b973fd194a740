// One recording process of the state store benchmark: loads the built StateStore, says it is ready, then on
// each `go <file> <name>` line records one workspace and reports how long it waited for the lock.
import { createInterface } from 'node:readline';

const { StateStore } = await import(new URL('../../dist/state/store.js', import.meta.url).href);

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
send({ ready: true, pid: process.pid });

for await (const line of createInterface({ input: process.stdin })) {
  const { file, name } = JSON.parse(line);
  const store = new StateStore(file); // the defaults deploy uses (wait at most 10 s)
  const asked = performance.now();
  let locked = 0;
  try {
    await store.update((state) => {
      locked = performance.now();
      state.deployments[name] = { container_name: name, status: 'running', vm_id: `vm-${process.pid}`, request_id: `req-${process.pid}` };
    });
    const done = performance.now();
    send({ ok: true, name, wait_ms: locked - asked, held_ms: done - locked });
  } catch (error) {
    send({ ok: false, name, message: error.message });
  }
}
