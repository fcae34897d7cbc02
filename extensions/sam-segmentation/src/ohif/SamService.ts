/**
 * The extension's one source of truth for SAM state in the viewer: the inference runtime's status
 * (which backend really runs, and why), shown by the panel. Registered with OHIF's services
 * manager as `samService`; components subscribe to its changes.
 */
import { InferenceClient } from '../runtime/inferenceClient';
import type { BackendPreference, BackendReport } from '../runtime/protocol';

export type RuntimeStatus =
  | { state: 'idle' }
  | { state: 'starting'; preference: BackendPreference }
  | { state: 'ready'; report: BackendReport }
  | { state: 'error'; message: string };

export interface SamState {
  runtime: RuntimeStatus;
}

type Listener = (state: SamState) => void;

export class SamService {
  static readonly REGISTRATION = {
    name: 'samService',
    altName: 'SamService',
    create: (): SamService => new SamService(),
  };

  static readonly EVENTS = { STATE_CHANGED: 'event::samService:stateChanged' } as const;

  private state: SamState = { runtime: { state: 'idle' } };
  private readonly listeners = new Set<Listener>();
  private client: InferenceClient | undefined;

  constructor(private readonly createClient: () => InferenceClient = () => new InferenceClient()) {}

  getState(): SamState {
    return this.state;
  }

  subscribe(listener: Listener): { unsubscribe: () => void } {
    this.listeners.add(listener);
    return { unsubscribe: () => void this.listeners.delete(listener) };
  }

  private update(patch: Partial<SamState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  /** Starts the inference worker (once) and checks which backend runs. Safe to call again to retry. */
  async startRuntime(preference: BackendPreference = 'auto'): Promise<void> {
    this.update({ runtime: { state: 'starting', preference } });
    try {
      this.client ??= this.createClient();
      const report = await this.client.probe(preference);
      this.update({ runtime: { state: 'ready', report } });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.error(`[SAM] inference runtime failed to start: ${message}`);
      this.update({ runtime: { state: 'error', message } });
    }
  }

  /** Stops the worker; called when the mode is left. */
  stopRuntime(): void {
    this.client?.terminate();
    this.client = undefined;
    this.update({ runtime: { state: 'idle' } });
  }
}
