/**
 * Attribute values a derived object inherits from its source, made valid for its VR. A source may
 * be older than the rules (ACR-NEMA dates such as `1993.04.30`, times `10:21:08`) or longer than a
 * VR allows; writing such a value into a SEG fails (`Value exceeds max length, vr: DA`), and a
 * radiologist's work must not be lost to the header of the image it was drawn on.
 */

/** DA: YYYYMMDD. Accepts the legacy `YYYY.MM.DD` / `YYYY-MM-DD` forms; anything else is dropped (''). */
export function normaliseDate(value: unknown): string {
  const text = String(value ?? '').trim();
  if (/^\d{8}$/.test(text)) return text;
  const legacy = /^(\d{4})[.\-/](\d{2})[.\-/](\d{2})$/.exec(text);
  return legacy ? `${legacy[1]}${legacy[2]}${legacy[3]}` : '';
}

/** TM: HHMMSS.FFFFFF at most. Accepts `HH:MM:SS(.frac)`; anything else is dropped (''). */
export function normaliseTime(value: unknown): string {
  const text = String(value ?? '')
    .trim()
    .replace(/:/g, '');
  const match = /^(\d{2})(\d{2})?(\d{2})?(\.\d{1,6})?/.exec(text);
  if (!match || text.length === 0) return '';
  return match[0].slice(0, 13);
}

/** Cuts a string to a VR's length (LO 64, SH 16, PN 64 per component group, CS 16). */
export function fitLength(value: unknown, max: number): string {
  return String(value ?? '').slice(0, max);
}

/** What a SEG takes over from its source (Patient, General Study, Patient Study), with their VRs. */
const INHERITED: ReadonlyArray<[keyword: string, kind: 'DA' | 'TM' | 'PN' | 'LO' | 'SH' | 'CS' | 'UI' | 'AS']> = [
  ['PatientName', 'PN'],
  ['PatientID', 'LO'],
  ['IssuerOfPatientID', 'LO'],
  ['PatientBirthDate', 'DA'],
  ['PatientSex', 'CS'],
  ['PatientAge', 'AS'],
  ['StudyInstanceUID', 'UI'],
  ['StudyDate', 'DA'],
  ['StudyTime', 'TM'],
  ['StudyID', 'SH'],
  ['AccessionNumber', 'SH'],
  ['ReferringPhysicianName', 'PN'],
  ['StudyDescription', 'LO'],
];

const MAX_LENGTH: Record<string, number> = { PN: 64, LO: 64, SH: 16, CS: 16, UI: 64, AS: 4 };

/** A PN as dcmjs naturalizes it ({ Alphabetic }) or a plain string, as the string it encodes. */
function personName(value: unknown): string {
  if (value && typeof value === 'object') {
    const first = (Array.isArray(value) ? value[0] : value) as { Alphabetic?: string } | string | undefined;
    return typeof first === 'string' ? first : (first?.Alphabetic ?? '');
  }
  return String(value ?? '');
}

/**
 * The Patient and Study attributes of a source instance (naturalized, dcmjs keywords), each valid
 * for its VR; empty ones are kept empty (type 2), not invented.
 */
export function inheritedAttributes(source: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [keyword, kind] of INHERITED) {
    const raw = source[keyword];
    const value = Array.isArray(raw) && kind !== 'PN' ? raw[0] : raw;
    if (kind === 'DA') out[keyword] = normaliseDate(value);
    else if (kind === 'TM') out[keyword] = normaliseTime(value);
    else if (kind === 'PN') out[keyword] = fitLength(personName(value), MAX_LENGTH.PN!);
    else if (kind === 'AS') out[keyword] = /^\d{3}[DWMY]$/.test(String(value ?? '')) ? String(value) : '';
    else out[keyword] = fitLength(value, MAX_LENGTH[kind]!);
  }
  return out;
}

/** DA and TM of a moment, in the viewer's local time (DICOM dates are local unless a timezone is given). */
export function dicomDateTime(now: Date): { date: string; time: string } {
  const two = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`,
    time: `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`,
  };
}
