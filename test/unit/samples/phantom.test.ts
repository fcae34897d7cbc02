import {
  computeGroundTruth,
  computeLabelVolume,
  DEFAULT_PHANTOM_SPEC,
  describeObjects,
  labelSlice,
  mmToVoxel,
  renderSlice,
  renderVolume,
  voxelToMm,
  type PhantomSpec,
} from '../../../viewer/samples/phantom';

const spec = DEFAULT_PHANTOM_SPEC;
const g = spec.geometry;
const sliceSize = g.rows * g.columns;
const voxelMm3 = g.pixelSpacingMm[0] * g.pixelSpacingMm[1] * g.sliceSpacingMm;

// Rendered once: the assertions below only read it.
const stored = renderVolume(spec);
const labels = computeLabelVolume(spec);
const toHu = (value: number): number => value + spec.rescaleIntercept;

function statsOfLabel(label: number): { count: number; mean: number; sd: number } {
  let count = 0;
  let sum = 0;
  let sumSq = 0;
  labels.forEach((l, p) => {
    if (l !== label) return;
    const hu = toHu(stored[p] ?? 0);
    count++;
    sum += hu;
    sumSq += hu * hu;
  });
  const mean = sum / count;
  return { count, mean, sd: Math.sqrt(sumSq / count - mean * mean) };
}

describe('phantom determinism', () => {
  it('renders the same bytes for the same seed', () => {
    expect(Buffer.from(renderVolume(spec).buffer).equals(Buffer.from(stored.buffer))).toBe(true);
  });

  it('renders different noise for another seed, but the same labels', () => {
    const other: PhantomSpec = { ...spec, seed: spec.seed + 1 };
    expect(Buffer.from(renderSlice(other, 30).buffer).equals(Buffer.from(renderSlice(spec, 30).buffer))).toBe(false);
    expect(Buffer.from(computeLabelVolume(other)).equals(Buffer.from(labels))).toBe(true);
  });

  it('renders a slice alone exactly as within the volume', () => {
    for (const k of [0, 17, g.slices - 1]) {
      const alone = renderSlice(spec, k);
      expect(Array.from(alone)).toEqual(Array.from(stored.subarray(k * sliceSize, (k + 1) * sliceSize)));
      expect(Array.from(labelSlice(spec, k))).toEqual(Array.from(labels.subarray(k * sliceSize, (k + 1) * sliceSize)));
    }
  });
});

describe('phantom geometry', () => {
  it('has the requested grid, centred on the origin', () => {
    expect([g.columns, g.rows, g.slices]).toEqual([256, 256, 64]);
    expect(stored.length).toBe(256 * 256 * 64);
    expect(voxelToMm(g, [(g.columns - 1) / 2, (g.rows - 1) / 2, (g.slices - 1) / 2])).toEqual([0, 0, 0]);
  });

  it('converts mm to voxels and back', () => {
    const p = [12.3, -45.6, 7.8] as const;
    const back = voxelToMm(g, mmToVoxel(g, p));
    back.forEach((v, axis) => expect(v).toBeCloseTo(p[axis] ?? NaN, 10));
  });

  it('describes every object with its voxel centre and radii', () => {
    const objects = describeObjects(spec);
    expect(objects.map((o) => o.label)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(objects.map((o) => o.shape))).toEqual(new Set(['sphere', 'ellipsoid', 'cylinder']));
    for (const o of objects) {
      const [i, j, k] = o.centerVoxel.map(Math.round) as [number, number, number];
      expect(labels[(k * g.rows + j) * g.columns + i]).toBe(o.label);
      expect(o.radiiVoxels[0]).toBeCloseTo(o.radiiMm[0] / g.pixelSpacingMm[1], 10);
      expect(o.radiiVoxels[2]).toBeCloseTo(o.radiiMm[2] / g.sliceSpacingMm, 10);
    }
  });

  it('rejects duplicate labels and unequal sphere radii', () => {
    const [first, second] = spec.objects;
    if (!first || !second) throw new Error('default spec has objects');
    expect(() => describeObjects({ ...spec, objects: [first, { ...second, label: first.label }] })).toThrow(
      /used twice/,
    );
    expect(() => describeObjects({ ...spec, objects: [{ ...first, radiiMm: [12, 12, 10] }] })).toThrow(/sphere/);
  });
});

describe('ground truth matches the pixels', () => {
  const truth = computeGroundTruth(spec);

  it.each(truth.objects.map((o) => [o.id, o] as const))('%s: mean HU is nominal, noise as specified', (_id, o) => {
    const { mean, sd } = statsOfLabel(o.label);
    expect(Math.abs(mean - o.hu)).toBeLessThan(1.5);
    expect(sd).toBeGreaterThan(spec.noiseSigmaHu * 0.9);
    expect(sd).toBeLessThan(spec.noiseSigmaHu * 1.1);
  });

  it.each(truth.objects.map((o) => [o.id, o] as const))('%s: voxelised volume within 3% of nominal', (_id, o) => {
    const { count } = statsOfLabel(o.label);
    expect(Math.abs((count * voxelMm3) / o.nominalVolumeMm3 - 1)).toBeLessThan(0.03);
  });

  it('spheres have the volume 4/3 pi r^3', () => {
    for (const o of truth.objects.filter((x) => x.shape === 'sphere')) {
      const r = o.radiiMm[0];
      expect(o.nominalVolumeMm3).toBeCloseTo((4 / 3) * Math.PI * r ** 3, 6);
    }
  });

  it('objects do not overlap: each alone labels exactly the voxels it has in the whole', () => {
    for (const o of spec.objects) {
      const alone = computeLabelVolume({ ...spec, objects: [o] });
      let together = 0;
      let single = 0;
      for (let p = 0; p < alone.length; p++) {
        if (alone[p] === o.label) single++;
        if (labels[p] === o.label) together++;
      }
      expect(together).toBe(single);
    }
  });

  it('objects lie inside the soft tissue, away from air and the fat rim', () => {
    const [a, b] = spec.body.semiAxesMm;
    const innerA = a - spec.body.fatRimMm;
    const innerB = b - spec.body.fatRimMm;
    for (const o of spec.objects) {
      const [cx, cy] = o.centerMm;
      const [rx, ry] = o.radiiMm;
      // The farthest point of the object's footprint from the centre, checked on 360 directions.
      for (let deg = 0; deg < 360; deg++) {
        const t = (deg * Math.PI) / 180;
        const x = cx + rx * Math.cos(t);
        const y = cy + ry * Math.sin(t);
        expect((x / innerA) ** 2 + (y / innerB) ** 2).toBeLessThan(1);
      }
    }
  });

  it('background is air outside the body and soft tissue inside', () => {
    // Corner of slice 0: air, clamped at -1024 HU at worst.
    const corner = toHu(stored[0] ?? 0);
    expect(corner).toBeGreaterThanOrEqual(-1024);
    expect(corner).toBeLessThan(-950);
    // Body centre on slice 0 (no object reaches z = -63 mm).
    let sum = 0;
    let n = 0;
    for (let j = 120; j < 136; j++) {
      for (let i = 120; i < 136; i++) {
        sum += toHu(stored[j * g.columns + i] ?? 0);
        n++;
      }
    }
    expect(Math.abs(sum / n - spec.body.hu)).toBeLessThan(4);
  });
});
