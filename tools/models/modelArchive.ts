/**
 * `models fetch` for a model published only as a zip archive (SAM ViT-L / ViT-H): download the archive
 * beside the model's files (resume, progress, size and SHA-256 as for any file), extract the members the
 * manifest names, check each against its own size and SHA-256, then delete the archive. A models folder
 * ends up exactly as for a model of loose files: `models/<id>/<file>`, complete and verified, or absent.
 */
import { renameSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import {
  archivePath,
  listModelFiles,
  type ModelEntry,
  type ModelFile,
  type ModelFileRef,
} from '../../extensions/sam-segmentation/src/core/manifest';
import { DownloadError, downloadModelFile, type DownloadProgress } from './download';
import { checkModelFile, checkedAs, fileProblem } from './fileIntegrity';
import { ZipFormatError, extractZipEntry, readZipDirectory, type ZipEntry } from './zipReader';

export interface ArchiveFetchOptions {
  fetchImpl?: typeof fetch;
  /** A progress reporter per step ('archive', 'extracting <file>'). */
  progress?: (label: string) => (p: DownloadProgress) => void;
  log?: (line: string) => void;
}

const shown = (path: string) => relative(process.cwd(), path) || path;

/** The archive as a file to download: same URL, size and checksum rules as a model file. */
function archiveFile(model: ModelEntry): ModelFile {
  const { file, url, bytes, sha256 } = model.archive!;
  return { file, url, ...(bytes !== undefined && { bytes }), ...(sha256 !== undefined && { sha256 }) };
}

function findMember(entries: ZipEntry[], ref: ModelFileRef, zip: string): ZipEntry {
  const entry = entries.find((e) => e.name === ref.file.file);
  if (!entry) {
    const names = entries.map((e) => e.name).join(', ') || 'nothing';
    throw new DownloadError(
      `The archive ${shown(zip)} has no member "${ref.file.file}" (the model's ${ref.label}); it holds: ${names}. ` +
        'The manifest entry does not match this archive.',
    );
  }
  return entry;
}

/** Downloads (or reuses) the archive, extracts and verifies the model's files, then deletes the archive. */
export async function fetchArchiveModel(
  model: ModelEntry,
  dir: string,
  options: ArchiveFetchOptions = {},
): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const refs = listModelFiles(model);
  const needed: ModelFileRef[] = [];
  for (const ref of refs) {
    const check = await checkModelFile(join(dir, ref.path), ref.file);
    const how = checkedAs(ref.file);
    if (check.status === 'ok')
      log(`${shown(join(dir, ref.path))}: already here${how === 'verified' ? ' and verified' : ` (${how})`}`);
    else needed.push(ref);
  }
  if (needed.length === 0) return;

  const archive = archiveFile(model);
  const zip = join(dir, archivePath(model)!);
  const members = refs.map((r) => r.file.file).join(', ');
  const present = await checkModelFile(zip, archive);
  if (present.status === 'ok') log(`${shown(zip)}: archive already downloaded`);
  else {
    log(`archive: ${archive.url}`);
    await downloadModelFile(archive, zip, {
      ...(options.fetchImpl && { fetchImpl: options.fetchImpl }),
      ...(options.progress && { onProgress: options.progress('archive') }),
      nextStep:
        `run \`npm run models -- fetch ${model.id}\` again: it extracts ${members} from it, checks them and ` +
        `deletes the archive (or unzip those files into ${shown(dirname(zip))}/ yourself and run \`npm run models -- verify\`)`,
    });
  }

  // A member that disagrees with the manifest while the archive matched its own pinned checksum means the
  // manifest is wrong, and downloading again would not help: keep the archive then. Otherwise it goes.
  const archivePinned = archive.sha256 !== undefined;
  const fail = (message: string): never => {
    if (!archivePinned) rmSync(zip, { force: true });
    throw new DownloadError(
      `${message}. ${archivePinned ? `The archive ${shown(zip)} matches its checksum and was kept` : `The archive was deleted; run \`npm run models -- fetch ${model.id}\` again`}.`,
    );
  };

  let entries: ZipEntry[];
  try {
    entries = await readZipDirectory(zip);
  } catch (err) {
    if (err instanceof ZipFormatError) return fail(`${shown(zip)} is not a readable zip archive: ${err.message}`);
    throw err;
  }
  const plan = needed.map((ref) => ({ ref, entry: findMember(entries, ref, zip) }));
  for (const { ref, entry } of plan) {
    const destination = join(dir, ref.path);
    const partial = `${destination}.part`;
    await mkdir(dirname(destination), { recursive: true });
    log(`${ref.label}: extracting ${entry.name} from ${shown(zip)}`);
    const report = options.progress?.(`extracting ${ref.file.file}`);
    let result: { bytes: number; sha256: string };
    try {
      result = await extractZipEntry(
        zip,
        entry,
        partial,
        report && ((p) => report({ receivedBytes: p.writtenBytes, totalBytes: p.totalBytes })),
      );
    } catch (err) {
      rmSync(partial, { force: true });
      if (err instanceof ZipFormatError) return fail(`${ref.file.file} could not be extracted: ${err.message}`);
      throw err;
    }
    const problem = fileProblem(ref.file, result.bytes, result.sha256);
    if (problem) {
      rmSync(partial, { force: true });
      return fail(`${ref.file.file} extracted from ${shown(zip)} is not the expected file: ${problem}. It was deleted`);
    }
    renameSync(partial, destination);
    const how = checkedAs(ref.file);
    log(`${shown(destination)}: ${how === 'verified' ? how : `extracted (${how}; sha256 ${result.sha256})`}`);
  }
  rmSync(zip, { force: true });
  log(`${shown(zip)}: deleted (everything in it that the model needs is extracted and checked)`);
}
