// Windows .ico container (https://en.wikipedia.org/wiki/ICO_(file_format)): a 6-byte header, one
// 16-byte directory entry per image, then the images. 256 px is stored as PNG (Vista+); smaller
// sizes as 32-bit BGRA DIBs with an AND mask, which every Windows tool (NSIS included) reads.

export interface IconBitmap {
  /** Width = height, in pixels. */
  size: number;
  /** size*size*4 bytes, RGBA, rows top to bottom, straight (not premultiplied) alpha. */
  rgba: Uint8Array;
  /** The same image encoded as PNG. */
  png: Uint8Array;
}

/** A 32-bit DIB: BITMAPINFOHEADER, BGRA rows bottom-up, then the 1-bit AND mask (1 = transparent). */
export function dib(image: IconBitmap): Buffer {
  const { size, rgba } = image;
  const maskStride = Math.ceil(size / 32) * 4;
  const xorBytes = size * size * 4;
  const out = Buffer.alloc(40 + xorBytes + maskStride * size);
  out.writeUInt32LE(40, 0); // biSize
  out.writeInt32LE(size, 4); // biWidth
  out.writeInt32LE(size * 2, 8); // biHeight: XOR + AND halves
  out.writeUInt16LE(1, 12); // biPlanes
  out.writeUInt16LE(32, 14); // biBitCount
  out.writeUInt32LE(0, 16); // BI_RGB
  out.writeUInt32LE(xorBytes + maskStride * size, 20); // biSizeImage
  for (let y = 0; y < size; y++) {
    const src = y * size * 4;
    const dst = 40 + (size - 1 - y) * size * 4;
    const maskRow = 40 + xorBytes + (size - 1 - y) * maskStride;
    for (let x = 0; x < size; x++) {
      const s = src + x * 4;
      const d = dst + x * 4;
      out[d] = rgba[s + 2];
      out[d + 1] = rgba[s + 1];
      out[d + 2] = rgba[s];
      out[d + 3] = rgba[s + 3];
      if (rgba[s + 3] === 0) out[maskRow + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return out;
}

export function encodeIco(images: IconBitmap[]): Buffer {
  if (images.length === 0) throw new Error('an .ico needs at least one image');
  const sorted = [...images].sort((a, b) => a.size - b.size);
  const blobs = sorted.map((im) => {
    if (im.size < 1 || im.size > 256) throw new Error(`.ico images are 1-256 px, not ${im.size}`);
    return im.size === 256 ? Buffer.from(im.png) : dib(im);
  });
  const header = Buffer.alloc(6 + 16 * sorted.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type 1 = icon
  header.writeUInt16LE(sorted.length, 4);
  let offset = header.length;
  sorted.forEach((im, i) => {
    const e = 6 + 16 * i;
    header[e] = im.size === 256 ? 0 : im.size; // 0 means 256
    header[e + 1] = im.size === 256 ? 0 : im.size;
    header[e + 2] = 0; // palette colours
    header[e + 3] = 0; // reserved
    header.writeUInt16LE(1, e + 4); // colour planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(blobs[i].length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += blobs[i].length;
  });
  return Buffer.concat([header, ...blobs]);
}

export interface IcoEntry {
  size: number;
  format: 'png' | 'dib';
  offset: number;
  length: number;
}

/** Read back an .ico's directory (for tests and checks). */
export function readIcoDirectory(ico: Uint8Array): IcoEntry[] {
  const buf = Buffer.from(ico.buffer, ico.byteOffset, ico.byteLength);
  if (buf.length < 6 || buf.readUInt16LE(0) !== 0 || buf.readUInt16LE(2) !== 1) throw new Error('not an .ico file');
  const count = buf.readUInt16LE(4);
  const entries: IcoEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = 6 + 16 * i;
    const length = buf.readUInt32LE(e + 8);
    const offset = buf.readUInt32LE(e + 12);
    if (offset + length > buf.length) throw new Error(`.ico entry ${i} runs past the end of the file`);
    const isPng = buf.subarray(offset, offset + 8).equals(PNG_SIGNATURE);
    entries.push({ size: buf[e] || 256, format: isPng ? 'png' : 'dib', offset, length });
  }
  return entries;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
