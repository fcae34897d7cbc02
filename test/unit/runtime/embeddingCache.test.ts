import { EmbeddingCache, embeddingKey } from '../../../extensions/sam-segmentation/src/runtime/embeddingCache';
import { float16ToFloat32, float32ToFloat16 } from '../../../extensions/sam-segmentation/src/runtime/float16';
import type { ImageEmbedding } from '../../../extensions/sam-segmentation/src/runtime/samModel';

const MiB = 1024 * 1024;

/** A SAM ViT-B-sized embedding: float32[1,256,64,64] = 4 MiB, 2 MiB as float16. */
function embedding(seed: number, modelId = 'm'): ImageEmbedding {
  const data = new Float32Array(256 * 64 * 64);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.001 + seed) * 3;
  return {
    modelId,
    imageWidth: 512,
    imageHeight: 512,
    tensors: { image_embeddings: { data, dims: [1, 256, 64, 64] } },
  };
}

describe('float16 packing', () => {
  it('round-trips exactly representable values and keeps others within half-precision error', () => {
    const values = Float32Array.from([0, -0, 1, -2, 0.5, 65504, 1e-8, 6.1e-5, 3.14159, -123.456, Infinity, -Infinity]);
    const back = float16ToFloat32(float32ToFloat16(values));
    expect(Array.from(back.subarray(0, 6))).toEqual([0, -0, 1, -2, 0.5, 65504]);
    expect(back[6]).toBe(0); // below the smallest subnormal
    expect(Math.abs(back[7]! - 6.1e-5) / 6.1e-5).toBeLessThan(1e-2); // subnormal range
    expect(Math.abs(back[8]! - 3.14159)).toBeLessThan(2e-3);
    expect(Math.abs(back[9]! + 123.456)).toBeLessThan(0.04);
    expect(back[10]).toBe(Infinity);
    expect(back[11]).toBe(-Infinity);
    expect(float16ToFloat32(float32ToFloat16(Float32Array.from([NaN])))[0]).toBeNaN();
    expect(float16ToFloat32(float32ToFloat16(Float32Array.from([1e6])))[0]).toBe(Infinity);
  });

  it('rounds to nearest even', () => {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
    expect(float16ToFloat32(float32ToFloat16(Float32Array.from([1 + 2 ** -11])))[0]).toBe(1);
    expect(float16ToFloat32(float32ToFloat16(Float32Array.from([1 + 3 * 2 ** -11])))[0]).toBe(1 + 2 * 2 ** -10);
  });
});

describe('EmbeddingCache', () => {
  it('keys by model, image and preprocessing', () => {
    expect(embeddingKey({ modelId: 'sam', imageKey: '1.2.3#0', preprocessingKey: 'w40/400' })).toBe(
      'sam|1.2.3#0|w40/400',
    );
  });

  it('stores float16 (half the bytes) and gives back values within half precision', () => {
    const cache = new EmbeddingCache({ budgetBytes: 10 * MiB });
    const e = embedding(1);
    cache.set('a', e);
    expect(cache.stats().bytes).toBe(2 * MiB);
    const back = cache.get('a')!;
    let maxError = 0;
    const original = e.tensors.image_embeddings!.data;
    const restored = back.tensors.image_embeddings!.data;
    for (let i = 0; i < original.length; i++) maxError = Math.max(maxError, Math.abs(original[i]! - restored[i]!));
    expect(maxError).toBeLessThan(3 * 2 ** -10); // |x| ≤ 3: spacing of halves is ≤ 2^-9, error ≤ half of it
    expect(back.tensors.image_embeddings!.dims).toEqual([1, 256, 64, 64]);
  });

  it('never exceeds its budget and evicts the least recently used', () => {
    const cache = new EmbeddingCache({ budgetBytes: 5 * MiB }); // room for two float16 embeddings
    cache.set('a', embedding(1));
    cache.set('b', embedding(2));
    cache.get('a'); // a is now the most recently used
    cache.set('c', embedding(3));
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.has('c')).toBe(true);
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 4 * MiB, evictions: 1 });
    expect(cache.stats().bytes).toBeLessThanOrEqual(cache.budgetBytes);
  });

  it('refuses an embedding larger than the whole budget without evicting anything', () => {
    const cache = new EmbeddingCache({ budgetBytes: 3 * MiB, float16: false });
    cache.set('small', { ...embedding(1), tensors: { t: { data: new Float32Array(1000), dims: [1000] } } });
    expect(cache.set('big', embedding(2))).toBe(false);
    expect(cache.has('small')).toBe(true);
  });

  it('drops a model’s embeddings when the model is unloaded, and counts hits and misses', () => {
    const cache = new EmbeddingCache();
    cache.set('x', embedding(1, 'm1'));
    cache.set('y', embedding(2, 'm2'));
    cache.deleteModel('m1');
    expect(cache.get('x')).toBeUndefined();
    expect(cache.get('y')).toBeDefined();
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1 });
  });

  it('rejects a negative budget', () => {
    expect(() => new EmbeddingCache({ budgetBytes: -1 })).toThrow(/budget must be ≥ 0/);
  });
});
