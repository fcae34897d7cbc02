/**
 * DICOM series + SEG → evaluation images. Real files: the dcmqi abdominal CT with its liver SEG (its stored
 * pixels and window) and its 5-segment overlapping SEG (must equal the NRRD label maps dcmqi made
 * it from); highdicom's CT with a single-frame SEG. Built files: small CT series matching highdicom's
 * binary and fractional SEGs, by SOP instance and by position; files this loader must refuse.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_PERCENTILE_WINDOW } from '../../../extensions/sam-segmentation/src/core';
import { DCMQI_LIVER_DIR, loadDcmqiLiver } from '../../../tools/eval/datasets';
import {
  loadDicomSeriesRef,
  sortSeriesImages,
  type DicomSeriesRef,
  type SeriesImage,
} from '../../../tools/eval/sources/dicomSeries';
import { readNrrd } from '../../../tools/eval/sources/nrrd';
import type { EvalImage, WindowChoice } from '../../../tools/eval/sources/types';
import { encodeDicom, parseDicom } from '../../../viewer/samples/dicomFile';

const DCMQI = join(__dirname, '../../data/dcmqi');
const HIGHDICOM = join(__dirname, '../../data/highdicom');
const dir = mkdtempSync(join(tmpdir(), 'dicom-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LIVER_CT = ['03.dcm', '01.dcm', '02.dcm'].map((f) => join(DCMQI_LIVER_DIR, f)); // deliberately unsorted
const LIVER_SEG = join(DCMQI_LIVER_DIR, 'liver.dcm');

function load(files: string[], segs: string[], window: WindowChoice = 'protocol', modality?: string): EvalImage[] {
  const ref: DicomSeriesRef = { kind: 'dicom-series', key: 'series', dataset: 'd', files, segs };
  if (modality) ref.modality = modality;
  return [...loadDicomSeriesRef(ref, window)];
}

/** Typed arrays compared byte for byte: jest's deep equality is slow on 512 x 512 arrays. */
const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const expectSame = (actual: ArrayBufferView, expected: ArrayBufferView) => {
  expect(actual.constructor).toBe(expected.constructor);
  expect(bytesOf(actual).equals(bytesOf(expected))).toBe(true);
};

const describeObjects = (images: EvalImage[]) =>
  images.map((i) => [i.id, i.objects.map((o) => `${o.name}:${o.label}:${o.pixels}`).join()]);

