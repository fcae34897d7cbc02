/**
 * The files of a data folder that no discovery rule reads: why each is not read, in words a user can act on
 * (a BMP is "not read", a `.dcm` without the DICOM header is "not a DICOM file"). Files a dataset carries
 * besides its data (documentation, licences, tables, metadata, scripts) are not data and not reported.
 */
import { basename } from 'node:path';

/** The bytes that tell a DICOM Part 10 file: its 128-byte preamble and "DICM". */
export const DICOM_HEAD_BYTES = 132;

/** Documentation, licences, tables and metadata: expected beside data, never reported. */
const NOT_DATA_EXTENSION =
  /\.(md|markdown|txt|rst|pdf|html?|json|jsonl|csv|tsv|xlsx?|xml|ya?ml|toml|ini|cfg|log|py|ipynb|sh)$/i;
const NOT_DATA_NAME = /^(readme|licen[cs]e|copying|notice|changelog|authors|citation)(\.[^.]*)?$/i;

export const isNotData = (path: string): boolean => NOT_DATA_EXTENSION.test(path) || NOT_DATA_NAME.test(basename(path));

const IMAGE_FORMATS: Record<string, string> = {
  bmp: 'BMP',
  dib: 'BMP',
  tif: 'TIFF',
  tiff: 'TIFF',
  gif: 'GIF',
  webp: 'WebP',
  jp2: 'JPEG 2000',
  j2k: 'JPEG 2000',
  jpx: 'JPEG 2000',
  heic: 'HEIC',
  heif: 'HEIF',
  pgm: 'Netpbm',
  ppm: 'Netpbm',
  pbm: 'Netpbm',
  pnm: 'Netpbm',
  tga: 'TGA',
  svg: 'SVG',
};

const VOLUME_FORMATS: Record<string, string> = {
  mha: 'MetaImage',
  mhd: 'MetaImage',
  hdr: 'Analyze',
  img: 'Analyze',
  mgh: 'FreeSurfer MGH',
  mgz: 'FreeSurfer MGH',
  vtk: 'VTK',
  gipl: 'GIPL',
};

const DICOM_EXTENSION = /\.(dcm|dicom|dic|ima)$/i;

/** Why a file no rule reads is not read; `head` is its first bytes (up to the DICOM preamble and marker). */
export function unreadReason(path: string, head: Uint8Array): string {
  const extension = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  const image = IMAGE_FORMATS[extension];
  if (image) return `${image} images are not read (this tool reads PNG and JPEG).`;
  const volume = VOLUME_FORMATS[extension];
  if (volume) {
    return `${volume} volumes are not read (this tool reads NRRD .nrrd/.nhdr and NIfTI .nii/.nii.gz; convert it, e.g. with SimpleITK).`;
  }
  if (DICOM_EXTENSION.test(path)) {
    return head.length < DICOM_HEAD_BYTES
      ? `not a DICOM file (${head.length} bytes, shorter than a DICOM header).`
      : 'not a DICOM file (no "DICM" marker at byte 128; a file without the DICOM Part 10 header is not read).';
  }
  return (
    'not a file this tool reads: not a PNG or JPEG image, an NRRD or NIfTI volume, or a DICOM file ' +
    '(no "DICM" marker at byte 128).'
  );
}
