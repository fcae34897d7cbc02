// Renders the CT phantom described by a PhantomSpec: its ground-truth labels and its
// stored pixel values, slice by slice, with no I/O. Voxel order everywhere is
// slice-major, then row, then column: index = (k * rows + j) * columns + i.

import { GaussianSource, mixSeed, mulberry32 } from './prng';
import {
  DEFAULT_PHANTOM_SPEC,
  type PhantomGeometry,
  type PhantomObjectSpec,
  type PhantomSpec,
  type Vec3,
} from './phantomSpec';

export * from './phantomSpec';

export interface PhantomObject extends PhantomObjectSpec {
  /** Continuous voxel indices (i, j, k) of the centre. */
  centerVoxel: Vec3;
  /** Semi-axes in voxels along i, j, k. */
  radiiVoxels: Vec3;
  /** Volume of the ideal shape, mm^3 (the voxelised one differs by partial voxels). */
  nominalVolumeMm3: number;
}

export interface GroundTruth {
  dimensions: Vec3;
  objects: PhantomObject[];
  labels: Uint8Array;
}

const SLICE_SAMPLE_EPSILON = 1e-9;
// Per-voxel code uses a local alias: global lookups are slow inside jest's vm context.
const { round } = Math;

export function voxelCount(g: PhantomGeometry): number {
  return g.columns * g.rows * g.slices;
}

export function mmToVoxel(g: PhantomGeometry, p: Vec3): Vec3 {
  return [
    (p[0] - g.originMm[0]) / g.pixelSpacingMm[1],
    (p[1] - g.originMm[1]) / g.pixelSpacingMm[0],
    (p[2] - g.originMm[2]) / g.sliceSpacingMm,
  ];
}

export function voxelToMm(g: PhantomGeometry, v: Vec3): Vec3 {
  return [
    g.originMm[0] + v[0] * g.pixelSpacingMm[1],
    g.originMm[1] + v[1] * g.pixelSpacingMm[0],
    g.originMm[2] + v[2] * g.sliceSpacingMm,
  ];
}

/** ImagePositionPatient of slice k. */
export function slicePositionMm(g: PhantomGeometry, k: number): Vec3 {
  return voxelToMm(g, [0, 0, k]);
}

function nominalVolumeMm3(o: PhantomObjectSpec): number {
  const [a, b, c] = o.radiiMm;
  return o.shape === 'cylinder' ? Math.PI * a * b * 2 * c : (4 / 3) * Math.PI * a * b * c;
}

/** Fails early on a spec the renderer would silently get wrong. */
export function validatePhantomSpec(spec: PhantomSpec): void {
  const seen = new Set<number>();
  for (const o of spec.objects) {
    if (!Number.isInteger(o.label) || o.label < 1 || o.label > 255) {
      throw new Error(`Object "${o.id}": label ${o.label} is not an integer in 1..255`);
    }
    if (seen.has(o.label)) {
      throw new Error(`Object "${o.id}": label ${o.label} is used twice`);
    }
    seen.add(o.label);
    if (o.radiiMm.some((r) => !(r > 0))) {
      throw new Error(`Object "${o.id}": radii must be positive, got ${o.radiiMm.join(', ')}`);
    }
    if (o.shape === 'sphere' && (o.radiiMm[0] !== o.radiiMm[1] || o.radiiMm[1] !== o.radiiMm[2])) {
      throw new Error(`Object "${o.id}": a sphere needs three equal radii`);
    }
  }
}

/** The objects with their derived voxel-space geometry: what a test needs to know the answer. */
export function describeObjects(spec: PhantomSpec = DEFAULT_PHANTOM_SPEC): PhantomObject[] {
  validatePhantomSpec(spec);
  const g = spec.geometry;
  return spec.objects.map((o) => ({
    ...o,
    centerVoxel: mmToVoxel(g, o.centerMm),
    radiiVoxels: [
      o.radiiMm[0] / g.pixelSpacingMm[1],
      o.radiiMm[1] / g.pixelSpacingMm[0],
      o.radiiMm[2] / g.sliceSpacingMm,
    ],
    nominalVolumeMm3: nominalVolumeMm3(o),
  }));
}

/** Semi-axes (x, y) of an object's cut by the plane z, or null when the plane misses it. */
function crossSection(o: PhantomObjectSpec, z: number): readonly [number, number] | null {
  const dz = (z - o.centerMm[2]) / o.radiiMm[2];
  if (o.shape === 'cylinder') {
    return Math.abs(dz) <= 1 ? [o.radiiMm[0], o.radiiMm[1]] : null;
  }
  const t = 1 - dz * dz;
  if (t < 0) return null;
  const scale = Math.sqrt(t);
  return [o.radiiMm[0] * scale, o.radiiMm[1] * scale];
}

/** Inclusive column range of one image row; `start > end` when empty. Reused, never reallocated. */
interface Span {
  start: number;
  end: number;
}

const newSpan = (): Span => ({ start: 0, end: -1 });

/**
 * Sets `span` to the columns of row j whose pixel centres lie inside the ellipse centred
 * (cx, cy) with semi-axes (ax, ay), all in mm. Returns false when the row misses it.
 */
