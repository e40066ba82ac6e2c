// The Electron app's engine process: utilityProcess.fork of the engine-process entry that electron-vite bundles
// beside main (?modulePath). The engine's environment (DIGIT_LAB_HOME, DIGIT_LAB_BACKEND ...) passes through, plus
// where resources.ts found the data and the shipped models (engineEnv).
import { utilityProcess } from 'electron';
import enginePath from '../engine-process/main.ts?modulePath';
import type { EngineChild } from '../ipc/relay.js';
import { engineEnv, type ResourcePaths } from '../resources.js';

export function forkUtilityEngine(resources: ResourcePaths): EngineChild {
  const child = utilityProcess.fork(enginePath, [], {
    serviceName: 'Digit Lab engine',
    env: engineEnv(resources),
    stdio: 'inherit',
  });
  let exited = false;
  const exitListeners: ((reason: string) => void)[] = [];
  child.on('exit', (code) => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners) l(`exit code ${code}`);
  });
  return {
    send: (m) => {
      if (!exited) child.postMessage(m);
    },
    onMessage: (l) => child.on('message', l),
    onExit: (l) => exitListeners.push(l),
    kill: () => {
      if (!exited) child.kill();
    },
  };
}
