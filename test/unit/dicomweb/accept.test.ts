import { acceptsJson, negotiate, parseAccept, type Offer } from '../../../viewer/dicomweb/accept';

const frames: Offer = {
  mediaType: 'application/octet-stream',
  transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'],
  singlePartAllowed: true,
};

describe('Accept header negotiation', () => {
  it('parses quoted parameters and sorts by q', () => {
    expect(
      parseAccept('image/jpeg;q=0.5, multipart/related; type="application/octet-stream"; transfer-syntax="*"'),
    ).toEqual([
      { type: 'multipart/related', params: { type: 'application/octet-stream', 'transfer-syntax': '*' }, q: 1 },
      { type: 'image/jpeg', params: { q: '0.5' }, q: 0.5 },
    ]);
    expect(parseAccept(undefined)).toEqual([]);
  });

  it("answers what OHIF's image loader sends with explicit VR little endian multipart", () => {
    // OHIF's beforeSend header, and the image loader's own default.
    for (const accept of [
      'multipart/related; type="application/octet-stream"; transfer-syntax="*"',
      'multipart/related; type=application/octet-stream; transfer-syntax=*',
      'multipart/related; type="application/octet-stream"',
      undefined,
      '*/*',
    ]) {
      expect(negotiate(accept, frames)).toEqual({ multipart: true, transferSyntax: '1.2.840.10008.1.2.1' });
    }
  });

  it('honours a requested transfer syntax it has, and single-part requests', () => {
    expect(
      negotiate('multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2', frames),
    ).toEqual({ multipart: true, transferSyntax: '1.2.840.10008.1.2' });
    expect(negotiate('application/octet-stream', frames)).toEqual({
      multipart: false,
      transferSyntax: '1.2.840.10008.1.2.1',
    });
  });

  it('refuses what it cannot deliver', () => {
    expect(negotiate('multipart/related; type="image/jpeg"', frames)).toBeUndefined();
    expect(
      negotiate('multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2.4.50', frames),
    ).toBeUndefined();
    expect(negotiate('application/octet-stream', { ...frames, singlePartAllowed: false })).toBeUndefined();
    expect(negotiate('image/jpeg, image/*;q=0', frames)).toBeUndefined();
  });

  it('accepts JSON for dicom+json, json and wildcards only', () => {
    expect(acceptsJson('application/dicom+json')).toBe(true);
    expect(acceptsJson('text/html,application/xhtml+xml,*/*;q=0.8')).toBe(true);
    expect(acceptsJson(undefined)).toBe(true);
    expect(acceptsJson('application/dicom+xml')).toBe(false);
  });
});
