// The one model-name rule, used by the protocol schema, the model store and the UI: a name is also a folder
// name, so it must not escape the store, hide itself (leading dot) or be mangled by Windows (trailing dot/space).

/** 1-64 characters: letters, digits, space, dot, dash, underscore; starts with a letter or digit; no "..";
 *  does not end with a dot or a space. */
export const MODEL_NAME_RE = /^(?!.*\.\.)[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,62}[A-Za-z0-9_-])?$/;

export const MODEL_NAME_RULE =
  'use 1-64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit, without ".." and not ending in a dot or space';

/** Why `name` is not a valid model name, or null when it is. */
export function modelNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'enter a name';
  if (name.length > 64) return '64 characters at most';
  return MODEL_NAME_RE.test(name) ? null : MODEL_NAME_RULE;
}
