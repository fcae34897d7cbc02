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

export interface DatasetMapping {
  name: string;
  /** Absolute folder the item paths are relative to. */
  root: string;
  modality?: string;
  labels?: Record<string, string>;
  objects?: Record<string, string>;
  items?: MappingItem[];
}

/** The mapping file's name inside a data folder. */
export const MAPPING_FILE = 'dataset.json';

const isRecordOfStrings = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

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

/** Parses a mapping file's text; `root` resolves against the file's folder. */
export function parseMapping(file: string, text: string): DatasetMapping {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(file, `not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, 'must hold a JSON object.');
  const m = raw as Record<string, unknown>;
  for (const key of Object.keys(m)) {
    if (!['name', 'root', 'modality', 'labels', 'objects', 'items'].includes(key)) {
      fail(file, `unknown field "${key}" (name, root, modality, labels, objects, items).`);
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
