// Decode a PNG or JPEG (file or bytes) to RGBA pixels (pure JS: pngjs, jpeg-js).
import fs from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { firstLine } from '../../../src-shared/errors.js';

export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const MAX_PIXELS = 40_000_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function readImage(file: string): RgbaImage {
  if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
  return decodeImage(fs.readFileSync(file), file);
}

/** A PNG or JPEG's pixels; `file` names it in the one-line error. */
export function decodeImage(bytes: Buffer, file: string): RgbaImage {
  const isPng = bytes.length > 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE);
  const isJpeg = bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg) throw new Error(`not a PNG or JPEG image: ${file}`);
  try {
    if (isPng) {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6 });
    return { width: img.width, height: img.height, data: img.data };
  } catch (err) {
    throw new Error(`cannot decode ${isPng ? 'PNG' : 'JPEG'} ${file}: ${firstLine(err)}`);
  }
}
