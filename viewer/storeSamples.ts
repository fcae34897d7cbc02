/**
 * `npm start -- --pacs <url> --load-samples`: stores the sample studies in a PACS by STOW-RS
 * (standard DICOMweb, so any PACS that takes STOW; one request per study), so a demo against a
 * fresh Orthanc has something to open. Storing them again is harmless: a PACS keeps one copy per
 * SOP Instance UID.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { multipartRelated } from './dicomweb/multipart';
import { SAMPLE_STUDIES } from './samples';

const SAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'samples');

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
    // A STOW-RS request (PS3.18 §10.5): the study's files as application/dicom parts.
    const { chunks, contentType } = multipartRelated(
      'application/dicom',
      files.map((body) => ({ contentType: 'application/dicom', body })),
    );
    const body = new Uint8Array(Buffer.concat(chunks));
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
