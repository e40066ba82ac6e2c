// JSON (the browser-mode socket) and zod both reject NaN/Infinity, but a diverging run produces them.
// Outgoing progress is passed through here: non-finite numbers become null, which the protocol's `metric`
// schema turns back into NaN on arrival.
export function finiteOrNull<T>(value: T): T {
  if (typeof value === 'number') return (Number.isFinite(value) ? value : null) as T;
  if (Array.isArray(value)) return value.map(finiteOrNull) as T;
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = finiteOrNull(v);
    return out as T;
  }
  return value;
}
