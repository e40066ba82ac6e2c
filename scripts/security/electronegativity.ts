// Run Electronegativity (@doyensec/electronegativity) through its programmatic API and return its
// findings as plain rows. Not through its CLI: the CLI breaks against the commander 14 this project
// hoists (`program.version is not a function`), and its CSV/SARIF writers are fire-and-forget async
// (the CSV header and rows race; the SARIF has no severity). The API returns the same issue objects
// those writers serialise, so this parses the tool's own output, just before it is written.
import Module, { createRequire } from 'node:module';
import path from 'node:path';

export type Severity = 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
export const SEVERITIES: readonly Severity[] = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];

export interface Finding {
  id: string;
  severity: Severity;
  confidence: string;
  /** Relative to the scanned folder, or 'N/A' for application-wide (global) checks. */
  file: string;
  line: number;
  column: number;
  description: string;
  manualReview: boolean;
}

export interface ScanResult {
  checks: number;
  findings: Finding[];
  /** Files it could not parse: a finding could hide there. */
  parseErrors: { file: string; message: string }[];
}

/**
 * Checks left out:
 * - AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK fetches Electron's release list from the network on every
 *   run (no network on the build machines; it would make the verdict depend on the day): Electron
 *   upgrades are tracked through package.json and the lock file instead.
 * - ELECTRON_VERSION_JSON_CHECK only reports which Electron version package.json asks for
 *   (INFORMATIONAL, not a weakness), and JSON has no comments to say so next to it. The other checks
 *   still get that version from package.json.
 */
export const EXCLUDED_CHECKS = ['availablesecurityfixesglobalcheck', 'electronversionjsoncheck'];

interface RawIssue {
  id: string;
  severity: { name: string };
  confidence: { name: string };
  file: string;
  location?: { line?: number; column?: number };
  description: string;
  manualReview?: boolean;
}

type Runner = (options: Record<string, unknown>, forCli: boolean) => Promise<{
  globalChecks: number;
  atomicChecks: number;
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: RawIssue[];
}>;

/**
 * Load the runner with its message catalogue set up offline. Its own i18n module first downloads the
 * newest translations (with retries: slow without network); the English catalogue it ships
 * is the same text, so that module is replaced, in the require cache, by one that loads just that.
 */
function loadRunner(): Runner {
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('@doyensec/electronegativity/package.json'));
  const i18nFile = path.join(pkgDir, 'dist', 'locales', 'i18n.js');
  if (!require.cache[i18nFile]) {
    const i18n = createRequire(i18nFile)('i18n') as {
      configure(o: Record<string, unknown>): void;
      setLocale(l: string): void;
    };
    const offline = new Module(i18nFile);
    offline.filename = i18nFile;
    offline.loaded = true;
    offline.exports = {
      __esModule: true,
      default: async () => {
        i18n.configure({
          locales: ['en-US'], defaultLocale: 'en-US', directory: path.dirname(i18nFile),
          updateFiles: false, objectNotation: true, retryInDefaultLocale: true, register: globalThis,
        });
        i18n.setLocale('en-US');
      },
    };
    require.cache[i18nFile] = offline;
  }
  return require('@doyensec/electronegativity') as Runner;
}

/** Scan a folder (or one file) and return the findings, most severe first. */
export async function scan(input: string, electronVersion?: string): Promise<ScanResult> {
  const run = loadRunner();
  const result = await run({
    input,
    output: undefined,
    isRelative: true,
    customScan: [],
    excludeFromScan: EXCLUDED_CHECKS,
    severitySet: undefined,
    confidenceSet: undefined,
    electronUpgrade: undefined,
    electronVersionOverride: electronVersion,
    parserPlugins: [],
  }, false);
  const findings = result.issues.map((i): Finding => ({
    id: i.id,
    severity: (SEVERITIES as readonly string[]).includes(i.severity.name) ? (i.severity.name as Severity) : 'INFORMATIONAL',
    confidence: i.confidence.name,
    file: i.file,
    line: i.location?.line ?? 0,
    column: i.location?.column ?? 0,
    description: i.description,
    manualReview: Boolean(i.manualReview),
  }));
  findings.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.file.localeCompare(b.file) || a.line - b.line);
  return {
    checks: result.globalChecks + result.atomicChecks,
    findings,
    parseErrors: result.errors.filter((e) => !e.tolerable).map(({ file, message }) => ({ file, message })),
  };
}
