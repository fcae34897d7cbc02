/**
 * The labelmap side of SAM in one object, for SamService to hold: accept a mask, undo the last
 * accept, export, download or store the SAM segmentation as DICOM SEG. It keeps which segmentation SAM
 * made for which display set and the accepts that can be undone.
 */
import { AcceptHistory } from './acceptHistory';
import { SegmentWriter, acceptMask, type AcceptOptions, type AcceptResult, type MaskOnImage } from './acceptMask';
import type { ViewerHost } from '../host/hostTypes';
import { SamSegmentations, displaySetOfImage, labelmapTarget, type TargetSegment } from './samSegmentation';
import { downloadSeg, exportSeg, type SegExport } from './segExport';
import { storeSeg, type SegStoreRequest, type SegStoreResult } from './segStore';
export type { SegStoreRequest } from './segStore';
import { SegmentRecords, type ModelIdentity } from './segmentRecords';

export interface UndoneAccept {
  segmentationId: string;
  segmentIndex: number;
  /** The first labelmap image it changed, and how many it changed (a propagation run: many). */
  labelmapImageId: string;
  images: number;
}

/** Which segmentation to export: the given one, else SAM's for the viewport's series, else the last accepted into. */
export interface SegTarget {
  segmentationId?: string;
  viewportId?: string;
}

/** A segment made by New segment, now the active one that the next accept writes into. */
export interface NewSegmentResult {
  segmentationId: string;
  segmentIndex: number;
  label: string;
  createdSegmentation: boolean;
}

/** New segment's options: its label (default "SAM n") and colour ([r, g, b, a], default OHIF's), and where. */
export interface NewSegmentOptions {
  label?: string;
  color?: number[];
  /** Its coded type (core/dicomSeg/segmentCodes.ts; default Tissue). */
  typeId?: string;
  /** The viewport whose series gets the segment (default the active one). */
  viewportId?: string;
}

/** A change to the segment SAM writes into: its name (the SEG's SegmentLabel) and/or its colour ([r, g, b, a]). */
export interface SegmentEdit {
  label?: string;
  color?: number[];
  /** The viewport whose series' segment is meant (default the active one). */
  viewportId?: string;
}

/** What the panel shows of the segment SAM writes into, and the default name of a new one. */
export interface SegmentTargetView {
  target: TargetSegment;
  nextName: string;
}

export class SamLabelmap {
  private readonly segmentations: SamSegmentations;
  private readonly history: AcceptHistory;
  private lastSegmentationId: string | undefined;
  /** Accepts run one after the other: two at once would both create the display set's segmentation. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Coded types and provenance of the segments, for the SEG. */
  readonly records = new SegmentRecords();

  constructor(
    private readonly host: ViewerHost,
    /** The model writing now (its manifest id and version), recorded with each write. */
    private readonly model: () => ModelIdentity | undefined = () => undefined,
  ) {
    this.segmentations = new SamSegmentations(host);
    this.history = new AcceptHistory(host.cornerstone.utilities.HistoryMemo.DefaultHistoryMemo);
  }

  /** Runs `job` after the writes before it: two at once would both create the display set's segmentation. */
  private serially<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private get deps() {
    return { host: this.host, segmentations: this.segmentations, history: this.history };
  }

  accept(result: MaskOnImage, options: AcceptOptions): Promise<AcceptResult> {
    return this.serially(async () => {
      const accepted = await acceptMask(this.deps, result, options);
      this.lastSegmentationId = accepted.segmentationId;
      this.records.noteWrite(
        accepted.segmentationId,
        accepted.segmentIndex,
        this.model(),
        result.prompt ?? options.prompt,
      );
      return accepted;
    });
  }

  /**
   * A writer for many slices of one segment, recorded as one undoable action on commit (a propagation
   * run): the series' SAM segmentation and its segment are made or found as an accept would.
   */
  openWriter(viewportId: string, imageId: string, options: AcceptOptions): Promise<SegmentWriter> {
    return this.serially(async () => {
      const writer = await SegmentWriter.open(this.deps, viewportId, imageId, options);
      this.lastSegmentationId = writer.segmentationId;
      this.records.noteWrite(writer.segmentationId, writer.segmentIndex, this.model(), options.prompt ?? 'propagation');
      return writer;
    });
  }

  /**
   * Adds a segment to the SAM segmentation of the image's series (made first, as an accept makes it,
   * when the series has none) and makes it active: the next accept or propagation writes into it.
   */
  newSegment(
    viewportId: string,
    imageId: string,
    options: { algorithmName: string; label?: string; color?: number[]; typeId?: string },
  ) {
    return this.serially(async (): Promise<NewSegmentResult> => {
      const { algorithmName } = options;
      const label = options.label?.trim() || undefined;
      const displaySet = displaySetOfImage(this.host, viewportId, imageId);
      const { segmentationId, created } = await this.segmentations.ensure(displaySet, viewportId, algorithmName, label);
      const choice = { newSegment: true, ...(label && { label }) };
      const { segmentIndex } = this.segmentations.chooseSegment(segmentationId, choice, algorithmName, created);
      this.lastSegmentationId = segmentationId;
      if (options.color) this.colour(segmentationId, segmentIndex, options.color, viewportId);
      if (options.typeId) this.records.setType(segmentationId, segmentIndex, options.typeId);
      const made = this.segmentations.segmentation(segmentationId).segments[segmentIndex];
      return { segmentationId, segmentIndex, label: made?.label ?? label ?? '', createdSegmentation: created };
    });
  }

