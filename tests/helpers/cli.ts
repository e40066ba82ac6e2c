// Run the compiled `digit-lab` command as a user does, against a given DIGIT_LAB_HOME and no shipped models. The first
// call in a test file rebuilds a missing or stale dist/ (build.ts), so the CLI run is this checkout's code.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureNodeBuild } from './build.js';

const BIN = path.resolve('bin/digit-lab.js');
const run = promisify(execFile);
let built = false;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(home: string, ...args: string[]): Promise<CliResult> {
  if (!built) {
    ensureNodeBuild();
    built = true;
  }
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, DIGIT_LAB_HOME: home, DIGIT_LAB_MODELS: path.join(home, 'none'), NO_COLOR: '1', FORCE_COLOR: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as CliResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