describe('loadDicomSeriesRef on the dcmqi CT', () => {
  const images = load(LIVER_CT, [LIVER_SEG], 'file');

  it('sorts the slices along the normal (03, 02, 01: z -128.69 up to -126.69) and gives the liver of each', () => {
    expect(describeObjects(images)).toEqual([
      ['series#z=0', 'Liver:1:36233'],
      ['series#z=1', 'Liver:1:35645'],
      ['series#z=2', 'Liver:1:35220'],
    ]);
  });

  it("gives each slice its file's stored pixels, its file, and the file's window", () => {
    images.forEach((image) => {
      const ct = parseDicom(readFileSync(image.source!)).dataset;
      expectSame(image.slice.values, new Int16Array((ct.PixelData as ArrayBuffer[])[0]!));
      expect(image.slice).toMatchObject({ rows: 512, columns: 512, rescaleSlope: 1, rescaleIntercept: -1024 });
      expect(image.voi).toEqual({ kind: 'window', center: 40, width: 400 }); // the CT's own window
    });
    expect(images.map((i) => i.source)).toEqual(['03.dcm', '02.dcm', '01.dcm'].map((f) => join(DCMQI_LIVER_DIR, f)));
  });

  it('serves the default-model measurement its liver images (dcmqi-01 … -03), through this loader', () => {
    expect(loadDcmqiLiver().map((i) => [i.id, i.objects.map((o) => `${o.name}:${o.pixels}`).join()])).toEqual([
      ['dcmqi-01', 'liver:35220'],
      ['dcmqi-02', 'liver:35645'],
      ['dcmqi-03', 'liver:36233'],
    ]);
  });

  it('reads modality, spacing ([column, row]) and the protocol window when asked', () => {
    expect(images[0]!.modality).toBe('CT');
    expect(images[0]!.spacing).toEqual([0.810547, 0.810547]);
    const protocol = load(LIVER_CT.slice(0, 3), [LIVER_SEG], 'protocol', 'CT-from-mapping');
    expect(protocol[0]!.voi).toEqual(PROTOCOL_PERCENTILE_WINDOW);
    expect(protocol[0]!.modality).toBe('CT-from-mapping');
  });

  it('keeps overlapping segments as separate objects, equal to the label maps dcmqi built the SEG from', () => {
    const overlaps = load(LIVER_CT, [LIVER_SEG, join(DCMQI, 'partial_overlaps.dcm')]);
    expect(describeObjects(overlaps)).toEqual([
      ['series#z=0', 'Liver:1:36233,PURPLE:3:117,LIGHT_BLUE:4:6693,DARK_BLUE:5:4713'],
      ['series#z=1', 'Liver:1:35645,GREEN:1:9602,ORANGE:2:11888,PURPLE:3:117'],
      ['series#z=2', 'Liver:1:35220,PURPLE:3:10509'],
    ]);
    // liver_seg.nrrd holds the liver as 1; partial_overlaps-N.nrrd hold segment n as value n. Slice z of the
    // NRRDs (origin z = -128.69) is image z of the sorted series.
    const maps = ['liver_seg', 'partial_overlaps-1', 'partial_overlaps-2', 'partial_overlaps-3'].map((f) =>
      readNrrd(join(DCMQI, `${f}.nrrd`)),
    );
    const MAP_OF_SEGMENT: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 1, 5: 1 }; // segment → partial_overlaps-N
    const size = 512 * 512;
    for (const image of overlaps) {
      const z = Number(image.id.split('=')[1]);
      for (const object of image.objects) {
        const [map, value] =
          object.name === 'Liver' ? [maps[0]!, 1] : [maps[MAP_OF_SEGMENT[object.label!]!]!, object.label!];
        const expected = Uint8Array.from(map.data.subarray(z * size, (z + 1) * size), (v) => (v === value ? 1 : 0));
        expectSame(object.mask, expected);
      }
    }
  });

  it('names a repeated segment label apart', () => {
    const twice = load(LIVER_CT, [LIVER_SEG, LIVER_SEG]);
    expect(twice[0]!.objects.map((o) => o.name)).toEqual(['Liver', 'Liver_2']);
  });

  it('refuses a SEG whose foreground lies on images that are not in the series', () => {
    expect(() => load(LIVER_CT.slice(1), [LIVER_SEG])).toThrow(
      `${LIVER_SEG}: frame 1 has foreground but matches no image of the series`,
    );
  });
});

