/**
 * The model manifest (`models/manifest.json`): which models exist, where their files come from,
 * how to check them, and how each one wants its pixels. Parsing validates every field and names
 * the offending path, so a hand-edited manifest fails with a message a hospital's IT team can act on.
 */
import {
  ENCODER_INPUT_LAYOUTS,
  FAMILY_IDS,
  getFamily,
  withPreprocessing,
  type FamilyId,
  type ModelFamily,
  type Normalisation,
  type PreprocessSpec,
} from '../families';

/** The ONNX graphs a model can have: every model an encoder and a decoder; SAM 2 also its video modules. */
export type GraphRole = 'encoder' | 'decoder' | 'memoryAttention' | 'memoryEncoder';
/** Raw little-endian float32 constants a model's graphs need from outside (SAM 2's video step). */
export type TensorFileRole = 'noMemEmbed' | 'visionPosEmbed';
export type FileRole = GraphRole | TensorFileRole;
/** Optional files, all or none: SAM 2's video modules (`family.propagation.memory`). */
export type MemoryFileRole = Exclude<FileRole, 'encoder' | 'decoder'>;

/** The graphs every model has. */
export const GRAPH_ROLES = ['encoder', 'decoder'] as const;
export const MEMORY_FILE_ROLES: readonly MemoryFileRole[] = [
  'memoryAttention',
  'memoryEncoder',
  'noMemEmbed',
  'visionPosEmbed',
];
const TENSOR_FILE_ROLES: readonly FileRole[] = ['noMemEmbed', 'visionPosEmbed'];

/** A role in words, for messages. */
export const FILE_ROLE_NAMES: Readonly<Record<FileRole, string>> = {
  encoder: 'encoder',
  decoder: 'decoder',
  memoryAttention: 'memory attention',
  memoryEncoder: 'memory encoder',
  noMemEmbed: 'no_mem_embed constant',
  visionPosEmbed: 'vision_pos_embed constant',
};

/** Whether a role's file is an ONNX graph (else raw float32 values). */
export function isGraphRole(role: FileRole): role is GraphRole {
  return !TENSOR_FILE_ROLES.includes(role);
}

export type ModelFiles = Record<(typeof GRAPH_ROLES)[number], ModelFile> & Partial<Record<MemoryFileRole, ModelFile>>;

/** The roles of the files an entry has, the encoder and decoder first. */
export function fileRoles(files: ModelFiles): FileRole[] {
  return [...GRAPH_ROLES, ...MEMORY_FILE_ROLES.filter((role) => files[role] !== undefined)];
}

export interface ModelFile {
  /**
   * File name below the model's folder (`models/<id>/<file>` beside the extension bundle). For a model
   * distributed as an archive, also the member's name inside the archive.
   */
  file: string;
  /**
   * Public download URL, for the `models fetch` command and the browser's fallback; absent for project-built
   * files and for the members of an archive (the archive has the URL).
   */
  url?: string;
  /** Exact size in bytes, when known. */
  bytes?: number;
  /** Lower-case hex SHA-256 of the file, when known. A file that does not match is refused. */
  sha256?: string;
  /**
   * Files that must sit beside this one in the model's folder: the external data of an ONNX graph over 2 GB
   * (e.g. SAM ViT-H's `*.encoder_data.bin`, named inside the graph). Same fields; no further nesting.
   */
  extraFiles?: ModelFile[];
}

/** A zip archive that a model is distributed in: each of the model's files is a member of it. */
export interface ModelArchive {
  /** Public download URL (https). */
  url: string;
  /** Where the archive is downloaded to, below the model's folder (deleted once extracted); default: the URL's last segment. */
  file: string;
  bytes?: number;
  sha256?: string;
}

export type BackendRecommendation = 'webgpu' | 'wasm' | 'any';

export interface ModelEntry {
  id: string;
  name: string;
  family: FamilyId;
  version: string;
  description: string;
  /** Licence of the weights (SPDX id) and where it is stated. */
  licence: { spdx: string; url?: string };
  /** True only for models with learned Segment Anything weights; the project's own default is not. */
  segmentAnythingWeights: boolean;
  /** encoder and decoder; a SAM 2 model with its video modules also memoryAttention, memoryEncoder, noMemEmbed, visionPosEmbed. */
  files: ModelFiles;
  /** Set when the files are only published inside a zip archive: `files[role].file` are member names. */
  archive?: ModelArchive;
  preprocess: PreprocessSpec;
  recommendedBackend: BackendRecommendation;
  /** Why that backend, in words (e.g. cost per slice on a CPU). */
  notes?: string;
  /**
   * Apply the core's clean-up (keep the components the prompt anchors, fill holes) to this model's
   * masks by default: part of the project's default model's pipeline; off for SAM models.
   */
  cleanup: boolean;
}

