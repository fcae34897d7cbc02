import { DecodeScheduler } from '../../../extensions/sam-segmentation/src/runtime/decodeScheduler';
import { FakeClock, deferred, flush, type Deferred } from '../../support/fakeClock';

/** A scheduler over string prompts whose decodes finish when the test says so. */
function setup(restMs = 50) {
  const clock = new FakeClock();
  const runs: Array<{ prompt: string; answer: Deferred<string> }> = [];
  const answers: string[] = [];
  const errors: string[] = [];
  const scheduler = new DecodeScheduler<string, string>({
    run: (prompt) => {
      const answer = deferred<string>();
      runs.push({ prompt, answer });
      return answer.promise;
    },
    onAnswer: (prompt, answer) => answers.push(`${prompt}:${answer}`),
    onError: (prompt, err) => errors.push(`${prompt}:${(err as Error).message}`),
    same: (a, b) => a === b,
    restMs,
    clock,
  });
  /** Finishes the decode that runs now. */
  const finish = async (answer = 'mask') => {
    runs.find((r) => !r.answer.settled)!.answer.resolve(answer);
    await flush();
  };
  return { clock, runs, answers, errors, scheduler, finish };
}

describe('DecodeScheduler', () => {
  it('starts a click at once and passes its answer on', async () => {
    const { scheduler, runs, answers, finish } = setup();
    scheduler.submit('a');
    expect(runs.map((r) => r.prompt)).toEqual(['a']);
    await finish();
    expect(answers).toEqual(['a:mask']);
    expect(scheduler.busy).toBe(false);
  });

  it('runs one decode and keeps one waiting: a newer prompt replaces the waiting one before it starts', async () => {
    const { scheduler, runs, answers, finish } = setup();
    scheduler.submit('a');
    scheduler.submit('b');
    scheduler.submit('c');
    scheduler.submit('d');
    expect(runs.map((r) => r.prompt)).toEqual(['a']);
    await finish(); // a's answer is stale: d is current
    expect(runs.map((r) => r.prompt)).toEqual(['a', 'd']);
    await finish();
    expect(answers).toEqual(['d:mask']);
    expect(scheduler.started).toBe(2);
  });

  it('starts nothing for a prompt equal to the running one, and drops what waited', async () => {
    const { scheduler, runs, answers, finish } = setup();
    scheduler.submit('a');
    scheduler.submit('b');
    scheduler.submit('a'); // back to the prompt under way
    await finish();
    expect(runs.map((r) => r.prompt)).toEqual(['a']);
    expect(answers).toEqual(['a:mask']);
  });

  it('decodes nothing while a prompt is being drawn and moves, then the final one at once on release', async () => {
    const { scheduler, runs, answers, clock, finish } = setup(50);
    for (let step = 0; step < 20; step++) {
      scheduler.submit(`box${step}`, { drawing: true });
      clock.advance(16); // a pointer move every 16 ms
    }
    expect(runs).toHaveLength(0);
    scheduler.release();
    expect(runs.map((r) => r.prompt)).toEqual(['box19']);
    scheduler.submit('box19'); // Cornerstone's completed event: the same box
    await finish();
    expect(runs).toHaveLength(1);
    expect(answers).toEqual(['box19:mask']);
  });

  it('decodes a prompt being drawn once it rests, and shows it if it stays', async () => {
    const { scheduler, runs, answers, clock, finish } = setup(50);
    scheduler.submit('box1', { drawing: true });
    clock.advance(49);
    expect(runs).toHaveLength(0);
    clock.advance(1);
    expect(runs.map((r) => r.prompt)).toEqual(['box1']);
    await finish();
    expect(answers).toEqual(['box1:mask']);
    scheduler.release(); // released where it rested: nothing more to decode
    expect(runs).toHaveLength(1);
  });

  it('after release starts at most one decode more when one was under way', async () => {
    const { scheduler, runs, clock, finish } = setup(50);
    scheduler.submit('box1', { drawing: true });
    clock.advance(60); // rested: box1 starts
    for (let step = 2; step < 10; step++) {
      scheduler.submit(`box${step}`, { drawing: true });
      clock.advance(16);
    }
    scheduler.release();
    const startedAtRelease = runs.length;
    await finish(); // box1's answer: stale
    await finish(); // box9
    expect(runs.map((r) => r.prompt)).toEqual(['box1', 'box9']);
    expect(runs.length - startedAtRelease).toBe(1);
  });

  it('never passes on an answer or error for a cancelled prompt, and settles', async () => {
    const { scheduler, runs, answers, errors } = setup();
    scheduler.submit('a');
    const settled = scheduler.settled();
    scheduler.cancel();
    runs[0]!.answer.reject(new Error('boom'));
    await settled;
    expect(answers).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('passes on the current prompt’s failure, and carries on with the next prompt', async () => {
    const { scheduler, runs, answers, errors, finish } = setup();
    scheduler.submit('a');
    runs[0]!.answer.reject(new Error('outside'));
    await flush();
    expect(errors).toEqual(['a:outside']);
    scheduler.submit('b');
    await finish();
    expect(answers).toEqual(['b:mask']);
  });

  it('settled() waits for the newest prompt’s answer, not an older one’s', async () => {
    const { scheduler, answers, finish } = setup();
    scheduler.submit('a');
    scheduler.submit('b');
    let done = false;
    void scheduler.settled().then(() => (done = true));
    await finish();
    expect(done).toBe(false);
    await finish();
    expect(done).toBe(true);
    expect(answers).toEqual(['b:mask']);
  });
});
