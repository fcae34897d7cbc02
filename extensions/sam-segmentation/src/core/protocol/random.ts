/**
 * Seeded pseudo-random numbers for the study protocol's sampled prompts: the same seed gives the same
 * prompts on every machine (Math.random is never used).
 */

/** mulberry32: a small 32-bit generator. Returns a function giving floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct items of `items` drawn uniformly (all of them, in drawn order, when there are fewer). */
export function sampleDistinct<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = items.slice();
  const k = Math.min(count, pool.length);
  // Partial Fisher-Yates: the first k slots end up a uniform sample without replacement.
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, k);
}
