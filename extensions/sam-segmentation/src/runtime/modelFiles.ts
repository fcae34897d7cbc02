/**
 * Fetches a model's files in the browser (or any fetch-capable runtime): progress as bytes arrive,
 * the manifest's size and SHA-256 checked before a byte reaches onnxruntime, and errors that say
 * what to do (which file, where it was looked for, how to get it).
 */
import { FILE_ROLE_NAMES, modelFilePath, type FileRole, type ModelEntry, type ModelFile } from '../core/manifest';

export interface FileProgress {
  file: string;
  loadedBytes: number;
  totalBytes?: number;
}

export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function readWithProgress(
  response: Response,
  onProgress: (loaded: number) => void,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return bytes;
}

/** Fetches one file of a model from `modelsBaseUrl/<id>/<file>` and checks it against the manifest. */
/** Verified model files are kept in Cache Storage under this name; bump it to drop old entries. */
export const MODEL_CACHE_NAME = 'ohif-sam-models-v1';

async function openModelCache(): Promise<Cache | undefined> {
  try {
    return typeof caches === 'undefined' ? undefined : await caches.open(MODEL_CACHE_NAME);
  } catch {
    return undefined; // Cache Storage refused (private mode, quota): work without it
  }
}

/** Whether bytes are an HTML page (whatever the server called them): no model file starts with '<'. */
function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

/** What is wrong with a file's bytes, or undefined when they match the manifest. */
async function integrityProblem(bytes: Uint8Array<ArrayBuffer>, expected: ModelFile): Promise<string | undefined> {
  if (expected.bytes !== undefined && bytes.length !== expected.bytes) {
    return `has ${bytes.length} bytes, expected ${expected.bytes}: incomplete or wrong file`;
  }
  if (expected.sha256 !== undefined) {
    const actual = hex(await crypto.subtle.digest('SHA-256', bytes));
    if (actual !== expected.sha256) return `is corrupt or another file: SHA-256 ${actual}, expected ${expected.sha256}`;
  }
  return undefined;
}

/**
 * Fetches one file of a model from `modelsBaseUrl/<id>/<file>`, checked against the manifest.
 * Files with a pinned SHA-256 are kept in Cache Storage once verified; a cached copy that no longer
 * verifies is dropped and fetched again.
 */
export async function fetchModelFile(
  model: ModelEntry,
  role: FileRole,
  modelsBaseUrl: string,
  onProgress: (p: FileProgress) => void = () => {},
): Promise<Uint8Array> {
  const expected = model.files[role];
  if (!expected) throw new ModelFileError(`${model.name} has no ${role} file in its manifest entry.`);
  const url = new URL(modelFilePath(model, role), modelsBaseUrl).href;
  const howToGet =
    expected.url || model.archive
      ? `Download it with \`npm run models -- fetch ${model.id}\` and serve models/${modelFilePath(model, role)} beside the extension.`
      : 'It is built by the project: run `npm run models:generate` and rebuild.';
  const report = (loadedBytes: number) =>
    onProgress({
      file: expected.file,
      loadedBytes,
      ...(expected.bytes !== undefined && { totalBytes: expected.bytes }),
    });

  const cache = expected.sha256 ? await openModelCache() : undefined;
  const cached = await cache?.match(url);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    if ((await integrityProblem(bytes, expected)) === undefined) {
      report(bytes.length);
      return bytes;
    }
    await cache!.delete(url);
  }

  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new ModelFileError(
      `The ${FILE_ROLE_NAMES[role]} of ${model.name} could not be fetched from ${url} (offline, or refused by the server's CORS policy): ${(err as Error).message}.`,
    );
  }
  const notFound = (why = '') =>
    new ModelFileError(`The ${FILE_ROLE_NAMES[role]} of ${model.name} is not found at ${url}${why}. ${howToGet}`);
  if (response.status === 404) throw notFound();
  if (!response.ok)
    throw new ModelFileError(`The ${FILE_ROLE_NAMES[role]} of ${model.name}: HTTP ${response.status} from ${url}.`);
  // A single-page app's server answers every unknown path with its index.html and 200: a missing file
  // must say so, not look like a corrupt one ("has 4723 bytes, expected 23276014").
  const pageInstead = ': the server answered with a web page (its fallback for unknown paths), not the file';
  if (/^text\/html\b/i.test(response.headers.get('content-type') ?? '')) {
    await response.body?.cancel().catch(() => undefined);
    throw notFound(pageInstead);
  }

  const bytes = await readWithProgress(response, report);
  if (looksLikeHtml(bytes)) throw notFound(pageInstead);
  const problem = await integrityProblem(bytes, expected);
  if (problem)
    throw new ModelFileError(`The ${FILE_ROLE_NAMES[role]} of ${model.name} at ${url} ${problem}. ${howToGet}`);
  await cache?.put(url, new Response(bytes)).catch(() => undefined); // a full quota only costs a re-download
  return bytes;
}
