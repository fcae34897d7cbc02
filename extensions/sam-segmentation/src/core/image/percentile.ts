/**
 * Percentiles with NumPy's default ('linear') definition: the value at fractional rank p/100 * (n - 1),
 * interpolated between its two neighbours. Quickselect: linear time, no full sort.
 */

const { floor } = Math;

/** Rearranges `a` so that a[k] is the k-th smallest value, smaller before it and larger after it. */
function selectInPlace(a: Float32Array | Float64Array, k: number, left = 0, right = a.length - 1): void {
  while (right > left) {
    // Median of three as pivot: robust on sorted runs and on the many equal values of CT air.
    const mid = (left + right) >> 1;
    const x = a[left]!;
    const y = a[mid]!;
    const z = a[right]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

/**
 * The given percentiles (0-100) of `values`. NaN values are not allowed. `scratch` (at least
 * values.length long) avoids a copy's allocation; its contents are overwritten.
 */
export function percentiles(values: ArrayLike<number>, ps: readonly number[], scratch?: Float32Array): number[] {
  const n = values.length;
  if (n === 0) throw new Error('Cannot take a percentile of no values.');
  for (const p of ps) if (!(p >= 0 && p <= 100)) throw new Error(`Percentile must be in 0..100, got ${p}.`);
  const a = scratch && scratch.length >= n ? scratch.subarray(0, n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = values[i]!;
  return ps.map((p) => {
    const rank = (p / 100) * (n - 1);
    const lo = floor(rank);
    selectInPlace(a, lo);
    const low = a[lo]!;
    if (rank === lo) return low;
    // After selection everything right of lo is ≥ a[lo]; the next value is their minimum.
    let next = Infinity;
    for (let i = lo + 1; i < n; i++) if (a[i]! < next) next = a[i]!;
    return low + (next - low) * (rank - lo);
  });
}
