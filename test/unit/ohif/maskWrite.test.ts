import { restoreChange, writeMask } from '../../../extensions/sam-segmentation/src/ohif/labelmap/maskWrite';

/** A labelmap image's voxels as Cornerstone's voxel manager gives them. */
const voxels = (values: number[]) => ({
  values,
  getAtIndex: (i: number) => values[i]!,
  setAtIndex: (i: number, v: number) => void (values[i] = v),
});

describe('writing an accepted mask into a labelmap image', () => {
  it('writes the segment where the mask is, keeps other segments’ voxels unless they may be overwritten', () => {
    const image = voxels([0, 2, 1, 0, 3, 0]);
    const write = writeMask(image, [1, 1, 1, 0, 1, 1], 1, (other) => other === 3);
    expect(image.values).toEqual([1, 2, 1, 0, 1, 1]);
    expect({ written: write.written, skipped: write.skipped, unchanged: write.unchanged }).toEqual({
      written: 3,
      skipped: 1,
      unchanged: 1,
    });
    expect(Array.from(write.change.indices)).toEqual([0, 4, 5]);
    expect(Array.from(write.change.previous)).toEqual([0, 3, 0]);
  });

  it('undoes and redoes exactly what it wrote, and never clobbers a voxel edited since', () => {
    const image = voxels([0, 0, 0, 5]);
    const { change } = writeMask(image, [1, 1, 1, 1], 1, () => true);
    image.values[1] = 2; // the brush painted another segment over one accepted voxel
    expect(restoreChange(image, change, true)).toBe(3);
    expect(image.values).toEqual([0, 2, 0, 5]);
    expect(restoreChange(image, change, false)).toBe(3);
    expect(image.values).toEqual([1, 2, 1, 1]);
  });
});
