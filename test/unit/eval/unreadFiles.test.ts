/**
 * Every file a data folder holds that no rule reads is reported with its reason (BMP, TIFF, GIF images, a
 * `.dcm` that is not DICOM, a JPEG among the masks, a volume format this tool does not read, anything
 * else), while the files a dataset usually carries besides its data (documentation, licences, tables,
 * metadata) and an .nhdr header's data file are not listed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { discoverDataset } from '../../../tools/eval/sources/discover';
import { nrrdFile } from './volumeWriters';

let root: string;
const put = (path: string, bytes: Buffer | string = '') => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), bytes);
};
/** Seeded bytes that are no known format. */
const noise = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 2654435761 + 17) % 251));

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'eval-unread-'));
  put('images/a.png');
  put('masks/a_liver.png');
  put('masks/b_liver.jpg');
  put('photo.bmp', noise(64));
  put('scans/slide.tif', noise(64));
  put('scans/slide2.TIFF', noise(64));
  put('anim.gif', noise(64));
  put('dicom/random.dcm', noise(400));
  put('dicom/short.dcm', noise(10));
  put('dicom/IM0001', noise(400));
  put('vol/brain.mha', noise(64));
  put('vol/weights.npy', noise(64));
  // A detached NRRD header and its data file (read through the header), with its label map.
  put('vol/case.nhdr', 'NRRD0004\ntype: uchar\ndimension: 3\nsizes: 4 3 2\nencoding: raw\ndata file: case.raw\n\n');
  put('vol/case.raw', Buffer.alloc(24));
  put('vol/case_label.nrrd', nrrdFile({ type: 'uchar', sizes: [4, 3, 2], data: new Uint8Array(24) }));
  // What a dataset carries besides its data: not listed.
  for (const f of ['README.md', 'LICENSE', 'vol/notes.txt', 'labels.csv', 'meta/info.json', 'COPYING.txt'])
    put(f, 'text');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('files no rule reads', () => {
  it('are each reported with the reason they are not read', () => {
    const listing = discoverDataset(root);
    expect(listing.refs.map((r) => r.key).sort()).toEqual([
      `${listing.name}:images/a.png`,
      `${listing.name}:vol/case.nhdr`,
    ]);
    const reasons = Object.fromEntries(listing.skipped.map((s) => [s.path.slice(root.length + 1), s.reason]));
    const reads = '(this tool reads PNG and JPEG).';
    expect(reasons).toEqual({
      'masks/b_liver.jpg': 'a JPEG in a masks/ folder: masks are read from PNG files only (JPEG alters their edges).',
      'photo.bmp': `BMP images are not read ${reads}`,
      'scans/slide.tif': `TIFF images are not read ${reads}`,
      'scans/slide2.TIFF': `TIFF images are not read ${reads}`,
      'anim.gif': `GIF images are not read ${reads}`,
      'dicom/random.dcm': expect.stringMatching(/^not a DICOM file \(no "DICM" marker at byte 128/),
      'dicom/short.dcm': expect.stringMatching(/^not a DICOM file \(10 bytes, shorter than a DICOM header\)/),
      'dicom/IM0001': expect.stringMatching(/^not a file this tool reads: not a PNG or JPEG image, .*no "DICM"/),
      'vol/brain.mha': expect.stringMatching(/^MetaImage volumes are not read \(this tool reads NRRD .* and NIfTI/),
      'vol/weights.npy': expect.stringMatching(/^not a file this tool reads/),
    });
  });
});
