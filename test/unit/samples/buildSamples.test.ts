import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { buildSamples } from '../../../viewer/samples/buildSamples';
import { parseDicom } from '../../../viewer/samples/dicomFile';
import { ALL_SAMPLES_MANIFEST, PHANTOM_SEG_FILE, PHANTOM_TRUTH, SAMPLE_STUDIES } from '../../../viewer/samples/index';
import type { DicomJsonManifest } from '../../../viewer/samples/manifest';
import { DEFAULT_PHANTOM_SPEC, describeObjects } from '../../../viewer/samples/phantom';
import { phantomUids } from '../../../viewer/samples/uids';

const SAMPLES_DIR = path.resolve(__dirname, '../../../viewer/samples');

// A scratch samples folder: the committed dcmqi files, and generated/ written by the test.
let samplesDir: string;
let firstRun: { path: string; bytes: number }[];
const readJson = <T>(relativePath: string): T =>
  JSON.parse(fs.readFileSync(path.join(samplesDir, relativePath), 'utf8'));
const sample = (id: string) => {
  const found = SAMPLE_STUDIES.find((s) => s.id === id);
  if (!found) throw new Error(`no sample ${id}`);
  return found;
};

beforeAll(() => {
  samplesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samples-'));
  fs.cpSync(path.join(SAMPLES_DIR, 'dcmqi-liver-ct'), path.join(samplesDir, 'dcmqi-liver-ct'), { recursive: true });
  firstRun = buildSamples({ samplesDir });
});

afterAll(() => fs.rmSync(samplesDir, { recursive: true, force: true }));

describe('buildSamples', () => {
  it('writes the phantom series, its SEG, its truth and three manifests', () => {
    const phantom = sample('phantom-ct');
    const names = fs.readdirSync(path.join(samplesDir, phantom.folder)).sort();
    expect(names).toHaveLength(DEFAULT_PHANTOM_SPEC.geometry.slices + 1);
    expect(names).toContain('0001.dcm');
    expect(names).toContain('0064.dcm');
    expect(names).toContain(PHANTOM_SEG_FILE);
    for (const file of [PHANTOM_TRUTH, ALL_SAMPLES_MANIFEST, ...SAMPLE_STUDIES.map((s) => s.manifest)]) {
      expect(fs.existsSync(path.join(samplesDir, file))).toBe(true);
    }
    expect(firstRun.map((f) => f.path)).toContain(`${phantom.folder}/0001.dcm`);
  });

  it('writes one manifest per study, with the StudyInstanceUID that SAMPLE_STUDIES announces', () => {
    for (const s of SAMPLE_STUDIES) {
      const manifest = readJson<DicomJsonManifest>(s.manifest);
      expect(manifest.studies.map((x) => x.StudyInstanceUID)).toEqual([s.StudyInstanceUID]);
      for (const series of manifest.studies[0]?.series ?? []) {
        for (const instance of series.instances) {
          expect(instance.url.startsWith(`dicomweb:\${SAMPLES_BASE}/${s.folder}/`)).toBe(true);
          // The URL names a file that exists in the samples folder.
          const relative = instance.url.slice('dicomweb:${SAMPLES_BASE}/'.length);
          expect(fs.existsSync(path.join(samplesDir, relative))).toBe(true);
        }
      }
    }
  });

  it('lists the phantom CT and its SEG in the phantom manifest', () => {
    const uids = phantomUids(DEFAULT_PHANTOM_SPEC.seed);
    const study = readJson<DicomJsonManifest>(sample('phantom-ct').manifest).studies[0];
    expect(study).toMatchObject({
      PatientName: 'SAM^Phantom',
      StudyDescription: 'SAM phantom CT',
      NumInstances: 65,
      Modalities: 'CT/SEG',
    });
    const [ct, seg] = study?.series ?? [];
    expect(ct?.SeriesInstanceUID).toBe(uids.ctSeries);
    expect(ct?.instances).toHaveLength(64);
    expect(ct?.instances.map((i) => i.metadata.SOPInstanceUID)).toEqual(
      Array.from({ length: 64 }, (_, k) => uids.ctInstance(k)),
    );
    expect(seg?.SeriesInstanceUID).toBe(uids.segSeries);
    expect(seg?.instances[0]?.url).toBe(`dicomweb:\${SAMPLES_BASE}/generated/phantom-ct/${PHANTOM_SEG_FILE}`);
    expect(seg?.instances[0]?.metadata.NumberOfFrames).toBeGreaterThan(0);
  });

  it('combines both studies in all.json, in SAMPLE_STUDIES order', () => {
    const all = readJson<DicomJsonManifest>(ALL_SAMPLES_MANIFEST);
    expect(all.studies.map((s) => s.StudyInstanceUID)).toEqual(SAMPLE_STUDIES.map((s) => s.StudyInstanceUID));
    const single = SAMPLE_STUDIES.map((s) => readJson<DicomJsonManifest>(s.manifest).studies[0]);
    expect(all.studies).toEqual(single);
  });

  it('records the object list and measured voxel counts in the truth file', () => {
    const truth = readJson<{ objects: (ReturnType<typeof describeObjects>[number] & { voxelCount: number })[] }>(
      PHANTOM_TRUTH,
    );
    const objects = describeObjects(DEFAULT_PHANTOM_SPEC);
    expect(truth.objects.map(({ voxelCount: _v, ...o }) => o)).toEqual(
      objects.map((o) => ({ ...o, voxelVolumeMm3: expect.any(Number), sliceRange: expect.any(Array) })),
    );
    for (const o of truth.objects) expect(o.voxelCount).toBeGreaterThan(0);
  });

  it('writes files dcmjs reads back', () => {
    const { dataset } = parseDicom(fs.readFileSync(path.join(samplesDir, 'generated/phantom-ct/0032.dcm')));
    expect(dataset.InstanceNumber).toBe(32);
  });

  it('is idempotent: a second run writes the same bytes and removes stale files', () => {
    const snapshot = (files: { path: string }[]) =>
      Object.fromEntries(files.map((f) => [f.path, fs.readFileSync(path.join(samplesDir, f.path)).toString('base64')]));
    const before = snapshot(firstRun);
    const stale = path.join(samplesDir, 'generated/phantom-ct/9999.dcm');
    fs.writeFileSync(stale, 'stale');
    const secondRun = buildSamples({ samplesDir });
    expect(secondRun.map((f) => f.path)).toEqual(firstRun.map((f) => f.path));
    expect(snapshot(secondRun)).toEqual(before);
    expect(fs.existsSync(stale)).toBe(false);
  });
});
