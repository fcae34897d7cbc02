/**
 * What a segment is, coded as a PACS and other viewers read it: a short list of SNOMED CT concepts
 * from DICOM CID 7150 (Segmentation Property Categories) and CID 7151 (Segmentation Property Types,
 * through CIDs 7152–7166), the ones a radiologist segments most with an interactive tool. Codes and
 * meanings as PS3.16 (2024) lists them, checked against pydicom's CID tables. Each type belongs to one category;
 * choosing the type chooses both.
 */

/** A DICOM code sequence item. */
export interface CodedConcept {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

export interface SegmentType {
  /** Stable key for settings and the panel. */
  id: string;
  category: CodedConcept;
  type: CodedConcept;
}

const sct = (CodeValue: string, CodeMeaning: string): CodedConcept => ({
  CodeValue,
  CodingSchemeDesignator: 'SCT',
  CodeMeaning,
});

export const SEGMENT_CATEGORIES = {
  tissue: sct('85756007', 'Tissue'),
  anatomicalStructure: sct('91723000', 'Anatomical Structure'),
  morphologicallyAbnormalStructure: sct('49755003', 'Morphologically Abnormal Structure'),
} as const;

const { tissue, anatomicalStructure, morphologicallyAbnormalStructure } = SEGMENT_CATEGORIES;

export const SEGMENT_TYPES: readonly SegmentType[] = [
  { id: 'tissue', category: tissue, type: sct('85756007', 'Tissue') },
  { id: 'lesion', category: morphologicallyAbnormalStructure, type: sct('52988006', 'Lesion') },
  { id: 'mass', category: morphologicallyAbnormalStructure, type: sct('4147007', 'Mass') },
  { id: 'nodule', category: morphologicallyAbnormalStructure, type: sct('27925004', 'Nodule') },
  { id: 'neoplasm', category: morphologicallyAbnormalStructure, type: sct('108369006', 'Neoplasm') },
  { id: 'cyst', category: morphologicallyAbnormalStructure, type: sct('367643001', 'Cyst') },
  { id: 'liver', category: anatomicalStructure, type: sct('10200004', 'Liver') },
  { id: 'kidney', category: anatomicalStructure, type: sct('64033007', 'Kidney') },
  { id: 'spleen', category: anatomicalStructure, type: sct('78961009', 'Spleen') },
  { id: 'pancreas', category: anatomicalStructure, type: sct('15776009', 'Pancreas') },
  { id: 'lung', category: anatomicalStructure, type: sct('39607008', 'Lung') },
  { id: 'heart', category: anatomicalStructure, type: sct('80891009', 'Heart') },
  { id: 'aorta', category: anatomicalStructure, type: sct('15825003', 'Aorta') },
  { id: 'brain', category: anatomicalStructure, type: sct('12738006', 'Brain') },
  { id: 'prostate', category: anatomicalStructure, type: sct('41216001', 'Prostate') },
  { id: 'bladder', category: anatomicalStructure, type: sct('89837001', 'Bladder') },
  { id: 'gallbladder', category: anatomicalStructure, type: sct('28231008', 'Gallbladder') },
  { id: 'fat', category: tissue, type: sct('55603005', 'Fat') },
  { id: 'muscle', category: tissue, type: sct('91727004', 'Muscle') },
  { id: 'bone', category: tissue, type: sct('3138006', 'Bone') },
  { id: 'vessel', category: tissue, type: sct('59820001', 'Blood vessel') },
];

/** The type of a segment nobody has described yet: a generic one, not a guess. */
export const DEFAULT_SEGMENT_TYPE: SegmentType = SEGMENT_TYPES[0]!;

/** The type with this id; a clear error names the ones there are. */
export function segmentType(id: string): SegmentType {
  const found = SEGMENT_TYPES.find((t) => t.id === id);
  if (!found) {
    throw new Error(`Unknown segment type "${id}": one of ${SEGMENT_TYPES.map((t) => t.id).join(', ')}.`);
  }
  return found;
}

/** Family of the algorithm in a SEG's Segmentation Algorithm Identification (CID 7162). */
export const ARTIFICIAL_INTELLIGENCE: CodedConcept = {
  CodeValue: '123110',
  CodingSchemeDesignator: 'DCM',
  CodeMeaning: 'Artificial Intelligence',
};
