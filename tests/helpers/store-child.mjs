// A child process for tests/engine/store-crash.test.ts and bench/store-kill.ts: one operation on the built store
// (dist/), with fault injection through the store's step hook:
//   DIGIT_LAB_CRASH_STEP=N  SIGKILL this process right after step N of the operation
//   DIGIT_LAB_PAUSE_STEP=N  block for DIGIT_LAB_PAUSE_MS after step N (another process acts meanwhile)
//   DIGIT_LAB_STEP_LOG=FILE append "<save number> <step>" to FILE as each step ends (unbuffered: after a SIGKILL
//                           its last line says which step of which save the kill came after)
// Ops: save-files <home> <name> <dir>    save the files of <dir> as model <name>
//      save-model <home> <name> <outDir> build a real tfjs model, write its files to <outDir>, save it
//      loop-save <home> <name> <dirA> <dirB>  save A, B, A, … until killed (both read before the first save: the
//                                              loop does nothing but save)
//      rename <home> <from> <to> | delete <home> <name>
//      inspect <home> [load]            open the store; report each model's files (sha256) and whether it loads
// Prints one line "RESULT <json>" at the end.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const dist = path.resolve(import.meta.dirname, '../../dist/src-main/engine');
const { ModelStore } = await import(path.join(dist, 'store.js'));
const [op, home, ...args] = process.argv.slice(2);
const crashAt = Number(process.env.DIGIT_LAB_CRASH_STEP ?? 0);
const pauseAt = Number(process.env.DIGIT_LAB_PAUSE_STEP ?? 0);
const steps = [];
const stepLog = process.env.DIGIT_LAB_STEP_LOG ? fs.openSync(process.env.DIGIT_LAB_STEP_LOG, 'a') : null;
let saveNumber = 0;
const step = (label) => {
  steps.push(label);
  if (stepLog !== null) fs.writeSync(stepLog, `${saveNumber} ${label}\n`);
  if (steps.length === crashAt) process.kill(process.pid, 'SIGKILL');
  if (steps.length === pauseAt) {
    process.stdout.write('PAUSED\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.env.DIGIT_LAB_PAUSE_MS ?? 1000));
  }
};
const sha = (data) => createHash('sha256').update(data).digest('hex');
const ORDER = ['model.json', 'weights.bin', 'meta.json'];
const filesOf = (dir) =>
  fs.readdirSync(dir).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)).map((f) => ({ path: f, data: fs.readFileSync(path.join(dir, f)) }));

async function tf() {
  const tfjs = await import('@tensorflow/tfjs');
  await tfjs.setBackend('cpu');
  return tfjs;
}

const result = { steps };
const store = new ModelStore(home, null, { step });
if (op === 'save-files') {
  store.writeFiles(args[0], filesOf(args[1]));
} else if (op === 'loop-save') {
  const payloads = [filesOf(args[1]), filesOf(args[2])];
  for (saveNumber = 0; ; saveNumber++) {
    steps.length = 0;
    store.writeFiles(args[0], payloads[saveNumber % 2]);
  }
} else if (op === 'save-model') {
  await tf();
  const { buildModel } = await import(path.join(dist, 'models.js'));
  const { serializeModel } = await import(path.join(dist, 'model-io.js'));
  const model = buildModel('mlp', 'adam', 0.001);
  const meta = { name: args[0], preset: 'mlp', config: null, history: [], testAccuracy: null, confusion: null,
    backend: 'cpu', device: 'test', durationMs: 0, createdAt: new Date().toISOString(), params: model.countParams() };
  const { modelJson, weights } = await serializeModel(model);
  fs.mkdirSync(args[1], { recursive: true });
  fs.writeFileSync(path.join(args[1], 'model.json'), modelJson);
  fs.writeFileSync(path.join(args[1], 'weights.bin'), weights);
  fs.writeFileSync(path.join(args[1], 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  await store.save(args[0], model, meta);
} else if (op === 'rename') {
  store.rename(args[0], args[1]);
} else if (op === 'delete') {
  store.delete(args[0]);
} else if (op === 'inspect') {
  const load = args[0] === 'load' ? await tf() : null;
  result.models = {};
  for (const info of store.list()) {
    const entry = { error: info.error ?? null, files: {} };
    for (const f of store.readFiles(info.name)) entry.files[f.path] = sha(f.data);
    if (load) {
      const before = load.memory().numTensors;
      const model = await store.load(info.name);
      entry.loads = model.outputs[0].shape[1] === 10;
      model.dispose();
      entry.leaked = load.memory().numTensors - before;
    }
    result.models[info.name] = entry;
  }
  const modelsDir = path.join(home, 'models');
  result.entries = fs.readdirSync(modelsDir).sort();
  result.inside = Object.fromEntries(
    result.entries.filter((e) => fs.statSync(path.join(modelsDir, e)).isDirectory()).map((e) => [e, fs.readdirSync(path.join(modelsDir, e)).sort()]),
  );
} else {
  throw new Error(`unknown op ${op}`);
}
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
