/**
 * Where an accepted mask goes: the SAM labelmap segmentation of the image's display set (created
 * through OHIF's segmentation service on first use, so OHIF's segmentation panel lists it and its
 * brush edits it), one of its segments, and the labelmap image that labels the mask's image.
 */
import type { DisplaySet, ViewerHost, LabelmapLayer, Segment, Segmentation } from '../host/hostTypes';
import { SegmentGuard } from './segmentGuard';

/** DICOM SegmentAlgorithmType of everything SAM writes: an algorithm run with user assistance. */
export const SAM_ALGORITHM_TYPE = 'SEMIAUTOMATIC';
export const SAM_SEGMENTATION_LABEL = 'SAM';

/** SegmentAlgorithmName is a DICOM LO: at most 64 characters. */
const LO_MAX = 64;

/**
 * The SegmentAlgorithmName for a model: its name and version, within the 64 characters of a DICOM
 * LO (OHIF writes SEGs with dcmjs's VR length checks on). A name too long loses its details in
 * parentheses or after a comma first: "SlimSAM-77 (uniform pruning of SAM ViT-B), Transformers.js
 * export" version "Xenova/slimsam-77-uniform" → "SlimSAM-77 Xenova/slimsam-77-uniform".
 */
export function algorithmNameFor(model: { name: string; version?: string }): string {
  const name = model.name.trim();
  const version = model.version?.trim();
  const withVersion = (n: string) => (version && !n.includes(version) ? `${n} ${version}` : n);
  if (withVersion(name).length <= LO_MAX) return withVersion(name);
  const short = name.split(/\s*[(,]/)[0]!.trim() || name;
  if (withVersion(short).length <= LO_MAX) return withVersion(short);
  const room = LO_MAX - (version ? version.length + 1 : 0);
  return room >= 8 ? withVersion(short.slice(0, room).trim()) : withVersion(short).slice(0, LO_MAX);
}

/** The display set holding `imageId`: the viewport's own first, then any active one. */
export function displaySetOfImage(host: ViewerHost, viewportId: string, imageId: string): DisplaySet {
  const { viewportGridService, displaySetService } = host.services;
  const uids = viewportGridService.getState().viewports.get(viewportId)?.displaySetInstanceUIDs ?? [];
  const shown = uids.map((uid) => displaySetService.getDisplaySetByUID(uid)).filter((d) => d !== undefined);
  const found = [...shown, ...displaySetService.getActiveDisplaySets()].find((d) => d.imageIds?.includes(imageId));
  if (!found) throw new Error(`No display set holds the image ${imageId}: was its series closed?`);
  return found;
}

export interface SegmentChoice {
  /** Write into this segment (created when missing). */
  segmentIndex?: number;
  /** Write into a new segment ("SAM n") instead of the active one. */
  newSegment?: boolean;
  /** The label of a segment made here (default "SAM n", n its segment index). */
  label?: string;
}

/**
 * The name a new segment gets by default: "SAM n" for the segment index it will have (`from`), or the
 * next n whose name no segment has yet (a segment renamed, or one deleted and re-added).
 */
export function nextSamSegmentName(labels: readonly string[], from = 1): string {
  const taken = new Set(labels.map((l) => l.trim()));
  let n = Math.max(1, Math.floor(from));
  while (taken.has(`SAM ${n}`)) n++;
  return `SAM ${n}`;
}

/** The segment an accept writes into next, for the panel: an existing one, or the one it will make. */
export type TargetSegment =
  | { exists: true; segmentationId: string; segmentIndex: number; label: string; color?: number[]; typeId?: string }
  | { exists: false; label: string };

export interface ChosenSegment {
  segmentIndex: number;
  created: boolean;
}

/** The SAM segmentation of each display set, and the segment an accept writes into. */
export class SamSegmentations {
  private readonly byDisplaySet = new Map<string, string>();
  private readonly guard: SegmentGuard;

  constructor(private readonly host: ViewerHost) {
    this.guard = new SegmentGuard(host);
  }

  dispose(): void {
    this.guard.dispose();
  }

  /** The SAM segmentation of a display set, if it was created and still exists. */
  forDisplaySet(displaySetInstanceUID: string): string | undefined {
    const id = this.byDisplaySet.get(displaySetInstanceUID);
    return id && this.host.services.segmentationService.getSegmentation(id) ? id : undefined;
  }

  /**
   * The display set's SAM segmentation, created on first use with segment 1 "SAM 1", represented
   * on the viewport and made its active segmentation (the one the panel highlights and the brush edits).
   */
  async ensure(
    displaySet: DisplaySet,
    viewportId: string,
    algorithmName: string,
    firstLabel?: string,
  ): Promise<{ segmentationId: string; created: boolean }> {
    const { segmentationService } = this.host.services;
    let segmentationId = this.forDisplaySet(displaySet.displaySetInstanceUID);
    const created = !segmentationId;
    if (!segmentationId) {
      segmentationId = await segmentationService.createLabelmapForDisplaySet(displaySet, {
        label: SAM_SEGMENTATION_LABEL,
        segments: { 1: { ...samSegment(1, algorithmName, firstLabel), active: true } },
      });
      this.byDisplaySet.set(displaySet.displaySetInstanceUID, segmentationId);
    }
    if (segmentationService.getSegmentationRepresentations(viewportId, { segmentationId }).length === 0) {
      await segmentationService.addSegmentationRepresentation(viewportId, {
        segmentationId,
        type: this.host.tools.Enums.SegmentationRepresentations.Labelmap,
      });
    }
    segmentationService.setActiveSegmentation(viewportId, segmentationId);
    return { segmentationId, created };
  }

  /**
   * The segment to write into: the one asked for, a new one, or the active one (segment 1 of a
   * segmentation just created). Makes it active, and records the algorithm on it for the SEG export.
   */
  chooseSegment(
    segmentationId: string,
    choice: SegmentChoice,
    algorithmName: string,
    segmentationJustCreated: boolean,
  ): ChosenSegment {
    const { segmentationService } = this.host.services;
    const segmentation = this.segmentation(segmentationId);
    let segmentIndex = choice.segmentIndex;
    if (segmentIndex === undefined && (segmentationJustCreated || !choice.newSegment)) {
      segmentIndex = Object.values(segmentation.segments).find((s) => s?.active)?.segmentIndex;
    }
    segmentIndex ??= segmentationService.getNextAvailableSegmentIndex(segmentationId);
    if (!Number.isInteger(segmentIndex) || segmentIndex < 1) throw new Error(`Invalid segment index ${segmentIndex}`);

    const existing = segmentation.segments[segmentIndex];
    if (existing?.locked) throw new Error(`Segment "${existing.label}" is locked: unlock it to write into it.`);
    const label = existing?.label ?? segmentLabel(segmentIndex, choice.label);
    this.guard.remember(
      segmentationId,
      { segmentIndex, label, algorithmType: SAM_ALGORITHM_TYPE, algorithmName },
      !existing || segmentationJustCreated,
    );
    if (!existing) {
      segmentationService.addSegment(segmentationId, {
        ...samSegment(segmentIndex, algorithmName, choice.label),
        active: true,
      });
      return { segmentIndex, created: true };
    }
    if (existing.algorithmType !== SAM_ALGORITHM_TYPE || existing.algorithmName !== algorithmName) {
      this.host.tools.segmentation.updateSegmentations([
        {
          segmentationId,
          payload: {
            segments: {
              ...segmentation.segments,
              [segmentIndex]: { ...existing, algorithmType: SAM_ALGORITHM_TYPE, algorithmName },
            },
          },
        },
      ]);
    }
    if (!existing.active) segmentationService.setActiveSegment(segmentationId, segmentIndex);
    return { segmentIndex, created: false };
  }

  /** Renames a segment (what OHIF lists and the SEG says), kept against OHIF's stale writes. */
  rename(segmentationId: string, segmentIndex: number, label: string): void {
    const from = this.segmentation(segmentationId).segments[segmentIndex]?.label;
    if (from === undefined) throw new Error(`Segment ${segmentIndex} is no longer there: choose another to rename.`);
    if (from === label) return;
    this.guard.renamed(segmentationId, segmentIndex, from, label);
    this.host.services.segmentationService.setSegmentLabel(segmentationId, segmentIndex, label);
  }

  /**
   * The segment the next accept into this display set's SAM segmentation writes into: its active
   * segment (label, colour on the viewport), else the one it will make ("SAM n").
   */
  target(displaySetInstanceUID: string, viewportId: string | undefined): TargetSegment {
    const segmentationId = this.forDisplaySet(displaySetInstanceUID);
    if (!segmentationId) return { exists: false, label: segmentLabel(1) };
    const { segmentationService } = this.host.services;
    const segmentation = this.segmentation(segmentationId);
    const active = Object.values(segmentation.segments).find((s) => s?.active);
    if (!active) {
      return { exists: false, label: segmentLabel(segmentationService.getNextAvailableSegmentIndex(segmentationId)) };
    }
    let color: number[] | undefined;
    try {
      color = viewportId
        ? segmentationService.getSegmentColor?.(viewportId, segmentationId, active.segmentIndex)
        : undefined;
    } catch {
      color = undefined; // not represented on that viewport (yet)
    }
    return {
      exists: true,
      segmentationId,
      segmentIndex: active.segmentIndex,
      label: active.label,
      ...(color && { color: Array.from(color) }),
    };
  }

  /** The default name of a new segment of this display set's SAM segmentation (see nextSamSegmentName). */
  nextName(displaySetInstanceUID: string): string {
    const segmentationId = this.forDisplaySet(displaySetInstanceUID);
    if (!segmentationId) return nextSamSegmentName([], 1);
    const labels = Object.values(this.segmentation(segmentationId).segments).map((s) => s?.label ?? '');
    return nextSamSegmentName(
      labels,
      this.host.services.segmentationService.getNextAvailableSegmentIndex(segmentationId),
    );
  }

  segmentation(segmentationId: string): Segmentation {
    const segmentation = this.host.services.segmentationService.getSegmentation(segmentationId);
    if (!segmentation) throw new Error(`Segmentation ${segmentationId} no longer exists.`);
    return segmentation;
  }
}

function segmentLabel(segmentIndex: number, label?: string): string {
  return label?.trim() || `SAM ${segmentIndex}`;
}

function samSegment(segmentIndex: number, algorithmName: string, label?: string): Partial<Segment> {
  return { segmentIndex, label: segmentLabel(segmentIndex, label), algorithmType: SAM_ALGORITHM_TYPE, algorithmName };
}

export interface LabelmapTarget {
  labelmapImageId: string;
  /** The voxel value that means this segment (Cornerstone 5 binds segments to layer values). */
  labelValue: number;
  /** The segment a voxel value of this layer belongs to. */
  segmentOfValue(value: number): number;
}

/** The labelmap image that labels `imageId` for a segment, and the value that marks the segment there. */
export function labelmapTarget(
  host: ViewerHost,
  segmentation: Segmentation,
  segmentIndex: number,
  imageId: string,
): LabelmapTarget {
  const data = segmentation.representationData.Labelmap;
  if (!data) throw new Error(`Segmentation "${segmentation.label}" has no labelmap.`);
  const binding = data.segmentBindings?.[segmentIndex];
  const layer: LabelmapLayer | undefined =
    data.labelmaps?.[binding?.labelmapId ?? data.primaryLabelmapId ?? ''] ?? Object.values(data.labelmaps ?? {})[0];
  const candidates = host.tools.segmentation.getLabelmapImageIdsForImageId(imageId, segmentation.segmentationId) ?? [];
  const labelmapImageId = candidates.find((id) => layer?.imageIds?.includes(id)) ?? candidates[0];
  if (!labelmapImageId) {
    throw new Error(`Segmentation "${segmentation.label}" has no labelmap image for the image ${imageId}.`);
  }
  return {
    labelmapImageId,
    labelValue: binding?.labelValue ?? segmentIndex,
    segmentOfValue: (value) => layer?.labelToSegmentIndex?.[value] ?? value,
  };
}
