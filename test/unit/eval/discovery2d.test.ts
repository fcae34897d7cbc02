import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover2d, listFiles, objectNameOf } from '../../../tools/eval/sources/folder2d';
import { parseMapping, readMapping } from '../../../tools/eval/sources/mapping';

let root: string;
const touch = (...parts: string[]) => {
  const path = join(root, ...parts);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '');
  return path;
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'eval-2d-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('2D discovery', () => {
  it('pairs images/ with masks/ (SAM-Med2D layout) and drops the instance number from object names', () => {
    touch('images', 'ct_1.png');
    touch('images', 'ct_12.png');
    touch('masks', 'ct_1_liver_000.png');
    touch('masks', 'ct_1_hip_left_001.png');
    touch('masks', 'ct_12_spleen_000.png');
    const { refs, skipped } = discover2d(listFiles(root), { name: 'd', root, modality: 'CT' });
    expect(skipped).toEqual([]);
    expect(refs).toEqual([
      {
        kind: 'image2d',
        key: join('images', 'ct_1.png'),
        dataset: 'd',
        modality: 'CT',
        image: join(root, 'images', 'ct_1.png'),
        masks: {
          hip_left: join(root, 'masks', 'ct_1_hip_left_001.png'),
          liver: join(root, 'masks', 'ct_1_liver_000.png'),
        },
      },
      expect.objectContaining({
        key: join('images', 'ct_12.png'),
        masks: { spleen: join(root, 'masks', 'ct_12_spleen_000.png') },
      }),
    ]);
  });

  it('reads a flat folder (1.jpg + 1-mask.png), renames objects by the mapping, and keeps two instances apart', () => {
    touch('1.jpg');
    touch('1-mask.png');
    touch('2.png');
    touch('2_lesion_000.png');
    touch('2_lesion_001.png');
    const { refs } = discover2d(listFiles(root), { name: 'x', root, objects: { mask: 'lungs' } });
    expect(refs.map((r) => [r.key, r.kind === 'image2d' && Object.keys(r.masks!)])).toEqual([
      ['1.jpg', ['lungs']],
      ['2.png', ['lesion', 'lesion#2']],
    ]);
  });

  it('reports an image without masks and a mask without an image, and counts neither', () => {
    touch('images', 'a.png');
    touch('images', 'b.png');
    touch('masks', 'a_liver.png');
    touch('masks', 'c_liver.png');
    const { refs, skipped } = discover2d(listFiles(root), { name: 'd', root });
    expect(refs.map((r) => r.key)).toEqual([join('images', 'a.png')]);
    expect(skipped).toEqual([
      { path: join(root, 'images', 'b.png'), reason: expect.stringMatching(/no mask file \(expected b_<object>\.png/) },
      { path: join(root, 'masks', 'c_liver.png'), reason: 'a mask without an image.' },
    ]);
  });

  it('gives a mask to the image with the longer matching stem; a PNG named after an image beside it is a mask', () => {
    touch('a.png');
    touch('a_b.jpg'); // a JPEG is never a mask
    touch('a_c.png'); // a flat mask of a.png
    touch('masks', 'a_b_liver.png');
    touch('masks', 'a_kidney.png');
    const { refs } = discover2d(listFiles(root), { name: 'd', root });
    expect(Object.fromEntries(refs.map((r) => [r.key, r.kind === 'image2d' && Object.keys(r.masks!)]))).toEqual({
      'a.png': ['c', 'kidney'],
      'a_b.jpg': ['liver'],
    });
  });

  it('names objects after the stem and separator', () => {
    expect(objectNameOf('/x/ct_1_liver_000.png', 'ct_1')).toBe('liver');
    expect(objectNameOf('/x/ct_1-000.png', 'ct_1')).toBe('000');
    expect(objectNameOf('/x/ct_1_liver_000.png', 'ct_1', { liver: 'Liver' })).toBe('Liver');
  });
});

describe('mapping file', () => {
  it('resolves root against its folder and defaults the name to the root folder', () => {
    const m = parseMapping(
      '/data/run/dataset.json',
      JSON.stringify({ root: '../ct', modality: 'CT', labels: { 1: 'liver' } }),
    );
    expect(m).toEqual({ name: 'ct', root: '/data/ct', modality: 'CT', labels: { 1: 'liver' } });
  });

  it.each([
    ['{', /not valid JSON/],
    ['[]', /must hold a JSON object/],
    ['{"modality": 3}', /"modality" must be a string/],
    ['{"labels": {"one": "liver"}}', /labels: "one" is not a label value/],
    ['{"colour": 1}', /unknown field "colour"/],
    ['{"items": [{"image": "a.png"}]}', /items\[0\] has an image but no ground truth/],
    ['{"items": [{"dicom": "d", "image": "a.png"}]}', /"dicom" .* stands alone/],
    ['{"items": [{"masks": {"a": "b.png"}}]}', /items\[0\] needs "image" or "dicom"/],
  ])('refuses %s with a message naming the field', (text, message) => {
    expect(() => parseMapping('/d/dataset.json', text)).toThrow(message);
  });

  it('reads dataset.json from a folder, or defaults without one', () => {
    expect(readMapping(root)).toEqual({ name: expect.stringMatching(/^eval-2d-/), root });
    writeFileSync(join(root, 'dataset.json'), JSON.stringify({ name: 'mine', modality: 'MR' }));
    expect(readMapping(root)).toEqual({ name: 'mine', root, modality: 'MR' });
    expect(() => readMapping(join(root, 'nothing'))).toThrow(/no such file or folder/);
  });
});
