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
 *
 * Any other file (not a volume, not DICOM, not a PNG / JPEG, which folder2d.ts reads) is reported with why
 * it is not read (otherFiles.ts), unless it is documentation or metadata, or the data file of an .nhdr.
 *
 * nnU-Net v1/v2 and Medical Segmentation Decathlon raw datasets: when the folder holds `imagesTr/` or
 * `imagesTs/`, those and `labelsTr/` / `labelsTs/` are read by their own rules (`discoverNnunet`), not the
 * ones above: image `<case>_<XXXX><ending>` (channel XXXX) or `<case><ending>` (MSD), label
 * `<case><ending>`. Key: the image's path relative to the folder (`imagesTr/la_003_0000.nii.gz`).
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
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
import { IMAGE_2D_FILE } from './image2d';
import type { NnunetLayout } from './mapping';
import { readNrrdHeader } from './nrrd';
import { DICOM_HEAD_BYTES, isNotData, unreadReason } from './otherFiles';
import { isVolumeFile, readVolumeGrid, volumeStem } from './readVolume';
import type { ImageRef, SkippedFile } from './types';
import { readFileHead } from './volume';

export interface DiscoverOptions {
  dataset: string;
  /** The modality of every image found; DICOM series otherwise use their own Modality, volumes "unknown". */
  modality?: string;
  /** Label value → object name for volume label maps. */
  labels?: Record<string, string>;
  /** From an nnU-Net / MSD dataset.json: the file ending and MSD's training list. */
  nnunet?: NnunetLayout;
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

/** The folders of an nnU-Net / MSD raw dataset: images and their labels, training and test. */
const NNUNET_SPLITS = [
  ['imagesTr', 'labelsTr'],
  ['imagesTs', 'labelsTs'],
] as const;
/** nnU-Net's channel suffix: `la_003_0000` is channel 0 of case `la_003`. */
const CHANNEL_STEM = /^(.+)_(\d{4})$/;
/** The endings this tool reads, for a folder whose dataset.json gives no `file_ending`. */
const READABLE_ENDING = /\.(nii\.gz|nii|nrrd|nhdr|png|jpe?g)$/i;

const isFolder = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * The nnU-Net / MSD folders (imagesTr, labelsTr, imagesTs, labelsTs) directly under `root` when it is laid
 * out so, i.e. has `imagesTr/` or `imagesTs/`; else none. Other discovery leaves their files alone.
 */
export function nnunetFolders(root: string): string[] {
  const all = NNUNET_SPLITS.flat().map((name) => join(root, name));
  return all.filter(isFolder).some((f) => basename(f).startsWith('images')) ? all.filter(isFolder) : [];
}

/**
 * Pairs the images of imagesTr/ and imagesTs/ with labelsTr/ and labelsTs/: channel 0 only (SAM takes one
 * grey image; the other channels are neither used nor reported). MSD's `training` list, when given, pairs
 * the training cases instead. A case without label, a label without image, a labels folder missing
 * altogether, and files of another format are reported once each.
 */
function discoverNnunet(dir: string, files: string[], options: DiscoverOptions, skipped: SkippedFile[]): ImageRef[] {
  const given = options.nnunet?.fileEnding;
  const endingOf = (name: string): string | undefined => {
    if (!given) return READABLE_ENDING.exec(name)?.[0];
    return name.toLowerCase().endsWith(given.toLowerCase()) ? name.slice(-given.length) : undefined;
  };
  const what = given ? `the dataset's file_ending ${given}` : 'a format this tool reads';
  const readable = (name: string) => isVolumeFile(name) || IMAGE_2D_FILE.test(name);
  /** The folder's usable files by stem; other formats and a second file of one stem reported. */
  const byStem = (folder: string) => {
    const found = new Map<string, string>();
    for (const f of files.filter((x) => dirname(x) === folder)) {
      const ending = endingOf(basename(f));
      if (ending === undefined || !readable(basename(f))) {
        const reads = '.nii.gz, .nii, .nrrd, .nhdr, .png or .jpg';
        skipped.push({ path: f, reason: `not ${what} (this tool reads ${reads}).` });
        continue;
      }
      const stem = basename(f).slice(0, -ending.length);
      const first = found.get(stem);
      if (first) skipped.push({ path: f, reason: `a second file for ${stem} (${basename(first)} is used).` });
      else found.set(stem, f);
    }
    return found;
  };
  const inFolders = new Set(NNUNET_SPLITS.flat().map((name) => join(dir, name)));
  for (const f of files.filter((x) => !inFolders.has(dirname(x)))) {
    const folder = relative(dir, f).split(sep)[0];
    skipped.push({ path: f, reason: `in a subfolder of ${folder}/ (nnU-Net and MSD folders are flat).` });
  }

  const refs: ImageRef[] = [];
  const add = (image: string, labelMap: string) => {
    const key = relative(dir, image).split(sep).join('/');
    const base = { key, dataset: options.dataset, modality: options.modality ?? 'unknown', image, labelMap };
    const labels = options.labels && { labels: options.labels };
    // 2D (nnU-Net v2 takes PNG): no header to compare; the loader checks the sizes.
    const problem = IMAGE_2D_FILE.test(image) ? null : pairProblem(image, labelMap);
    if (problem) skipped.push(problem);
    else refs.push({ kind: IMAGE_2D_FILE.test(image) ? 'image2d' : 'volume', ...base, ...labels });
  };

  for (const [imagesName, labelsName] of NNUNET_SPLITS) {
    const imagesDir = join(dir, imagesName);
    const labelsDir = join(dir, labelsName);
    const images = byStem(imagesDir);
    const labels = byStem(labelsDir);
    const training = imagesName === 'imagesTr' ? options.nnunet?.training : undefined;
    if (training) {
      pairTraining(dir, training, images, labels, add, skipped);
      continue;
    }
    // Case and channel: `<case>_XXXX`, unless `<stem>` itself has a label (MSD names the image as the label).
    const cases = new Map<string, Map<number, string>>();
    for (const [stem, path] of images) {
      const m = labels.has(stem) ? null : CHANNEL_STEM.exec(stem);
      const [name, channel] = m ? [m[1]!, Number(m[2])] : [stem, 0];
      if (!cases.has(name)) cases.set(name, new Map());
      const channels = cases.get(name)!;
      const first = channels.get(channel);
      if (!first) channels.set(channel, path);
      else skipped.push({ path, reason: `a second image of case ${name}, channel ${channel} (${basename(first)}).` });
    }
    const noLabels = !isFolder(labelsDir) && cases.size > 0;
    if (noLabels) {
      skipped.push({
        path: imagesDir,
        reason: `no ${labelsName}/ folder beside it: its ${cases.size} case(s) have no ground truth.`,
      });
    }
    for (const [name, channels] of cases) {
      const image = channels.get(0);
      const label = labels.get(name);
      labels.delete(name);
      if (noLabels) continue;
      if (!image) {
        const path = [...channels.values()].sort()[0]!;
        skipped.push({ path, reason: `case ${name} has no channel 0 image (${name}_0000); only channel 0 is used.` });
      } else if (!label) {
        skipped.push({
          path: image,
          reason: `no label map ${labelsName}/${name}${endingOf(basename(image))} for this case.`,
        });
      } else {
        add(image, label);
      }
    }
    for (const [name, label] of labels) {
      skipped.push({ path: label, reason: `a label map without its image: no ${imagesName}/${name}_0000 or ${name}.` });
    }
  }
  return refs;
}

/** MSD / nnU-Net v1 `training` pairs; v1 lists `imagesTr/x.nii.gz` for files named `x_0000.nii.gz`. */
function pairTraining(
  dir: string,
  training: NonNullable<NnunetLayout['training']>,
  images: Map<string, string>,
  labels: Map<string, string>,
  add: (image: string, labelMap: string) => void,
  skipped: SkippedFile[],
): void {
  const used = new Set<string>();
  const isFile = (path: string) => existsSync(path) && !isFolder(path);
  for (const entry of training) {
    const listed = join(dir, entry.image);
    const ending = READABLE_ENDING.exec(listed)?.[0] ?? '';
    const stem = listed.slice(0, listed.length - ending.length);
    const image = [listed, `${stem}_0000${ending}`].find(isFile);
    const label = join(dir, entry.label);
    // The case's files, its other channels included, are accounted for: not reported as unlisted.
    for (const [s, path] of images) {
      if (path === listed || join(dirname(path), CHANNEL_STEM.exec(s)?.[1] ?? s) === stem) used.add(path);
    }
    used.add(label);
    const notFound = "listed in dataset.json's training list but not found.";
    if (!image) skipped.push({ path: listed, reason: notFound });
    else if (!isFile(label)) skipped.push({ path: label, reason: notFound });
    else add(image, label);
  }
  for (const path of [...images.values(), ...labels.values()]) {
    if (!used.has(path)) skipped.push({ path, reason: "not in dataset.json's training list." });
  }
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
  const layout = nnunetFolders(dir);
  const inLayout = (f: string) => layout.some((folder) => f.startsWith(folder + sep));
  const all = listFiles(dir, skipped);
  const files = all.filter((f) => !inLayout(f));
  const volumes = files.filter((f) => isVolumeFile(basename(f)));
  // Detached NRRD data files are read through their header.
  const dataFiles = new Set<string>();
  for (const f of volumes.filter((v) => /\.nhdr$/i.test(v))) {
    try {
      const { dataFile } = readNrrdHeader(f);
      if (dataFile) dataFiles.add(dataFile);
    } catch {
      // reported with the pair (pairProblem)
    }
  }
  const dicom: string[] = [];
  for (const f of files) {
    if (isVolumeFile(basename(f))) continue;
    let head: Uint8Array;
    try {
      head = readFileHead(f, DICOM_HEAD_BYTES);
    } catch (error) {
      skipped.push({ path: f, reason: `not readable (${reasonOf(error, f)}).` });
      continue;
    }
    if (hasDicomPreamble(head)) dicom.push(f);
    else if (!IMAGE_2D_FILE.test(f) && !isNotData(f) && !dataFiles.has(f)) {
      skipped.push({ path: f, reason: unreadReason(f, head) });
    }
  }
  const refs = [
    ...discoverNnunet(dir, all.filter(inLayout), options, skipped),
    ...discoverVolumes(dir, volumes, options, skipped),
    ...discoverDicom(dir, dicom, options, skipped),
  ];
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    refs: refs.sort((a, b) => byText(a.key, b.key)),
    skipped: skipped.sort((a, b) => byText(a.path, b.path) || byText(a.reason, b.reason)),
  };
}
