import type { CornerstoneCore, CornerstoneImage } from '../../../extensions/sam-segmentation/src/ohif/host/hostTypes';
import {
  imageKey,
  imageSource,
  toSlicePixels,
  viewportVoi,
} from '../../../extensions/sam-segmentation/src/ohif/host/viewportImage';

/** The few members of Cornerstone that the image adapter reads, over one 2×2 CT image. */
function cornerstone(image: Partial<CornerstoneImage>, metadata: Record<string, Record<string, unknown>> = {}) {
  const pixels = new Int16Array([-1000, 0, 40, 1000]);
  const full: CornerstoneImage = {
    imageId: 'wadors:/studies/1/series/2/instances/3/frames/1',
    rows: 2,
    columns: 2,
    slope: 1,
    intercept: -1024,
    color: false,
    getPixelData: () => pixels as unknown as ReturnType<CornerstoneImage['getPixelData']>,
    ...image,
  };
  let loads = 0;
  const core = {
    metaData: { get: (type: string) => metadata[type] },
    imageLoader: {
      loadAndCacheImage: async () => {
        loads++;
        return full;
      },
    },
  } as unknown as CornerstoneCore;
  return { core, image: full, loads: () => loads };
}

describe('the viewport image → what the runtime takes', () => {
  it('keys an embedding by SOP Instance UID and frame, whatever the URL', () => {
    const { core } = cornerstone({}, { sopCommonModule: { sopInstanceUID: '1.2.3' } });
    expect(imageKey(core, 'wadors:https://pacs/studies/1/series/2/instances/3/frames/2')).toBe('1.2.3#2');
    expect(imageKey(core, 'wadouri:https://pacs/x.dcm')).toBe('1.2.3#1');
    expect(imageKey(cornerstone({}).core, 'dicomfile:7')).toBe('dicomfile:7');
  });

  it('takes the displayed window as the window and the key; none → the protocol’s percentile window', () => {
    expect(viewportVoi({ lower: -160, upper: 240 })).toEqual({
      voi: { kind: 'window', center: 40, width: 400 },
      key: 'w40.0/400.0',
    });
    expect(viewportVoi(undefined)).toEqual({
      voi: { kind: 'percentile', lowerPercentile: 0.95, upperPercentile: 99.5 },
      key: 'auto',
    });
  });

  it('uses the image’s own range for a degenerate window (width 0 shows a flat image) and says so', () => {
    for (const range of [
      { lower: 40, upper: 40 },
      { lower: 40, upper: 40.5 },
      { lower: Number.NaN, upper: 40 },
    ]) {
      const { voi, key, note } = viewportVoi(range);
      expect(voi).toEqual({ kind: 'percentile', lowerPercentile: 0.95, upperPercentile: 99.5 });
      expect(key).toBe('auto');
      expect(note).toMatch(
        /The display window has width (0|0\.5|none): SAM sees this image with its own intensity range/,
      );
    }
    expect(viewportVoi({ lower: 39.5, upper: 40.5 }).note).toBeUndefined(); // width 1: a real, if narrow, window
  });

  it('does not apply the rescale twice to an image the loader already scaled', () => {
    const raw = toSlicePixels(cornerstone({}).core, cornerstone({}).image);
    expect([raw.rescaleSlope, raw.rescaleIntercept]).toEqual([1, -1024]);
    const scaled = cornerstone({ preScale: { scaled: true } });
    const pre = toSlicePixels(scaled.core, scaled.image);
    expect([pre.rescaleSlope, pre.rescaleIntercept]).toEqual([1, 0]);
  });

  it('loads the pixels only when asked (the runtime asks only when the worker lacks the embedding)', async () => {
    const t = cornerstone({}, { sopCommonModule: { sopInstanceUID: '9' } });
    const source = imageSource(t.core, 'wadors:/frames/1', { lower: 0, upper: 100 });
    expect(source).toMatchObject({ imageKey: '9#1', preprocessingKey: 'w50.0/100.0' });
    expect(t.loads()).toBe(0);
    expect((await source.pixels()).values).toHaveLength(4);
    expect(t.loads()).toBe(1);
  });
});
