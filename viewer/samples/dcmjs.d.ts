// The part of dcmjs 0.52 (which ships no types) that the sample tools use.
declare module 'dcmjs' {
  /** A dataset keyed by DICOM keyword, as dcmjs's naturalizeDataset returns it. */
  export interface NaturalizedDataset {
    [keyword: string]: unknown;
    /** VRs that the dictionary cannot decide alone (e.g. PixelData OB/OW). */
    _vrMap?: Record<string, string>;
  }

  /** A dataset keyed by 8-hex-digit tag: `{ vr, Value }` per element. */
  export type DenaturalizedDataset = Record<string, { vr: string; Value?: unknown[] }>;

  export interface DictionaryEntry {
    tag: string;
    vr: string;
    vm: string;
    name: string;
  }

  export class DicomDict {
    constructor(meta: DenaturalizedDataset);
    meta: DenaturalizedDataset;
    dict: DenaturalizedDataset;
    /** Part 10 bytes: preamble, DICM, file meta, then the dataset. */
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }

  interface Logger {
    setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'): void;
    getLogger(name: string): Logger;
  }

  const dcmjs: {
    data: {
      DicomDict: typeof DicomDict;
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string }): DicomDict;
      };
      DicomMetaDictionary: {
        naturalizeDataset(dataset: DenaturalizedDataset): NaturalizedDataset;
        denaturalizeDataset(dataset: NaturalizedDataset): DenaturalizedDataset;
        nameMap: Record<string, DictionaryEntry | undefined>;
      };
    };
    log: Logger;
  };
  export default dcmjs;
}