describe('loadDicomSeriesRef on highdicom SEGs', () => {
  it('reads the CT image with its single-frame SEG', () => {
    const images = load(
      [join(HIGHDICOM, 'ct_image.dcm')],
      [join(HIGHDICOM, 'seg_image_ct_binary_single_frame.dcm')],
      'file',
    );
    // The frame's foreground, counted straight from its packed bits.
    const bits = new Uint8Array(
      (
        parseDicom(readFileSync(join(HIGHDICOM, 'seg_image_ct_binary_single_frame.dcm'))).dataset
          .PixelData as ArrayBuffer[]
      )[0]!,
    );
    const foreground = bits.reduce((n, byte) => n + byte.toString(2).replaceAll('0', '').length, 0);
    expect(describeObjects(images)).toEqual([['series#z=0', `first segment:1:${foreground}`]]);
    expect(images[0]!.slice).toMatchObject({ rows: 128, columns: 128, rescaleIntercept: -1024 });
    expect(images[0]!.spacing).toEqual([0.661468, 0.661468]);
    expect(images[0]!.voi).toEqual(PROTOCOL_PERCENTILE_WINDOW); // no window in the file
  });

  it('names the transfer syntax of a compressed file instead of decoding it', () => {
    const rle = join(dir, 'rle.dcm');
    const bytes = Buffer.from(readFileSync(join(HIGHDICOM, 'ct_image.dcm')));
    const at = bytes.indexOf('1.2.840.10008.1.2.1\0', 0, 'latin1'); // explicit VR LE in the meta group
    expect(at).toBeGreaterThan(0);
    bytes.write('1.2.840.10008.1.2.5', at, 'latin1'); // RLE Lossless, same length
    writeFileSync(rle, bytes);
    expect(() => load([rle], [join(HIGHDICOM, 'seg_image_ct_binary_single_frame.dcm')])).toThrow(
      `${rle}: transfer syntax 1.2.840.10008.1.2.5 (RLE Lossless) is not supported`,
    );
  });

  // highdicom's 16 x 16 SEGs reference pydicom's CT2 series (not shipped); these stand in for it.
  const SERIES = '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.2';
  const SOP = (n: number) => `1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.${n}`;
  const Z: Record<number, number> = { 93: -99.480003, 94: 103.019997, 95: 104.269997, 96: 105.519997 };

  function writeCt(name: string, sop: string, z: number | undefined, instance: number): string {
    const values = new Uint16Array(256).map((_, i) => 0xf000 | (i + instance)); // 12 bits stored: overlay bits set
    const path = join(dir, name);
    writeFileSync(
      path,
      encodeDicom({
        _vrMap: { PixelData: 'OW' },
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
        SOPInstanceUID: sop,
        SeriesInstanceUID: SERIES,
        Modality: 'CT',
        InstanceNumber: instance,
        ...(z !== undefined && {
          ImagePositionPatient: [-125, -128.100006, z],
          ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
        }),
        PixelSpacing: [0.5, 0.8], // rows 0.5 mm apart, columns 0.8 mm apart
        Rows: 16,
        Columns: 16,
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME2',
        BitsAllocated: 16,
        BitsStored: 12,
        HighBit: 11,
        PixelRepresentation: 0,
        RescaleSlope: 2,
        RescaleIntercept: -100,
        WindowCenter: [50, 400],
        WindowWidth: [350, 2000],
        PixelData: values.buffer,
      }),
    );
    return path;
  }
  const bySop = [93, 96, 94, 95].map((n) => writeCt(`sop-${n}.dcm`, SOP(n), Z[n], n - 92));
  const byPosition = [93, 96, 94, 95].map((n) => writeCt(`pos-${n}.dcm`, `1.2.3.${n}`, Z[n], n - 92));
  // The frames' foreground, from highdicom's BINARY SEG of the same masks: 127, 256 and 255 pixels.
  const EXPECTED = [
    ['series#z=1', 'first segment:1:127'],
    ['series#z=2', 'first segment:1:256'],
    ['series#z=3', 'first segment:1:255'],
  ];

  it('matches frames to images by ReferencedSOPInstanceUID', () => {
    const images = load(bySop, [join(HIGHDICOM, 'seg_image_ct_binary.dcm')], 'file');
    expect(describeObjects(images)).toEqual(EXPECTED);
    const { slice, spacing, voi } = images[0]!;
    expect(spacing).toEqual([0.8, 0.5]); // PixelSpacing is [row, column]
    expect(voi).toEqual({ kind: 'window', center: 50, width: 350 }); // the first of the file's windows
    expect(slice).toMatchObject({ rescaleSlope: 2, rescaleIntercept: -100, bitsStored: 12 });
    expect(slice.values).toBeInstanceOf(Uint16Array);
    expect(slice.values[0]).toBe(2); // 0xf000 | 2 with the bits above BitsStored cleared (instance 2)
  });

  it('thresholds a fractional SEG at half its maximum (values 128 of 255 in, 64 out): the binary masks', () => {
    const binary = load(bySop, [join(HIGHDICOM, 'seg_image_ct_binary.dcm')]);
    const fractional = load(bySop, [join(HIGHDICOM, 'seg_image_ct_true_fractional.dcm')]);
    expect(describeObjects(fractional)).toEqual(EXPECTED);
    fractional.forEach((image, i) => expectSame(image.objects[0]!.mask, binary[i]!.objects[0]!.mask));
  });

  it('reads a LABELMAP SEG: each pixel value is a segment, kept when it has more than 50 pixels', () => {
    // Frame 1 on image 94: segment 1 on pixels 0-59, segment 2 on 60-110 (51); frame 2 on image 95:
    // segment 2 on 50 pixels only (dropped, and the image with it).
    const frames = new Uint8Array(512);
    frames.fill(1, 0, 60).fill(2, 60, 111).fill(2, 256, 306);
    const frame = (n: number) => ({
      DerivationImageSequence: [{ SourceImageSequence: [{ ReferencedSOPInstanceUID: SOP(n) }] }],
    });
    const path = join(dir, 'labelmap-seg.dcm');
    writeFileSync(
      path,
      encodeDicom({
        _vrMap: { PixelData: 'OB' },
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.66.7',
        SOPInstanceUID: '1.2.3.4.5',
        Modality: 'SEG',
        SegmentationType: 'LABELMAP',
        Rows: 16,
        Columns: 16,
        NumberOfFrames: 2,
        BitsAllocated: 8,
        BitsStored: 8,
        HighBit: 7,
        PixelRepresentation: 0,
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME2',
        SegmentSequence: [
          { SegmentNumber: 1, SegmentLabel: 'kidney' },
          { SegmentNumber: 2, SegmentLabel: 'cyst' },
        ],
        PerFrameFunctionalGroupsSequence: [frame(94), frame(95)],
        PixelData: frames.buffer,
      }),
    );
    expect(describeObjects(load(bySop, [path]))).toEqual([['series#z=1', 'kidney:1:60,cyst:2:51']]);
  });

  it('falls back to PlanePositionSequence when the referenced SOP instances are not in the series', () => {
    const binary = load(bySop, [join(HIGHDICOM, 'seg_image_ct_binary.dcm')]);
    const images = load(byPosition, [join(HIGHDICOM, 'seg_image_ct_binary.dcm')]);
    expect(describeObjects(images)).toEqual(EXPECTED);
    images.forEach((image, i) => expectSame(image.objects[0]!.mask, binary[i]!.objects[0]!.mask));
  });
});

