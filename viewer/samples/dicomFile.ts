// Part 10 encode/decode through dcmjs, in memory (no file system here).

import dcmjs, { type NaturalizedDataset } from 'dcmjs';

import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './uids';

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

const { DicomDict, DicomMessage, DicomMetaDictionary } = dcmjs.data;

// Implicit-VR files (such as the dcmqi CT) make dcmjs log "Invalid vr type ox/xs" for
// every PixelData/PixelPaddingValue it reads, although it then picks the right VR.
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

export interface ParsedDicom {
  /** File meta information (group 0002), naturalized. */
  meta: NaturalizedDataset;
  dataset: NaturalizedDataset;
}

function toArrayBuffer(bytes: Uint8Array | ArrayBuffer): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) return bytes;
  // A Node Buffer may be a view into a larger shared pool: copy exactly its bytes.
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export function parseDicom(bytes: Uint8Array | ArrayBuffer): ParsedDicom {
  const dict = DicomMessage.readFile(toArrayBuffer(bytes));
  return {
    meta: DicomMetaDictionary.naturalizeDataset(dict.meta),
    dataset: DicomMetaDictionary.naturalizeDataset(dict.dict),
  };
}

/**
 * Encodes a naturalized dataset as a Part 10 file in explicit VR little endian.
 * Binary elements whose VR the dictionary leaves open (PixelData) need `_vrMap`.
 */
export function encodeDicom(dataset: NaturalizedDataset): Uint8Array {
  const { SOPClassUID, SOPInstanceUID } = dataset;
  if (typeof SOPClassUID !== 'string' || typeof SOPInstanceUID !== 'string') {
    throw new Error('encodeDicom: the dataset needs SOPClassUID and SOPInstanceUID');
  }
  const meta: NaturalizedDataset = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SOPClassUID,
    MediaStorageSOPInstanceUID: SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  };
  const file = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  file.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(file.write());
}