export interface ModelManifest {
  version: 1;
  defaultModel: string;
  models: ModelEntry[];
}

export class ManifestError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`Model manifest, ${path}: ${message}`);
    this.name = 'ManifestError';
  }
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field<T>(obj: Record<string, Json>, key: string, path: string, check: (v: Json, p: string) => T): T {
  return check(obj[key], `${path}.${key}`);
}

const str = (v: Json, p: string): string => {
  if (typeof v !== 'string' || v.trim() === '') throw new ManifestError(p, 'must be a non-empty string');
  return v;
};
const optStr = (v: Json, p: string): string | undefined => (v === undefined ? undefined : str(v, p));
const bool = (v: Json, p: string): boolean => {
  if (typeof v !== 'boolean') throw new ManifestError(p, 'must be true or false');
  return v;
};
const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (v: Json, p: string): T => {
    if (typeof v !== 'string' || !allowed.includes(v as T)) {
      throw new ManifestError(p, `is ${JSON.stringify(v)}; should be one of: ${allowed.join(', ')}`);
    }
    return v as T;
  };
const triple = (v: Json, p: string): [number, number, number] => {
  if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new ManifestError(p, 'must be an array of 3 numbers');
  }
  return [v[0], v[1], v[2]];
};

const MODEL_ID = /^[a-z0-9][a-z0-9._-]*$/;
const SHA256 = /^[0-9a-f]{64}$/;
const SAFE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

const safeFile = (v: Json, p: string): string => {
  const file = str(v, p);
  if (!SAFE_FILE.test(file) || file.includes('..')) {
    throw new ManifestError(p, `"${file}" must be a relative path of letters, digits, '.', '_', '-'`);
  }
  return file;
};

/** The fields a file and an archive share: url, bytes, sha256. */
function parseSource(v: Record<string, Json>, p: string) {
  const url = field(v, 'url', p, optStr);
  if (url !== undefined && !/^https:\/\//.test(url)) throw new ManifestError(`${p}.url`, 'must be an https:// URL');
  const bytes = v.bytes;
  if (bytes !== undefined && (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes <= 0)) {
    throw new ManifestError(`${p}.bytes`, 'must be a positive integer');
  }
  const sha256 = field(v, 'sha256', p, optStr);
  if (sha256 !== undefined && !SHA256.test(sha256)) {
    throw new ManifestError(`${p}.sha256`, 'must be 64 lower-case hexadecimal digits');
  }
  return { ...(url && { url }), ...(bytes !== undefined && { bytes }), ...(sha256 && { sha256 }) };
}

function parseFile(v: Json, p: string, nested = false): ModelFile {
  if (!isObject(v)) throw new ManifestError(p, 'must be an object with at least "file"');
  const file = field(v, 'file', p, safeFile);
  let extraFiles: ModelFile[] | undefined;
  if (v.extraFiles !== undefined) {
    if (nested) throw new ManifestError(`${p}.extraFiles`, 'is only allowed on a graph file, not on an extra file');
    if (!Array.isArray(v.extraFiles) || v.extraFiles.length === 0) {
      throw new ManifestError(`${p}.extraFiles`, 'must be a non-empty array of files');
    }
    extraFiles = v.extraFiles.map((f, i) => parseFile(f, `${p}.extraFiles[${i}]`, true));
  }
  return { file, ...parseSource(v, p), ...(extraFiles && { extraFiles }) };
}

function parseArchive(v: Json, p: string): ModelArchive {
  if (!isObject(v)) throw new ManifestError(p, 'must be an object with at least "url"');
  const source = parseSource(v, p);
  if (!source.url) throw new ManifestError(`${p}.url`, 'must be a non-empty string');
  let file = field(v, 'file', p, optStr);
  if (file === undefined) {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(source.url).pathname);
    } catch {
      throw new ManifestError(`${p}.url`, `"${source.url}" is not a valid URL`);
    }
    file = pathname.split('/').pop() ?? '';
    if (!SAFE_FILE.test(file)) {
      throw new ManifestError(`${p}.file`, `is needed: the URL's last segment "${file}" is not a usable file name`);
    }
  } else file = safeFile(file, `${p}.file`);
  return { url: source.url, file, ...source };
}

