// Apple .icns container (https://en.wikipedia.org/wiki/Apple_Icon_Image_format): 'icns' + total
// length, then chunks of 4-char type + length (both big-endian, length includes the 8-byte chunk
// header) + PNG data. The PNG types and the pixel size each one holds:
export const ICNS_TYPES: ReadonlyArray<readonly [type: string, pixels: number]> = [
  ['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512],
  ['ic10', 1024], // 512@2x
  ['ic11', 32], // 16@2x
  ['ic12', 64], // 32@2x
  ['ic13', 256], // 128@2x
  ['ic14', 512], // 256@2x
];

/** Build an .icns from PNGs keyed by pixel size; every type whose size is given gets a chunk. */
export function encodeIcns(pngBySize: ReadonlyMap<number, Uint8Array>): Buffer {
  const chunks: Buffer[] = [];
  for (const [type, pixels] of ICNS_TYPES) {
    const png = pngBySize.get(pixels);
    if (!png) continue;
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(8 + png.length, 4);
    chunks.push(head, Buffer.from(png));
  }
  if (chunks.length === 0) throw new Error('an .icns needs at least one image');
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + body.length, 4);
  return Buffer.concat([head, body]);
}

/** Read back an .icns's chunk types and lengths (for tests and checks). */
export function readIcnsChunks(icns: Uint8Array): { type: string; data: Buffer }[] {
  const buf = Buffer.from(icns.buffer, icns.byteOffset, icns.byteLength);
  if (buf.length < 8 || buf.toString('ascii', 0, 4) !== 'icns') throw new Error('not an .icns file');
  if (buf.readUInt32BE(4) !== buf.length) throw new Error(`.icns length field ${buf.readUInt32BE(4)} ≠ file size ${buf.length}`);
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < buf.length; ) {
    const type = buf.toString('ascii', at, at + 4);
    const len = buf.readUInt32BE(at + 4);
    if (len < 8 || at + len > buf.length) throw new Error(`.icns chunk ${type} has a bad length ${len}`);
    chunks.push({ type, data: buf.subarray(at + 8, at + len) });
    at += len;
  }
  return chunks;
}
