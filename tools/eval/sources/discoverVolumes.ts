/**
 * Finds, recursively under a folder, the volumes with label maps and the DICOM series with SEGs, as
 * `ImageRef`s; whatever cannot be used is reported in `skipped` with the reason, never thrown.
 *
 * Volumes (.nrrd, .nhdr, .nii, .nii.gz): a label map is a file whose stem ends in `_` or `-` followed by
 * label, labels, seg or mask (`brain1_label.nrrd`, `phantom-label.nrrd`, `case1_seg.nii.gz`); its image is
 * the file in the same folder whose stem is the label's without that suffix, or that plus `_image` or
 * `-image`, in any volume format. Both headers are read (cheap) so that an unreadable file or grids of
 * different size are reported here. Key: the image's path relative to the folder (plus `#<label file>`
 * when one image has several label maps).
 *
 * DICOM: any file with the Part 10 preamble ("DICM" at byte 128), whatever its name, read up to its pixel
 * data. Images are grouped by SeriesInstanceUID; a SEG joins the series named in its
 * ReferencedSeriesSequence, or else the series holding the SOP instances it references. Key: the series
 * folder (the files' common folder) relative to the folder, '#', the SeriesInstanceUID.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import {
  hasDicomPreamble,
  items,
  readDicom,
  unsupportedTransferSyntax,
  firstString,
  type DicomFile,
} from './dicomRead';
import { seriesImageOf } from './dicomSeries';
import { isVolumeFile, readVolumeGrid, volumeStem } from './readVolume';
import type { ImageRef, SkippedFile } from './types';
import { readFileHead } from './volume';

export interface DiscoverOptions {
  dataset: string;
  /** The modality of every image found; DICOM series otherwise use their own Modality, volumes "unknown". */
  modality?: string;
  /** Label value → object name for volume label maps. */
  labels?: Record<string, string>;
}

export interface Discovered {
  refs: ImageRef[];
  skipped: SkippedFile[];
}

const LABEL_STEM = /^(.+)[_-](label|labels|seg|mask)$/i;
const SEG_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';

/** Error messages start with the file's path; a skipped entry already names it. */
const reasonOf = (error: unknown, path: string) => {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
};

/** Every file under `dir`, sorted, hidden names left out; unreadable folders are reported. */
function listFiles(dir: string, skipped: SkippedFile[]): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const walk = (folder: string) => {
    let names: string[];
    try {
      const real = realpathSync(folder);
      if (seen.has(real)) return; // a symbolic link back up the tree
      seen.add(real);
      names = readdirSync(folder).sort();
    } catch (error) {
      skipped.push({ path: folder, reason: `folder not readable (${reasonOf(error, folder)}).` });
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = join(folder, name);
      try {
        const stat = statSync(path);
        if (stat.isDirectory()) walk(path);
        else if (stat.isFile()) files.push(path);
      } catch (error) {
        skipped.push({ path, reason: `not readable (${reasonOf(error, path)}).` });
      }
    }
  };
  walk(dir);
  return files;
}

/** Label maps paired with their images; orphans, ambiguous pairs and unreadable headers reported. */
function discoverVolumes(dir: string, files: string[], options: DiscoverOptions, skipped: SkippedFile[]): ImageRef[] {
  const isLabel = (f: string) => LABEL_STEM.test(volumeStem(basename(f)));
  const images = files.filter((f) => !isLabel(f));
  const imageByStem = new Map<string, string[]>();
  for (const f of images) {
    const key = join(dirname(f), volumeStem(basename(f)));
    imageByStem.set(key, [...(imageByStem.get(key) ?? []), f]);
  }
  const labelsOf = new Map<string, string[]>();
  for (const label of files.filter(isLabel)) {
    const base = LABEL_STEM.exec(volumeStem(basename(label)))![1]!;
    const stems = [base, `${base}_image`, `${base}-image`];
    const candidates = stems.flatMap((s) => imageByStem.get(join(dirname(label), s)) ?? []);
    if (candidates.length === 1) {
      labelsOf.set(candidates[0]!, [...(labelsOf.get(candidates[0]!) ?? []), label]);
    } else if (candidates.length === 0) {
      skipped.push({
        path: label,
        reason: `a label map without its image: no ${stems.join(', ')} (.nrrd, .nhdr, .nii or .nii.gz) beside it.`,
      });
    } else {
      const names = candidates.map((c) => basename(c)).join(', ');
      skipped.push({ path: label, reason: `a label map with several possible images (${names}); keep one.` });
    }
  }

  const refs: ImageRef[] = [];
  for (const image of images) {
    const labels = labelsOf.get(image);
    if (!labels) {
      skipped.push({
        path: image,
        reason: 'a volume without a label map (<stem>_label, _labels, _seg or _mask, or with "-", beside it).',
      });
      continue;
    }
    const key = relative(dir, image).split(sep).join('/');
    for (const labelMap of labels) {
      const problem = pairProblem(image, labelMap);
      if (problem) {
        skipped.push(problem);
        continue;
      }
      refs.push({
        kind: 'volume',
        key: labels.length > 1 ? `${key}#${basename(labelMap)}` : key,
        dataset: options.dataset,
        modality: options.modality ?? 'unknown',
        image,
        labelMap,
        ...(options.labels && { labels: options.labels }),
      });
    }
  }
  return refs;
}

