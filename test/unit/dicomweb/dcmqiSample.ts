// The real dcmqi sample (3-slice CT + its 3-frame binary liver SEG) that the DICOMweb tests serve.

import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SAMPLE_DIR = join(__dirname, '..', '..', '..', 'viewer', 'samples', 'dcmqi-liver-ct');
const SHARED_DIR = '/work/shared/data/dcmqi/data/segmentations';

export const STUDY = '1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1';
export const CT_SERIES = '1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1';
export const SEG_SERIES = '1.2.276.0.7230010.3.1.3.0.42154.1458337731.665795';
export const SEG_SOP = '1.2.276.0.7230010.3.1.4.0.42154.1458337731.665796';

export interface SampleFiles {
  folder: string;
  cleanup: () => void;
  file: (name: string) => string;
}

/** The sample's files: from viewer/samples, or linked from the shared dcmqi checkout. */
export function sampleFiles(): SampleFiles {
  if (existsSync(join(SAMPLE_DIR, 'liver.dcm'))) {
    return { folder: SAMPLE_DIR, cleanup: () => {}, file: (name) => join(SAMPLE_DIR, name) };
  }
  const folder = mkdtempSync(join(tmpdir(), 'dicomweb-'));
  const sources: Record<string, string> = { 'liver.dcm': join(SHARED_DIR, 'liver.dcm') };
  for (const n of ['01', '02', '03']) sources[`${n}.dcm`] = join(SHARED_DIR, 'ct-3slice', `${n}.dcm`);
  for (const [name, source] of Object.entries(sources)) symlinkSync(source, join(folder, name));
  return { folder, cleanup: () => rmSync(folder, { recursive: true }), file: (name) => sources[name] ?? '' };
}

export type Json = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;

export const values = (json: Json, tag: string) => json[tag]?.Value ?? [];