/** Every file of an entry (graphs, then each graph's extra files) with its manifest path, for checks across them. */
function entryFiles(files: ModelFiles, p: string): { file: ModelFile; path: string }[] {
  return fileRoles(files).flatMap((role) => [
    { file: files[role]!, path: `${p}.files.${role}` },
    ...(files[role]!.extraFiles ?? []).map((file, i) => ({ file, path: `${p}.files.${role}.extraFiles[${i}]` })),
  ]);
}

function checkFileSet(files: ModelFiles, archive: ModelArchive | undefined, p: string): void {
  const seen = new Set<string>(archive ? [archive.file] : []);
  for (const { file, path } of entryFiles(files, p)) {
    if (seen.has(file.file)) throw new ManifestError(`${path}.file`, `"${file.file}" is used twice in this model`);
    seen.add(file.file);
    if (archive && file.url !== undefined) {
      throw new ManifestError(`${path}.url`, 'must be absent: this model\'s files are members of its "archive"');
    }
  }
}

function parseNormalisation(v: Json, p: string): Normalisation {
  if (!isObject(v)) throw new ManifestError(p, 'must be an object');
  const kind = field(v, 'kind', p, oneOf(['mean-std', 'min-max'] as const));
  if (kind === 'min-max') return { kind };
  const scale = v.scale;
  if (typeof scale !== 'number' || !(scale > 0)) throw new ManifestError(`${p}.scale`, 'must be a positive number');
  return { kind, scale, mean: field(v, 'mean', p, triple), std: field(v, 'std', p, triple) };
}

function parsePreprocess(v: Json, p: string, family: ModelFamily): PreprocessSpec {
  if (v === undefined) return family.preprocess;
  if (!isObject(v)) throw new ManifestError(p, 'must be an object');
  const overrides: Partial<PreprocessSpec> = {};
  if (v.inputSize !== undefined) overrides.inputSize = v.inputSize as number;
  if (v.resize !== undefined) overrides.resize = field(v, 'resize', p, oneOf(['letterbox', 'stretch'] as const));
  if (v.normalisation !== undefined) overrides.normalisation = field(v, 'normalisation', p, parseNormalisation);
  if (v.antialias !== undefined) overrides.antialias = field(v, 'antialias', p, bool);
  if (v.encoderInput !== undefined) {
    overrides.encoderInput = field(v, 'encoderInput', p, oneOf(ENCODER_INPUT_LAYOUTS));
  }
  try {
    return withPreprocessing(family, overrides).preprocess;
  } catch (err) {
    throw new ManifestError(p, (err as Error).message);
  }
}

function parseEntry(v: Json, p: string): ModelEntry {
  if (!isObject(v)) throw new ManifestError(p, 'must be an object');
  const id = field(v, 'id', p, str);
  if (!MODEL_ID.test(id))
    throw new ManifestError(`${p}.id`, `"${id}" must be lower-case letters, digits, '.', '_', '-'`);
  const familyId = field(v, 'family', p, oneOf(FAMILY_IDS));
  const family = getFamily(familyId);
  const licence = v.licence;
  if (!isObject(licence)) throw new ManifestError(`${p}.licence`, 'must be an object with "spdx"');
  const files = v.files;
  if (!isObject(files)) throw new ManifestError(`${p}.files`, 'must have "encoder" and "decoder"');
  const notes = field(v, 'notes', p, optStr);
  const parsedFiles: ModelFiles = {
    encoder: field(files, 'encoder', `${p}.files`, parseFile),
    decoder: field(files, 'decoder', `${p}.files`, parseFile),
  };
  const memoryRoles = MEMORY_FILE_ROLES.filter((role) => files[role] !== undefined);
  if (memoryRoles.length > 0) {
    if (!family.propagation.memory) {
      throw new ManifestError(`${p}.files.${memoryRoles[0]}`, `${family.label} models have no memory modules`);
    }
    const missing = MEMORY_FILE_ROLES.filter((role) => files[role] === undefined);
    if (missing.length > 0) {
      throw new ManifestError(
        `${p}.files`,
        `has ${memoryRoles.join(', ')} but not ${missing.join(', ')}: the memory modules come together`,
      );
    }
    for (const role of memoryRoles) parsedFiles[role] = field(files, role, `${p}.files`, parseFile);
  }
  const unknown = Object.keys(files).filter((k) => !(fileRoles(parsedFiles) as string[]).includes(k));
  if (unknown.length > 0) {
    throw new ManifestError(
      `${p}.files.${unknown[0]}`,
      `is not a file role (known: ${[...GRAPH_ROLES, ...MEMORY_FILE_ROLES].join(', ')})`,
    );
  }
  const archive = v.archive === undefined ? undefined : field(v, 'archive', p, parseArchive);
  checkFileSet(parsedFiles, archive, p);
  return {
    id,
    name: field(v, 'name', p, str),
    family: familyId,
    version: field(v, 'version', p, str),
    description: field(v, 'description', p, str),
    licence: {
      spdx: field(licence, 'spdx', `${p}.licence`, str),
      ...(typeof licence.url === 'string' && { url: licence.url }),
    },
    segmentAnythingWeights: field(v, 'segmentAnythingWeights', p, bool),
    files: parsedFiles,
    ...(archive && { archive }),
    preprocess: parsePreprocess(v.preprocess, `${p}.preprocess`, family),
    recommendedBackend: field(v, 'recommendedBackend', p, oneOf(['webgpu', 'wasm', 'any'] as const)),
    ...(notes && { notes }),
    cleanup: v.cleanup === undefined ? false : field(v, 'cleanup', p, bool),
  };
}

