// The one IPC channel between the preload bridge and the main process (both import it; the preload bundle
// inlines it). Every message on it is a protocol message (src-shared/protocol.ts), validated by the relay.
export const CHANNEL = 'digit-lab:message';
