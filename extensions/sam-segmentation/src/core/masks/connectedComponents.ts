/**
 * Connected components and hole filling on binary masks (rows x columns, non-zero = foreground).
 * Breadth-first with one preallocated queue: linear time, no recursion, no per-pixel allocation.
 */

export type Connectivity = 4 | 8;

export interface Components {
  // labels: int32[H*W], 0 = background, 1..count = component
  labels: Int32Array;
  count: number;
  /** Pixel count per label (index 0 unused). */
  sizes: Int32Array;
}

const NEIGHBOURS: Record<Connectivity, readonly (readonly [number, number])[]> = {
  4: [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
  ],
  8: [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
    [1, 1],
    [1, -1],
    [-1, 1],
    [-1, -1],
  ],
};

function checkSize(mask: Uint8Array, width: number, height: number): void {
  if (mask.length !== width * height) {
    throw new Error(`Mask has ${mask.length} pixels; ${width} x ${height} needs ${width * height}.`);
  }
}

/**
 * Floods from the queued pixels over pixels for which `accept(i)` holds, calling `visit(i)` once per
 * pixel (the seeds must already be marked). Returns nothing; the queue is reused by the caller.
 */
function flood(
  queue: Int32Array,
  queued: number,
  width: number,
  height: number,
  connectivity: Connectivity,
  accept: (i: number) => boolean,
  visit: (i: number) => void,
): void {
  const steps = NEIGHBOURS[connectivity];
  let head = 0;
  let tail = queued;
  while (head < tail) {
    const i = queue[head++]!;
    const x = i % width;
    const y = (i - x) / width;
    for (const [dx, dy] of steps) {
      const nx = x + dx;
      const ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const j = ny * width + nx;
      if (!accept(j)) continue;
      visit(j);
      queue[tail++] = j;
    }
  }
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
    let size = 1;
    labels[seed] = label;
    queue[0] = seed;
    const current = label;
    flood(
      queue,
      1,
      width,
      height,
      connectivity,
      (j) => mask[j] !== 0 && labels[j] === 0,
      (j) => {
        labels[j] = current;
        size++;
      },
    );
    sizes.push(size);
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
  flood(
    queue,
    queued,
    width,
    height,
    background,
    (j) => !mask[j] && !outside[j],
    (j) => {
      outside[j] = 1;
    },
  );
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = outside[i] ? 0 : 1;
  return out;
}
