/**
 * `npm start -- --pacs <url> --load-samples`: stores the sample studies in a PACS by STOW-RS
 * (standard DICOMweb, so any PACS that takes STOW; one request per study), so a demo against a
 * fresh Orthanc has something to open. Storing them again is harmless: a PACS keeps one copy per
 * SOP Instance UID.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SAMPLE_STUDIES } from './samples';

const SAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'samples');

/** A multipart/related body of DICOM files (PS3.18 §10.5, STOW-RS request). */
export function stowBody(files: Uint8Array[]): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = `ohif-sam-${randomUUID()}`;
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
      Buffer.from(file),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: new Uint8Array(Buffer.concat(parts)),
    contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`,
  };
}

/** The SOP Instance UIDs the PACS says it could not store (Failed SOP Sequence, 0008,1198). */
function failedInstances(answer: unknown): string[] {
  const failed = (answer as Record<string, { Value?: Array<Record<string, { Value?: string[] }>> }> | null)?.[
    '00081198'
  ];
  return (failed?.Value ?? []).map((item) => item['00081155']?.Value?.[0] ?? '(no UID)');
}

/** Stores every sample study at `dicomwebRoot` (…/dicom-web); resolves with the instances stored per study. */
export async function storeSampleStudies(dicomwebRoot: string): Promise<Array<{ title: string; instances: number }>> {
  const stored: Array<{ title: string; instances: number }> = [];
  for (const study of SAMPLE_STUDIES) {
    const folder = join(SAMPLES_DIR, study.folder);
    const files = readdirSync(folder)
      .filter((f) => f.endsWith('.dcm'))
      .sort()
      .map((f) => new Uint8Array(readFileSync(join(folder, f))));
    const { body, contentType } = stowBody(files);
    const url = `${dicomwebRoot.replace(/\/+$/, '')}/studies`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'Content-Type': contentType, Accept: 'application/dicom+json' },
      });
    } catch (error) {
      throw new Error(`Could not reach the PACS at ${url} (${(error as Error).message}): is it running?`);
    }
    const text = await res.text();
    if (!res.ok)
      throw new Error(`The PACS refused the sample study "${study.title}": HTTP ${res.status} ${text.slice(0, 300)}`);
    const failed = text ? failedInstances(JSON.parse(text)) : [];
    if (failed.length > 0) {
      throw new Error(`The PACS did not store ${failed.length} instances of "${study.title}": ${failed.join(', ')}`);
    }
    stored.push({ title: study.title, instances: files.length });
  }
  return stored;
}
