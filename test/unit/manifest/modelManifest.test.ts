import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ManifestError,
  findModel,
  modelFilePath,
  parseModelManifest,
} from '../../../extensions/sam-segmentation/src/core/manifest';

const MANIFEST = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'models', 'manifest.json'), 'utf8'));

// The manifest as plain JSON, to break on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RawManifest = any;
const clone = (): RawManifest => JSON.parse(JSON.stringify(MANIFEST));

describe('the model manifest', () => {
  it('parses the project manifest, with entries for every family it promises', () => {
    const manifest = parseModelManifest(MANIFEST);
    expect(manifest.models.map((m) => m.family)).toEqual(expect.arrayContaining(['sam', 'sam2', 'transformersjs']));
    expect(findModel(manifest, manifest.defaultModel).id).toBe(manifest.defaultModel);
    for (const m of manifest.models) {
      for (const role of ['encoder', 'decoder'] as const) {
        const f = m.files[role];
        if (f.url) expect(f.url).toMatch(/^https:\/\//);
        if (f.sha256) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });

  it('fills preprocessing from the family and applies the entry’s overrides', () => {
    const manifest = parseModelManifest(MANIFEST);
    expect(findModel(manifest, 'sam-vit-b').preprocess).toMatchObject({ inputSize: 1024, resize: 'letterbox' });
    expect(findModel(manifest, 'medsam-vit-b').preprocess.resize).toBe('stretch');
    expect(modelFilePath(findModel(manifest, 'slimsam-77'), 'encoder')).toBe('slimsam-77/vision_encoder.onnx');
  });

  it.each([
    [
      'an unknown family',
      (m: RawManifest) => (m.models[0].family = 'yolo'),
      /\$\.models\[0\]\.family: is "yolo"; should be one of: sam, medsam, sam2, transformersjs/,
    ],
    [
      'a bad checksum',
      (m: RawManifest) => (m.models[0].files.encoder.sha256 = 'abc'),
      /files\.encoder\.sha256: must be 64 lower-case hexadecimal digits/,
    ],
    [
      'a plain-http URL',
      (m: RawManifest) => (m.models[0].files.decoder.url = 'http://x/y.onnx'),
      /files\.decoder\.url: must be an https:\/\/ URL/,
    ],
    [
      'a path that climbs out',
      (m: RawManifest) => (m.models[0].files.decoder.file = '../../etc/passwd'),
      /files\.decoder\.file/,
    ],
    ['a missing decoder', (m: RawManifest) => delete m.models[0].files.decoder, /files\.decoder: must be an object/],
    ['a duplicated id', (m: RawManifest) => (m.models[1].id = m.models[0].id), /appears twice/],
    ['an unknown default', (m: RawManifest) => (m.defaultModel = 'nope'), /defaultModel: "nope" is not a model/],
    [
      'a zero std',
      (m: RawManifest) =>
        (m.models[0].preprocess = { normalisation: { kind: 'mean-std', scale: 1, mean: [0, 0, 0], std: [1, 0, 1] } }),
      /std must be positive/,
    ],
    ['another version', (m: RawManifest) => (m.version = 2), /\$\.version: is 2; only version 1/],
  ])('refuses %s with a message naming the field', (_what, mutate, message) => {
    const m = clone();
    mutate(m);
    expect(() => parseModelManifest(m)).toThrow(ManifestError);
    expect(() => parseModelManifest(m)).toThrow(message);
  });

  it('names the known models when asked for an unknown one', () => {
    expect(() => findModel(parseModelManifest(MANIFEST), 'nope')).toThrow(
      /Unknown model "nope"\. Models in the manifest: sam-vit-b/,
    );
  });
});
