import fs from 'node:fs';
import path from 'node:path';

import { parseDicom } from '../../../viewer/samples/dicomFile';
import { SAMPLE_STUDIES } from '../../../viewer/samples/index';
import {
  buildManifest,
  mergeManifests,
  toManifestMetadata,
  type InstanceMetadata,
  type ManifestSource,
} from '../../../viewer/samples/manifest';
import { resolveSamplesBase, SAMPLES_BASE_PLACEHOLDER, sampleImageId } from '../../../viewer/samples/samplesBase';

const SAMPLES_DIR = path.resolve(__dirname, '../../../viewer/samples');
const DCMQI = SAMPLE_STUDIES.find((s) => s.id === 'dcmqi-liver-ct');
if (!DCMQI) throw new Error('no dcmqi sample');

function readSource(relativePath: string): ManifestSource {
  return { relativePath, dataset: parseDicom(fs.readFileSync(path.join(SAMPLES_DIR, relativePath))).dataset };
}

const dcmqiSources = ['01.dcm', '02.dcm', '03.dcm', 'liver.dcm'].map((f) => readSource(`${DCMQI.folder}/${f}`));

type Item = Record<string, unknown>;
const items = (value: unknown): Item[] => (Array.isArray(value) ? (value as Item[]) : []);

describe('dcmqi sample files', () => {
  it('has a SEG that references exactly the three CT slices', () => {
    const ct = dcmqiSources.filter((s) => s.dataset.Modality === 'CT');
    const seg = dcmqiSources.find((s) => s.dataset.Modality === 'SEG')?.dataset;
    expect(ct).toHaveLength(3);
    if (!seg) throw new Error('no SEG');
    const referencedSeries = items(seg.ReferencedSeriesSequence)[0] ?? {};
    expect(referencedSeries.SeriesInstanceUID).toBe(ct[0]?.dataset.SeriesInstanceUID);
    const referenced = items(referencedSeries.ReferencedInstanceSequence).map((r) => r.ReferencedSOPInstanceUID);
    expect(new Set(referenced)).toEqual(new Set(ct.map((c) => c.dataset.SOPInstanceUID)));
    // Every frame's source image is one of the CT slices too.
    const perFrame = items(seg.PerFrameFunctionalGroupsSequence);
    expect(perFrame).toHaveLength(seg.NumberOfFrames as number);
    for (const frame of perFrame) {
      const source = items(items(frame.DerivationImageSequence)[0]?.SourceImageSequence)[0];
      expect(referenced).toContain(source?.ReferencedSOPInstanceUID);
    }
    expect(seg.StudyInstanceUID).toBe(DCMQI.StudyInstanceUID);
    expect(seg.FrameOfReferenceUID).toBe(ct[0]?.dataset.FrameOfReferenceUID);
  });
});

describe('toManifestMetadata', () => {
  it('drops binary values, private tags and dcmjs bookkeeping; flattens person names', () => {
    const metadata = toManifestMetadata({
      _vrMap: { PixelData: 'OW' },
      PixelData: [new ArrayBuffer(8)],
      '00090010': 'GEMS_IDEN_01',
      PatientName: [{ Alphabetic: 'Doe^Jane' }],
      ReferringPhysicianName: [],
      Rows: 512,
      PixelSpacing: [0.5, 0.5],
      ReferencedSeriesSequence: [
        {
          _vrMap: {},
          SeriesInstanceUID: '1.2.3',
          ReferencedInstanceSequence: [{ ReferencedSOPInstanceUID: '1.2.3.4' }],
        },
      ],
    });
    expect(metadata).toEqual({
      PatientName: 'Doe^Jane',
      ReferringPhysicianName: '',
      Rows: 512,
      PixelSpacing: [0.5, 0.5],
      ReferencedSeriesSequence: [
        { SeriesInstanceUID: '1.2.3', ReferencedInstanceSequence: [{ ReferencedSOPInstanceUID: '1.2.3.4' }] },
      ],
    });
  });
});

