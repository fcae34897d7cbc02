/**
 * nnU-Net v1/v2 and Medical Segmentation Decathlon raw datasets, built by the test: their dataset.json is
 * translated into a mapping, imagesTr/ + labelsTr/ (and imagesTs/ + labelsTs/) pair by case, channel 0
 * only, and what cannot be used is reported once.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { discoverDataset } from '../../../tools/eval/sources/discover';
import { discoverVolumesAndDicom } from '../../../tools/eval/sources/discoverVolumes';
import { modalityOfChannel, parseMapping, readMapping } from '../../../tools/eval/sources/mapping';
import { niftiFile, nrrdFile } from './volumeWriters';

const root = mkdtempSync(join(tmpdir(), 'nnunet-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const at = (path: string) => join(root, path);
function put(path: string, bytes: Buffer | string) {
  mkdirSync(dirname(at(path)), { recursive: true });
  writeFileSync(at(path), bytes);
}
const nrrd = () => nrrdFile({ type: 'uchar', sizes: [4, 3, 2], data: new Uint8Array(24) });
const nii = () => niftiFile({ dims: [4, 3, 2], datatype: 2, data: new Uint8Array(24), gzip: true });
const json = (value: unknown) => JSON.stringify(value, null, 2);

// nnU-Net v2 with NRRD files: prostate_00 has two channels and its label, prostate_01 one channel and no
// label; a NIfTI file that is not the dataset's file_ending; a test case with its label.
const V2 = 'Dataset005_Prostate';
const V2_JSON = {
  channel_names: { 0: 'T2', 1: 'ADC' },
  labels: { background: 0, PZ: 1, TZ: 2 },
  numTraining: 2,
  file_ending: '.nrrd',
};
put(`${V2}/dataset.json`, json(V2_JSON));
put(`${V2}/imagesTr/prostate_00_0000.nrrd`, nrrd());
put(`${V2}/imagesTr/prostate_00_0001.nrrd`, nrrd());
put(`${V2}/labelsTr/prostate_00.nrrd`, nrrd());
put(`${V2}/imagesTr/prostate_01_0000.nrrd`, nrrd());
put(`${V2}/imagesTr/prostate_02_0000.nii.gz`, nii());
put(`${V2}/imagesTs/prostate_10_0000.nrrd`, nrrd());
put(`${V2}/labelsTs/prostate_10.nrrd`, nrrd());

// MSD / nnU-Net v1: the training list names `imagesTr/la_003.nii.gz`, split by nnU-Net v1 into two channel
// files; la_004 keeps MSD's name and has no label; la_005 is not listed; imagesTs/ has no labelsTs/.
const MSD = 'Task02_Heart';
const MSD_JSON = {
  name: 'LeftAtrium',
  tensorImageSize: '3D',
  modality: { 0: 'MRI' },
  labels: { 0: 'background', 1: 'left atrium' },
  numTraining: 2,
  numTest: 1,
  training: [
    { image: './imagesTr/la_003.nii.gz', label: './labelsTr/la_003.nii.gz' },
    { image: './imagesTr/la_004.nii.gz', label: './labelsTr/la_004.nii.gz' },
  ],
  test: ['./imagesTs/la_001.nii.gz'],
};
put(`${MSD}/dataset.json`, json(MSD_JSON));
put(`${MSD}/imagesTr/la_003_0000.nii.gz`, nii());
put(`${MSD}/imagesTr/la_003_0001.nii.gz`, nii());
put(`${MSD}/labelsTr/la_003.nii.gz`, nii());
put(`${MSD}/imagesTr/la_004.nii.gz`, nii());
put(`${MSD}/imagesTr/la_005.nii.gz`, nii());
put(`${MSD}/imagesTs/la_001.nii.gz`, nii());

describe('nnU-Net v2 folder', () => {
  const listing = discoverDataset(at(V2));
  const labels = { 1: 'PZ', 2: 'TZ' };

  it('pairs channel 0 of each case with its label, in the training and the test split', () => {
    expect(listing.name).toBe(V2);
    expect(listing.refs).toEqual([
      {
        kind: 'volume',
        key: `${V2}:imagesTr/prostate_00_0000.nrrd`,
        dataset: V2,
        modality: 'MR',
        image: at(`${V2}/imagesTr/prostate_00_0000.nrrd`),
        labelMap: at(`${V2}/labelsTr/prostate_00.nrrd`),
        labels,
      },
      {
        kind: 'volume',
        key: `${V2}:imagesTs/prostate_10_0000.nrrd`,
        dataset: V2,
        modality: 'MR',
        image: at(`${V2}/imagesTs/prostate_10_0000.nrrd`),
        labelMap: at(`${V2}/labelsTs/prostate_10.nrrd`),
        labels,
      },
    ]);
  });

  it('reports a missing label once and a file of another ending; other channels are not orphans', () => {
    expect(listing.skipped).toEqual([
      {
        path: at(`${V2}/imagesTr/prostate_01_0000.nrrd`),
        reason: 'no label map labelsTr/prostate_01.nrrd for this case.',
      },
      {
        path: at(`${V2}/imagesTr/prostate_02_0000.nii.gz`),
        reason: expect.stringMatching(/^not the dataset's file_ending \.nrrd/),
      },
    ]);
  });
});

describe('MSD / nnU-Net v1 folder', () => {
  const listing = discoverDataset(at(MSD));

  it("pairs the training list's cases, finding nnU-Net v1's channel 0 file for a listed image", () => {
    expect(listing.name).toBe('LeftAtrium');
    expect(listing.refs).toEqual([
      {
        kind: 'volume',
        key: 'LeftAtrium:imagesTr/la_003_0000.nii.gz',
        dataset: 'LeftAtrium',
        modality: 'MR',
        image: at(`${MSD}/imagesTr/la_003_0000.nii.gz`),
        labelMap: at(`${MSD}/labelsTr/la_003.nii.gz`),
        labels: { 1: 'left atrium' },
      },
    ]);
  });

  it('reports a listed label not found, an unlisted image and a test split without labels, once each', () => {
    expect(listing.skipped).toEqual([
      { path: at(`${MSD}/imagesTr/la_005.nii.gz`), reason: "not in dataset.json's training list." },
      {
        path: at(`${MSD}/imagesTs`),
        reason: 'no labelsTs/ folder beside it: its 1 case(s) have no ground truth.',
      },
      {
        path: at(`${MSD}/labelsTr/la_004.nii.gz`),
        reason: "listed in dataset.json's training list but not found.",
      },
    ]);
  });
});

describe('the layout without a dataset.json, and in 2D', () => {
  it('pairs MSD names by case, reports a label without image and a subfolder, and leaves other folders to the usual rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nnunet-plain-'));
    const inDir = (path: string) => join(dir, path);
    try {
      for (const path of ['imagesTr/liver_0.nii.gz', 'labelsTr/liver_0.nii.gz', 'labelsTr/liver_9.nii.gz']) {
        mkdirSync(dirname(inDir(path)), { recursive: true });
        writeFileSync(inDir(path), nii());
      }
      mkdirSync(inDir('imagesTr/old'));
      writeFileSync(inDir('imagesTr/old/liver_1.nii.gz'), nii());
      mkdirSync(inDir('extra'));
      writeFileSync(inDir('extra/a.nrrd'), nrrd());
      writeFileSync(inDir('extra/a_label.nrrd'), nrrd());
      const { refs, skipped } = discoverVolumesAndDicom(dir, { dataset: 'd', modality: 'CT' });
      expect(refs.map((r) => [r.key, r.kind === 'volume' && r.labelMap])).toEqual([
        ['extra/a.nrrd', inDir('extra/a_label.nrrd')],
        ['imagesTr/liver_0.nii.gz', inDir('labelsTr/liver_0.nii.gz')],
      ]);
      expect(skipped).toEqual([
        {
          path: inDir('imagesTr/old/liver_1.nii.gz'),
          reason: 'in a subfolder of imagesTr/ (nnU-Net and MSD folders are flat).',
        },
        {
          path: inDir('labelsTr/liver_9.nii.gz'),
          reason: 'a label map without its image: no imagesTr/liver_9_0000 or liver_9.',
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads nnU-Net v2 PNG datasets as 2D images with label maps', () => {
    put(
      'Dataset120_Road/dataset.json',
      json({ channel_names: { 0: 'rgb_to_0_1' }, labels: { background: 0, road: 1 }, file_ending: '.png' }),
    );
    put('Dataset120_Road/imagesTr/img_1_0000.png', '');
    put('Dataset120_Road/labelsTr/img_1.png', '');
    expect(discoverDataset(at('Dataset120_Road'))).toEqual({
      name: 'Dataset120_Road',
      refs: [
        {
          kind: 'image2d',
          key: 'Dataset120_Road:imagesTr/img_1_0000.png',
          dataset: 'Dataset120_Road',
          modality: 'unknown',
          image: at('Dataset120_Road/imagesTr/img_1_0000.png'),
          labelMap: at('Dataset120_Road/labelsTr/img_1.png'),
          labels: { 1: 'road' },
        },
      ],
      skipped: [],
    });
  });
});

describe('dataset.json translation', () => {
  it('translates nnU-Net v2: name from the folder, modality from channel 0, labels name → value', () => {
    expect(readMapping(at(V2))).toEqual({
      name: V2,
      root: at(V2),
      modality: 'MR',
      labels: { 1: 'PZ', 2: 'TZ' },
      nnunet: { fileEnding: '.nrrd' },
    });
  });

  it('translates MSD / nnU-Net v1: its name, labels value → name, the training list without "./"', () => {
    expect(parseMapping('/data/Task02_Heart/dataset.json', json(MSD_JSON))).toEqual({
      name: 'LeftAtrium',
      root: '/data/Task02_Heart',
      modality: 'MR',
      labels: { 1: 'left atrium' },
      nnunet: {
        training: [
          { image: 'imagesTr/la_003.nii.gz', label: 'labelsTr/la_003.nii.gz' },
          { image: 'imagesTr/la_004.nii.gz', label: 'labelsTr/la_004.nii.gz' },
        ],
      },
    });
  });

  it('leaves nnU-Net v2 regions out of the labels (unions, not values)', () => {
    const text = json({
      channel_names: { 0: 'FLAIR' },
      labels: { background: 0, whole_tumour: [1, 2, 3], tumour_core: [2, 3], enhancing: 3 },
      file_ending: '.nii.gz',
    });
    expect(parseMapping('/d/BraTS/dataset.json', text).labels).toEqual({ 3: 'enhancing' });
  });

  it('names the modality after channel 0: CT, MR names, nothing for a normalisation scheme, else as given', () => {
    expect(modalityOfChannel('CT')).toBe('CT');
    for (const mr of ['MRI', 'cineMRI', 'mr', 'T2', 't1gd', 'T1w', 'FLAIR', 'ADC'])
      expect(modalityOfChannel(mr)).toBe('MR');
    for (const scheme of ['zscore', 'noNorm', 'rescale_to_0_1', 'rgb_to_0_1'])
      expect(modalityOfChannel(scheme)).toBeUndefined();
    expect(modalityOfChannel('US')).toBe('US');
  });

  it('still reads our own mapping format as before', () => {
    const text = json({ name: 'abdomen', modality: 'CT', labels: { 1: 'liver' }, items: [{ dicom: 'case2/' }] });
    expect(parseMapping('/d/dataset.json', text)).toEqual({
      name: 'abdomen',
      root: '/d',
      modality: 'CT',
      labels: { 1: 'liver' },
      items: [{ dicom: 'case2/' }],
    });
  });

  it.each([
    [
      '{"colour": 1}',
      /unknown field "colour": expected a mapping file \(name, .*\) or an nnU-Net \/ MSD dataset\.json/,
    ],
    [
      '{"file_ending": ".nii.gz", "labels": {"liver": "one"}}',
      /labels: "liver": "one" is neither a label value nor a name/,
    ],
    ['{"numTraining": 1, "training": {"image": "a"}}', /"training" must be a list/],
    ['{"modality": {"0": "CT"}, "training": [{"image": "./imagesTr/a.nii.gz"}]}', /training\[0\] must be/],
    ['{"file_ending": "nii"}', /"file_ending" must be a file ending/],
  ])('refuses %s, saying what was expected', (text, message) => {
    expect(() => parseMapping('/d/dataset.json', text)).toThrow(message);
  });
});