  /** The segment the next accept on the viewport's series writes into, and a new segment's default name. */
  segmentTarget(viewportId: string): SegmentTargetView | undefined {
    const uids = this.host.services.viewportGridService.getState().viewports.get(viewportId)?.displaySetInstanceUIDs;
    const uid = uids?.find((u) => this.segmentations.forDisplaySet(u)) ?? uids?.[0];
    if (!uid) return undefined;
    const target = this.segmentations.target(uid, viewportId);
    return {
      target: target.exists
        ? { ...target, typeId: this.records.type(target.segmentationId, target.segmentIndex).id }
        : target,
      nextName: this.segmentations.nextName(uid),
    };
  }

  /**
   * Renames and/or recolours the segment SAM writes into on the viewport's series: what OHIF's panel
   * lists and what the SEG will say. Voxels are untouched.
   */
  editTarget(viewportId: string, edit: SegmentEdit): void {
    const target = this.segmentTarget(viewportId)?.target;
    if (!target?.exists) throw new Error('No segment yet: accept a mask or add a segment first, then name it.');
    const label = edit.label?.trim();
    if (edit.label !== undefined && !label) throw new Error('A segment needs a name: type one, or Cancel.');
    if (label) this.segmentations.rename(target.segmentationId, target.segmentIndex, label);
    if (edit.color) this.colour(target.segmentationId, target.segmentIndex, edit.color, viewportId);
  }

  /**
   * Colours a segment on every viewport that shows its segmentation (Cornerstone keeps colours per
   * viewport, and the SEG takes the first one it finds), and on `viewportId` in any case.
   */
  private colour(segmentationId: string, segmentIndex: number, color: number[], viewportId: string): void {
    const { segmentationService, viewportGridService } = this.host.services;
    const showing = [...viewportGridService.getState().viewports.keys()].filter(
      (id) =>
        id === viewportId || segmentationService.getSegmentationRepresentations(id, { segmentationId }).length > 0,
    );
    for (const id of showing) segmentationService.setSegmentColor?.(id, segmentationId, segmentIndex, color);
  }

  /** Sets the coded type (segmentCodes.ts) of the segment SAM writes into on the viewport's series. */
  setTargetType(viewportId: string, typeId: string): void {
    const target = this.segmentTarget(viewportId)?.target;
    if (!target?.exists) throw new Error('No segment yet: accept a mask or add a segment first, then choose its type.');
    this.records.setType(target.segmentationId, target.segmentIndex, typeId);
  }

  /**
   * The mask of the active segment of the SAM segmentation on an image (a slice accepted or edited by
   * hand), or undefined when that image holds none of it.
   */
  activeSegmentMask(
    viewportId: string,
    imageId: string,
  ): { mask: Uint8Array; width: number; height: number } | undefined {
    const segmentationId = this.segmentationFor(viewportId);
    if (!segmentationId) return undefined;
    const segmentation = this.segmentations.segmentation(segmentationId);
    const active = Object.values(segmentation.segments).find((s) => s?.active)?.segmentIndex;
    if (active === undefined) return undefined;
    const target = labelmapTarget(this.host, segmentation, active, imageId);
    const image = this.host.cornerstone.cache.getImage(target.labelmapImageId);
    if (!image) return undefined;
    const mask = new Uint8Array(image.rows * image.columns);
    let any = false;
    for (let i = 0; i < mask.length; i++) {
      if (image.voxelManager.getAtIndex(i) === target.labelValue) {
        mask[i] = 1;
        any = true;
      }
    }
    return any ? { mask, width: image.columns, height: image.rows } : undefined;
  }

  /** Undoes the newest accept still applied (also when other edits came after it); undefined if none. */
  undoLastAccept(): UndoneAccept | undefined {
    const memo = this.history.undoLast();
    if (!memo) return undefined;
    const { segmentationId, segmentIndex, changes } = memo.record;
    return { segmentationId, segmentIndex, labelmapImageId: changes[0]!.labelmapImageId, images: changes.length };
  }

  exportSeg(request: SegStoreRequest, target: SegTarget = {}): Promise<SegExport> {
    return exportSeg(this.host, this.records, this.segmentationToExport(target), request);
  }

  downloadSeg(request: SegStoreRequest, target: SegTarget = {}): Promise<SegExport> {
    return downloadSeg(this.host, this.records, this.segmentationToExport(target), request);
  }

  storeSeg(request: SegStoreRequest, target: SegTarget = {}): Promise<SegStoreResult> {
    return storeSeg(this.host, this.records, this.segmentationToExport(target), request);
  }

  /** Stops watching the segmentation state (see SegmentGuard); call when the mode is left. */
  dispose(): void {
    this.segmentations.dispose();
  }

  /** The SAM segmentation of the series shown in a viewport (the active one by default). */
  segmentationFor(viewportId?: string): string | undefined {
    const { viewportGridService } = this.host.services;
    const id = viewportId ?? viewportGridService.getActiveViewportId();
    const uids = (id && viewportGridService.getState().viewports.get(id)?.displaySetInstanceUIDs) || [];
    return uids.map((uid) => this.segmentations.forDisplaySet(uid)).find((s) => s !== undefined);
  }

  private segmentationToExport({ segmentationId, viewportId }: SegTarget): string {
    const id = segmentationId ?? this.segmentationFor(viewportId) ?? this.lastSegmentationId;
    if (!id) throw new Error('Nothing to export: no mask has been accepted yet.');
    return id;
  }
}
