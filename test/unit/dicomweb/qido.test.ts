import type { DicomJsonElement } from '../../../viewer/dicomweb/dicomJson';
import { matches, parseQidoQuery, QueryError, resolveAttribute } from '../../../viewer/dicomweb/qido';

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
