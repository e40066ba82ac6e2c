// Browser mode's engine process: child_process.fork of the compiled engine-process entry, with the engine's
// environment (DIGIT_LAB_HOME, DIGIT_LAB_BACKEND, DIGIT_LAB_DATA ...) passed through.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EngineChild } from './relay.js';

/** dist/src-main/engine-process/main.js, next to this file once compiled. */
export const ENGINE_ENTRY = fileURLToPath(new URL('../engine-process/main.js', import.meta.url));

export function forkEngine(entry: string = ENGINE_ENTRY, env: NodeJS.ProcessEnv = process.env): EngineChild {
  const child = fork(entry, [], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  let exited = false;
  const exitListeners: ((reason: string) => void)[] = [];
  const done = (reason: string) => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners) l(reason);
  };
  child.on('exit', (code, signal) => done(signal ? `killed by ${signal}` : `exit code ${code}`));
  child.on('error', (err) => done(err.message));
  return {
    send: (m) => {
      if (child.connected) child.send(m as object);
    },
    onMessage: (l) => child.on('message', l),
    onExit: (l) => exitListeners.push(l),
    kill: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
}
