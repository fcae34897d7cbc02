import { parseSettings } from '../../../extensions/sam-segmentation/src/ohif/samState';

describe('the deployment’s settings (window.config.sam)', () => {
  it('takes the embedding cache budget in MiB', () => {
    expect(parseSettings({ embeddingCacheMiB: 256 })).toEqual({ embeddingCacheMiB: 256 });
    expect(parseSettings(undefined)).toEqual({});
  });

  it('reports a wrong value and ignores it, without failing', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(parseSettings({ embeddingCacheMiB: '1 GB' })).toEqual({});
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/embeddingCacheMiB must be a number of MiB ≥ 0, got "1 GB"/),
    );
    warn.mockRestore();
  });
});