describe('sortSeriesImages', () => {
  const image = (path: string, extra: Partial<SeriesImage>): SeriesImage => ({
    path,
    sopInstanceUid: path,
    rows: 1,
    columns: 1,
    ...extra,
  });

  it('sorts along the slice normal of a sagittal series (row +y × column -z = -x), not by z or instance number', () => {
    const sagittal = [0, 1, 0, 0, 0, -1];
    const sorted = sortSeriesImages([
      image('b', { position: [5, 0, 0], orientation: sagittal, instanceNumber: 1 }),
      image('a', { position: [-5, 0, 9], orientation: sagittal, instanceNumber: 2 }),
      image('c', { position: [7, 3, -9], orientation: sagittal, instanceNumber: 3 }),
    ]);
    expect(sorted.map((i) => i.path)).toEqual(['c', 'b', 'a']);
  });

  it('falls back to InstanceNumber, then path, when a file has no position', () => {
    const sorted = sortSeriesImages([
      image('z', { instanceNumber: 2 }),
      image('y', { position: [0, 0, 1], orientation: [1, 0, 0, 0, 1, 0], instanceNumber: 3 }),
      image('x', { instanceNumber: 1 }),
      image('w', { instanceNumber: 2 }),
    ]);
    expect(sorted.map((i) => i.path)).toEqual(['x', 'w', 'z', 'y']);
  });
});
