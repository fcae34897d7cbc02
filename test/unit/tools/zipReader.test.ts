import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipFormatError, extractZipEntry, readZipDirectory } from '../../../tools/models/zipReader';
import { buildZip, type ZipMember } from '../../support/zipWriter';

const tmp = () => mkdtempSync(join(tmpdir(), 'zip-reader-'));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const ENCODER = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 13)); // compressible
const DECODER = Buffer.from(Array.from({ length: 3_001 }, (_, i) => (i * 131 + (i >> 3)) % 256));
const MEMBERS: ZipMember[] = [
  { name: 'model.encoder.onnx', data: ENCODER, method: 'deflate' },
  { name: 'model.decoder.onnx', data: DECODER, method: 'stored' },
  { name: 'empty.txt', data: Buffer.alloc(0), method: 'stored' },
];

async function roundTrip(zipPath: string) {
  const entries = await readZipDirectory(zipPath);
  const out = tmp();
  const results = [];
  for (const entry of entries) {
    const destination = join(out, entry.name);
    results.push({ entry, ...(await extractZipEntry(zipPath, entry, destination)), data: readFileSync(destination) });
  }
  return results;
}

describe('the zip reader for model archives', () => {
  it.each([
    ['a plain archive', {}],
    ['an archive with a comment', { comment: 'SAM ViT-L export, zip comment' }],
    ['a ZIP64 archive (every size and offset in ZIP64 fields)', { zip64: true }],
  ])('reads %s: names, sizes, stored and deflated members byte-exact', async (_what, options) => {
    const path = join(tmp(), 'm.zip');
    writeFileSync(path, buildZip(MEMBERS, options));
    const results = await roundTrip(path);
    expect(results.map((r) => [r.entry.name, r.entry.method, r.entry.uncompressedSize])).toEqual([
      ['model.encoder.onnx', 8, ENCODER.length],
      ['model.decoder.onnx', 0, DECODER.length],
      ['empty.txt', 0, 0],
    ]);
    expect(results[0]!.entry.compressedSize).toBeLessThan(ENCODER.length / 10);
    MEMBERS.forEach((m, i) => {
      expect(results[i]!.data.equals(m.data)).toBe(true);
      expect(results[i]!.sha256).toBe(sha256(m.data));
      expect(results[i]!.bytes).toBe(m.data.length);
    });
  });

  it('takes sizes and offsets from the ZIP64 fields, not the 0xFFFFFFFF placeholders', async () => {
    const bytes = buildZip(MEMBERS, { zip64: true });
    // The writer really did use the placeholders: the classic end record says 0xFFFF entries at 0xFFFFFFFF.
    const end = bytes.length - 22;
    expect(bytes.readUInt32LE(end)).toBe(0x06054b50);
    expect(bytes.readUInt16LE(end + 10)).toBe(0xffff);
    expect(bytes.readUInt32LE(end + 16)).toBe(0xffffffff);
    const path = join(tmp(), 'm.zip');
    writeFileSync(path, bytes);
    const entries = await readZipDirectory(path);
    expect(entries.map((e) => e.localHeaderOffset)).toEqual([0, expect.any(Number), expect.any(Number)]);
    expect(entries[1]!.localHeaderOffset).toBeGreaterThan(0);
    expect(entries.map((e) => e.compressedSize)).not.toContain(0xffffffff);
  });

  it('reads a member that starts past 4 GiB (sparse file)', async () => {
    const start = 5 * 1024 ** 3;
    const path = join(tmp(), 'far.zip');
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, buildZip(MEMBERS.slice(0, 2), { startOffset: start }), 0, undefined, start);
    } finally {
      closeSync(fd);
    }
    try {
      expect(statSync(path).size).toBeGreaterThan(start);
      const results = await roundTrip(path);
      expect(results.map((r) => r.entry.localHeaderOffset)).toEqual([start, expect.any(Number)]);
      expect(results[1]!.entry.localHeaderOffset).toBeGreaterThan(start);
      expect(results[0]!.data.equals(ENCODER)).toBe(true);
      expect(results[1]!.data.equals(DECODER)).toBe(true);
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('refuses a damaged member: CRC-32 of a stored one, inflate or CRC of a deflated one', async () => {
    const bytes = buildZip(MEMBERS);
    const path = join(tmp(), 'bad.zip');
    const stored = Buffer.from(bytes);
    const decoderAt = stored.indexOf(DECODER.subarray(0, 64));
    stored[decoderAt + 1000] = stored[decoderAt + 1000]! ^ 0xff;
    writeFileSync(path, stored);
    const entries = await readZipDirectory(path);
    await expect(extractZipEntry(path, entries[1]!, join(tmp(), 'd'))).rejects.toThrow(
      /member "model\.decoder\.onnx" fails its CRC-32 check \([0-9a-f]{8}, expected [0-9a-f]{8}\): damaged/,
    );
    const deflated = Buffer.from(bytes);
    const inDeflateData = 30 + 'model.encoder.onnx'.length + 20;
    deflated[inDeflateData] = deflated[inDeflateData]! ^ 0x55;
    writeFileSync(path, deflated);
    await expect(extractZipEntry(path, entries[0]!, join(tmp(), 'e'))).rejects.toThrow(ZipFormatError);
  });

  it('refuses what it cannot read, saying why', async () => {
    const dir = tmp();
    const notZip = join(dir, 'x.zip');
    writeFileSync(notZip, Buffer.from('<html>404 Not Found</html>'));
    await expect(readZipDirectory(notZip)).rejects.toThrow('not a zip archive (no end of central directory record)');

    const bytes = buildZip(MEMBERS);
    const truncated = join(dir, 'cut.zip');
    writeFileSync(truncated, Buffer.concat([bytes.subarray(0, 40), bytes.subarray(bytes.length - 200)]));
    await expect(readZipDirectory(truncated)).rejects.toThrow(ZipFormatError);

    const bzip2 = Buffer.from(bytes);
    const central = bzip2.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bzip2.writeUInt16LE(12, central + 10);
    const other = join(dir, 'bzip2.zip');
    writeFileSync(other, bzip2);
    const [entry] = await readZipDirectory(other);
    await expect(extractZipEntry(other, entry!, join(dir, 'out'))).rejects.toThrow(
      'member "model.encoder.onnx" uses compression method 12; only stored (0) and deflate (8) are read',
    );
  });
});
