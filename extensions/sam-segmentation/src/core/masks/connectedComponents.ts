/**
 * Connected components and hole filling on binary masks (rows x columns, non-zero = foreground).
 * Breadth-first with one preallocated queue: linear time, no recursion, no per-pixel allocation or call.
 */

export type Connectivity = 4 | 8;

export interface Components {
  // labels: int32[H*W], 0 = background, 1..count = component
  labels: Int32Array;
  count: number;
  /** Pixel count per label (index 0 unused). */
  sizes: Int32Array;
}

// Neighbour steps (dx, dy): the 4-neighbourhood first, then the diagonals.
const DX = [1, -1, 0, 0, 1, 1, -1, -1];
const DY = [0, 0, 1, -1, 1, -1, 1, -1];

function checkSize(mask: Uint8Array, width: number, height: number): void {
  if (mask.length !== width * height) {
    throw new Error(`Mask has ${mask.length} pixels; ${width} x ${height} needs ${width * height}.`);
  }
}

/**
 * Floods from the queued pixels (already marked) over the unmarked pixels whose mask value is
 * foreground (`foreground` true) or background (false), marking each with `mark`. Returns how many
 * pixels it marked besides the seeds. The queue is reused by the caller. No closures in the loop:
 * this runs once per pixel of every mask the clean-up sees.
 */
function flood(
  queue: Int32Array,
  queued: number,
  width: number,
  height: number,
  connectivity: Connectivity,
  mask: Uint8Array,
  foreground: boolean,
  marks: Int32Array | Uint8Array,
  mark: number,
): number {
  let head = 0;
  let tail = queued;
  while (head < tail) {
    const i = queue[head++]!;
    const x = i % width;
    const y = (i - x) / width;
    for (let k = 0; k < connectivity; k++) {
      const nx = x + DX[k]!;
      const ny = y + DY[k]!;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const j = ny * width + nx;
      if (marks[j] !== 0 || (mask[j] !== 0) !== foreground) continue;
      marks[j] = mark;
      queue[tail++] = j;
    }
  }
  return tail - queued;
}

export function labelComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  connectivity: Connectivity = 8,
): Components {
  checkSize(mask, width, height);
  const n = width * height;
  const labels = new Int32Array(n);
  const queue = new Int32Array(n);
  const sizes: number[] = [0];
  let label = 0;
  for (let seed = 0; seed < n; seed++) {
    if (!mask[seed] || labels[seed]) continue;
    label++;
    labels[seed] = label;
    queue[0] = seed;
    sizes.push(1 + flood(queue, 1, width, height, connectivity, mask, true, labels, label));
  }
  return { labels, count: label, sizes: Int32Array.from(sizes) };
}

/**
 * Sets to 1 every background region not connected to the image border. Background connectivity is the
 * complement of the foreground's (4 for 8-connected foreground and vice versa), so a diagonal gap in an
 * 8-connected ring does not let the outside in.
 */
export function fillHoles(mask: Uint8Array, width: number, height: number, connectivity: Connectivity = 8): Uint8Array {
  checkSize(mask, width, height);
  const n = width * height;
  const outside = new Uint8Array(n);
  const queue = new Int32Array(n);
  let queued = 0;
  const seed = (i: number) => {
    if (!mask[i] && !outside[i]) {
      outside[i] = 1;
      queue[queued++] = i;
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  const background: Connectivity = connectivity === 8 ? 4 : 8;
  flood(queue, queued, width, height, background, mask, false, outside, 1);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = outside[i] ? 0 : 1;
  return out;
}