/** Why an image and its label map cannot be used together (headers only), or null. */
function pairProblem(image: string, labelMap: string): SkippedFile | null {
  const dims: (readonly number[])[] = [];
  for (const path of [image, labelMap]) {
    try {
      dims.push(readVolumeGrid(path).dims);
    } catch (error) {
      return { path, reason: `unreadable volume: ${reasonOf(error, path)}` };
    }
  }
  const [a, b] = dims as [readonly number[], readonly number[]];
  if (a.every((d, i) => d === b[i])) return null;
  return {
    path: labelMap,
    reason: `the label map is ${b.join(' x ')} voxels; its image ${basename(image)} is ${a.join(' x ')}.`,
  };
}

interface SeriesFound {
  uid: string;
  files: string[];
  /** SOPInstanceUID → file. */
  sops: Map<string, string>;
  modality: string;
  segs: string[];
  /** Why a file of the series cannot be decoded, if one cannot. */
  problem?: string;
}

/** SeriesInstanceUIDs and SOP instance UIDs a SEG references. */
function referencesOf(seg: DicomFile['dataset']) {
  const series = items(seg.ReferencedSeriesSequence);
  const uids = series.map((s) => firstString(s.SeriesInstanceUID)).filter((u): u is string => !!u);
  const groups = [...items(seg.PerFrameFunctionalGroupsSequence), ...items(seg.SharedFunctionalGroupsSequence)];
  const sops = [
    ...series.flatMap((s) => items(s.ReferencedInstanceSequence)),
    ...groups.flatMap((g) => items(g.DerivationImageSequence)).flatMap((d) => items(d.SourceImageSequence)),
  ]
    .map((r) => firstString(r.ReferencedSOPInstanceUID))
    .filter((u): u is string => !!u);
  return { series: uids, sops };
}

/** The deepest folder holding all `files`, relative to `dir` ("." for `dir` itself). */
function commonFolder(dir: string, files: string[]): string {
  const parts = files.map((f) => relative(dir, dirname(f)).split(sep).filter(Boolean));
  const first = parts[0] ?? [];
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++;
  return first.slice(0, n).join('/') || '.';
}

/** Reads every DICOM header and groups the images by series; SEGs are returned apart. */
function readSeriesAndSegs(dir: string, files: string[], skipped: SkippedFile[]) {
  const series = new Map<string, SeriesFound>();
  const segs = new Map<string, DicomFile>(); // by SOPInstanceUID, so a copy of a SEG counts once
  for (const path of files) {
    let file: DicomFile;
    try {
      file = readDicom(path, { headerOnly: true });
    } catch (error) {
      skipped.push({ path, reason: reasonOf(error, path) });
      continue;
    }
    const d = file.dataset;
    const modality = firstString(d.Modality) ?? '';
    const sop = firstString(d.SOPInstanceUID) ?? '';
    const copyOf = (original: string) => ({
      path,
      reason: `a second copy of ${relative(dir, original)} (the same SOPInstanceUID).`,
    });
    if (modality === 'SEG' || firstString(d.SOPClassUID) === SEG_SOP_CLASS) {
      const original = segs.get(sop);
      if (original) skipped.push(copyOf(original.path));
      else segs.set(sop, file);
      continue;
    }
    const uid = firstString(d.SeriesInstanceUID);
    if (!uid || !('PixelData' in d)) {
      const what = modality === 'RTSTRUCT' ? 'an RTSTRUCT (only DICOM SEG ground truth is read)' : 'not an image';
      skipped.push({ path, reason: `${what}: Modality ${modality || 'none'}, SOP class ${String(d.SOPClassUID)}.` });
      continue;
    }
    let found = series.get(uid);
    if (!found) series.set(uid, (found = { uid, files: [], sops: new Map<string, string>(), modality, segs: [] }));
    const original = found.sops.get(sop);
    if (original !== undefined) {
      skipped.push(copyOf(original));
      continue;
    }
    found.sops.set(sop, path);
    found.files.push(path);
    try {
      seriesImageOf(file);
    } catch (error) {
      found.problem ??= `${basename(path)}: ${reasonOf(error, path)}`;
    }
  }
  return { series, segs: [...segs.values()] };
}

