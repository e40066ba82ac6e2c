// The image-folder reader on its own: JPEG and PNG, a test/ folder as the test set, images made 28×28 as the
// sketchpad's (dark on light inverted to light on black, centred), the same fingerprint on every read, and the
// refusal of a test class that has no training folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadImageFolder } from '../../src-main/engine/data/image-folder.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-image-folder-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A black bar on white: horizontal for class 'h', vertical for 'v'. */
function write(rel: string, cls: 'h' | 'v', side: number, kind: 'png' | 'jpg'): void {
  const data = Buffer.alloc(side * side * 4, 255);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (Math.abs((cls === 'h' ? y : x) - side / 2) < side / 8) data.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3);
    }
  }
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const png = Object.assign(new PNG({ width: side, height: side }), { data });
  fs.writeFileSync(file, kind === 'jpg' ? jpeg.encode({ data, width: side, height: side }, 90).data : PNG.sync.write(png));
}

describe('image folder', () => {
  it('reads JPEG and PNG, takes test/ as the test set, and makes light-on-black 28×28 images', async () => {
    for (const c of ['h', 'v'] as const) {
      for (let i = 0; i < 4; i++) write(`${c}/${i}.jpg`, c, 30 + i * 17, 'jpg');
      write(`test/${c}/t.png`, c, 50, 'png');
    }
    const d = await loadImageFolder(root);
    expect(d.info).toMatchObject({ name: path.basename(root), kind: 'images', classes: ['h', 'v'], imageSide: 28 });
    expect([d.train.count, d.test.count]).toEqual([8, 2]);
    expect(Array.from(d.test.labels)).toEqual([0, 1]);
    expect(d.report).toEqual({ skipped: [], counts: [{ class: 'h', train: 4, test: 1 }, { class: 'v', train: 4, test: 1 }] });
    const px = (k: number, x: number, y: number) => d.test.images[k * 784 + y * 28 + x];
    expect(px(0, 14, 14)).toBeGreaterThan(200); // the bar, white: inverted from black on white
    expect(px(0, 14, 2)).toBe(0); // the background, black
    expect(px(1, 14, 14)).toBeGreaterThan(200);
    expect(px(1, 2, 14)).toBe(0); // the vertical bar leaves its sides black
    // The same folder, read again: the same fingerprint.
    const again = await loadImageFolder(root);
    expect(again.info.fingerprint).toBe(d.info.fingerprint);
  });

  it('refuses a test class with no training folder, naming it', async () => {
    fs.mkdirSync(path.join(root, 'test', 'zzz'));
    await expect(loadImageFolder(root)).rejects.toThrow(/test\/zzz: a test class with no training sub-folder 'zzz'$/);
  });
});
