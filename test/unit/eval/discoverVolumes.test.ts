/**
 * Discovery of volume pairs and DICOM series with SEG in a folder tree built by the test: what pairs up
 * becomes a reference with a stable key, and every file that cannot be used is reported with its reason.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DCMQI_LIVER_DIR } from '../../../tools/eval/datasets';
import { loadDicomSeriesRef, type DicomSeriesRef } from '../../../tools/eval/sources/dicomSeries';
import { discoverVolumesAndDicom } from '../../../tools/eval/sources/discoverVolumes';
import { niftiFile, nrrdFile } from './volumeWriters';

const HIGHDICOM = join(__dirname, '../../data/highdicom');
const root = mkdtempSync(join(tmpdir(), 'discover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(path: string, bytes: Buffer | string) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), bytes);
}
const copy = (from: string, to: string) => put(to, readFileSync(from));
const nrrd = (sizes: number[]) =>
  nrrdFile({ type: 'uchar', sizes, data: new Uint8Array(sizes.reduce((a, b) => a * b)) });
const nii = (dims: number[]) =>
  niftiFile({ dims, datatype: 2, data: new Uint8Array(dims.reduce((a, b) => a * b)), gzip: true });

const LIVER_SERIES = '1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1';
const CT_IMAGE_SERIES = '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322';
const RLE_SERIES = '1.3.6.1.4.1.5962.1.3.1.2.20040119072730.12322';
const NOSEG_SERIES = '1.3.6.1.4.1.5962.1.3.1.3.20040119072730.12322';

// Volumes: two good pairs, an orphan image, an orphan label, an unreadable image, grids that differ,
// and a label with two candidate images.
put('vol/case1.nrrd', nrrd([4, 3, 2]));
put('vol/case1_label.nrrd', nrrd([4, 3, 2]));
put('vol/mri/brain_image.nii.gz', nii([4, 3, 2]));
put('vol/mri/brain-seg.nii.gz', nii([4, 3, 2]));
put('vol/orphan.nii', niftiFile({ dims: [2, 2, 2], datatype: 2, data: new Uint8Array(8) }));
put('vol/lonely_mask.nrrd', nrrd([4, 3, 2]));
put('vol/corrupt.nrrd', 'NRRD0004\ntype: banana\n\n');
put('vol/corrupt_labels.nrrd', nrrd([4, 3, 2]));
put('vol/grid.nrrd', nrrd([4, 3, 2]));
put('vol/grid_seg.nrrd', nrrd([4, 3, 3]));
put('vol/two.nrrd', nrrd([4, 3, 2]));
put('vol/two_image.nrrd', nrrd([4, 3, 2]));
put('vol/two_mask.nrrd', nrrd([4, 3, 2]));
put('vol/.hidden/x_label.nrrd', nrrd([4, 3, 2]));
put('vol/notes.txt', 'not an image');
// DICOM: the dcmqi CT under names without extension (one image and the SEG twice) and its SEG elsewhere; a CT without SEG; a SEG
// without its series; a compressed series with its SEG; a corrupt file with the DICM preamble.
['01', '02', '03'].forEach((n) => copy(join(DCMQI_LIVER_DIR, `${n}.dcm`), `dicom/patient/ct/IM${n}`));
copy(join(DCMQI_LIVER_DIR, '02.dcm'), 'dicom/patient/ct/IM02.bak');
copy(join(DCMQI_LIVER_DIR, 'liver.dcm'), 'dicom/patient/seg/SEG1');
copy(join(DCMQI_LIVER_DIR, 'liver.dcm'), 'dicom/patient/seg/SEG1.copy');
copy(join(HIGHDICOM, 'seg_image_ct_true_fractional.dcm'), 'dicom/orphan-seg.dcm');
// ct_image.dcm with other UIDs (every occurrence, same length): a series no SEG references, and a
// compressed series that its SEG finds through the SOP instance it references, not the series UID.
const CT_IMAGE_SOP = '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322';
const patched = (changes: [string, string][]) => {
  let text = readFileSync(join(HIGHDICOM, 'ct_image.dcm')).toString('latin1');
  for (const [from, to] of changes) text = text.replaceAll(from, to);
  return Buffer.from(text, 'latin1');
};
put(
  'dicom/noseg/ct.dcm',
  patched([
    [CT_IMAGE_SERIES, NOSEG_SERIES],
    [CT_IMAGE_SOP, CT_IMAGE_SOP.replace('.1.1.1.1.1.', '.1.1.1.1.2.')],
  ]),
);
const rle = patched([
  ['1.2.840.10008.1.2.1\0', '1.2.840.10008.1.2.5\0'],
  [CT_IMAGE_SERIES, RLE_SERIES],
]);
put('dicom/rle/ct.dcm', rle);
copy(join(HIGHDICOM, 'seg_image_ct_binary_single_frame.dcm'), 'dicom/rle/seg.dcm');
put(
  'dicom/broken.dcm',
  Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from([2, 0, 0, 0, 0x55, 0x4c, 9])]),
);

describe('discoverVolumesAndDicom', () => {
  const at = (path: string) => join(root, path);
  const found = discoverVolumesAndDicom(root, { dataset: 'mixed', labels: { 1: 'tumour' } });

  it('pairs label maps with their images and DICOM series with their SEG, sorted by key', () => {
    expect(found.refs).toEqual([
      {
        kind: 'dicom-series',
        key: `dicom/patient/ct#${LIVER_SERIES}`,
        dataset: 'mixed',
        files: ['IM01', 'IM02', 'IM03'].map((f) => at(`dicom/patient/ct/${f}`)),
        segs: [at('dicom/patient/seg/SEG1')],
      },
      {
        kind: 'volume',
        key: 'vol/case1.nrrd',
        dataset: 'mixed',
        modality: 'unknown',
        image: at('vol/case1.nrrd'),
        labelMap: at('vol/case1_label.nrrd'),
        labels: { 1: 'tumour' },
      },
      {
        kind: 'volume',
        key: 'vol/mri/brain_image.nii.gz',
        dataset: 'mixed',
        modality: 'unknown',
        image: at('vol/mri/brain_image.nii.gz'),
        labelMap: at('vol/mri/brain-seg.nii.gz'),
        labels: { 1: 'tumour' },
      },
    ]);
  });

  it('reports every file it cannot use, with the reason, sorted by path', () => {
    const reasons = found.skipped.map((s) => [s.path.replace(root, ''), s.reason]);
    expect(reasons).toEqual([
      ['/dicom/broken.dcm', expect.stringMatching(/^not a readable DICOM file/)],
      [`/dicom/noseg#${NOSEG_SERIES}`, 'a DICOM series (1 file(s), Modality CT) without a SEG referencing it.'],
      [
        '/dicom/orphan-seg.dcm',
        'a SEG whose series is missing: it references series 1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.2, not found here.',
      ],
      ['/dicom/patient/ct/IM02.bak', 'a second copy of dicom/patient/ct/IM02 (the same SOPInstanceUID).'],
      ['/dicom/patient/seg/SEG1.copy', 'a second copy of dicom/patient/seg/SEG1 (the same SOPInstanceUID).'],
      [
        `/dicom/rle#${RLE_SERIES}`,
        expect.stringMatching(
          /^a DICOM series \(1 file\(s\), Modality CT\) that cannot be read: ct.dcm: transfer syntax 1.2.840.10008.1.2.5 \(RLE Lossless\) is not supported.* Its SEG\(s\) seg.dcm go too.$/,
        ),
      ],
      ['/vol/corrupt.nrrd', expect.stringMatching(/^unreadable volume: NRRD type "banana" is not supported/)],
      ['/vol/grid_seg.nrrd', 'the label map is 4 x 3 x 3 voxels; its image grid.nrrd is 4 x 3 x 2.'],
      [
        '/vol/lonely_mask.nrrd',
        expect.stringMatching(/^a label map without its image: no lonely, lonely_image, lonely-image/),
      ],
      ['/vol/orphan.nii', expect.stringMatching(/^a volume without a label map/)],
      ['/vol/two.nrrd', expect.stringMatching(/^a volume without a label map/)],
      ['/vol/two_image.nrrd', expect.stringMatching(/^a volume without a label map/)],
      ['/vol/two_mask.nrrd', 'a label map with several possible images (two.nrrd, two_image.nrrd); keep one.'],
    ]);
  });

  it('gives references the loaders read', () => {
    const series = found.refs[0] as DicomSeriesRef;
    const images = [...loadDicomSeriesRef(series, 'file')];
    expect(images.map((i) => i.id)).toEqual([0, 1, 2].map((k) => `dicom/patient/ct#${LIVER_SERIES}#z=${k}`));
    expect(images.map((i) => i.modality)).toEqual(['CT', 'CT', 'CT']);
  });

  it('passes the modality on, keys a second label map of one image apart, and reports a missing folder', () => {
    const folder = mkdtempSync(join(tmpdir(), 'discover-two-'));
    try {
      writeFileSync(join(folder, 'a.nrrd'), nrrd([2, 2, 2]));
      writeFileSync(join(folder, 'a_seg.nrrd'), nrrd([2, 2, 2]));
      writeFileSync(join(folder, 'a-label.nrrd'), nrrd([2, 2, 2]));
      copyFileSync(join(DCMQI_LIVER_DIR, '01.dcm'), join(folder, '01.dcm'));
      copyFileSync(join(DCMQI_LIVER_DIR, 'liver.dcm'), join(folder, 'liver.dcm'));
      const { refs, skipped } = discoverVolumesAndDicom(folder, { dataset: 'x', modality: 'CT' });
      expect(skipped).toEqual([]);
      expect(refs.map((r) => [r.key, r.modality])).toEqual([
        [`.#${LIVER_SERIES}`, 'CT'],
        ['a.nrrd#a-label.nrrd', 'CT'],
        ['a.nrrd#a_seg.nrrd', 'CT'],
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    expect(discoverVolumesAndDicom(join(root, 'nowhere'), { dataset: 'x' })).toEqual({
      refs: [],
      skipped: [{ path: join(root, 'nowhere'), reason: 'not a folder.' }],
    });
  });
});
