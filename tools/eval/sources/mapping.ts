/**
 * The mapping file (`dataset.json` in the data folder, or any JSON file given as `--data`) names the
 * dataset, its modality and its objects, and can list the items explicitly when the folder does not follow
 * the discovery conventions (docs/evaluation.md):
 *
 *   {
 *     "name": "abdomen-ct",                 // default: the folder's name
 *     "root": "../images",                  // default: the mapping file's folder; paths are relative to it
 *     "modality": "CT",                     // default for every item; DICOM series use their own otherwise
 *     "labels": { "1": "liver", "2": "spleen" },   // label value → object name (label maps, SEG numbers)
 *     "objects": { "liver_000": "liver" },         // renames: name found in a file name → object name
 *     "items": [                                    // optional: no discovery, exactly these
 *       { "image": "a.png", "masks": { "liver": "a_liver.png" } },
 *       { "image": "b.png", "labelMap": "b_labels.png", "modality": "MR" },
 *       { "image": "case1.nii.gz", "labelMap": "case1_seg.nii.gz" },
 *       { "dicom": "case2/" }                       // a folder with one series and its SEG
 *     ]
 *   }
 *
 * A `dataset.json` of an nnU-Net v1/v2 or Medical Segmentation Decathlon raw dataset is recognised by its
 * own fields (channel_names, file_ending, numTraining, training, modality as an object) and translated
 * (`translateNnunet`): those folders ship one, and asking for a second file would be friction.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

export interface MappingItem {
  image?: string;
  masks?: Record<string, string>;
  labelMap?: string;
  dicom?: string;
  modality?: string;
}

/** What an nnU-Net / MSD dataset.json adds to the folder layout (imagesTr/ + labelsTr/, discoverVolumes.ts). */
export interface NnunetLayout {
  /** nnU-Net v2's `file_ending` (".nii.gz", ".nrrd", ".png", ...); absent: any format this tool reads. */
  fileEnding?: string;
  /** MSD / nnU-Net v1 `training`: image and label paths relative to the root, "./" dropped. */
  training?: { image: string; label: string }[];
}

export interface DatasetMapping {
  name: string;
  /** Absolute folder the item paths are relative to. */
  root: string;
  modality?: string;
  labels?: Record<string, string>;
  objects?: Record<string, string>;
  items?: MappingItem[];
  /** Set when the file was an nnU-Net / MSD dataset.json. */
  nnunet?: NnunetLayout;
}

/** The mapping file's name inside a data folder. */
export const MAPPING_FILE = 'dataset.json';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isRecordOfStrings = (v: unknown): v is Record<string, string> =>
  isObject(v) && Object.values(v).every((x) => typeof x === 'string');

function fail(file: string, what: string): never {
  throw new Error(`${file}: ${what}`);
}

function parseItem(file: string, raw: unknown, index: number): MappingItem {
  const where = `items[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, `${where} must be an object.`);
  const item = raw as Record<string, unknown>;
  for (const key of Object.keys(item)) {
    if (!['image', 'masks', 'labelMap', 'dicom', 'modality'].includes(key)) {
      fail(file, `${where} has an unknown field "${key}" (image, masks, labelMap, dicom, modality).`);
    }
  }
  for (const key of ['image', 'labelMap', 'dicom', 'modality'] as const) {
    if (item[key] !== undefined && typeof item[key] !== 'string') fail(file, `${where}.${key} must be a string.`);
  }
  if (item.masks !== undefined && !isRecordOfStrings(item.masks)) {
    fail(file, `${where}.masks must map object names to mask files.`);
  }
  if (item.dicom === undefined && item.image === undefined) fail(file, `${where} needs "image" or "dicom".`);
  if (item.dicom !== undefined && (item.image !== undefined || item.masks || item.labelMap)) {
    fail(file, `${where}: "dicom" (a series folder with its SEG) stands alone; image, masks and labelMap don't apply.`);
  }
  if (item.image !== undefined && !item.masks && item.labelMap === undefined) {
    fail(file, `${where} has an image but no ground truth: give "masks" or "labelMap".`);
  }
  return item as MappingItem;
}

/** Fields only an nnU-Net (v1, v2) or MSD dataset.json has; ours refuses all of them. */
const NNUNET_FIELDS = ['channel_names', 'file_ending', 'numTraining', 'training'];

export const isNnunetDataset = (m: Record<string, unknown>) =>
  NNUNET_FIELDS.some((key) => key in m) || isObject(m.modality);

/** nnU-Net v2 normalisation schemes that may stand in a channel name: they say nothing of the modality. */
const NORMALISATION_NAMES = /^(nonorm|zscore|rescale_to_0_1|rgb_to_0_1)$/i;
/** MR channel names of MSD and nnU-Net datasets (MRI, cineMRI, T2, T1Gd, FLAIR, ADC, ...). */
const MR_NAMES = /mri|^(mr|flair|adc|dwi|swi|hbv|pdw?|t[12][\w-]*)$/i;

/** The modality a channel name gives: CT, MR, nothing for a normalisation scheme, else the name as given. */
export function modalityOfChannel(name: string): string | undefined {
  const n = name.trim();
  if (/^ct$/i.test(n)) return 'CT';
  if (MR_NAMES.test(n)) return 'MR';
  if (NORMALISATION_NAMES.test(n) || n === '') return undefined;
  return n;
}

