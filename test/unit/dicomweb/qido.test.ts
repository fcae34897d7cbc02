import type { DicomJsonElement } from '../../../viewer/dicomweb/dicomJson';
import {
  matches,
  MAX_WILDCARD_PATTERN,
  parseQidoQuery,
  QueryError,
  resolveAttribute,
  wildcardMatch,
} from '../../../viewer/dicomweb/qido';
import { mulberry32 } from '../../../viewer/samples/prng';

const el = (vr: string, ...Value: unknown[]): DicomJsonElement => ({ vr, Value });

describe('QIDO-RS query parsing', () => {
  it("reads OHIF's study list query", () => {
    const query = parseQidoQuery(
      new URLSearchParams(
        'PatientName=*jan*&00100020=99000&ModalitiesInStudy=CT%2CMR&limit=101&offset=0&fuzzymatching=false' +
          '&includefield=00081030%2C00080060%2C00080090%2C00100030&StudyDate=19700102-20240101',
      ),
    );
    expect(query.limit).toBe(101);
    expect(query.offset).toBe(0);
    expect(query.fuzzy).toBe(false);
    expect([...query.includeTags]).toEqual(['00081030', '00080060', '00080090', '00100030']);
    expect(query.matchers).toEqual([
      { tag: '00100010', value: '*jan*' },
      { tag: '00100020', value: '99000' },
      { tag: '00080061', value: 'CT,MR' },
      { tag: '00080020', value: '19700102-20240101' },
    ]);
  });

  it('rejects unknown parameters and bad paging with a reason', () => {
    expect(() => parseQidoQuery(new URLSearchParams('PatientNme=x'))).toThrow(QueryError);
    expect(() => parseQidoQuery(new URLSearchParams('limit=-1'))).toThrow(/limit/);
    expect(() => parseQidoQuery(new URLSearchParams('includefield=Nope'))).toThrow(/includefield/);
    expect(resolveAttribute('0020000d')).toBe('0020000D');
  });

  it('refuses wildcard patterns longer than the bound, and only those', () => {
    const long = `*${'a'.repeat(MAX_WILDCARD_PATTERN)}*`;
    expect(() => parseQidoQuery(new URLSearchParams({ StudyDescription: long }))).toThrow(/longer than/);
    expect(() =>
      parseQidoQuery(new URLSearchParams({ PatientName: `${'a'.repeat(MAX_WILDCARD_PATTERN - 1)}*` })),
    ).not.toThrow();
    // Long lists without wildcards (OHIF sends many UIDs at once) are not patterns.
    const uids = Array.from({ length: 200 }, (_, i) => `1.2.3.${i}`).join('\\');
    expect(parseQidoQuery(new URLSearchParams({ StudyInstanceUID: uids })).matchers).toHaveLength(1);
  });
});

describe('QIDO-RS matching', () => {
  it('matches person names case-insensitively, exactly or by wildcard', () => {
    const name = el('PN', { Alphabetic: 'Doe^Jane' });
    expect(matches('PN', 'doe^jane', name, false)).toBe(true);
    expect(matches('PN', 'doe', name, false)).toBe(false);
    expect(matches('PN', 'doe', name, true)).toBe(true); // fuzzymatching=true: substring
    expect(matches('PN', '*JANE*', name, false)).toBe(true);
    expect(matches('PN', 'D?e*', name, false)).toBe(true);
    expect(matches('PN', '*john*', name, false)).toBe(false);
    expect(matches('PN', '', undefined, false)).toBe(true); // universal matching
    expect(matches('PN', 'x', undefined, false)).toBe(false);
  });

  it('matches date and time ranges, open at either end', () => {
    const date = el('DA', '20030417');
    expect(matches('DA', '20030417', date, false)).toBe(true);
    expect(matches('DA', '20030101-20031231', date, false)).toBe(true);
    expect(matches('DA', '20030418-', date, false)).toBe(false);
    expect(matches('DA', '-20030417', date, false)).toBe(true);
    expect(matches('TM', '1000-1100', el('TM', '104607'), false)).toBe(true);
    expect(matches('TM', '1047-', el('TM', '104607.5'), false)).toBe(false);
  });

  it('matches UID lists and CS value lists against multi-valued attributes', () => {
    expect(matches('UI', '1.2\\1.3', el('UI', '1.3'), false)).toBe(true);
    expect(matches('UI', '1.2,1.4', el('UI', '1.3'), false)).toBe(false);
    const modalities = el('CS', 'CT', 'SEG');
    expect(matches('CS', 'SEG', modalities, false)).toBe(true);
    expect(matches('CS', 'MR,CT', modalities, false)).toBe(true);
    expect(matches('CS', 'MR', modalities, false)).toBe(false);
    expect(matches('IS', '4', el('IS', 4), false)).toBe(true);
  });
});

