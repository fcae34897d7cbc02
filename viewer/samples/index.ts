// The embedded sample studies, for the server and the tests. Paths are relative to
// viewer/samples, whose URL is what the server substitutes for ${SAMPLES_BASE}.
// No I/O and no dcmjs here, so any side may import it.

import { DEFAULT_PHANTOM_SPEC } from './phantomSpec';
import { phantomUids } from './uids';

export { SAMPLES_BASE_PLACEHOLDER, resolveSamplesBase, sampleImageId } from './samplesBase';

export interface SampleStudy {
  id: string;
  title: string;
  /** dicomjson manifest of this study alone. */
  manifest: string;
  /** Folder holding the study's DICOM files. */
  folder: string;
  StudyInstanceUID: string;
}

export const SAMPLE_STUDIES: readonly SampleStudy[] = [
  {
    id: 'dcmqi-liver-ct',
    title: 'Abdominal CT, 3 slices, with liver SEG (QIICR/dcmqi)',
    manifest: 'generated/dcmqi-liver-ct.json',
    folder: 'dcmqi-liver-ct',
    StudyInstanceUID: '1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1',
  },
  {
    id: 'phantom-ct',
    title: 'CT phantom, 64 slices, with ground-truth SEG',
    manifest: 'generated/phantom-ct.json',
    folder: 'generated/phantom-ct',
    StudyInstanceUID: phantomUids(DEFAULT_PHANTOM_SPEC.seed).study,
  },
];

/** One manifest with every sample study, for the study list. */
export const ALL_SAMPLES_MANIFEST = 'generated/all.json';

/** The phantom's object list; the label volume is recomputed by computeLabelVolume(). */
export const PHANTOM_TRUTH = 'generated/phantom-ct.truth.json';

/** File name of the phantom's ground-truth SEG inside its folder. */
export const PHANTOM_SEG_FILE = 'truth-seg.dcm';
