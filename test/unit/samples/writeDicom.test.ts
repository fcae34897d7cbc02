import { EXPLICIT_VR_LITTLE_ENDIAN, parseDicom } from '../../../viewer/samples/dicomFile';
import { DEFAULT_PHANTOM_SPEC, describeObjects, renderSlice } from '../../../viewer/samples/phantom';
import { phantomUids, SAMPLES_UID_ROOT } from '../../../viewer/samples/uids';
import { CT_IMAGE_STORAGE, ctFileName, encodePhantomCtSeries } from '../../../viewer/samples/writeDicom';

const spec = DEFAULT_PHANTOM_SPEC;
const g = spec.geometry;
const files = encodePhantomCtSeries(spec);
const parsed = files.map((f) => parseDicom(f.bytes));
const datasets = parsed.map((p) => p.dataset);
const uids = phantomUids(spec.seed);

const UID_PATTERN = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

function pixelsOf(dataset: Record<string, unknown>): Int16Array {
  const value = dataset.PixelData;
  const buffer = Array.isArray(value) ? value[0] : value;
  if (!(buffer instanceof ArrayBuffer)) throw new Error('PixelData is not an ArrayBuffer');
  return new Int16Array(buffer);
}

describe('phantom CT files', () => {
  it('writes one Part 10 file per slice, named 0001.dcm...', () => {
    expect(files).toHaveLength(g.slices);
    expect(files.map((f) => f.fileName)).toEqual(Array.from({ length: g.slices }, (_, k) => ctFileName(k)));
    expect(files[0]?.fileName).toBe('0001.dcm');
    for (const f of files) {
      expect(Buffer.from(f.bytes.subarray(128, 132)).toString('ascii')).toBe('DICM');
      // Pixel data plus a header well under 2 kB.
      expect(f.bytes.length).toBeLessThan(g.rows * g.columns * 2 + 2048);
    }
  });

  it('uses explicit VR little endian CT Image Storage', () => {
    for (const { meta, dataset } of parsed) {
      expect(meta.TransferSyntaxUID).toBe(EXPLICIT_VR_LITTLE_ENDIAN);
      expect(meta.MediaStorageSOPClassUID).toBe(CT_IMAGE_STORAGE);
      expect(meta.MediaStorageSOPInstanceUID).toBe(dataset.SOPInstanceUID);
      expect(dataset.SOPClassUID).toBe(CT_IMAGE_STORAGE);
      expect(dataset.Modality).toBe('CT');
    }
  });

  it('has deterministic, valid and unique UIDs, one study, series and frame of reference', () => {
    const sopUids = datasets.map((d) => d.SOPInstanceUID as string);
    expect(new Set(sopUids).size).toBe(g.slices);
    expect(sopUids[0]).toBe(uids.ctInstance(0));
    for (const d of datasets) {
      for (const key of ['StudyInstanceUID', 'SeriesInstanceUID', 'FrameOfReferenceUID', 'SOPInstanceUID']) {
        const uid = d[key] as string;
        expect(uid).toMatch(UID_PATTERN);
        expect(uid.length).toBeLessThanOrEqual(64);
        expect(uid.startsWith(`${SAMPLES_UID_ROOT}.${spec.seed}.`)).toBe(true);
      }
      expect(d.StudyInstanceUID).toBe(uids.study);
      expect(d.SeriesInstanceUID).toBe(uids.ctSeries);
      expect(d.FrameOfReferenceUID).toBe(uids.frameOfReference);
    }
    expect(phantomUids(0xffffffff).ctInstance(9998).length).toBeLessThanOrEqual(64);
  });

  it('identifies the patient and study', () => {
    const d = datasets[0] ?? {};
    expect(d.PatientName).toEqual([{ Alphabetic: 'SAM^Phantom' }]);
    expect(d.PatientID).toBe('SAM-PHANTOM-001');
    expect(d.StudyDescription).toBe('SAM phantom CT');
    expect(d.StudyDate).toMatch(/^\d{8}$/);
    expect(d.SeriesDescription).toEqual(expect.any(String));
  });

  it('steps ImagePositionPatient along z by the slice spacing', () => {
    datasets.forEach((d, k) => {
      expect(d.InstanceNumber).toBe(k + 1);
      const [x, y, z] = d.ImagePositionPatient as number[];
      expect(x).toBeCloseTo(g.originMm[0], 6);
      expect(y).toBeCloseTo(g.originMm[1], 6);
      expect(z).toBeCloseTo(g.originMm[2] + k * g.sliceSpacingMm, 6);
      expect(d.SliceLocation).toBeCloseTo(z ?? NaN, 6);
      expect(d.ImageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0]);
      expect(d.PixelSpacing).toEqual([0.8, 0.8]);
      expect(d.SliceThickness).toBe(2);
    });
  });

  it('describes int16 pixels with a HU rescale and a soft-tissue window', () => {
    const d = datasets[0] ?? {};
    expect(d).toMatchObject({
      Rows: 256,
      Columns: 256,
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      SamplesPerPixel: 1,
      RescaleSlope: 1,
      RescaleIntercept: -1024,
      WindowCenter: 40,
      WindowWidth: 400,
    });
  });

  it('stores exactly the rendered pixels', () => {
    for (const k of [0, 31, 63]) {
      expect(Array.from(pixelsOf(datasets[k] ?? {}))).toEqual(Array.from(renderSlice(spec, k)));
    }
  });

  it('reads back the nominal HU at the lesion centre', () => {
    const lesion = describeObjects(spec).find((o) => o.id === 'lesion');
    if (!lesion) throw new Error('no lesion');
    const [ci, cj, ck] = lesion.centerVoxel.map(Math.round) as [number, number, number];
    const d = datasets[ck] ?? {};
    const pixels = pixelsOf(d);
    let sum = 0;
    let n = 0;
    for (let j = cj - 4; j <= cj + 4; j++) {
      for (let i = ci - 4; i <= ci + 4; i++) {
        sum += (pixels[j * g.columns + i] ?? 0) * (d.RescaleSlope as number) + (d.RescaleIntercept as number);
        n++;
      }
    }
    expect(Math.abs(sum / n - lesion.hu)).toBeLessThan(5);
  });

  it('encodes the same bytes twice', () => {
    const again = encodePhantomCtSeries(spec);
    again.forEach((f, k) => expect(Buffer.from(f.bytes).equals(Buffer.from(files[k]?.bytes ?? []))).toBe(true));
  });
});
