import { algorithmNameFor } from '../../../extensions/sam-segmentation/src/ohif/labelmap/samSegmentation';

describe('SegmentAlgorithmName', () => {
  it('is the model name and version, within DICOM’s 64 characters', () => {
    expect(algorithmNameFor({ name: 'SlimSAM-77', version: 'Xenova/slimsam-77-uniform' })).toBe(
      'SlimSAM-77 Xenova/slimsam-77-uniform',
    );
    expect(algorithmNameFor({ name: 'Intensity similarity segmenter (not SAM)', version: '1' })).toBe(
      'Intensity similarity segmenter (not SAM) 1',
    );
    const long = algorithmNameFor({
      name: 'SAM ViT-B (Meta AI), fp16 encoder with a very long description',
      version: 'v1',
    });
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^SAM ViT-B.* v1$/);
  });
});
