import { parseDicom } from '../../../viewer/samples/dicomFile';
import { computeLabelVolume, DEFAULT_PHANTOM_SPEC } from '../../../viewer/samples/phantom';
import { encodePhantomSeg, rgbToDicomLab, SEGMENTATION_STORAGE } from '../../../viewer/samples/phantomSeg';
import { phantomUids } from '../../../viewer/samples/uids';

const spec = DEFAULT_PHANTOM_SPEC;
const g = spec.geometry;
const sliceSize = g.rows * g.columns;
const labels = computeLabelVolume(spec);
const uids = phantomUids(spec.seed);
const { meta, dataset: seg } = parseDicom(encodePhantomSeg(spec, labels));

type Item = Record<string, unknown>;
const items = (value: unknown): Item[] => (Array.isArray(value) ? (value as Item[]) : [value as Item]);
const first = (value: unknown): Item => items(value)[0] ?? {};

describe('phantom ground-truth SEG', () => {
  it('is a binary Segmentation Storage instance of the phantom study', () => {
    expect(meta.TransferSyntaxUID).toBe('1.2.840.10008.1.2.1');
    expect(seg).toMatchObject({
      SOPClassUID: SEGMENTATION_STORAGE,
      SOPInstanceUID: uids.segInstance,
      SeriesInstanceUID: uids.segSeries,
      StudyInstanceUID: uids.study,
      FrameOfReferenceUID: uids.frameOfReference,
      Modality: 'SEG',
      SegmentationType: 'BINARY',
      BitsAllocated: 1,
      BitsStored: 1,
      Rows: g.rows,
      Columns: g.columns,
    });
  });

  it('has one segment per object, numbered by label', () => {
    const segments = items(seg.SegmentSequence);
    expect(segments.map((s) => s.SegmentNumber)).toEqual(spec.objects.map((o) => o.label));
    expect(segments.map((s) => s.SegmentLabel)).toEqual(spec.objects.map((o) => o.name));
    for (const s of segments) {
      expect(first(s.SegmentedPropertyTypeCodeSequence).CodingSchemeDesignator).toBe('SCT');
      expect(s.RecommendedDisplayCIELabValue).toHaveLength(3);
    }
  });

  it('references every CT slice of the phantom series', () => {
    const referenced = first(seg.ReferencedSeriesSequence);
    expect(referenced.SeriesInstanceUID).toBe(uids.ctSeries);
    expect(items(referenced.ReferencedInstanceSequence).map((r) => r.ReferencedSOPInstanceUID)).toEqual(
      Array.from({ length: g.slices }, (_, k) => uids.ctInstance(k)),
    );
  });

  it('decodes back to exactly the label volume', () => {
    const frames = items(seg.PerFrameFunctionalGroupsSequence);
    expect(frames).toHaveLength(seg.NumberOfFrames as number);
    const sliceOfSop = new Map(Array.from({ length: g.slices }, (_, k) => [uids.ctInstance(k), k]));
    const pixelData = seg.PixelData;
    const packed = new Uint8Array((Array.isArray(pixelData) ? pixelData[0] : pixelData) as ArrayBuffer);
    const decoded = new Uint8Array(labels.length);
    frames.forEach((frame, f) => {
      const sop = first(first(first(frame.DerivationImageSequence).SourceImageSequence)).ReferencedSOPInstanceUID;
      const k = sliceOfSop.get(sop as string);
      if (k === undefined) throw new Error(`frame ${f} references unknown ${String(sop)}`);
      const segment = first(frame.SegmentIdentificationSequence).ReferencedSegmentNumber as number;
      const position = first(frame.PlanePositionSequence).ImagePositionPatient as number[];
      expect(position[2]).toBeCloseTo(g.originMm[2] + k * g.sliceSpacingMm, 6);
      for (let p = 0; p < sliceSize; p++) {
        const bit = f * sliceSize + p;
        if (((packed[bit >>> 3] ?? 0) >> (bit & 7)) & 1) decoded[k * sliceSize + p] = segment;
      }
    });
    expect(Buffer.from(decoded).equals(Buffer.from(labels))).toBe(true);
  });

  it('only has frames that hold their segment', () => {
    const frames = items(seg.PerFrameFunctionalGroupsSequence);
    const expected = spec.objects.reduce((n, o) => {
      const slices = new Set<number>();
      labels.forEach((l, p) => l === o.label && slices.add(Math.floor(p / sliceSize)));
      return n + slices.size;
    }, 0);
    expect(frames).toHaveLength(expected);
  });
});

describe('rgbToDicomLab', () => {
  it('maps white, black and pure red to their scaled CIELab', () => {
    expect(rgbToDicomLab([255, 255, 255])).toEqual([65535, 32896, 32896]);
    expect(rgbToDicomLab([0, 0, 0])).toEqual([0, 32896, 32896]);
    const [l, a, b] = rgbToDicomLab([255, 0, 0]);
    // sRGB red: L* 53.2, a* 80.1, b* 67.2.
    expect((l / 65535) * 100).toBeCloseTo(53.2, 0);
    expect((a / 65535) * 255 - 128).toBeCloseTo(80.1, 0);
    expect((b / 65535) * 255 - 128).toBeCloseTo(67.2, 0);
  });
});