/** The matcher this server used before: a backtracking regular expression (exponential on `*a*a*a*b`). */
function regExpOracle(pattern: string, value: string): boolean {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'is').test(value);
}

describe('QIDO-RS wildcard matching', () => {
  it('matches * as any run (also none), ? as exactly one character, case-insensitively', () => {
    const cases: Array<[pattern: string, value: string, expected: boolean]> = [
      ['*', '', true],
      ['*', 'anything', true],
      ['**', 'x', true],
      ['?', '', false],
      ['?', 'x', true],
      ['?', 'xy', false],
      ['??', 'xy', true],
      ['abc', 'ABC', true],
      ['abc*', 'abcdef', true],
      ['abc*', 'xabc', false],
      ['*def', 'abcdef', true],
      ['*def', 'defx', false],
      ['*b*', 'abc', true],
      ['*b*', 'ac', false],
      ['a*c', 'ac', true],
      ['a*c', 'abbbc', true],
      ['a*c', 'abbbcd', false],
      ['a*b*c', 'aXbYc', true],
      ['a*b*c', 'acb', false],
      ['a*a', 'a', false], // the first and last segments may not overlap
      ['a*a', 'aa', true],
      ['*a*a*', 'a', false],
      ['*ab*ba*', 'aba', false],
      ['*ab*ba*', 'abba', true],
      ['D?e*', 'Doe^Jane', true],
      ['*?', '', false],
      ['*?', 'x', true],
      ['?*?', 'x', false],
      ['a.c', 'abc', false], // regular expression characters are literal
      ['a.c', 'A.C', true],
      ['(x)+[y]\\$', '(X)+[Y]\\$', true],
      ['*\n*', 'a\nb', true], // ? and * run over line breaks
      ['a?b', 'a\nb', true],
      ['straße', 'STRASSE', false], // as the regular expression folded case: ß stays ß
      ['*müller*', 'Dr. MÜLLER^Hans', true],
    ];
    for (const [pattern, value, expected] of cases) {
      expect([pattern, value, wildcardMatch(pattern, value)]).toEqual([pattern, value, expected]);
      expect([pattern, value, regExpOracle(pattern, value)]).toEqual([pattern, value, expected]);
    }
    expect(matches('LO', '*liver*', el('LO', 'Abdominal CT with LIVER SEG'), false)).toBe(true);
    expect(matches('CS', 'C?,M*', el('CS', 'MR'), false)).toBe(true);
  });

  it('gives what the old regular expression gave, on random patterns and values', () => {
    const random = mulberry32(13);
    const pick = (alphabet: string, length: number) =>
      Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let i = 0; i < 2000; i++) {
      const pattern = pick('aAb*?.é\\', Math.floor(random() * 8));
      const value = pick('aAbBÉé.\\', Math.floor(random() * 10));
      expect([pattern, value, wildcardMatch(pattern, value)]).toEqual([pattern, value, regExpOracle(pattern, value)]);
    }
  });

  it('answers many-star patterns against long values in linear time (no backtracking)', () => {
    // The case: 8.6 s with the regular expression, and each further `*a` multiplied it.
    const value = el('LO', 'a'.repeat(200));
    let started = performance.now();
    expect(matches('LO', '*a*a*a*a*b', value, false)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    started = performance.now();
    expect(matches('LO', `${'*a'.repeat(60)}*b`, value, false)).toBe(false);
    expect(matches('LO', `${'*a'.repeat(60)}*`, value, false)).toBe(true);
    expect(wildcardMatch(`*${'a?'.repeat(100)}b*`, 'a'.repeat(100_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000); // microseconds to milliseconds here
  });
});