function rowSpan(g: PhantomGeometry, j: number, cx: number, cy: number, ax: number, ay: number, span: Span): boolean {
  span.start = 0;
  span.end = -1;
  const y = g.originMm[1] + j * g.pixelSpacingMm[0];
  const dy = (y - cy) / ay;
  const t = 1 - dy * dy;
  if (!(t >= 0)) return false;
  const halfWidth = ax * Math.sqrt(t);
  const dx = g.pixelSpacingMm[1];
  span.start = Math.max(0, Math.ceil((cx - halfWidth - g.originMm[0]) / dx - SLICE_SAMPLE_EPSILON));
  span.end = Math.min(g.columns - 1, Math.floor((cx + halfWidth - g.originMm[0]) / dx + SLICE_SAMPLE_EPSILON));
  return span.start <= span.end;
}

/** Ground-truth labels of slice k (0 = not an object) into `out` (rows * columns). */
export function labelSlice(
  spec: PhantomSpec,
  k: number,
  out: Uint8Array = new Uint8Array(spec.geometry.rows * spec.geometry.columns),
): Uint8Array {
  const g = spec.geometry;
  const z = slicePositionMm(g, k)[2];
  const span = newSpan();
  out.fill(0);
  for (const o of spec.objects) {
    const section = crossSection(o, z);
    if (!section) continue;
    const [ax, ay] = section;
    const [cx, cy] = o.centerMm;
    // Only the rows the ellipse can reach.
    const j0 = Math.max(0, Math.floor((cy - ay - g.originMm[1]) / g.pixelSpacingMm[0]));
    const j1 = Math.min(g.rows - 1, Math.ceil((cy + ay - g.originMm[1]) / g.pixelSpacingMm[0]));
    for (let j = j0; j <= j1; j++) {
      if (rowSpan(g, j, cx, cy, ax, ay, span)) {
        out.fill(o.label, j * g.columns + span.start, j * g.columns + span.end + 1);
      }
    }
  }
  return out;
}

/** The whole ground-truth label volume (Uint8Array, one label per object, 0 elsewhere). */
export function computeLabelVolume(spec: PhantomSpec = DEFAULT_PHANTOM_SPEC): Uint8Array {
  validatePhantomSpec(spec);
  const g = spec.geometry;
  const sliceSize = g.rows * g.columns;
  const labels = new Uint8Array(voxelCount(g));
  for (let k = 0; k < g.slices; k++) {
    labelSlice(spec, k, labels.subarray(k * sliceSize, (k + 1) * sliceSize));
  }
  return labels;
}

export function computeGroundTruth(spec: PhantomSpec = DEFAULT_PHANTOM_SPEC): GroundTruth {
  const g = spec.geometry;
  return {
    dimensions: [g.columns, g.rows, g.slices],
    objects: describeObjects(spec),
    labels: computeLabelVolume(spec),
  };
}

/**
 * Stored (int16, HU - rescaleIntercept) values of slice k. Each slice draws its noise from
 * its own seed, so a slice renders the same alone or within the volume.
 * `labelScratch` (rows * columns) avoids an allocation when rendering many slices.
 */
export function renderSlice(
  spec: PhantomSpec,
  k: number,
  out: Int16Array = new Int16Array(spec.geometry.rows * spec.geometry.columns),
  labelScratch: Uint8Array = new Uint8Array(spec.geometry.rows * spec.geometry.columns),
): Int16Array {
  const g = spec.geometry;
  const labels = labelSlice(spec, k, labelScratch);
  const huByLabel = new Float64Array(256);
  for (const o of spec.objects) huByLabel[o.label] = o.hu;

  const { body } = spec;
  const [bodyA, bodyB] = body.semiAxesMm;
  const bodySpan = newSpan();
  const tissueSpan = newSpan();
  const noise = new GaussianSource(mulberry32(mixSeed(spec.seed, k)));
  // Clamp like a 12-bit scanner: nothing below -1024 HU when the intercept is -1024.
  const minStored = 0;
  const maxStored = 4095;

  for (let j = 0; j < g.rows; j++) {
    // Empty spans (start > end) match no column, so no separate "row misses" flag is needed.
    rowSpan(g, j, 0, 0, bodyA, bodyB, bodySpan);
    rowSpan(g, j, 0, 0, bodyA - body.fatRimMm, bodyB - body.fatRimMm, tissueSpan);
    const rowStart = j * g.columns;
    for (let i = 0; i < g.columns; i++) {
      const p = rowStart + i;
      const label = labels[p] ?? 0;
      let hu: number;
      if (label !== 0) hu = huByLabel[label] ?? spec.airHu;
      else if (i >= tissueSpan.start && i <= tissueSpan.end) hu = body.hu;
      else if (i >= bodySpan.start && i <= bodySpan.end) hu = body.fatHu;
      else hu = spec.airHu;
      const stored = round(hu + spec.noiseSigmaHu * noise.next()) - spec.rescaleIntercept;
      out[p] = stored < minStored ? minStored : stored > maxStored ? maxStored : stored;
    }
  }
  return out;
}

/** All slices' stored values in one Int16Array, slice-major. */
export function renderVolume(spec: PhantomSpec = DEFAULT_PHANTOM_SPEC): Int16Array {
  validatePhantomSpec(spec);
  const g = spec.geometry;
  const sliceSize = g.rows * g.columns;
  const volume = new Int16Array(voxelCount(g));
  const scratch = new Uint8Array(sliceSize);
  for (let k = 0; k < g.slices; k++) {
    renderSlice(spec, k, volume.subarray(k * sliceSize, (k + 1) * sliceSize), scratch);
  }
  return volume;
}
