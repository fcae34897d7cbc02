/**
 * Size and SHA-256 checks of model files on disk, streamed: a SAM ViT-H encoder is 2.5 GB.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { ModelFile } from '../../extensions/sam-segmentation/src/core/manifest';

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export type FileCheck =
  | { status: 'missing'; path: string }
  | { status: 'ok'; path: string; bytes: number; sha256: string; pinned: boolean }
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

/** Checks a file against its manifest entry. `pinned` says whether a checksum was there to compare. */
export async function checkModelFile(path: string, expected: ModelFile): Promise<FileCheck> {
  let bytes: number;
  try {
    bytes = statSync(path).size;
  } catch {
    return { status: 'missing', path };
  }
  const sizeProblem = fileProblem(expected, bytes);
  if (sizeProblem) return { status: 'corrupt', path, problem: sizeProblem };
  const sha256 = await sha256OfFile(path);
  const problem = fileProblem(expected, bytes, sha256);
  if (problem) return { status: 'corrupt', path, problem };
  return { status: 'ok', path, bytes, sha256, pinned: expected.sha256 !== undefined };
}
