/**
 * The worker's run order. onnxruntime runs one inference at a time per session, so requests wait
 * here: interactive ones (a decode for the prompt under the user's mouse, an encode of the slice
 * they are looking at) before background ones (series pre-encoding), each group first in, first
 * out. A queued request can be cancelled; a running one finishes but its answer is dropped by the
 * client. Pure logic, no worker APIs: tested in jest.
 */
export type Priority = 'interactive' | 'background';

export interface Queued<T> {
  id: number;
  priority: Priority;
  item: T;
}

export class RequestQueue<T> {
  private readonly interactive: Queued<T>[] = [];
  private readonly background: Queued<T>[] = [];

  get size(): number {
    return this.interactive.length + this.background.length;
  }

  push(id: number, priority: Priority, item: T): void {
    (priority === 'interactive' ? this.interactive : this.background).push({ id, priority, item });
  }

  /** The next request to run, or undefined. */
  shift(): Queued<T> | undefined {
    return this.interactive.shift() ?? this.background.shift();
  }

  /** Removes a queued request; returns it, or undefined if it is not waiting (running or done). */
  cancel(id: number): Queued<T> | undefined {
    for (const list of [this.interactive, this.background]) {
      const i = list.findIndex((q) => q.id === id);
      if (i >= 0) return list.splice(i, 1)[0];
    }
    return undefined;
  }

  /** Removes every queued request that matches (e.g. the pre-encoding of a series left behind). */
  cancelWhere(predicate: (q: Queued<T>) => boolean): Queued<T>[] {
    const removed: Queued<T>[] = [];
    for (const list of [this.interactive, this.background]) {
      for (let i = list.length - 1; i >= 0; i--) {
        if (predicate(list[i]!)) removed.unshift(...list.splice(i, 1));
      }
    }
    return removed;
  }
}
