// Seeded pseudo-random numbers: the phantom must be byte-identical on every machine,
// so nothing here touches Math.random.

// Local aliases: inside jest's vm context every global lookup (Math) goes through an
// interceptor, which made the per-voxel noise ~40x slower than under plain Node.
const { cos, imul, log, PI, sin, sqrt } = Math;

/** Mixes two 32-bit integers into one well-spread seed (murmur3's finaliser). */
export function mixSeed(a: number, b: number): number {
  let h = (imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ imul(b + 0x632be5ab, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: a tiny 32-bit generator, plenty for image noise. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal deviates by the Box-Muller transform; keeps the second value of
 * each pair so that no two calls allocate or waste a draw.
 */
export class GaussianSource {
  private spare = 0;
  private hasSpare = false;

  constructor(private readonly uniform: () => number) {}

  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    // 1 - u keeps the logarithm's argument in (0, 1].
    const radius = sqrt(-2 * log(1 - this.uniform()));
    const angle = 2 * PI * this.uniform();
    this.spare = radius * sin(angle);
    this.hasSpare = true;
    return radius * cos(angle);
  }
}
