/**
 * Child-process half of test/unit/runtime/engineSessions.test.ts: a prompting session's decodes kept
 * in the InferenceEngine (as in the worker), with the real onnxruntime and the default model on a
 * phantom CT slice. Another candidate picked from a kept decode against the same candidate decoded
 * afresh; a refinement from a kept decode against the same prompt with its logits given by hand.
 * A window that shows the slice flat, against the protocol's window it falls back to.
 * Prints the differences as JSON.
 */
import { join } from 'node:path';
import { PROTOCOL_PERCENTILE_WINDOW, type Prompt } from '../../extensions/sam-segmentation/src/core';
import { InferenceEngine } from '../../extensions/sam-segmentation/src/runtime/inferenceEngine';
import { PHANTOM_DIR, readCtSlice } from '../../tools/bench/nodeBench';
import { readLocalModel } from '../../tools/models/localModel';

const differing = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0);
const ones = (a: Uint8Array) => a.reduce((n, v) => n + v, 0);

const { entry, files } = await readLocalModel();
const engine = new InferenceEngine();
await engine.loadModel(entry, files, 'wasm');
const key = { modelId: entry.id, imageKey: 'phantom#32', preprocessingKey: 'w40/400' };
const voi = { kind: 'window', center: 40, width: 400 } as const;
await engine.encode({ ...key, slice: readCtSlice(join(PHANTOM_DIR, '0032.dcm')), voi });
await engine.encode({ ...key, imageKey: 'phantom#20', slice: readCtSlice(join(PHANTOM_DIR, '0020.dcm')), voi });

const click: Prompt = { points: [{ x: 128, y: 128, label: 'include' }] };
const first = await engine.decode({ ...key, prompt: click, session: { id: 'vp', decodeId: 1 } });

// Each candidate, picked from the kept decode (no decoder run) and decoded afresh with that selection.
const picks = [];
for (const c of first.candidates) {
  const picked = engine.pickCandidate('vp', 1, c.index);
  const direct = await engine.decode({ ...key, prompt: click, selection: { index: c.index } });
  picks.push({ index: c.index, differing: differing(picked.mask, direct.mask), pixels: ones(direct.mask) });
}
const chosen = first.candidates.at(-1)!; // the last pick is now the decode's chosen candidate

// Refinement: a point added; the kept decode's chosen logits fed back, against the same given by hand.
const refinedPrompt: Prompt = { points: [...click.points, { x: 150, y: 128, label: 'include' }] };
const refined = await engine.decode({
  ...key,
  prompt: refinedPrompt,
  session: { id: 'vp', decodeId: 2, refineFrom: 1 },
});
const byHand = await engine.decode({ ...key, prompt: { ...refinedPrompt, previousMask: chosen.lowResLogits } });
const unrefined = await engine.decode({ ...key, prompt: refinedPrompt });

// No refinement across images, nor from a decode no longer kept.
const otherImage = await engine.decode({
  ...key,
  imageKey: 'phantom#20',
  prompt: refinedPrompt,
  session: { id: 'vp', decodeId: 3, refineFrom: 2 },
});
for (let id = 4; id < 8; id++) await engine.decode({ ...key, prompt: click, session: { id: 'vp', decodeId: id } });
const evicted = await engine.decode({
  ...key,
  prompt: refinedPrompt,
  session: { id: 'vp', decodeId: 9, refineFrom: 1 },
});
let pickEvicted = '';
try {
  engine.pickCandidate('vp', 1, 0);
} catch (err) {
  pickEvicted = (err as Error).message;
}

// A window far above the slice's values shows it black: the engine encodes with the protocol's window
// instead and says so, on the encode and on every decode of that embedding (kept as float16).
const phantom32 = readCtSlice(join(PHANTOM_DIR, '0032.dcm'));
const flatKey = { ...key, preprocessingKey: 'w5000/100' };
const flatEncode = await engine.encode({
  ...flatKey,
  slice: phantom32,
  voi: { kind: 'window', center: 5000, width: 100 },
});
const flatDecode = await engine.decode({ ...flatKey, prompt: click });
const ownKey = { ...key, preprocessingKey: 'auto' };
await engine.encode({ ...ownKey, slice: phantom32, voi: PROTOCOL_PERCENTILE_WINDOW });
const ownDecode = await engine.decode({ ...ownKey, prompt: click });

console.log(
  JSON.stringify({
    flatWindow: {
      encodeNote: flatEncode.windowNote ?? null,
      decodeNote: flatDecode.windowNote ?? null,
      displayedDecodeNote: first.windowNote ?? null,
      differingFromOwnWindow: differing(flatDecode.mask, ownDecode.mask),
      pixels: ones(flatDecode.mask),
    },
    picks,
    refined: {
      flag: refined.refined,
      differingFromByHand: differing(refined.mask, byHand.mask),
      differingFromUnrefined: differing(refined.mask, unrefined.mask),
      pixels: ones(refined.mask),
    },
    otherImageRefined: otherImage.refined,
    evictedRefined: evicted.refined,
    pickEvicted,
  }),
);