/** Validates a parsed `manifest.json`; throws a ManifestError naming the first bad field. */
export function parseModelManifest(json: Json): ModelManifest {
  if (!isObject(json)) throw new ManifestError('$', 'must be a JSON object');
  if (json.version !== 1)
    throw new ManifestError('$.version', `is ${JSON.stringify(json.version)}; only version 1 is supported`);
  if (!Array.isArray(json.models) || json.models.length === 0)
    throw new ManifestError('$.models', 'must be a non-empty array');
  const models = json.models.map((m, i) => parseEntry(m, `$.models[${i}]`));
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.id)) throw new ManifestError('$.models', `model id "${m.id}" appears twice`);
    seen.add(m.id);
  }
  const defaultModel = field(json, 'defaultModel', '$', str);
  if (!seen.has(defaultModel))
    throw new ManifestError('$.defaultModel', `"${defaultModel}" is not a model in the manifest`);
  return { version: 1, defaultModel, models };
}

export function findModel(manifest: ModelManifest, id: string): ModelEntry {
  const model = manifest.models.find((m) => m.id === id);
  if (!model) {
    throw new Error(`Unknown model "${id}". Models in the manifest: ${manifest.models.map((m) => m.id).join(', ')}.`);
  }
  return model;
}

/** Where a model's file lives below the models folder (beside the bundle, or `models/` in the repo). */
/** The model's family with the entry's own preprocessing: how this model wants its pixels and prompts. */
export function familyOf(entry: Pick<ModelEntry, 'family' | 'preprocess'>): ModelFamily {
  return withPreprocessing(getFamily(entry.family), entry.preprocess);
}

export function modelFilePath(model: ModelEntry, role: FileRole): string {
  const file = model.files[role];
  if (!file) throw new Error(`${model.name} has no ${role} file.`);
  return `${model.id}/${file.file}`;
}

/** One file a model needs on disk. */
export interface ModelFileRef {
  /** 'encoder', 'decoder', or e.g. 'encoder extra file x_data.bin'. */
  label: string;
  role: FileRole;
  file: ModelFile;
  /** Below the models folder, like `modelFilePath`. */
  path: string;
}

/** Every file a model needs on disk: each graph, then its extra files (external data). */
export function listModelFiles(model: ModelEntry): ModelFileRef[] {
  return fileRoles(model.files).flatMap((role) => {
    const graph = model.files[role]!;
    return [
      { label: role, role, file: graph, path: modelFilePath(model, role) },
      ...(graph.extraFiles ?? []).map((file) => ({
        label: `${role} extra file ${file.file}`,
        role,
        file,
        path: `${model.id}/${file.file}`,
      })),
    ];
  });
}

/** Where a model's archive is downloaded to below the models folder, when it has one. */
export function archivePath(model: ModelEntry): string | undefined {
  return model.archive && `${model.id}/${model.archive.file}`;
}
