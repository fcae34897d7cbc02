/**
 * Size and SHA-256 checks of model files on disk, streamed: a SAM ViT-H encoder is 2.5 GB. A graph the
 * caller is about to open can be read whole instead and checked as read (one pass over the file).
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ModelFile } from '../../extensions/sam-segmentation/src/core/manifest';

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export type FileCheck =
  | { status: 'missing'; path: string }
  | { status: 'ok'; path: string; bytes: number; sha256: string; pinned: boolean; data?: Uint8Array }
  | { status: 'corrupt'; path: string; problem: string };

/** What is wrong with a file of this size and SHA-256 for its manifest entry, or undefined when nothing is. */
export function fileProblem(expected: ModelFile, bytes: number, sha256?: string): string | undefined {
  if (expected.bytes !== undefined && bytes !== expected.bytes) {
    return `${bytes} bytes, expected ${expected.bytes} (incomplete or wrong file)`;
  }
  if (sha256 !== undefined && expected.sha256 !== undefined && sha256 !== expected.sha256) {
    return `SHA-256 ${sha256}, expected ${expected.sha256}`;
  }
  return undefined;
}

/** What is wrong with these bytes for their manifest entry (size, then SHA-256), or undefined. */
export function bytesProblem(expected: ModelFile, data: Uint8Array): string | undefined {
  return fileProblem(expected, data.length) ?? fileProblem(expected, data.length, sha256Of(data));
}

/**
 * Checks a file against its manifest entry. `pinned` says whether a checksum was there to compare.
 * With `read`, the file is read whole (under 2 GiB: an ONNX graph) and its checked bytes come back as `data`.
 */
export async function checkModelFile(
  path: string,
  expected: ModelFile,
  options: { read?: boolean } = {},
): Promise<FileCheck> {
  let bytes: number;
  try {
    bytes = statSync(path).size;
  } catch {
    return { status: 'missing', path };
  }
  const sizeProblem = fileProblem(expected, bytes);
  if (sizeProblem) return { status: 'corrupt', path, problem: sizeProblem };
  const buffer = options.read ? await readFile(path) : undefined;
  // A view of the buffer read (a plain Uint8Array, no copy).
  const data = buffer && new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (data) bytes = data.length;
  const sha256 = data ? sha256Of(data) : await sha256OfFile(path);
  const problem = fileProblem(expected, bytes, sha256);
  if (problem) return { status: 'corrupt', path, problem };
  return { status: 'ok', path, bytes, sha256, pinned: expected.sha256 !== undefined, ...(data && { data }) };
}

/**
 * What a file that passed `checkModelFile` was checked against, for messages: "verified" only when the
 * manifest has its SHA-256; a file without one was not verified, whatever its size.
 */
export function checkedAs(expected: ModelFile): string {
  if (expected.sha256 !== undefined) return 'verified';
  return `${expected.bytes !== undefined ? 'size as in the manifest; ' : ''}no checksum in the manifest: not verified`;
}
