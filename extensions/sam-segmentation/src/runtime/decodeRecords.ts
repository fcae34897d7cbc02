/**
 * The worker's memory of recent decodes, per prompting session (a viewport): the candidates with
 * their low-resolution logits stay here, next to the sessions, so refining a prompt or showing
 * another candidate never ships logits between threads. A few records per session suffice: the
 * main thread only ever refers to the preview on screen, which is one of the latest decodes.
 */
import type { CleanupOptions, MaskCandidate, Prompt } from '../core';

export interface DecodeRecord {
  decodeId: number;
  /** The embedding the decode ran on; a refinement on another image must not use these logits. */
  embeddingKey: string;
  modelId: string;
  /** The prompt as decoded (without any previous mask), for the clean-up of another candidate. */
  prompt: Prompt;
  cleanup?: CleanupOptions;
  candidates: MaskCandidate[];
  chosenIndex: number;
  width: number;
  height: number;
}

export const RECORDS_PER_SESSION = 3;

export class DecodeRecords {
  private readonly sessions = new Map<string, DecodeRecord[]>();

  constructor(private readonly perSession = RECORDS_PER_SESSION) {}

  put(session: string, record: DecodeRecord): void {
    const records = this.sessions.get(session) ?? [];
    records.push(record);
    if (records.length > this.perSession) records.splice(0, records.length - this.perSession);
    this.sessions.set(session, records);
  }

  get(session: string, decodeId: number): DecodeRecord | undefined {
    return this.sessions.get(session)?.find((r) => r.decodeId === decodeId);
  }

  /** Forgets a session (its viewport closed, or the user rejected its prompt). */
  release(session: string): void {
    this.sessions.delete(session);
  }

  /** Forgets every record made by a model (it was unloaded). */
  releaseModel(modelId: string): void {
    for (const [session, records] of this.sessions) {
      const kept = records.filter((r) => r.modelId !== modelId);
      if (kept.length > 0) this.sessions.set(session, kept);
      else this.sessions.delete(session);
    }
  }

  get size(): number {
    let n = 0;
    for (const records of this.sessions.values()) n += records.length;
    return n;
  }
}
