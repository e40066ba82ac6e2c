// The engine process's line to its parent, whichever way it was started: Electron's utilityProcess
// (process.parentPort) or Node's child_process.fork (process.send / 'message').
export interface ParentLink {
  readonly kind: 'utility' | 'fork';
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

export function parentLink(): ParentLink {
  const port = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (port) {
    return {
      kind: 'utility',
      send: (m) => port.postMessage(m),
      onMessage: (l) => port.on('message', (e) => l(e.data)),
    };
  }
  if (typeof process.send === 'function') {
    return {
      kind: 'fork',
      send: (m) => {
        if (process.connected) process.send!(m);
      },
      onMessage: (l) => process.on('message', l),
    };
  }
  throw new Error('the engine process must be started by Digit Lab (no parent IPC channel)');
}
