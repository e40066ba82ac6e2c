// The Electron app's engine process: utilityProcess.fork of the engine-process entry that electron-vite bundles
// beside main (?modulePath). The engine's environment (DIGIT_LAB_HOME, DIGIT_LAB_BACKEND ...) passes through, plus
// where resources.ts found the data and the shipped models (engineEnv).
import { utilityProcess } from 'electron';
import enginePath from '../engine-process/main.ts?modulePath';
import { engineChild } from '../ipc/engine-child.js';
import type { EngineChild } from '../ipc/relay.js';
import { engineEnv, type ResourcePaths } from '../resources.js';

export function forkUtilityEngine(resources: ResourcePaths): EngineChild {
  const child = utilityProcess.fork(enginePath, [], {
    serviceName: 'Digit Lab engine',
    env: engineEnv(resources),
    stdio: 'inherit',
  });
  return engineChild({
    send: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', l),
    onExit: (done) => child.on('exit', (code) => done(`exit code ${code}`)),
    kill: () => child.kill(),
  });
}
