/**
 * What the evaluation reads: a dataset is a list of image references (cheap: paths, no pixels), each
 * loaded on its own (in a worker) into 2D images with binary ground-truth objects. A reference is the
 * unit of work and of resuming: a 2D image file, a volume (all its kept slices), or a DICOM series.
 */
import type { SlicePixels, VoiSetting } from '../../../extensions/sam-segmentation/src/core';

/** An object is kept when it has more than this many foreground pixels (the protocol's 50-pixel rule). */
export const MIN_OBJECT_PIXELS = 50;

/**
 * The default of --max-pixels: a 2D image with more pixels is refused from its header, before it is
 * decoded. A worker holds the image, each object's mask and the evaluation's buffers at full size: an
 * 8000 x 8000 PNG took 3.8 GB there; 4096 x 4096 holds about 1/4 of that.
 */
export const DEFAULT_MAX_PIXELS = 4096 * 4096;

/** What the loaders refuse before reading a reference whole. */
export interface LoadLimits {
  /** Pixels of a 2D image (width x height), default DEFAULT_MAX_PIXELS. */
  maxPixels?: number;
}

export interface EvalObject {
  /** The object's name from the mapping file or the mask file name, e.g. "liver", "tumour". */
  name: string;
  /** The label value in a label map, when the object came from one. */
  label?: number;
  /** uint8[H*W], 1 = foreground. */
  mask: Uint8Array;
  pixels: number;
}

export interface EvalImage {
  /** The dataset's name (mapping file `name`, or the folder name). */
  dataset: string;
  /** Unique within the dataset: the reference key, plus "#z=<k>" for a slice of a volume. */
  id: string;
  /** e.g. "CT", "MR", "CR"; from the mapping file, the DICOM header, or "unknown". */
  modality: string;
  slice: SlicePixels;
  /** The window the image is segmented at. */
  voi: VoiSetting;
  /** [column spacing, row spacing] in mm when the file says (DICOM, NIfTI, NRRD); absent for PNG/JPEG. */
  spacing?: readonly [number, number];
  /** The file the slice was read from, when a file is one slice (a DICOM series' images). */
  source?: string;
  objects: EvalObject[];
}

/** Where an image's intensities come from before the model sees them. */
export type WindowChoice =
  /** The study's: clip to the 0.95th / 99.5th percentiles of the image, scale to 0..255. */
  | 'protocol'
  /** The file's own: the DICOM window, or 8-bit images as they are. Falls back to the protocol window. */
  | 'file';

/**
 * One unit of work, plain data (it crosses to worker threads with postMessage). `key` is unique and
 * stable across runs: it names the finished work in the results, so a rerun can skip it.
 */
export type ImageRef =
  | {
      kind: 'image2d';
      key: string;
      dataset: string;
      modality: string;
      image: string;
      /** Object name → binary mask file (pixel > 127 = foreground). */
      masks?: Record<string, string>;
      /** A label-map image (pixel value = label) instead of, or besides, binary masks. */
      labelMap?: string;
      /** Label value → object name for `labelMap`; labels not listed are named "label_<v>". */
      labels?: Record<string, string>;
    }
  | {
      kind: 'volume';
      key: string;
      dataset: string;
      modality: string;
      /** NRRD (.nrrd, .nhdr + data file) or NIfTI (.nii, .nii.gz). */
      image: string;
      labelMap: string;
      labels?: Record<string, string>;
    }
  | {
      kind: 'dicom-series';
      key: string;
      dataset: string;
      /** From the mapping file; otherwise the series' own Modality. */
      modality?: string;
      /** The series' image files. */
      files: string[];
      /** DICOM SEG file(s) referencing the series; segments are named by their SegmentLabel. */
      segs: string[];
    };

/** A file the discovery or the loader could not use: reported, skipped, never counted. */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface DatasetListing {
  name: string;
  refs: ImageRef[];
  skipped: SkippedFile[];
}
