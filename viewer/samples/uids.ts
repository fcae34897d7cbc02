// Deterministic DICOM UIDs for the generated samples, so regenerating the phantom gives
// the same study in every viewer cache and every test.
//
// Root: 2.25.<decimal> is a UUID-derived UID (DICOM PS3.5 B.2); the UUID below was drawn
// once at random for this project (524978a1-b24e-441e-86f3-400fdc396579) and is fixed.
// Below it: <root>.<seed>.<role>[.<n>], with the phantom's seed as a component so a
// different seed (different pixels) never reuses a UID.

export const SAMPLES_UID_ROOT = '2.25.109378180025105696638180838518837306745';

const MAX_UID_LENGTH = 64;

/** Role numbers under <root>.<seed>; documented here because they are part of the UIDs. */
const ROLE = {
  implementation: 0,
  study: 1,
  ctSeries: 2,
  ctInstance: 3,
  frameOfReference: 4,
  segSeries: 5,
  segInstance: 6,
  dimensionOrganization: 7,
} as const;

export interface PhantomUids {
  study: string;
  ctSeries: string;
  frameOfReference: string;
  segSeries: string;
  segInstance: string;
  dimensionOrganization: string;
  /** SOPInstanceUID of CT slice k (0-based). */
  ctInstance(k: number): string;
}

function uid(...components: number[]): string {
  const value = [SAMPLES_UID_ROOT, ...components].join('.');
  if (value.length > MAX_UID_LENGTH) {
    throw new Error(`UID ${value} is longer than ${MAX_UID_LENGTH} characters`);
  }
  return value;
}

export function phantomUids(seed: number): PhantomUids {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`Phantom seed must be a uint32, got ${seed}`);
  }
  return {
    study: uid(seed, ROLE.study),
    ctSeries: uid(seed, ROLE.ctSeries),
    frameOfReference: uid(seed, ROLE.frameOfReference),
    segSeries: uid(seed, ROLE.segSeries),
    segInstance: uid(seed, ROLE.segInstance),
    dimensionOrganization: uid(seed, ROLE.dimensionOrganization),
    // Instance numbers are 1-based, and a UID component may not have a leading zero.
    ctInstance: (k) => uid(seed, ROLE.ctInstance, k + 1),
  };
}

/** ImplementationClassUID of the files this project writes. */
export const IMPLEMENTATION_CLASS_UID = `${SAMPLES_UID_ROOT}.${ROLE.implementation}`;
export const IMPLEMENTATION_VERSION_NAME = 'OHIF_SAM_1';