describe('buildManifest (dcmqi study)', () => {
  const manifest = buildManifest(dcmqiSources, { fallbackStudyDescription: 'fallback' });
  const study = manifest.studies[0];
  if (!study) throw new Error('no study');

  it('has one study with the summary fields OHIF lists', () => {
    expect(manifest.studies).toHaveLength(1);
    expect(study).toMatchObject({
      StudyInstanceUID: DCMQI.StudyInstanceUID,
      StudyDate: '20030417',
      PatientName: 'JANCT000',
      PatientID: '99000',
      StudyDescription: 'fallback',
      NumInstances: 4,
      Modalities: 'CT/SEG',
    });
  });

  it('puts the CT series first, instances in instance-number order', () => {
    const [ct, seg] = study.series;
    expect(ct?.Modality).toBe('CT');
    expect(ct?.instances.map((i) => i.metadata.InstanceNumber)).toEqual([1, 2, 3]);
    expect(ct?.SliceThickness).toBe(1.25);
    expect(seg?.Modality).toBe('SEG');
    expect(seg?.instances).toHaveLength(1);
  });

  it('writes URLs relative to the samples folder through the placeholder', () => {
    const urls = study.series.flatMap((s) => s.instances.map((i) => i.url));
    expect(urls).toEqual([
      'dicomweb:${SAMPLES_BASE}/dcmqi-liver-ct/01.dcm',
      'dicomweb:${SAMPLES_BASE}/dcmqi-liver-ct/02.dcm',
      'dicomweb:${SAMPLES_BASE}/dcmqi-liver-ct/03.dcm',
      'dicomweb:${SAMPLES_BASE}/dcmqi-liver-ct/liver.dcm',
    ]);
  });

  it('gives the SEG instance what OHIF SEG loading reads, and no pixel data', () => {
    const seg = study.series[1]?.instances[0]?.metadata as InstanceMetadata;
    for (const key of [
      'SOPClassUID',
      'SOPInstanceUID',
      'Modality',
      'NumberOfFrames',
      'Rows',
      'Columns',
      'BitsStored',
      'SegmentationType',
      'ReferencedSeriesSequence',
      'SharedFunctionalGroupsSequence',
      'PerFrameFunctionalGroupsSequence',
      'SegmentSequence',
      'FrameOfReferenceUID',
    ]) {
      expect(seg).toHaveProperty(key);
    }
    expect(seg).not.toHaveProperty('PixelData');
    expect(seg.Modality).toBe('SEG');
    expect(seg.NumberOfFrames).toBe(3);
    const ctSops = study.series[0]?.instances.map((i) => i.metadata.SOPInstanceUID);
    const referenced = (seg.ReferencedSeriesSequence as InstanceMetadata[])[0]?.ReferencedInstanceSequence as
      InstanceMetadata[] | undefined;
    expect(new Set(referenced?.map((r) => r.ReferencedSOPInstanceUID))).toEqual(new Set(ctSops));
  });

  it('gives CT instances the image attributes and no private tags', () => {
    const ct = study.series[0]?.instances[0]?.metadata as InstanceMetadata;
    expect(ct).toMatchObject({ Rows: 512, Columns: 512, RescaleIntercept: -1024, PatientName: 'JANCT000' });
    expect(ct.ImagePositionPatient).toHaveLength(3);
    expect(Object.keys(ct).filter((k) => /^[0-9A-F]{8}$/i.test(k) || k.startsWith('_'))).toEqual([]);
    expect(JSON.parse(JSON.stringify(ct))).toEqual(ct);
  });

  it('refuses a file listed twice', () => {
    expect(() => buildManifest([...dcmqiSources, dcmqiSources[0] as ManifestSource])).toThrow(/twice/);
  });

  it('merges manifests but not the same study twice', () => {
    expect(mergeManifests([manifest, { studies: [] }]).studies).toHaveLength(1);
    expect(() => mergeManifests([manifest, manifest])).toThrow(/more than one/);
  });
});

describe('samples base placeholder', () => {
  it('builds image ids below the samples folder only', () => {
    expect(sampleImageId('generated/phantom-ct/0001.dcm')).toBe(
      `dicomweb:${SAMPLES_BASE_PLACEHOLDER}/generated/phantom-ct/0001.dcm`,
    );
    expect(() => sampleImageId('../secret.dcm')).toThrow();
    expect(() => sampleImageId('/etc/passwd')).toThrow();
  });

  it('substitutes the absolute samples URL, at the root or under a sub-path', () => {
    const text = JSON.stringify({ url: sampleImageId('a/b.dcm'), other: sampleImageId('c.dcm') });
    expect(JSON.parse(resolveSamplesBase(text, 'http://localhost:3000/samples'))).toEqual({
      url: 'dicomweb:http://localhost:3000/samples/a/b.dcm',
      other: 'dicomweb:http://localhost:3000/samples/c.dcm',
    });
    expect(JSON.parse(resolveSamplesBase(text, 'https://host/ohif/samples/')).url).toBe(
      'dicomweb:https://host/ohif/samples/a/b.dcm',
    );
  });
});
