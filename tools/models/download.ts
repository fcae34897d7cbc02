/**
 * Downloads one model file with progress, resuming a partial download (HTTP Range), and checks it
 * before it takes the final name: a file in models/ is either complete and verified, or absent.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ModelFile } from '../../extensions/sam-segmentation/src/core/manifest';
import { checkModelFile } from './fileIntegrity';

export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number | undefined;
}

export interface DownloadOptions {
  onProgress?: (p: DownloadProgress) => void;
  fetchImpl?: typeof fetch;
  /** What to run once the file has been copied in by hand (offline); default: `npm run models -- verify`. */
  nextStep?: string;
}

export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

function networkHint(url: string, destination: string, cause: unknown, nextStep: string): DownloadError {
  const reason =
    cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
  return new DownloadError(
    `Could not reach ${new URL(url).host} (${reason}). If this machine is offline, download\n` +
      `  ${url}\non a machine with internet and copy it to\n  ${destination}\nthen ${nextStep}.`,
  );
}

/**
 * Downloads `file.url` to `destination` (resuming `destination.part`), checking size and SHA-256 where the
 * manifest gives them; returns what was written (its SHA-256, to show when the manifest has none).
 */
export async function downloadModelFile(
  file: ModelFile,
  destination: string,
  options: DownloadOptions = {},
): Promise<{ bytes: number; sha256: string }> {
  if (!file.url) throw new DownloadError(`${file.file} has no download URL in the manifest`);
  const fetchImpl = options.fetchImpl ?? fetch;
  const partial = `${destination}.part`;
  mkdirSync(dirname(destination), { recursive: true });
  const resumeFrom = existsSync(partial) ? statSync(partial).size : 0;

  let response: Response;
  try {
    response = await fetchImpl(file.url, {
      headers: resumeFrom > 0 ? { Range: `bytes=${resumeFrom}-` } : {},
      redirect: 'follow',
    });
  } catch (err) {
    throw networkHint(file.url, destination, err, options.nextStep ?? 'run `npm run models -- verify`');
  }
  if (response.status === 416 && file.bytes !== undefined && resumeFrom === file.bytes) {
    // The partial file is already complete; only the check is left.
  } else if (!response.ok) {
    throw new DownloadError(`${file.url}: HTTP ${response.status} ${response.statusText}`.trim());
  } else {
    // 206: the server resumed; 200: it sent the whole file again, so start over.
    const append = response.status === 206 && resumeFrom > 0;
    const length = Number(response.headers.get('content-length') ?? NaN);
    const totalBytes = file.bytes ?? (Number.isFinite(length) ? length + (append ? resumeFrom : 0) : undefined);
    let receivedBytes = append ? resumeFrom : 0;
    if (!response.body) throw new DownloadError(`${file.url}: empty response`);
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      receivedBytes += chunk.length;
      options.onProgress?.({ receivedBytes, totalBytes });
    });
    await pipeline(body, createWriteStream(partial, { flags: append ? 'a' : 'w' }));
  }

  const check = await checkModelFile(partial, file);
  if (check.status !== 'ok') {
    rmSync(partial, { force: true });
    const problem = check.status === 'corrupt' ? check.problem : 'nothing was written';
    throw new DownloadError(
      `${file.url} downloaded but is not the expected file: ${problem}. It was deleted; run fetch again.`,
    );
  }
  renameSync(partial, destination);
  return { bytes: check.bytes, sha256: check.sha256 };
}
