// What the CT phantom contains, as plain data: geometry, tissues and objects of known
// shape and HU. Rendering lives in phantom.ts; DICOM encoding in writeDicom.ts.

export type Vec3 = readonly [number, number, number];
export type Rgb = readonly [number, number, number];

/**
 * Voxel grid in the patient (LPS) frame with ImageOrientationPatient 1\0\0\0\1\0:
 * column index i runs along +x, row index j along +y, slice index k along +z.
 */
export interface PhantomGeometry {
  columns: number;
  rows: number;
  slices: number;
  /** DICOM PixelSpacing order: [spacing between rows (y), spacing between columns (x)], mm. */
  pixelSpacingMm: readonly [number, number];
  /** Slice step along z, also the slice thickness, mm. */
  sliceSpacingMm: number;
  /** ImagePositionPatient of slice 0: the centre of voxel (0, 0, 0), mm. */
  originMm: Vec3;
}

export type PhantomShape = 'sphere' | 'ellipsoid' | 'cylinder';
export type PhantomObjectKind = 'lesion' | 'organ' | 'fat' | 'vessel';

export interface PhantomObjectSpec {
  id: string;
  name: string;
  kind: PhantomObjectKind;
  /** Value of the object's voxels in the label volume, and its DICOM SEG segment number. */
  label: number;
  shape: PhantomShape;
  centerMm: Vec3;
  /** Semi-axes along x, y, z (mm). A cylinder's axis is z: [radius, radius, half length]. */
  radiiMm: Vec3;
  hu: number;
  /** Display colour (sRGB 0-255), written to the SEG as RecommendedDisplayCIELabValue. */
  color: Rgb;
}

export interface PhantomBody {
  /** Elliptic cylinder through every slice; semi-axes along x and y, mm. */
  semiAxesMm: readonly [number, number];
  hu: number;
  /** Subcutaneous fat: a rim of this thickness inside the body outline. */
  fatRimMm: number;
  fatHu: number;
}

export interface PhantomSpec {
  seed: number;
  geometry: PhantomGeometry;
  airHu: number;
  body: PhantomBody;
  /** Standard deviation of the white Gaussian noise added to every voxel, HU. */
  noiseSigmaHu: number;
  /** Stored value = HU - rescaleIntercept (RescaleSlope is 1). */
  rescaleIntercept: number;
  /** Label order = paint order; objects must not overlap (tests check it). */
  objects: readonly PhantomObjectSpec[];
}

const COLUMNS = 256;
const ROWS = 256;
const SLICES = 64;
const PIXEL_MM = 0.8;
const SLICE_MM = 2;

/**
 * 256 x 256 x 64 voxels of 0.8 x 0.8 x 2 mm, centred on the origin: slices at z = -63, -61, ... 63,
 * so a sphere centred on an odd z sits on a slice, and a cylinder centred on an even z spans
 * exactly (2 * half length / 2 mm) slices. Labels start at 1; the body is not labelled.
 */
export const DEFAULT_PHANTOM_SPEC: PhantomSpec = {
  seed: 20240917,
  geometry: {
    columns: COLUMNS,
    rows: ROWS,
    slices: SLICES,
    pixelSpacingMm: [PIXEL_MM, PIXEL_MM],
    sliceSpacingMm: SLICE_MM,
    originMm: [(-(COLUMNS - 1) * PIXEL_MM) / 2, (-(ROWS - 1) * PIXEL_MM) / 2, (-(SLICES - 1) * SLICE_MM) / 2],
  },
  airHu: -1000,
  body: { semiAxesMm: [90, 70], hu: 40, fatRimMm: 8, fatHu: -100 },
  noiseSigmaHu: 12,
  rescaleIntercept: -1024,
  objects: [
    {
      id: 'lesion',
      name: 'Lesion',
      kind: 'lesion',
      label: 1,
      shape: 'sphere',
      centerMm: [-35, -20, 13],
      radiiMm: [12, 12, 12],
      hu: 60,
      color: [255, 128, 0],
    },
    {
      id: 'nodule',
      name: 'Calcified nodule',
      kind: 'lesion',
      label: 2,
      shape: 'sphere',
      centerMm: [-30, 30, -25],
      radiiMm: [8, 8, 8],
      hu: 300,
      color: [255, 235, 60],
    },
    {
      id: 'organ',
      name: 'Organ',
      kind: 'organ',
      label: 3,
      shape: 'ellipsoid',
      centerMm: [35, -15, -1],
      radiiMm: [32, 24, 40],
      hu: 80,
      color: [70, 130, 230],
    },
    {
      id: 'fat',
      name: 'Fat pad',
      kind: 'fat',
      label: 4,
      shape: 'ellipsoid',
      centerMm: [-55, 10, -9],
      radiiMm: [14, 10, 18],
      hu: -100,
      color: [100, 210, 100],
    },
    {
      id: 'vessel',
      name: 'Vessel',
      kind: 'vessel',
      label: 5,
      shape: 'cylinder',
      centerMm: [5, 40, 0],
      radiiMm: [7, 7, 50],
      hu: 180,
      color: [220, 40, 60],
    },
  ],
};
