// A network's text form, its layers as data and their shapes, defined once for the engine, the CLI and the UI.
export * from './spec.js';
export * from './text.js';
export * from './shapes.js';
export { networkTextSchema } from './schema.js';
export { PRESET_LAYERS } from './presets.js';
