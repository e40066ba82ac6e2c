// IDX files for tests: MNIST's format, written from bytes.

/** IDX bytes for images (count×28×28) or labels. */
export function idx(kind: 'images' | 'labels', body: Uint8Array, count: number): Buffer {
  const header = Buffer.alloc(kind === 'images' ? 16 : 8);
  header.writeUInt32BE(kind === 'images' ? 0x803 : 0x801, 0);
  header.writeUInt32BE(count, 4);
  if (kind === 'images') {
    header.writeUInt32BE(28, 8);
    header.writeUInt32BE(28, 12);
  }
  return Buffer.concat([header, body]);
}
