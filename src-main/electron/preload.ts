// Preload (sandboxed, bundled to CommonJS): the renderer's only bridge to the main process. It exposes exactly
// two functions on window.digitLab — send a protocol message, listen for protocol messages — and nothing else
// (no ipcRenderer, no Node). The main process validates everything that arrives.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNEL } from './channel.js';

contextBridge.exposeInMainWorld('digitLab', {
  send(message: unknown): void {
    ipcRenderer.send(CHANNEL, message);
  },
  onMessage(listener: (message: unknown) => void): () => void {
    const wrapped = (_event: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on(CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(CHANNEL, wrapped);
    };
  },
});
