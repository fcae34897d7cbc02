/**
 * Keeps SAM's segments in the segmentation state against a race in OHIF 3.13.2: its segment
 * statistics handler (extensions/cornerstone/src/utils/segmentationHandlers.ts,
 * setupSegmentationDataModifiedHandler) reads a segmentation one second after a data change, awaits
 * the statistics worker, then writes back the `segments` it read. Cornerstone copies its state on
 * every update, so a segment added (or changed) in between is lost: accepting a second mask into a
 * new segment right after the first drops that segment from the state and the panel, while its
 * voxels stay. The guard remembers the segments SAM wrote and, when a segmentation changes, puts back
 * the ones a stale write dropped (only while their voxels are there: a segment the user deleted has
 * none) and their algorithm fields. A segment SAM has just made (the panel's New segment) has no voxels
 * yet: it is put back when dropped within STALE_WRITE_MS of being made (the span of a stale write), and
 * taken as deleted on purpose after that. A segment renamed in the SAM panel gets its new name back
 * when, within that span, a stale write restores exactly the old one (a rename in OHIF's own panel,
 * to any name, is the user's and is kept).
 */
import type { ViewerHost, Segment, Segmentation } from '../host/hostTypes';

type Remembered = Pick<Segment, 'segmentIndex' | 'label' | 'algorithmType' | 'algorithmName'>;

/** How long after SAM made or renamed a segment a stale write is undone (a new empty segment put back, the name). */
export const STALE_WRITE_MS = 10_000;

interface Kept extends Remembered {
  keepEmptyUntil?: number;
  /** The name before SAM's rename, and until when a write that puts it back is taken as stale. */
  renamedFrom?: { label: string; until: number };
}

export class SegmentGuard {
  private readonly segments = new Map<string, Map<number, Kept>>();
  /** The segment SAM last made active, per segmentation: a stale write also reverts the active one. */
  private readonly active = new Map<string, number>();
  private subscription: { unsubscribe(): void } | undefined;

  constructor(
    private readonly host: ViewerHost,
    private readonly now: () => number = Date.now,
  ) {}

  /** `made`: SAM has just made the segment (it may have no voxels yet). */
  remember(segmentationId: string, segment: Remembered, made = false): void {
    if (!this.subscription) {
      const { segmentationService } = this.host.services;
      this.subscription = segmentationService.subscribe(
        segmentationService.EVENTS.SEGMENTATION_MODIFIED,
        ({ segmentationId: id }) => id && this.check(id),
      );
    }
    let known = this.segments.get(segmentationId);
    if (!known) this.segments.set(segmentationId, (known = new Map()));
    const keepEmptyUntil = made ? this.now() + STALE_WRITE_MS : known.get(segment.segmentIndex)?.keepEmptyUntil;
    known.set(segment.segmentIndex, { ...segment, ...(keepEmptyUntil !== undefined && { keepEmptyUntil }) });
    this.active.set(segmentationId, segment.segmentIndex);
  }

  /** SAM renamed a segment it wrote: the new name is the one to put back, and `from` a stale write's. */
  renamed(segmentationId: string, segmentIndex: number, from: string, to: string): void {
    const kept = this.segments.get(segmentationId)?.get(segmentIndex);
    if (!kept) return; // not one of SAM's: nothing of it is guarded
    kept.label = to;
    kept.renamedFrom = { label: from, until: this.now() + STALE_WRITE_MS };
  }

  dispose(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private check(segmentationId: string): void {
    const known = this.segments.get(segmentationId);
    if (!known) return;
    const segmentation = this.host.services.segmentationService.getSegmentation(segmentationId);
    if (!segmentation) {
      this.segments.delete(segmentationId);
      this.active.delete(segmentationId);
      return;
    }
    const restored: Record<number, Segment> = {};
    let dropped = false;
    for (const [index, kept] of known) {
      const { keepEmptyUntil, renamedFrom, ...remembered } = kept;
      const current = segmentation.segments[index];
      if (!current) {
        const justMade = keepEmptyUntil !== undefined && this.now() < keepEmptyUntil;
        if (!justMade && !this.hasVoxels(segmentation, index)) {
          known.delete(index); // deleted on purpose: its voxels went with it
          continue;
        }
        restored[index] = { ...remembered, locked: false, active: false, cachedStats: {} };
        dropped = true;
      } else {
        const staleName =
          renamedFrom !== undefined && this.now() < renamedFrom.until && current.label === renamedFrom.label;
        if (renamedFrom && !staleName && current.label !== remembered.label) {
          kept.label = current.label; // renamed since, by the user in OHIF's panel: theirs to keep
          delete kept.renamedFrom;
        }
        if (
          staleName ||
          current.algorithmType !== remembered.algorithmType ||
          current.algorithmName !== remembered.algorithmName
        ) {
          restored[index] = {
            ...current,
            ...(staleName && { label: remembered.label }),
            algorithmType: remembered.algorithmType,
            algorithmName: remembered.algorithmName,
          };
        }
      }
    }
    if (Object.keys(restored).length === 0) return;
    let segments: Record<string, Segment | undefined> = { ...segmentation.segments, ...restored };
    const activeIndex = this.active.get(segmentationId);
    if (dropped && activeIndex !== undefined && segments[activeIndex]) {
      segments = Object.fromEntries(
        Object.entries(segments).map(([k, s]) => [k, s && { ...s, active: s.segmentIndex === activeIndex }]),
      );
    }
    this.host.tools.segmentation.updateSegmentations([{ segmentationId, payload: { segments } }]);
  }

  /** Whether any labelmap image of the segmentation holds the segment's value. */
  private hasVoxels(segmentation: Segmentation, segmentIndex: number): boolean {
    const data = segmentation.representationData.Labelmap;
    const binding = data?.segmentBindings?.[segmentIndex];
    const value = binding?.labelValue ?? segmentIndex;
    const layers = binding ? [data?.labelmaps?.[binding.labelmapId]] : Object.values(data?.labelmaps ?? {});
    const imageIds = new Set(layers.flatMap((layer) => layer?.imageIds ?? []));
    if (imageIds.size === 0) for (const id of data?.imageIds ?? []) imageIds.add(id);
    for (const imageId of imageIds) {
      const pixels = this.host.cornerstone.cache.getImage(imageId)?.getPixelData();
      if (!pixels) continue;
      for (let i = 0; i < pixels.length; i++) if (pixels[i] === value) return true;
    }
    return false;
  }
}
