import { parseModelManifest, type ModelManifest } from '../../../extensions/sam-segmentation/src/core';
import type { InferenceClient } from '../../../extensions/sam-segmentation/src/runtime/inferenceClient';
import {
  RuntimeSession,
  type ImageSource,
  type RuntimeState,
} from '../../../extensions/sam-segmentation/src/runtime/runtimeSession';

const manifest: ModelManifest = parseModelManifest({
  version: 1,
  defaultModel: 'a',
  models: ['a', 'b'].map((id) => ({
    id,
    name: `Model ${id}`,
    family: 'sam',
    version: '1',
    description: 'test',
    licence: { spdx: 'MIT' },
    segmentAnythingWeights: false,
    files: { encoder: { file: 'e.onnx' }, decoder: { file: 'd.onnx' } },
    recommendedBackend: 'any',
  })),
});

/** The worker's side, as the session sees it: what it was asked, and an embedding cache of keys. */
function fakeClient() {
  const calls: string[] = [];
  const encoded = new Set<string>();
  let nextId = 1;
  const client = {
    configureCache: async () => undefined,
    probe: async () => ({
      backend: 'wasm',
      reason: 'test',
      wasmThreads: 1,
      ortVersion: 'x',
      environment: { crossOriginIsolated: false, hardwareConcurrency: 1, webgpuApi: false },
      probeMs: 1,
    }),
    loadModel: async (entry: { id: string }) => {
      calls.push(`load ${entry.id}`);
      return {
        id: entry.id,
        name: entry.id,
        family: 'sam',
        segmentAnythingWeights: false,
        backend: 'wasm',
        bytes: 1,
        loadMs: 1,
      };
    },
    encode: (key: { imageKey: string }) => {
      calls.push(`encode ${key.imageKey}`);
      encoded.add(key.imageKey);
      return { id: nextId++, done: Promise.resolve({ id: 0, type: 'encode', ok: true, cached: false, encodeMs: 1 }) };
    },
    decode: (key: { imageKey: string }) => {
      calls.push(`decode ${key.imageKey}`);
      const id = nextId++;
      if (!encoded.has(key.imageKey)) {
        const error = new Error(`No embedding for ${key.imageKey}`);
        error.name = 'NotEncodedError';
        return { id, done: Promise.reject(error) };
      }
      return { id, done: Promise.resolve({ id, type: 'decode', ok: true }) };
    },
    cancel: () => undefined,
    terminate: () => undefined,
  };
  return { client: client as unknown as InferenceClient, calls, evict: (imageKey: string) => encoded.delete(imageKey) };
}

function image(imageKey: string, reads: string[]): ImageSource {
  return {
    imageKey,
    preprocessingKey: 'w',
    voi: { kind: 'window', center: 0, width: 1 },
    pixels: async () => {
      reads.push(imageKey);
      return {
        values: new Uint8Array(4),
        rows: 2,
        columns: 2,
        samplesPerPixel: 1,
        photometricInterpretation: 'MONOCHROME2',
      };
    },
  };
}

async function started() {
  const fake = fakeClient();
  const states: Array<Partial<RuntimeState>> = [];
  let manifestReads = 0;
  const session = new RuntimeSession({
    createClient: () => fake.client,
    readManifest: async () => {
      manifestReads++;
      return manifest;
    },
    onChange: (patch) => states.push(patch),
  });
  await session.start('auto');
  return { session, ...fake, states, manifestReads: () => manifestReads };
}

const prompt = { points: [{ x: 0, y: 0, label: 'include' as const }] };

describe('RuntimeSession', () => {
  it('loads the manifest’s default model, reading the manifest once for the list and every load', async () => {
    const t = await started();
    await t.session.selectModel('b');
    expect(t.calls).toEqual(['load a', 'load b']);
    expect(t.manifestReads()).toBe(1);
    expect(t.session.model?.id).toBe('b');
    expect(t.states.some((s) => s.models?.map((m) => m.id).join() === 'a,b')).toBe(true);
  });

  it('sends an image’s pixels only when the worker lacks its embedding', async () => {
    const t = await started();
    const reads: string[] = [];
    await t.session.decode(image('slice1', reads), prompt);
    await t.session.decode(image('slice1', reads), prompt);
    await t.session.decode(image('slice1', reads), prompt);
    expect(reads).toEqual(['slice1']);
    expect(t.calls.slice(1)).toEqual(['encode slice1', 'decode slice1', 'decode slice1', 'decode slice1']);
  });

  it('knows an embedding the pre-encoder made, and encodes again, once, one the worker evicted', async () => {
    const t = await started();
    const reads: string[] = [];
    await t.session.encode(image('slice2', reads), { priority: 'background' });
    await t.session.decode(image('slice2', reads), prompt);
    expect(reads).toEqual(['slice2']);
    t.evict('slice2');
    await t.session.decode(image('slice2', reads), prompt);
    expect(reads).toEqual(['slice2', 'slice2']);
    expect(t.calls.slice(1)).toEqual([
      'encode slice2',
      'decode slice2',
      'decode slice2',
      'encode slice2',
      'decode slice2',
    ]);
  });

  it('encodes an image once when two requests for it cross (pre-encoding and a click)', async () => {
    const t = await started();
    const reads: string[] = [];
    await Promise.all([
      t.session.encode(image('slice3', reads), { priority: 'background' }),
      t.session.decode(image('slice3', reads), prompt),
    ]);
    expect(reads).toEqual(['slice3']);
    expect(t.calls.slice(1)).toEqual(['encode slice3', 'decode slice3']);
  });

  it('refuses to segment before a model is ready, saying so', async () => {
    const session = new RuntimeSession({ onChange: () => undefined });
    await expect(session.decode(image('x', []), prompt)).rejects.toThrow(/No model is loaded yet/);
  });
});
