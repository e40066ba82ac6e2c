// "My networks" and designed networks over the protocol, through the relay to a real engine process: save (canonical
// text, taken and preset names refused), list (a corrupt file listed as unreadable, not a crash), delete; impossible
// text refused in one line naming the layer by `train` and `networks.save` with nothing saved; `networks.measure`
// trains real batches and says where TF.js's stock kernels ran; a `train` request with `layers` trains them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemLine, summariseNetwork } from '../../src-shared/network/index.js';
import { INVALID } from '../helpers/networks.js';
import { engineOverRelay, type EngineOverRelay } from '../helpers/protocol.js';

describe('networks over the protocol', () => {
  let engine: EngineOverRelay;
  let home: string;
  const call = (method: string, params: unknown) => engine.call(method, params);
  const networkFiles = () => (fs.existsSync(path.join(home, 'networks')) ? fs.readdirSync(path.join(home, 'networks')).sort() : []);

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-lab-networks-protocol-'));
    engine = engineOverRelay({ DIGIT_LAB_HOME: home, DIGIT_LAB_MODELS: path.join(home, 'none') }, 120_000);
    expect((await call('status', {})).ok).toBe(true);
  }, 60_000);
  afterAll(() => {
    engine?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('save, list, delete; a taken name or a preset name is refused', async () => {
    const saved = await call('networks.save', { name: 'my-net', layers: ' conv8k3-RELU , maxpool2s2,flatten,dense32-relu' });
    expect(saved.ok, saved.error).toBe(true);
    expect(saved.result).toMatchObject({ name: 'my-net', layers: 'conv8k3-relu,maxpool2,flatten,dense32-relu' });
    expect(JSON.parse(fs.readFileSync(path.join(home, 'networks', 'my-net.json'), 'utf8')).layers).toBe('conv8k3-relu,maxpool2,flatten,dense32-relu');
    expect((await call('networks.save', { name: 'my-net', layers: 'flatten' })).error).toBe("a network named 'my-net' already exists");
    expect((await call('networks.save', { name: 'my-net', layers: 'flatten', replace: true })).result.layers).toBe('flatten');
    expect((await call('networks.save', { name: 'fast', layers: 'flatten' })).error).toBe("'fast' is a preset's name; choose another");
    expect((await call('networks.save', { name: '../x', layers: 'flatten' })).error).toMatch(/^invalid params for networks.save: name: /);
    const list = await call('networks.list', {});
    expect(list.result.networks.map((n: { name: string }) => n.name)).toEqual(['my-net']);
    expect((await call('networks.delete', { name: 'my-net' })).result).toEqual({ deleted: 'my-net' });
    expect((await call('networks.delete', { name: 'my-net' })).error).toBe("no network named 'my-net'");
  });

  it('a corrupt or impossible network file is listed as unreadable; the others still list', async () => {
    await call('networks.save', { name: 'good', layers: 'flatten,dense16' });
    fs.writeFileSync(path.join(home, 'networks', 'broken.json'), '{"name": "broken", "lay');
    fs.writeFileSync(path.join(home, 'networks', 'odd.json'), JSON.stringify({ name: 'odd', layers: 'conv8k3,dense16', createdAt: '' }));
    const list = await call('networks.list', {});
    expect(list.ok, list.error).toBe(true);
    expect(list.result.networks.map((n: { name: string }) => n.name)).toEqual(['good']);
    expect(list.result.errors).toEqual([
      { file: 'broken.json', error: 'not valid JSON' },
      { file: 'odd.json', error: problemLine(summariseNetwork('conv8k3,dense16').problem!) },
    ]);
  });

  it('impossible text is refused in one line naming the layer, by train and networks.save; nothing is saved', async () => {
    const before = networkFiles();
    for (const [text, line] of INVALID) {
      for (const [method, params] of [['train', { layers: text, epochs: 1 }], ['networks.save', { name: 'nope', layers: text }]] as const) {
        const r = await call(method, params);
        expect(r.ok, `${method} ${text}`).toBe(false);
        expect(r.error!.split('\n')).toHaveLength(1);
        const message = r.error!.replace(new RegExp(`^invalid params for ${method}: layers: `), '');
        expect(message, `${method} ${text}`).toMatch(line);
      }
    }
    expect(networkFiles()).toEqual(before);
    expect((await call('status', {})).result.job).toBeNull(); // no job started
  });

  it('a network too large for a batch is refused before training, with the figure and the limit', async () => {
    const r = await call('train', { layers: 'conv512k3-same,conv512k3-same,flatten,dense16', batchSize: 4096 });
    expect(r.error).toMatch(/^network too large for a batch of 4096: about [\d.]+ GiB of memory to train \(limit [\d.]+ GiB here\)/);
  });

  it('networks.measure trains real batches: images/s, an epoch\'s time, and where the stock kernels ran', async () => {
    const backend = (await call('status', {})).result.backend;
    const strided = await call('networks.measure', { layers: 'conv8k3-relu,conv8k3s2-same-relu,flatten,dense32-relu', batchSize: 32, batches: 2 });
    expect(strided.ok, strided.error).toBe(true);
    const r = strided.result;
    expect(r.imagesPerSec).toBeGreaterThan(0);
    expect(r.epochMs).toBeCloseTo((r.epochImages / r.imagesPerSec) * 1000, 0);
    expect(r.epochImages).toBe(55_000);
    expect(r.kernels.note).toMatch(/\S/);
    if (backend.kind === 'wasm') {
      // Our Conv2DBackpropInput covers stride 1: the stride-2 conv's input gradient runs on the stock kernel.
      expect(r.kernels.stock.map((s: { kernel: string }) => s.kernel)).toContain('Conv2DBackpropInput');
      expect(r.kernels.note).toMatch(/^falls back to TF.js's stock kernels for .*Conv2DBackpropInput/);
      const covered = (await call('networks.measure', { layers: 'conv8k3-relu,conv8k3-relu,flatten,dense32-relu', batchSize: 32, batches: 2 })).result;
      expect(covered.kernels.stock.map((s: { kernel: string }) => s.kernel)).not.toContain('Conv2DBackpropInput');
      expect(covered.kernels.note).not.toMatch(/falls back/);
    } else console.warn(`networks.measure's fallback check needs the wasm backend; this engine runs ${backend.name}`);
  }, 120_000);

  it('a train request with layers trains the designed network', async () => {
    const layers = 'conv4k3s2-same-tanh,batchnorm,maxpool2,flatten,dense16-sigmoid';
    const started = await call('train', { layers, epochs: 1, trainSize: 500, validationSize: 100, name: 'designed' });
    expect(started.ok, started.error).toBe(true);
    expect(started.result.config.layers).toBe(layers);
    let done: any;
    for (let i = 0; i < 2400 && !done; i++) {
      done = engine.received.find((m) => m.type === 'event' && m.event === 'done' && m.data.jobId === started.result.jobId);
      if (!done) await new Promise((res) => setTimeout(res, 50));
    }
    expect(done?.data.result.model).toBe('designed');
    const models = (await call('models.list', {})).result.models;
    const meta = models.find((m: { name: string }) => m.name === 'designed').meta;
    expect(meta.layers).toBe(layers);
    expect(meta.params).toBe(summariseNetwork(layers).params);
  }, 180_000);
});