/**
 * Label value → name from either direction: MSD / nnU-Net v1 `{"0": "background", "1": "liver"}` or
 * nnU-Net v2 `{"background": 0, "liver": 1}`. Background (0) is dropped: it is not an object. nnU-Net v2
 * regions (`"tumour core": [2, 3]`) are unions of values, not values, and are left out.
 */
function labelsOfNnunet(file: string, raw: unknown): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) fail(file, '"labels" must be an object (label value → name, or name → value).');
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    let label: string;
    let name: string;
    if (/^\d+$/.test(key) && typeof value === 'string') [label, name] = [key, value];
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) [label, name] = [String(value), key];
    else if (typeof value === 'string' && /^\d+$/.test(value)) [label, name] = [value, key];
    else if (Array.isArray(value)) continue;
    else fail(file, `labels: "${key}": ${JSON.stringify(value)} is neither a label value nor a name.`);
    label = String(Number(label));
    if (label !== '0') labels[label] = name;
  }
  return labels;
}

/** Translates an nnU-Net v1/v2 or MSD dataset.json (see `isNnunetDataset`) into a mapping. */
export function translateNnunet(file: string, m: Record<string, unknown>): DatasetMapping {
  const root = dirname(resolve(file));
  const channels = m.channel_names ?? m.modality;
  if (channels !== undefined && !isObject(channels)) fail(file, '"channel_names" / "modality" must be an object.');
  const first = channels && (channels['0'] ?? Object.values(channels)[0]);
  if (first !== undefined && typeof first !== 'string') fail(file, "channel 0's name must be a string.");
  const modality = first === undefined ? undefined : modalityOfChannel(first);
  const labels = labelsOfNnunet(file, m.labels);
  if (m.file_ending !== undefined && (typeof m.file_ending !== 'string' || !/^\.\w/.test(m.file_ending))) {
    fail(file, '"file_ending" must be a file ending such as ".nii.gz".');
  }
  let training: NnunetLayout['training'];
  if (m.training !== undefined) {
    if (!Array.isArray(m.training)) fail(file, '"training" must be a list of {"image", "label"}.');
    const strip = (p: string) => p.replace(/^(\.\/)+/, '');
    training = m.training.map((entry: unknown, i) => {
      if (!isObject(entry) || typeof entry.image !== 'string' || typeof entry.label !== 'string') {
        fail(file, `training[${i}] must be {"image": "./imagesTr/…", "label": "./labelsTr/…"}.`);
      }
      return { image: strip(entry.image), label: strip(entry.label) };
    });
  }
  return {
    name: typeof m.name === 'string' && m.name.trim() !== '' ? m.name : basename(root),
    root,
    ...(modality !== undefined && { modality }),
    ...(labels && Object.keys(labels).length > 0 && { labels }),
    nnunet: {
      ...(typeof m.file_ending === 'string' && { fileEnding: m.file_ending }),
      ...(training && { training }),
    },
  };
}

/**
 * Parses a mapping file's text; `root` resolves against the file's folder. An nnU-Net / MSD dataset.json
 * is translated; a file that is neither is refused, naming what was expected.
 */
export function parseMapping(file: string, text: string): DatasetMapping {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(file, `not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, 'must hold a JSON object.');
  const m = raw as Record<string, unknown>;
  if (isNnunetDataset(m)) return translateNnunet(file, m);
  for (const key of Object.keys(m)) {
    if (!['name', 'root', 'modality', 'labels', 'objects', 'items'].includes(key)) {
      fail(
        file,
        `unknown field "${key}": expected a mapping file (name, root, modality, labels, objects, items) or an ` +
          'nnU-Net / MSD dataset.json (channel_names or modality, labels, file_ending, numTraining, training).',
      );
    }
  }
  for (const key of ['name', 'root', 'modality'] as const) {
    if (m[key] !== undefined && typeof m[key] !== 'string') fail(file, `"${key}" must be a string.`);
  }
  for (const key of ['labels', 'objects'] as const) {
    if (m[key] !== undefined && !isRecordOfStrings(m[key])) fail(file, `"${key}" must map names to strings.`);
  }
  if (m.labels) {
    for (const value of Object.keys(m.labels as object)) {
      if (!/^\d+$/.test(value)) fail(file, `labels: "${value}" is not a label value (a non-negative integer).`);
    }
  }
  if (m.items !== undefined && !Array.isArray(m.items)) fail(file, '"items" must be a list.');
  const folder = dirname(resolve(file));
  const root = typeof m.root === 'string' ? (isAbsolute(m.root) ? m.root : join(folder, m.root)) : folder;
  return {
    name: (m.name as string | undefined) ?? basename(root),
    root,
    ...(m.modality !== undefined && { modality: m.modality as string }),
    ...(m.labels !== undefined && { labels: m.labels as Record<string, string> }),
    ...(m.objects !== undefined && { objects: m.objects as Record<string, string> }),
    ...(m.items !== undefined && { items: (m.items as unknown[]).map((item, i) => parseItem(file, item, i)) }),
  };
}

/**
 * The mapping for `--data`: a JSON file, or a folder (its `dataset.json` if there is one, else defaults:
 * named after the folder, no modality, discovery).
 */
export function readMapping(data: string): DatasetMapping {
  if (!existsSync(data)) throw new Error(`--data ${data}: no such file or folder.`);
  const path = resolve(data);
  if (statSync(path).isDirectory()) {
    const file = join(path, MAPPING_FILE);
    if (existsSync(file)) return { ...parseMapping(file, readFileSync(file, 'utf8')) };
    return { name: basename(path), root: path };
  }
  return parseMapping(path, readFileSync(path, 'utf8'));
}
