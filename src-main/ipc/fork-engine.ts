// Browser mode's engine process: child_process.fork of the compiled engine-process entry (resources.ts says
// where), with the engine's environment (DIGIT_LAB_HOME, DIGIT_LAB_BACKEND ...) passed through plus where the
// data and the shipped models are (engineEnv).
import { fork } from 'node:child_process';
import { engineEnv, resolveResources } from '../resources.js';
import { engineChild } from './engine-child.js';
import type { EngineChild } from './relay.js';

export function forkEngine(entry?: string, env?: NodeJS.ProcessEnv): EngineChild {
  if (!entry || !env) {
    const paths = resolveResources();
    entry ??= paths.engineProcess;
    env ??= engineEnv(paths);
  }
  const child = fork(entry, [], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  return engineChild({
    send: (m) => {
      if (child.connected) child.send(m as object);
    },
    onMessage: (l) => child.on('message', l),
    onExit: (done) => {
      child.on('exit', (code, signal) => done(signal ? `killed by ${signal}` : `exit code ${code}`));
      child.on('error', (err) => done(err.message));
    },
    kill: () => child.kill('SIGKILL'),
  });
}
