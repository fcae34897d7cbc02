// QIDO-RS (PS3.18 10.6): the study, series and instance query results, and attribute matching.
//
// OHIF 3.13's study list sends, e.g.
//   studies?PatientName=*doe*&00100020=*12*&AccessionNumber=..&StudyDescription=..&ModalitiesInStudy=CT,MR
//          &StudyDate=20200101-20201231&StudyInstanceUID=1.2\1.3&limit=101&offset=0&fuzzymatching=false
//          &includefield=00081030,00080060,00080090,00100030
// (the wildcards only with `supportsWildcard: true`), and when a study opens
//   studies/{study}/series?includefield=00080021,00080031,0008103E,00200011
//
// Matching, per PS3.4 C.2.2.2 with the usual server liberties: an empty value matches
// everything; UIDs match one of a `,` or `\` separated list; DA/TM/DT take `from-to` ranges
// (either end open); `*` and `?` are wildcards; text matches case-insensitively; CS values may
// be a list (ModalitiesInStudy=CT,MR); `fuzzymatching=true` makes person names match on a
// substring. An entity without the attribute does not match a non-empty value.

import dcmjs from 'dcmjs';

import type { DicomJsonDataset, DicomJsonElement } from './dicomJson';
import type { InstanceRecord, SeriesRecord, StudyRecord } from './dicomIndex';

export type QidoLevel = 'study' | 'series' | 'instance';

/** A query the server cannot run: answered with 400 Bad Request and this message. */
export class QueryError extends Error {}

interface Matcher {
  tag: string;
  value: string;
}

export interface QidoQuery {
  matchers: Matcher[];
  includeAll: boolean;
  includeTags: Set<string>;
  limit?: number;
  offset: number;
  fuzzy: boolean;
}

const { nameMap, dictionary } = dcmjs.data.DicomMetaDictionary as typeof dcmjs.data.DicomMetaDictionary & {
  dictionary: Record<string, { vr: string } | undefined>;
};

/** `PatientName`, `00100010` or `00100010`-style lower case → `00100010`; undefined if neither. */
export function resolveAttribute(key: string): string | undefined {
  if (/^[0-9a-fA-F]{8}$/.test(key)) return key.toUpperCase();
  const tag = nameMap[key]?.tag; // "(0010,0010)"
  return tag ? tag.replace(/[(),]/g, '').toUpperCase() : undefined;
}

