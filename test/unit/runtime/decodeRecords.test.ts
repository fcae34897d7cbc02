import { DecodeRecords, type DecodeRecord } from '../../../extensions/sam-segmentation/src/runtime/decodeRecords';

const record = (decodeId: number, modelId = 'm'): DecodeRecord => ({
  decodeId,
  embeddingKey: 'k',
  modelId,
  prompt: { points: [] },
  candidates: [],
  chosenIndex: 0,
  width: 1,
  height: 1,
});

describe('DecodeRecords', () => {
  it('keeps the latest decodes of each session, a few each', () => {
    const records = new DecodeRecords(3);
    for (let id = 1; id <= 5; id++) records.put('vp1', record(id));
    records.put('vp2', record(9));
    expect([1, 2, 3, 4, 5].map((id) => records.get('vp1', id)?.decodeId)).toEqual([undefined, undefined, 3, 4, 5]);
    expect(records.get('vp2', 9)?.decodeId).toBe(9);
    expect(records.get('vp2', 5)).toBeUndefined();
    expect(records.size).toBe(4);
  });

  it('forgets a session, and every decode of an unloaded model', () => {
    const records = new DecodeRecords();
    records.put('vp1', record(1, 'a'));
    records.put('vp1', record(2, 'b'));
    records.put('vp2', record(3, 'a'));
    records.releaseModel('a');
    expect([records.get('vp1', 1), records.get('vp1', 2)?.decodeId, records.get('vp2', 3)]).toEqual([
      undefined,
      2,
      undefined,
    ]);
    records.release('vp1');
    expect(records.size).toBe(0);
  });
});
