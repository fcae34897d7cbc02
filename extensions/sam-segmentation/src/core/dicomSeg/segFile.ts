/**
 * A naturalized SEG dataset as a DICOM Part 10 file, with dcmjs (passed in: the viewer loads it on
 * demand, Node imports it). dcmjs checks every value against its VR (`allowInvalidVRLength: false`),
 * so a file written here is one a PACS can parse. The dataset is left as it was (dcmjs replaces
 * the `_meta` of what it writes, so it writes a copy).
 */

/** The part of dcmjs used to write a Part 10 file. */
export interface DcmjsWriter {
  data: {
    datasetToDict(dataset: Record<string, unknown>): {
      meta: Record<string, { vr: string; Value: unknown[] }>;
      write(options: { allowInvalidVRLength: boolean; fragmentMultiframe: boolean }): ArrayBuffer;
    };
  };
}

export function segPart10(dcmjs: DcmjsWriter, dataset: Record<string, unknown>): ArrayBuffer {
  const meta = dataset._meta as { TransferSyntaxUID?: { Value?: string[] } } | undefined;
  const transferSyntaxUID = meta?.TransferSyntaxUID?.Value?.[0];
  if (!transferSyntaxUID) throw new Error('The SEG dataset names no transfer syntax.');
  const dict = dcmjs.data.datasetToDict({ ...dataset, _meta: { ...meta } });
  // datasetToDict reads the transfer syntax from a denaturalized _meta only: set it.
  dict.meta['00020010'] = { vr: 'UI', Value: [transferSyntaxUID] };
  return dict.write({ allowInvalidVRLength: false, fragmentMultiframe: false });
}
