/**
 * Writing a binary mask into one labelmap image, and putting it back: plain loops over a voxel
 * accessor, no viewer objects, so the rules are easy to check.
 */
import type { VoxelAccess } from '../host/hostTypes';

/** The voxels one write changed: where, what they held before, and the value written. */
export interface VoxelChange {
  indices: Uint32Array;
  /** Labelmap values are segment indices: float32 holds them exactly (below 2^24), at 4 bytes a voxel. */
  previous: Float32Array;
  value: number;
}

export interface MaskWrite {
  change: VoxelChange;
  /** Voxels set to the segment's value. */
  written: number;
  /** Mask voxels left to another segment (not overwritable). */
  skipped: number;
  /** Mask voxels that already held the segment's value. */
  unchanged: number;
}

/**
 * Sets every voxel where `mask` is non-zero to `value`, except voxels of other segments that
 * `mayOverwrite` refuses (their value is kept and counted as skipped).
 */
export function writeMask(
  voxels: VoxelAccess,
  mask: ArrayLike<number>,
  value: number,
  mayOverwrite: (otherValue: number) => boolean,
): MaskWrite {
  let inside = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) inside++;
  const indices = new Uint32Array(inside);
  const previous = new Float32Array(inside);
  let written = 0;
  let skipped = 0;
  let unchanged = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const current = voxels.getAtIndex(i) ?? 0;
    if (current === value) {
      unchanged++;
    } else if (current !== 0 && !mayOverwrite(current)) {
      skipped++;
    } else {
      indices[written] = i;
      previous[written] = current;
      voxels.setAtIndex(i, value);
      written++;
    }
  }
  return {
    change: { indices: indices.subarray(0, written), previous: previous.subarray(0, written), value },
    written,
    skipped,
    unchanged,
  };
}

/**
 * Undoes (or redoes) a change. Only voxels that still hold what the change left there are touched,
 * so an edit made since (e.g. with the brush) is never clobbered. Returns how many voxels changed.
 */
export function restoreChange(voxels: VoxelAccess, change: VoxelChange, undo: boolean): number {
  const { indices, previous, value } = change;
  let restored = 0;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    const current = voxels.getAtIndex(i) ?? 0;
    if (undo && current === value) {
      voxels.setAtIndex(i, previous[k]!);
      restored++;
    } else if (!undo && current === previous[k]) {
      voxels.setAtIndex(i, value);
      restored++;
    }
  }
  return restored;
}