function dictionaryVr(tag: string): string | undefined {
  return dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`]?.vr;
}

/**
 * The longest query value with a wildcard: matching costs up to value × pattern length per
 * entity, so the pattern is bounded. 256 holds a person name's three 64-character component
 * groups with their wildcards, and any LO/SH/CS value (64 characters at most).
 */
export const MAX_WILDCARD_PATTERN = 256;

function nonNegativeInteger(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new QueryError(`${name} must be a non-negative integer, not "${text}"`);
  return Number(text);
}

export function parseQidoQuery(params: URLSearchParams): QidoQuery {
  const query: QidoQuery = { matchers: [], includeAll: false, includeTags: new Set(), offset: 0, fuzzy: false };
  for (const [key, value] of params) {
    switch (key.toLowerCase()) {
      case 'limit':
        query.limit = nonNegativeInteger('limit', value);
        break;
      case 'offset':
        query.offset = nonNegativeInteger('offset', value);
        break;
      case 'fuzzymatching':
        query.fuzzy = value.toLowerCase() === 'true';
        break;
      case 'includefield':
        for (const field of value.split(',').map((f) => f.trim())) {
          if (field === '') continue;
          if (field.toLowerCase() === 'all') {
            query.includeAll = true;
            continue;
          }
          const tag = resolveAttribute(field);
          if (!tag) throw new QueryError(`includefield: unknown attribute "${field}"`);
          query.includeTags.add(tag);
        }
        break;
      default: {
        const tag = resolveAttribute(key);
        if (!tag) throw new QueryError(`unknown query parameter or attribute "${key}"`);
        if (/[*?]/.test(value) && value.length > MAX_WILDCARD_PATTERN) {
          throw new QueryError(
            `${key}: wildcard patterns longer than ${MAX_WILDCARD_PATTERN} characters are not supported`,
          );
        }
        query.matchers.push({ tag, value });
      }
    }
  }
  return query;
}

// ---- The attributes of each level ----------------------------------------------------------

/** Attributes a study-level result may carry besides the computed ones: Patient and Study IE. */
// prettier-ignore
const STUDY_LEVEL_TAGS = new Set([
  '00080020', '00080030', '00080050', '00080051', '00080090', '00080096', '00080201', '00081030',
  '00081032', '00081048', '00081049', '00081060', '00081062', '00081080', '00081110', '0020000D',
  '00200010', '00321032', '00321033', '00321060', '00321064',
]);

/** ... and a series-level result: those plus the Series and Equipment IE attributes. */
// prettier-ignore
const SERIES_LEVEL_TAGS = new Set([
  ...STUDY_LEVEL_TAGS,
  '00080021', '00080031', '00080060', '00080070', '00080080', '00081010', '0008103E', '00081040',
  '00081050', '00081070', '00081090', '00081111', '00081250', '00180015', '00181030', '00185100',
  '0020000E', '00200011', '00200052', '00200060', '00400244', '00400245', '00400253', '00400254',
  '00400275',
]);

const isStudyLevel = (tag: string) => tag.startsWith('0010') || STUDY_LEVEL_TAGS.has(tag);
const isSeriesLevel = (tag: string) => isStudyLevel(tag) || SERIES_LEVEL_TAGS.has(tag);

/** What a result may contain: `defaults` always, the rest of `available` when asked for. */
export interface EntityAttributes {
  defaults: DicomJsonDataset;
  available: DicomJsonDataset;
}

function pick(source: DicomJsonDataset, keep: (tag: string) => boolean): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  for (const [tag, element] of Object.entries(source)) {
    if (keep(tag) && element.BulkDataURI === undefined) out[tag] = element;
  }
  return out;
}

/** Copies `tags` from `source`; a tag it lacks still appears, empty (`required` attributes). */
function withTags(source: DicomJsonDataset, tags: Record<string, string>): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  for (const [tag, vr] of Object.entries(tags)) out[tag] = source[tag] ?? { vr };
  return out;
}

const element = (vr: string, ...values: unknown[]): DicomJsonElement =>
  values.length ? { vr, Value: values } : { vr };

function attributes(
  defaults: DicomJsonDataset,
  first: DicomJsonDataset,
  keep: (tag: string) => boolean,
): EntityAttributes {
  return { defaults, available: { ...pick(first, keep), ...defaults } };
}

export function studyAttributes(study: StudyRecord, basePath: string): EntityAttributes {
  const instances = study.series.flatMap((s) => s.instances);
  const first = instances[0]?.metadata ?? {};
  const modalities = [...new Set(study.series.map((s) => s.instances[0]?.metadata['00080060']?.Value?.[0]))]
    .filter((m): m is string => typeof m === 'string' && m !== '')
    .sort();
  const defaults: DicomJsonDataset = {
    ...withTags(first, {
      '00080020': 'DA',
      '00080030': 'TM',
      '00080050': 'SH',
      '00080090': 'PN',
      '00081030': 'LO',
      '00100010': 'PN',
      '00100020': 'LO',
      '00100030': 'DA',
      '00100040': 'CS',
      '0020000D': 'UI',
      '00200010': 'SH',
    }),
    '00080056': element('CS', 'ONLINE'),
    '00080061': element('CS', ...modalities),
    '00081190': element('UR', `${basePath}/studies/${study.uid}`),
    '00201206': element('IS', study.series.length),
    '00201208': element('IS', instances.length),
  };
  return attributes(defaults, first, isStudyLevel);
}

export function seriesAttributes(series: SeriesRecord, basePath: string): EntityAttributes {
  const first = series.instances[0]?.metadata ?? {};
  const defaults: DicomJsonDataset = {
    ...withTags(first, {
      '00080021': 'DA',
      '00080031': 'TM',
      '00080060': 'CS',
      '0008103E': 'LO',
      '0020000D': 'UI',
      '0020000E': 'UI',
      '00200011': 'IS',
    }),
    '00080056': element('CS', 'ONLINE'),
    '00081190': element('UR', `${basePath}/studies/${series.studyUID}/series/${series.uid}`),
    '00201209': element('IS', series.instances.length),
  };
  return attributes(defaults, first, isSeriesLevel);
}

export function instanceAttributes(instance: InstanceRecord, basePath: string): EntityAttributes {
  const { metadata } = instance;
  const defaults: DicomJsonDataset = {
    ...withTags(metadata, {
      '00080016': 'UI',
      '00080018': 'UI',
      '0020000D': 'UI',
      '0020000E': 'UI',
      '00200013': 'IS',
    }),
    '00080056': element('CS', 'ONLINE'),
    '00081190': element(
      'UR',
      `${basePath}/studies/${instance.studyUID}/series/${instance.seriesUID}/instances/${instance.sopUID}`,
    ),
    '00083002': element('UI', instance.transferSyntaxUID),
  };
  for (const tag of ['00280008', '00280010', '00280011', '00280100']) {
    const value = metadata[tag];
    if (value) defaults[tag] = value;
  }
  return attributes(defaults, metadata, () => true);
}

// ---- Matching ------------------------------------------------------------------------------

const NUMERIC_VRS = new Set(['IS', 'DS', 'US', 'SS', 'UL', 'SL', 'UV', 'SV', 'FL', 'FD']);

function valueStrings(el: DicomJsonElement): string[] {
  return (el.Value ?? [])
    .map((v) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>).Alphabetic : v))
    .filter((v) => v !== null && v !== undefined)
    .map(String);
}

/**
 * One UTF-16 code unit folded as a case-insensitive regular expression without the `u` flag
 * folds it (ECMA-262 Canonicalize): its upper case when that is one code unit and does not turn
 * a non-ASCII character into an ASCII one. This matcher replaced such an expression; folding the
 * same way keeps every answer the same (`ß` stays `ß`, so `?` still counts one code unit).
 */
function canonical(text: string): string {
  if (!/[^ -~]/.test(text)) return text.toUpperCase(); // printable ASCII: one code unit each way
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text[i] as string;
    const upper = unit.toUpperCase();
    out += upper.length === 1 && !(unit.charCodeAt(0) >= 128 && upper.charCodeAt(0) < 128) ? upper : unit;
  }
  return out;
}

/** Whether `segment` (`?` = any one code unit) matches `value` at `at`. */
function segmentAt(segment: string, value: string, at: number): boolean {
  if (at < 0 || at + segment.length > value.length) return false;
  for (let i = 0; i < segment.length; i++) {
    if (segment[i] !== '?' && segment[i] !== value[at + i]) return false;
  }
  return true;
}

/** The first position in `from`..`to - segment.length` where `segment` matches, or -1. */
function findSegment(segment: string, value: string, from: number, to: number): number {
  if (!segment.includes('?')) {
    const found = value.indexOf(segment, from);
    return found >= 0 && found + segment.length <= to ? found : -1;
  }
  for (let at = from; at + segment.length <= to; at++) if (segmentAt(segment, value, at)) return at;
  return -1;
}

/**
 * DICOM wildcard matching (PS3.4 C.2.2.2.4): `*` any run of characters, none included, `?` any
 * one, the rest literal and case-insensitive. Without backtracking: the text between stars must
 * come in order, so each is taken at its first place after the one before (taking it later can
 * only leave less room for the rest), and the first and last are anchored at the ends. Time is
 * O(value × pattern) at worst, linear in the value for the bounded patterns that queries may
 * hold, where the regular expression this replaced took 8.6 s for `*a*a*a*a*b` against 200 a's.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  const [first = '', ...rest] = canonical(pattern).split('*');
  const text = canonical(value);
  const last = rest.pop();
  if (last === undefined) return first.length === text.length && segmentAt(first, text, 0);
  const end = text.length - last.length;
  if (first.length > end || !segmentAt(first, text, 0) || !segmentAt(last, text, end)) return false;
  let at = first.length;
  for (const segment of rest) {
    const found = findSegment(segment, text, at, end);
    if (found < 0) return false;
    at = found + segment.length;
  }
  return true;
}

/** DA/TM/DT values as strings that compare in time order. */
function timeKey(vr: string, value: string): string {
  if (vr === 'DA') return value.replace(/\./g, ''); // also the old YYYY.MM.DD form
  if (vr === 'TM') {
    const [hms = '', fraction = ''] = value.replace(/:/g, '').split('.');
    return `${hms.padEnd(6, '0')}.${fraction.padEnd(6, '0')}`;
  }
  return value;
}

function matchesText(vr: string, pattern: string, value: string, fuzzy: boolean): boolean {
  if (/[*?]/.test(pattern)) return wildcardMatch(pattern, value);
  if (fuzzy && vr === 'PN') return value.toLowerCase().includes(pattern.toLowerCase());
  return value.toLowerCase() === pattern.toLowerCase();
}

export function matches(vr: string, query: string, el: DicomJsonElement | undefined, fuzzy: boolean): boolean {
  if (query === '') return true;
  const values = el ? valueStrings(el) : [];
  if (values.length === 0) return false;
  if (vr === 'UI') {
    const uids = query.split(/[\\,]/);
    return values.some((v) => uids.includes(v));
  }
  if ((vr === 'DA' || vr === 'TM' || vr === 'DT') && query.includes('-')) {
    const dash = query.indexOf('-');
    const [from, to] = [query.slice(0, dash), query.slice(dash + 1)];
    return values.some((v) => {
      const key = timeKey(vr, v);
      return (from === '' || key >= timeKey(vr, from)) && (to === '' || key <= timeKey(vr, to));
    });
  }
  if (vr === 'DA' || vr === 'TM' || vr === 'DT') return values.some((v) => timeKey(vr, v) === timeKey(vr, query));
  if (NUMERIC_VRS.has(vr)) return values.some((v) => Number(v) === Number(query));
  const patterns = vr === 'CS' ? query.split(/[\\,]/) : [query];
  return patterns.some((p) => values.some((v) => matchesText(vr, p, v, fuzzy)));
}

export interface QueryResult {
  results: DicomJsonDataset[];
  /** Matches left out by `limit`. */
  remaining: number;
}

/** Filters `entities` by `query`, pages them (offset, limit) and shapes each result. */
export function runQuery<T>(entities: readonly T[], attributesOf: (e: T) => EntityAttributes, query: QidoQuery) {
  const matching = entities.map(attributesOf).filter(({ available }) =>
    query.matchers.every((m) => {
      const el = available[m.tag];
      return matches(dictionaryVr(m.tag) ?? el?.vr ?? 'LO', m.value, el, query.fuzzy);
    }),
  );
  const end = query.limit === undefined ? undefined : query.offset + query.limit;
  const page = matching.slice(query.offset, end);
  const results = page.map(({ defaults, available }) => {
    if (query.includeAll) return sortTags({ ...available });
    const result = { ...defaults };
    for (const tag of [...query.includeTags, ...query.matchers.map((m) => m.tag)]) {
      const el = available[tag];
      if (el) result[tag] = el;
    }
    return sortTags(result);
  });
  return { results, remaining: Math.max(0, matching.length - (end ?? matching.length)) } satisfies QueryResult;
}

function sortTags(dataset: DicomJsonDataset): DicomJsonDataset {
  return Object.fromEntries(Object.entries(dataset).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
