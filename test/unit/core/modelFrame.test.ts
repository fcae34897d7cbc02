import { MODEL_FAMILIES, ModelFrame, letterboxSize } from '../../../extensions/sam-segmentation/src/core';

const letterbox = { inputSize: 1024, resize: 'letterbox' } as const;
const stretch = { inputSize: 1024, resize: 'stretch' } as const;

describe('letterboxSize', () => {
  it('follows the official int(W * s + 0.5)', () => {
    expect(letterboxSize(512, 512, 1024)).toEqual({ width: 1024, height: 1024 });
    expect(letterboxSize(512, 384, 1024)).toEqual({ width: 1024, height: 768 });
    expect(letterboxSize(300, 700, 1024)).toEqual({ width: 439, height: 1024 }); // 300 * 1024/700 = 438.86
    expect(letterboxSize(3, 3, 1024)).toEqual({ width: 1024, height: 1024 });
    expect(letterboxSize(1400, 900, 1024)).toEqual({ width: 1024, height: 658 }); // 900 * 1024/1400 = 658.29
    expect(letterboxSize(1400, 900, 512)).toEqual({ width: 512, height: 329 });
  });
});

describe('ModelFrame', () => {
  it('scales by (newW/W, newH/H) in a letterbox, as ResizeLongestSide.apply_coords', () => {
    const frame = new ModelFrame(300, 700, letterbox);
    expect([frame.resizedWidth, frame.resizedHeight]).toEqual([439, 1024]);
    expect(frame.imageToModel(150, 350)).toEqual({ x: (150 * 439) / 300, y: 512 });
    expect(frame.imageToModel(0, 0)).toEqual({ x: 0, y: 0 });
    expect(new ModelFrame(512, 384, letterbox).imageToModel(100, 50)).toEqual({ x: 200, y: 100 });
  });

  it('scales each axis to the input size when stretching', () => {
    const frame = new ModelFrame(512, 384, stretch);
    expect([frame.resizedWidth, frame.resizedHeight]).toEqual([1024, 1024]);
    expect(frame.imageToModel(100, 96)).toEqual({ x: 200, y: 256 });
  });

  it('takes its geometry from a family', () => {
    expect(new ModelFrame(512, 384, MODEL_FAMILIES.medsam.preprocess).resizedHeight).toBe(1024);
    expect(new ModelFrame(512, 384, MODEL_FAMILIES.sam.preprocess).resizedHeight).toBe(768);
  });

  it.each([
    [512, 512, letterbox],
    [300, 700, letterbox],
    [700, 300, letterbox],
    [97, 61, stretch],
    [512, 384, stretch],
  ])('maps %i x %i (%o) to the model and back exactly', (w, h, geometry) => {
    const frame = new ModelFrame(w, h, geometry);
    for (const [x, y] of [
      [0, 0],
      [w / 2, h / 3],
      [w - 1, h - 1],
      [12.25, 7.5],
    ] as const) {
      const m = frame.imageToModel(x, y);
      const back = frame.modelToImage(m.x, m.y);
      expect(back.x).toBeCloseTo(x, 10);
      expect(back.y).toBeCloseTo(y, 10);
    }
  });

  it('refuses sizes that are not positive integers', () => {
    expect(() => new ModelFrame(0, 10, letterbox)).toThrow('The image width must be a positive integer, got 0.');
    expect(() => new ModelFrame(10, 10.5, letterbox)).toThrow(/image height/);
  });
});
