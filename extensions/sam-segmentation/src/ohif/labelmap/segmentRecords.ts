/**
 * What the DICOM SEG says about each SAM segment beyond its voxels, kept while the viewer runs: the
 * coded type the user chose (default: a generic Tissue) and how SAM made it — the models and the
 * prompt kinds of the accepts written into it — for the SEG's Segmentation Algorithm Identification.
 */
import { DEFAULT_SEGMENT_TYPE, segmentType, type SegmentType } from '../../core/dicomSeg/segmentCodes';

/** What prompted an accepted mask (the SEG's Algorithm Parameters list them). */
export type PromptKind = 'point' | 'box' | 'point and box' | 'propagation';

/** The model that wrote into a segment: the manifest entry's id and version. */
export interface ModelIdentity {
  id: string;
  version?: string;
}

interface SegmentRecord {
  /** The type chosen in the panel; none until the user (or New segment's options) chose one. */
  typeId?: string;
  prompts: Set<PromptKind>;
  models: Map<string, ModelIdentity>;
}

const key = (segmentationId: string, segmentIndex: number) => `${segmentationId}\u0000${segmentIndex}`;

export class SegmentRecords {
  private readonly records = new Map<string, SegmentRecord>();

  private record(segmentationId: string, segmentIndex: number): SegmentRecord {
    const k = key(segmentationId, segmentIndex);
    let found = this.records.get(k);
    if (!found) {
      found = { prompts: new Set(), models: new Map() };
      this.records.set(k, found);
    }
    return found;
  }

  /** Sets the coded type of a segment (refuses an id not in the list, naming the ones there are). */
  setType(segmentationId: string, segmentIndex: number, typeId: string): void {
    this.record(segmentationId, segmentIndex).typeId = segmentType(typeId).id;
  }

  /** The type chosen for the segment, or the default (Tissue) when none was. */
  type(segmentationId: string, segmentIndex: number): SegmentType {
    return this.chosenType(segmentationId, segmentIndex) ?? DEFAULT_SEGMENT_TYPE;
  }

  /** The type chosen for the segment, undefined when nobody chose one. */
  chosenType(segmentationId: string, segmentIndex: number): SegmentType | undefined {
    const typeId = this.records.get(key(segmentationId, segmentIndex))?.typeId;
    return typeId === undefined ? undefined : segmentType(typeId);
  }

  /** An accept (or a propagation run) wrote into the segment. */
  noteWrite(
    segmentationId: string,
    segmentIndex: number,
    model: ModelIdentity | undefined,
    prompt: PromptKind | undefined,
  ): void {
    const record = this.record(segmentationId, segmentIndex);
    if (prompt) record.prompts.add(prompt);
    if (model) record.models.set(model.id, model);
  }

  /** Algorithm Version and Parameters for the SEG: "mobile-sam v1", "prompts: point, box". */
  algorithmDetails(segmentationId: string, segmentIndex: number): { version?: string; parameters?: string } {
    const record = this.records.get(key(segmentationId, segmentIndex));
    if (!record) return {};
    const version = [...record.models.values()].map((m) => (m.version ? `${m.id} ${m.version}` : m.id)).join(', ');
    const prompts = [...record.prompts].sort();
    return {
      ...(version && { version }),
      ...(prompts.length > 0 && { parameters: `prompts: ${prompts.join(', ')}` }),
    };
  }
}
