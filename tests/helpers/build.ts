// The tests that run the compiled code (dist/: the CLI, the engine process, the server, the renderer) must run the
// code of this checkout: a missing or stale build (a source newer than what was built from it) is rebuilt here,
// once per test file, and a build that fails fails the test file loudly. Never a skip.
//   ensureNodeBuild()      dist/src-main, dist/src-shared  (npm run build:node)
//   ensureRendererBuild()  dist/renderer                  (npm run build:renderer)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every file under `dir` (relative to ROOT), skipping the folders named in `except`. */
function filesUnder(dir: string, except: readonly string[] = []): string[] {
  const abs = path.join(ROOT, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (except.includes(rel)) continue;
    if (entry.isDirectory()) out.push(...filesUnder(rel, except));
    else out.push(rel);
  }
  return out;
}

const mtime = (rel: string) => statSync(path.join(ROOT, rel)).mtimeMs;

/** Why the Node build is missing or stale (the first source newer than its output), or null when it is current. */
export function nodeBuildStale(): string | null {
  const config = ['tsconfig.json', 'tsconfig.build.json'];
  const sources = [...filesUnder('src-main', ['src-main/electron']), ...filesUnder('src-shared')]
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const newestConfig = Math.max(...config.map(mtime));
  for (const src of sources) {
    const out = path.join('dist', src.replace(/\.ts$/, '.js'));
    if (!existsSync(path.join(ROOT, out))) return `${out} missing`;
    const built = mtime(out);
    if (built < mtime(src)) return `${src} is newer than ${out}`;
    if (built < newestConfig) return `tsconfig is newer than ${out}`;
  }
  return null;
}

/** Why the renderer build is missing or stale, or null when it is current. */
export function rendererBuildStale(): string | null {
  const index = 'dist/renderer/index.html';
  if (!existsSync(path.join(ROOT, index))) return `${index} missing`;
  const built = mtime(index);
  const newer = [...filesUnder('src-renderer'), ...filesUnder('src-shared'), 'vite.config.ts'].find((f) => mtime(f) > built);
  return newer ? `${newer} is newer than ${index}` : null;
}

function rebuild(script: string, why: string): void {
  console.warn(`${why}: running npm run ${script}`);
  try {
    execFileSync('npm', ['run', script], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    throw new Error(`npm run ${script} failed (${why}): the tests of the compiled code cannot run`, { cause: err });
  }
}

/** Rebuild dist/ (Node) if it is missing or older than its sources; throws if the build fails. */
export function ensureNodeBuild(): void {
  const why = nodeBuildStale();
  if (why) rebuild('build:node', why);
  const still = nodeBuildStale();
  if (still) throw new Error(`dist/ is still stale after npm run build:node: ${still}`);
}

/** Rebuild dist/renderer if it is missing or older than its sources; throws if the build fails. */
export function ensureRendererBuild(): void {
  const why = rendererBuildStale();
  if (why) rebuild('build:renderer', why);
  const still = rendererBuildStale();
  if (still) throw new Error(`dist/renderer is still stale after npm run build:renderer: ${still}`);
}
