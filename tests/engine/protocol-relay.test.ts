// The relay as the Electron main process uses it: structured-clone objects (not JSON strings) from a window,
// relayed to a real engine process. Bad input gets an error reply; the engine keeps answering.
import { DEFAULT_TRAIN_CONFIG } from '../../src-shared/types.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../../src-shared/protocol.js';
import { forkEngine } from '../../src-main/ipc/fork-engine.js';
import { resolveResources } from '../../src-main/resources.js';
import { Relay } from '../../src-main/ipc/relay.js';
import { ROOT } from '../helpers/browser.js';
import { ensureNodeBuild } from '../helpers/build.js';

const entry = path.join(ROOT, 'dist/src-main/engine-process/main.js');
ensureNodeBuild();

describe('relay with object messages (Electron IPC path)', () => {
  const received: any[] = [];
  const client = { send: (m: unknown) => received.push(m) };
  let relay: Relay;
  let home: string;
  /** The model the background-job test trains ('mlp'). */
  let source: string;

  const reply = async (id: number) => {
    for (let i = 0; i < 600; i++) {
      const r = received.find((m) => m.type === 'response' && m.id === id);
      if (r) return r;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`no reply to ${id}`);
  };

  beforeAll(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'digit-lab-relay-'));
    expect(resolveResources().engineProcess).toBe(entry); // the entry forkEngine() forks by default
    relay = new Relay(() => forkEngine(entry, { ...process.env, DIGIT_LAB_HOME: home, DIGIT_LAB_BACKEND: 'js' }));
    relay.start();
    relay.connect(client);
  });
  afterAll(() => {
    relay?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('validates objects before they reach the engine and keeps answering', async () => {
    relay.receive(client, { type: 'request', id: 1, method: 'status', params: {} });
    expect((await reply(1)).ok).toBe(true);

    relay.receive(client, { type: 'request', id: 2, method: 'rm -rf', params: {} });
    expect(await reply(2)).toMatchObject({ ok: false, error: 'unknown method: "rm -rf"' });
    relay.receive(client, { type: 'request', id: 21, method: 'predict\n\u2028x', params: {} });
    expect(await reply(21)).toMatchObject({ ok: false, error: 'unknown method: "predict\\n\\u2028x"' }); // one line, quoted

    relay.receive(client, { type: 'request', id: 3, method: 'samples', params: { n: 'ten' } });
    expect((await reply(3)).error).toMatch(/^invalid params for samples: n: /);

    relay.receive(client, { type: 'request', id: 4, method: 'testImages', params: { indices: [10000] } });
    expect((await reply(4)).error).toMatch(/^invalid params for testImages: indices\.0: /);

    relay.receive(client, { type: 'request', id: 5, method: 'predict', params: { blob: 'x'.repeat(MAX_MESSAGE_BYTES) } });
    expect((await reply(5)).error).toMatch(/^message too large/);
    // The limit counts UTF-8 bytes: fewer characters than the limit, but more bytes.
    const wide = 'é'.repeat(MAX_MESSAGE_BYTES / 2 + 1000);
    expect(wide.length).toBeLessThan(MAX_MESSAGE_BYTES);
    relay.receive(client, JSON.stringify({ type: 'request', id: 51, method: 'predict', params: { blob: wide } }));
    expect((await reply(51)).error).toMatch(/^message too large \(\d+ bytes/);
    relay.receive(client, { type: 'request', id: 52, method: 'predict', params: { blob: wide } });
    expect((await reply(52)).error).toMatch(/^message too large/);

    for (const junk of [null, 42, 'hello', [], { type: 'response', id: 6, ok: true, result: {} }]) relay.receive(client, junk);
    const junkReplies = received.filter((m) => m.type === 'response' && m.id === -1);
    expect(junkReplies.length).toBe(5);
    expect(junkReplies.every((m) => m.ok === false && !m.error.includes('\n'))).toBe(true);
    expect(junkReplies.at(-1).error).toMatch(/only send requests/);

    relay.receive(client, { type: 'request', id: 7, method: 'testImages', params: { indices: [0, 9999] } });
    const images = await reply(7);
    expect(images.ok).toBe(true);
    expect(images.result.images.map((i: number[]) => i.length)).toEqual([784, 784]);
  });

  it('runs training as a background job whose history status returns, then evaluates with progress events', async () => {
    received.length = 0;
    relay.receive(client, { type: 'request', id: 20, method: 'train', params: { preset: 'mlp', epochs: 2, trainSize: 256, validationSize: 256, batchSize: 64 } });
    const started = await reply(20);
    expect(started.ok).toBe(true);
    const jobId = started.result.jobId;

    relay.receive(client, { type: 'request', id: 21, method: 'train', params: {} });
    expect((await reply(21)).error).toMatch(/already in progress/);

    for (let i = 0; i < 1200 && !received.some((m) => m.event === 'done'); i++) await new Promise((r) => setTimeout(r, 50));
    const done = received.find((m) => m.event === 'done');
    expect(done.data.jobId).toBe(jobId);
    const batches = received.filter((m) => m.event === 'batch' && m.data.jobId === jobId);
    const epochs = received.filter((m) => m.event === 'epoch' && m.data.jobId === jobId);
    expect(batches.length).toBe(8); // 256 images / 64 × 2 epochs
    expect(epochs.map((e) => e.data.progress.epoch)).toEqual([1, 2]);

    relay.receive(client, { type: 'request', id: 22, method: 'status', params: {} });
    const { job, activeModel } = (await reply(22)).result;
    expect(job.id).toBe(jobId);
    expect(job.state).toBe('done');
    expect(job.batches.map((b: any) => b.loss)).toEqual(batches.map((b) => b.data.progress.loss));
    expect(job.epochs.length).toBe(2);
    // 256 images do not beat the shipped default: it stays the active model.
    expect(done.data.result.activated).toBe(false);
    expect(activeModel).toBe('default');

    relay.receive(client, { type: 'request', id: 23, method: 'evaluate', params: { model: done.data.result.model, jobId: 'eval-23' } });
    const evaluation = await reply(23);
    expect(evaluation.ok).toBe(true);
    expect(evaluation.result.count).toBe(10000);
    expect(evaluation.result.accuracy).toBeCloseTo(done.data.result.testAccuracy, 6);
    const progress = received.filter((m) => m.event === 'evalProgress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1).data).toEqual({ jobId: 'eval-23', done: 10000, total: 10000 }); // the request's own id
    source = done.data.result.model;
  });

  it('resolves a request in the engine: a from run without a preset inherits the source model\'s, and says so', async () => {
    received.length = 0;
    relay.receive(client, { type: 'request', id: 30, method: 'status', params: {} });
    const { trainDefaults } = (await reply(30)).result;
    expect(trainDefaults.fast).toMatchObject({ preset: 'fast', batchSize: DEFAULT_TRAIN_CONFIG.batchSize, learningRate: DEFAULT_TRAIN_CONFIG.learningRate }); // no GPU here
    expect(trainDefaults.seed).toMatchObject({ preset: 'seed', batchSize: 32, learningRate: 0.001, schedule: 'constant' });
    // A name the engine refuses is the request's one-line error, before any job starts.
    relay.receive(client, { type: 'request', id: 31, method: 'train', params: { name: 'default', epochs: 1 } });
    expect(await reply(31)).toMatchObject({ ok: false, error: "'default' is a shipped model's name; choose another" });

    relay.receive(client, { type: 'request', id: 32, method: 'train', params: { from: source, epochs: 1, trainSize: 128, validationSize: 0, batchSize: 64 } });
    const started = await reply(32);
    expect(started.ok).toBe(true);
    // The source was trained as 'mlp': so is this run (the default preset would be 'fast'), its name generated from it.
    expect(started.result.config).toMatchObject({ preset: 'mlp', from: source, epochs: 1, batchSize: 64, learningRate: DEFAULT_TRAIN_CONFIG.learningRate });
    expect(started.result.config.name).toMatch(/^mlp-/);
    relay.receive(client, { type: 'request', id: 33, method: 'status', params: {} });
    expect((await reply(33)).result.job).toMatchObject({ id: started.result.jobId, config: started.result.config });
    for (let i = 0; i < 1200 && !received.some((m) => m.event === 'done'); i++) await new Promise((r) => setTimeout(r, 50));
    const done = received.find((m) => m.event === 'done');
    expect(done.data.result.model).toBe(started.result.config.name);
    relay.receive(client, { type: 'request', id: 34, method: 'models.list', params: {} });
    const saved = (await reply(34)).result.models.find((m: any) => m.name === done.data.result.model);
    expect(saved.meta).toMatchObject({ preset: 'mlp', config: { preset: 'mlp', from: source } });
  });
});
