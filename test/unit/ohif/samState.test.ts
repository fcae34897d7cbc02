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

  it('takes how SEGs are written: the encoding and the creator the panel starts with', () => {
    expect(parseSettings({ seg: { encoding: 'labelmap', contentCreatorName: 'Doe^Jane' } })).toEqual({
      seg: { encoding: 'labelmap', contentCreatorName: 'Doe^Jane' },
    });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(parseSettings({ seg: { encoding: 'rle' } })).toEqual({ seg: {} });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/seg.encoding must be "binary" or "labelmap", got "rle"/));
    warn.mockRestore();
  });
});
