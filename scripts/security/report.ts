// The scan's verdict and its summary table (plain text, fits a CI log).
import type { Finding, ScanResult, Severity } from './electronegativity.js';
import { SEVERITIES } from './electronegativity.js';

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts = { HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** Why the scan fails, one line each; empty when it passes. */
export function failures(result: ScanResult): string[] {
  const out: string[] = [];
  const high = result.findings.filter((f) => f.severity === 'HIGH');
  if (high.length > 0) out.push(`${high.length} HIGH severity finding${high.length === 1 ? '' : 's'}: ${[...new Set(high.map((f) => f.id))].join(', ')}`);
  for (const e of result.parseErrors) out.push(`could not parse ${e.file}: ${e.message.split('\n')[0]}`);
  return out;
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

export function table(findings: Finding[]): string {
  if (findings.length === 0) return 'no findings';
  const rows = findings.map((f) => [
    f.severity,
    f.confidence,
    f.id,
    f.file === 'N/A' ? '(whole app)' : `${f.file}:${f.line}:${f.column}`,
    clip(f.description.replace(/\s+/g, ' '), 70),
  ]);
  const head = ['severity', 'confidence', 'check', 'where', 'what'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function summary(result: ScanResult): string {
  const counts = countBySeverity(result.findings);
  return `${result.checks} checks: ` + SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ');
}
