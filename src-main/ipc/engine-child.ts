// What both engine launchers share (ipc/fork-engine.ts for browser mode, electron/engine.ts for the app): a started
// process as the relay's EngineChild, its exit reported once with the first reason, nothing sent or killed after it.
import type { EngineChild } from './relay.js';

/** The few calls a started engine process offers; `onExit` may report more than once (exit and error both). */
export interface StartedProcess {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (reason: string) => void): void;
  kill(): void;
}

export function engineChild(proc: StartedProcess): EngineChild {
  let exited = false;
  const exitListeners: ((reason: string) => void)[] = [];
  proc.onExit((reason) => {
    if (exited) return;
    exited = true;
    for (const l of exitListeners) l(reason);
  });
  return {
    send: (m) => {
      if (!exited) proc.send(m);
    },
    onMessage: (l) => proc.onMessage(l),
    onExit: (l) => exitListeners.push(l),
    kill: () => {
      if (!exited) proc.kill();
    },
  };
}
