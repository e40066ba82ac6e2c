// The one model-name rule, used by the protocol schema, the model store and the UI: a name is also a folder
// name, so it must not escape the store, hide itself (leading dot) or be mangled by Windows (trailing dot/space).

/** A model name's longest length (it is also a folder name). */
export const MODEL_NAME_MAX = 64;

/** 1-64 characters: letters, digits, space, dot, dash, underscore; starts with a letter or digit; no "..";
 *  does not end with a dot or a space. */
export const MODEL_NAME_RE = /^(?!.*\.\.)[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,62}[A-Za-z0-9_-])?$/;

export const MODEL_NAME_RULE =
  'use 1-64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit, without ".." and not ending in a dot or space';

/** Whether `name` is a valid model name: the rule's one test, for every layer that checks one. */
export const isModelName = (name: unknown): name is string => typeof name === 'string' && MODEL_NAME_RE.test(name);

/** Why `name` is not a valid model name, or null when it is. */
export function modelNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'enter a name';
  if (name.length > MODEL_NAME_MAX) return `${MODEL_NAME_MAX} characters at most`;
  return isModelName(name) ? null : MODEL_NAME_RULE;
}

/** A valid model name (room left for a "-2" suffix) from a file or folder name, its .h5/.hdf5/.keras dropped:
 *  "my model (2).h5" → "my model -2-"; `fallback` when nothing usable is left. */
export function suggestModelName(fileOrFolder: string, fallback: string): string {
  const base = fileOrFolder.split(/[\\/]/).at(-1)!.replace(/\.(h5|hdf5|keras)$/i, '');
  const cleaned = base.replace(/[^A-Za-z0-9 ._-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[^A-Za-z0-9]+/, '');
  return cleaned.slice(0, 56).replace(/[. ]+$/, '') || fallback;
}

/** `base`, or `base-2`, `base-3`… : the first that `taken` says is free. */
export function uniqueName(base: string, taken: (name: string) => boolean): string {
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base}-${i}`;
  return name;
}
