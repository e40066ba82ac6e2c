// One-line errors: every layer reports the first line of an error's message, never a native stack.

/** The first line of an error's message (of `String(err)` for anything else than an Error). */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split(/[\r\n\u2028\u2029]/)[0];
}
