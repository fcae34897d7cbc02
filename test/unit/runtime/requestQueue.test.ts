import { RequestQueue } from '../../../extensions/sam-segmentation/src/runtime/requestQueue';

describe('RequestQueue', () => {
  it('runs interactive requests before background ones, each in arrival order', () => {
    const q = new RequestQueue<string>();
    q.push(1, 'background', 'pre-encode 1');
    q.push(2, 'background', 'pre-encode 2');
    q.push(3, 'interactive', 'decode');
    q.push(4, 'interactive', 'encode current');
    expect([q.shift(), q.shift(), q.shift(), q.shift(), q.shift()].map((x) => x?.id)).toEqual([3, 4, 1, 2, undefined]);
  });

  it('cancels a queued request and reports nothing for one not waiting', () => {
    const q = new RequestQueue<string>();
    q.push(1, 'background', 'a');
    q.push(2, 'interactive', 'b');
    expect(q.cancel(1)?.item).toBe('a');
    expect(q.cancel(1)).toBeUndefined();
    expect(q.size).toBe(1);
  });

  it('cancels a group of requests at once, keeping the others in order', () => {
    const q = new RequestQueue<{ series: string }>();
    q.push(1, 'background', { series: 'A' });
    q.push(2, 'background', { series: 'B' });
    q.push(3, 'background', { series: 'A' });
    const removed = q.cancelWhere((r) => r.item.series === 'A');
    expect(removed.map((r) => r.id)).toEqual([1, 3]);
    expect(q.shift()?.id).toBe(2);
  });
});
