// Writes everything under viewer/samples/generated/: the phantom's DICOM files, its ground
// truth and the dicomjson manifests. Deterministic, so running it twice changes nothing.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { parseDicom } from './dicomFile';
import { ALL_SAMPLES_MANIFEST, PHANTOM_SEG_FILE, PHANTOM_TRUTH, SAMPLE_STUDIES, type SampleStudy } from './index';
import { buildManifest, mergeManifests, type DicomJsonManifest, type ManifestSource } from './manifest';
import { computeGroundTruth, DEFAULT_PHANTOM_SPEC, type GroundTruth, type PhantomSpec } from './phantom';
import { encodePhantomSeg } from './phantomSeg';
import { phantomUids } from './uids';
import { encodePhantomCtSeries, PHANTOM_STUDY } from './writeDicom';

export interface BuildSamplesOptions {
  /** The viewer/samples folder: manifests name files relative to it. */
  samplesDir: string;
  spec?: PhantomSpec;
  log?: (line: string) => void;
}

export interface WrittenFile {
  /** Relative to samplesDir, posix. */
  path: string;
  bytes: number;
}

const DCMQI_FALLBACK_DESCRIPTION = 'Abdominal CT with liver SEG (dcmqi sample)';

function study(id: string): SampleStudy {
  const found = SAMPLE_STUDIES.find((s) => s.id === id);
  if (!found) throw new Error(`No sample study "${id}"`);
  return found;
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

/** Per-object facts measured on the label volume, next to the nominal geometry. */
function describeTruth(spec: PhantomSpec, truth: GroundTruth) {
  const g = spec.geometry;
  const sliceSize = g.rows * g.columns;
  const voxelMm3 = g.pixelSpacingMm[0] * g.pixelSpacingMm[1] * g.sliceSpacingMm;
  const stats = new Map(truth.objects.map((o) => [o.label, { voxelCount: 0, firstSlice: -1, lastSlice: -1 }]));
  truth.labels.forEach((label, index) => {
    const s = stats.get(label);
    if (!s) return;
    const k = Math.floor(index / sliceSize);
    s.voxelCount++;
    if (s.firstSlice < 0) s.firstSlice = k;
    s.lastSlice = k;
  });
  const uids = phantomUids(spec.seed);
  return {
    about:
      'Ground truth of the generated CT phantom. Label volume: Uint8Array, voxel index ' +
      '(k * rows + j) * columns + i, recomputed by computeLabelVolume(spec) in viewer/samples/phantom.ts.',
    seed: spec.seed,
    geometry: { ...g, imageOrientationPatient: [1, 0, 0, 0, 1, 0] },
    airHu: spec.airHu,
    body: spec.body,
    noiseSigmaHu: spec.noiseSigmaHu,
    rescale: { slope: 1, intercept: spec.rescaleIntercept },
    labelVolumeSha256: createHash('sha256').update(truth.labels).digest('hex'),
    objects: truth.objects.map((o) => {
      const { voxelCount, firstSlice, lastSlice } = stats.get(o.label) ?? {
        voxelCount: 0,
        firstSlice: -1,
        lastSlice: -1,
      };
      return { ...o, voxelCount, voxelVolumeMm3: voxelCount * voxelMm3, sliceRange: [firstSlice, lastSlice] };
    }),
    dicom: {
      StudyInstanceUID: uids.study,
      FrameOfReferenceUID: uids.frameOfReference,
      ctSeriesInstanceUID: uids.ctSeries,
      segSeriesInstanceUID: uids.segSeries,
      segSOPInstanceUID: uids.segInstance,
      PatientName: PHANTOM_STUDY.PatientName,
      PatientID: PHANTOM_STUDY.PatientID,
    },
  };
}

export function buildSamples({
  samplesDir,
  spec = DEFAULT_PHANTOM_SPEC,
  log = () => {},
}: BuildSamplesOptions): WrittenFile[] {
  const written: WrittenFile[] = [];
  const write = (relativePath: string, bytes: Uint8Array | string): void => {
    const target = path.join(samplesDir, relativePath);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, bytes);
    written.push({ path: toPosix(relativePath), bytes: Buffer.byteLength(bytes) });
  };
  // Manifests are served to the browser: compact. The truth file is for people too: indented.
  const writeJson = (relativePath: string, value: unknown, indent?: number): void =>
    write(relativePath, `${JSON.stringify(value, null, indent)}\n`);

  // The phantom: CT slices and SEG, into a folder emptied first so no stale slice survives.
  const phantom = study('phantom-ct');
  fs.rmSync(path.join(samplesDir, phantom.folder), { recursive: true, force: true });
  const truth = computeGroundTruth(spec);
  const phantomFiles = [
    ...encodePhantomCtSeries(spec),
    { fileName: PHANTOM_SEG_FILE, bytes: encodePhantomSeg(spec, truth.labels) },
  ];
  const phantomSources: ManifestSource[] = phantomFiles.map(({ fileName, bytes }) => {
    const relativePath = path.posix.join(phantom.folder, fileName);
    write(relativePath, bytes);
    return { relativePath, dataset: parseDicom(bytes).dataset };
  });
  const phantomFolderBytes = written.reduce((n, f) => n + f.bytes, 0);
  log(
    `${phantom.folder}/: ${phantomFiles.length - 1} CT slices + ${PHANTOM_SEG_FILE} (${(phantomFolderBytes / 1e6).toFixed(1)} MB)`,
  );

  writeJson(PHANTOM_TRUTH, describeTruth(spec, truth), 2);

  // The dcmqi study: every .dcm file of its folder, as committed.
  const dcmqi = study('dcmqi-liver-ct');
  const dcmqiSources: ManifestSource[] = fs
    .readdirSync(path.join(samplesDir, dcmqi.folder))
    .filter((name) => name.toLowerCase().endsWith('.dcm'))
    .sort()
    .map((name) => {
      const relativePath = path.posix.join(dcmqi.folder, name);
      return { relativePath, dataset: parseDicom(fs.readFileSync(path.join(samplesDir, relativePath))).dataset };
    });

  const manifests: [SampleStudy, DicomJsonManifest][] = [
    [dcmqi, buildManifest(dcmqiSources, { fallbackStudyDescription: DCMQI_FALLBACK_DESCRIPTION })],
    [phantom, buildManifest(phantomSources)],
  ];
  for (const [sample, manifest] of manifests) {
    const uids = manifest.studies.map((s) => s.StudyInstanceUID);
    if (uids.length !== 1 || uids[0] !== sample.StudyInstanceUID) {
      throw new Error(`${sample.id}: expected study ${sample.StudyInstanceUID}, files hold ${uids.join(', ')}`);
    }
    writeJson(sample.manifest, manifest);
  }
  writeJson(ALL_SAMPLES_MANIFEST, mergeManifests(manifests.map(([, m]) => m)));

  for (const file of written.filter((f) => f.path.endsWith('.json'))) {
    log(`${file.path} (${(file.bytes / 1e3).toFixed(0)} kB)`);
  }
  return written;
}