/** Attaches each SEG to the series it references (by series UID, else by SOP instance); reports the rest. */
function attachSegs(series: Map<string, SeriesFound>, segs: DicomFile[], skipped: SkippedFile[]): void {
  for (const seg of segs) {
    const problem = unsupportedTransferSyntax(seg.transferSyntax);
    if (problem) {
      skipped.push({ path: seg.path, reason: `a SEG whose ${problem}` });
      continue;
    }
    const refs = referencesOf(seg.dataset);
    let targets = refs.series.map((uid) => series.get(uid)).filter((s): s is SeriesFound => !!s);
    if (targets.length === 0) targets = [...series.values()].filter((s) => refs.sops.some((sop) => s.sops.has(sop)));
    if (targets.length === 0) {
      const named = refs.series.length ? `series ${refs.series.join(', ')}` : 'no series by UID';
      skipped.push({
        path: seg.path,
        reason: `a SEG whose series is missing: it references ${named}, not found here.`,
      });
      continue;
    }
    for (const target of targets) target.segs.push(seg.path);
  }
}

/** DICOM series with their SEGs; series without SEG, SEGs without series and unreadable files reported. */
function discoverDicom(dir: string, files: string[], options: DiscoverOptions, skipped: SkippedFile[]): ImageRef[] {
  const { series, segs } = readSeriesAndSegs(dir, files, skipped);
  attachSegs(series, segs, skipped);
  const refs: ImageRef[] = [];
  for (const found of series.values()) {
    const folder = commonFolder(dir, found.files);
    const where = `${join(dir, folder)}#${found.uid}`;
    const described = `${found.files.length} file(s), Modality ${found.modality || 'none'}`;
    if (found.problem) {
      const segNote = found.segs.length ? ` Its SEG(s) ${found.segs.map((s) => basename(s)).join(', ')} go too.` : '';
      skipped.push({
        path: where,
        reason: `a DICOM series (${described}) that cannot be read: ${found.problem}${segNote}`,
      });
    } else if (found.segs.length === 0) {
      skipped.push({ path: where, reason: `a DICOM series (${described}) without a SEG referencing it.` });
    } else {
      refs.push({
        kind: 'dicom-series',
        key: `${folder}#${found.uid}`,
        dataset: options.dataset,
        ...(options.modality !== undefined && { modality: options.modality }),
        files: [...found.files].sort(),
        segs: [...found.segs].sort(),
      });
    }
  }
  return refs;
}

const DICOM_HEAD_BYTES = 132;

/** Finds volume pairs and DICOM series with SEG under `dir` (see the file comment). Never throws on bad files. */
export function discoverVolumesAndDicom(dir: string, options: DiscoverOptions): Discovered {
  const skipped: SkippedFile[] = [];
  let isFolder = false;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isFolder) return { refs: [], skipped: [{ path: dir, reason: 'not a folder.' }] };
  const files = listFiles(dir, skipped);
  const volumes = files.filter((f) => isVolumeFile(basename(f)));
  const dicom = files.filter((f) => {
    if (isVolumeFile(basename(f))) return false;
    try {
      return hasDicomPreamble(readFileHead(f, DICOM_HEAD_BYTES));
    } catch (error) {
      skipped.push({ path: f, reason: `not readable (${reasonOf(error, f)}).` });
      return false;
    }
  });
  const refs = [...discoverVolumes(dir, volumes, options, skipped), ...discoverDicom(dir, dicom, options, skipped)];
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    refs: refs.sort((a, b) => byText(a.key, b.key)),
    skipped: skipped.sort((a, b) => byText(a.path, b.path) || byText(a.reason, b.reason)),
  };
}
