import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ManifestError,
  archivePath,
  findModel,
  listModelFiles,
  modelFilePath,
  parseModelManifest,
} from '../../../extensions/sam-segmentation/src/core/manifest';
import { propagationEngineOf } from '../../../extensions/sam-segmentation/src/core';

const MANIFEST = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'models', 'manifest.json'), 'utf8'));

// The manifest as plain JSON, to break on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RawManifest = any;
const clone = (): RawManifest => JSON.parse(JSON.stringify(MANIFEST));
/** The ViT-H entry: a zip archive and an extra file (external data). */
const archived = (m: RawManifest): RawManifest => m.models.find((e: RawManifest) => e.id === 'sam-vit-h');

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

  it('reads MobileSAM’s encoder input layout and the zip-archive models with their extra files', () => {
    const manifest = parseModelManifest(MANIFEST);
    expect(findModel(manifest, 'mobilesam').preprocess).toMatchObject({
      encoderInput: 'hwc-resized-0-255',
      resize: 'letterbox',
      inputSize: 1024,
    });
    expect(findModel(manifest, 'sam-vit-b').preprocess.encoderInput).toBe('nchw-normalised');
    const vitH = findModel(manifest, 'sam-vit-h');
    expect(vitH.archive).toEqual({
      url: 'https://huggingface.co/vietanhdev/segment-anything-onnx-models/resolve/main/sam_vit_h_4b8939.zip',
      file: 'sam_vit_h_4b8939.zip',
      bytes: 2383268602,
      sha256: 'aa49ea636afca48598d894dcf58fcf54942e4b96fa4577bed9d903ac4e7fc74e',
    });
    expect(archivePath(vitH)).toBe('sam-vit-h/sam_vit_h_4b8939.zip');
    expect(listModelFiles(vitH).map((f) => [f.label, f.path])).toEqual([
      ['encoder', 'sam-vit-h/sam_vit_h_4b8939.encoder.onnx'],
      ['encoder extra file sam_vit_h_4b8939.encoder_data.bin', 'sam-vit-h/sam_vit_h_4b8939.encoder_data.bin'],
      ['decoder', 'sam-vit-h/sam_vit_h_4b8939.decoder.onnx'],
    ]);
    expect(archivePath(findModel(manifest, 'mobilesam'))).toBeUndefined();
    for (const m of manifest.models.filter((e) => e.archive)) {
      for (const { file } of listModelFiles(m)) expect(file).toMatchObject({ sha256: expect.any(String) });
    }
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
    [
      'an unknown encoder input layout',
      (m: RawManifest) => (m.models[0].preprocess = { encoderInput: 'nhwc' }),
      /\$\.models\[0\]\.preprocess\.encoderInput: is "nhwc"; should be one of: nchw-normalised, hwc-resized-0-255/,
    ],
    [
      'a plain-http archive',
      (m: RawManifest) => (archived(m).archive.url = 'http://x/y.zip'),
      /\.archive\.url: must be an https:\/\/ URL/,
    ],
    [
      'an archive without a URL',
      (m: RawManifest) => delete archived(m).archive.url,
      /\.archive\.url: must be a non-empty string/,
    ],
    [
      'a bad archive checksum',
      (m: RawManifest) => (archived(m).archive.sha256 = 'ABC'),
      /\.archive\.sha256: must be 64 lower-case hexadecimal digits/,
    ],
    [
      'an archive URL without a file name',
      (m: RawManifest) => (archived(m).archive.url = 'https://example.org/'),
      /\.archive\.file: is needed: the URL's last segment "" is not a usable file name/,
    ],
    [
      'a download URL on a member of an archive',
      (m: RawManifest) => (archived(m).files.decoder.url = 'https://example.org/d.onnx'),
      /files\.decoder\.url: must be absent: this model's files are members of its "archive"/,
    ],
    [
      'an extra file that climbs out',
      (m: RawManifest) => (archived(m).files.encoder.extraFiles[0].file = '../x.bin'),
      /files\.encoder\.extraFiles\[0\]\.file/,
    ],
    [
      'extra files of an extra file',
      (m: RawManifest) => (archived(m).files.encoder.extraFiles[0].extraFiles = [{ file: 'y.bin' }]),
      /extraFiles\[0\]\.extraFiles: is only allowed on a graph file/,
    ],
    [
      'an empty extra file list',
      (m: RawManifest) => (m.models[0].files.encoder.extraFiles = []),
      /files\.encoder\.extraFiles: must be a non-empty array/,
    ],
    [
      'a file name used twice',
      (m: RawManifest) => (archived(m).files.decoder.file = archived(m).files.encoder.extraFiles[0].file),
      /files\.decoder\.file: "sam_vit_h_4b8939\.encoder_data\.bin" is used twice in this model/,
    ],
  ])('refuses %s with a message naming the field', (_what, mutate, message) => {
    const m = clone();
    mutate(m);
    expect(() => parseModelManifest(m)).toThrow(ManifestError);
    expect(() => parseModelManifest(m)).toThrow(message);
  });

  it('marks the clean-up step as part of the default model only', () => {
    const manifest = parseModelManifest(MANIFEST);
    expect(findModel(manifest, manifest.defaultModel).cleanup).toBe(true);
    expect(findModel(manifest, 'sam-vit-b').cleanup).toBe(false);
    const m = clone();
    m.models[0].cleanup = 'yes';
    expect(() => parseModelManifest(m)).toThrow(/\$\.models\[0\]\.cleanup: must be true or false/);
  });

  describe('SAM 2’s video modules', () => {
    const sam2 = (m: RawManifest): RawManifest => m.models.find((e: RawManifest) => e.family === 'sam2');
    const withMemory = (m: RawManifest) =>
      Object.assign(sam2(m).files, {
        memoryAttention: { file: 'memory_attention.onnx' },
        memoryEncoder: { file: 'memory_encoder.onnx' },
        noMemEmbed: { file: 'no_mem_embed.bin' },
        visionPosEmbed: { file: 'vision_pos_embed.bin' },
      });

    it('are files of a SAM 2 entry, all four together: such a model propagates with memory, others re-prompt', () => {
      const m = clone();
      withMemory(m);
      const entry = findModel(parseModelManifest(m), sam2(m).id);
      expect(listModelFiles(entry).map((f) => f.label)).toEqual([
        'encoder',
        'decoder',
        'memoryAttention',
        'memoryEncoder',
        'noMemEmbed',
        'visionPosEmbed',
      ]);
      expect(modelFilePath(entry, 'visionPosEmbed')).toBe(`${entry.id}/vision_pos_embed.bin`);
      expect(propagationEngineOf(entry)).toBe('memory');
      const imageOnly = findModel(parseModelManifest(MANIFEST), sam2(m).id);
      expect(propagationEngineOf(imageOnly)).toBe('reprompt');
      expect(propagationEngineOf(findModel(parseModelManifest(MANIFEST), 'sam-vit-b'))).toBe('reprompt');
    });

    it.each([
      [
        'a partial set',
        (m: RawManifest) => {
          withMemory(m);
          delete sam2(m).files.noMemEmbed;
        },
        /files: has memoryAttention, memoryEncoder, visionPosEmbed but not noMemEmbed: the memory modules come together/,
      ],
      [
        'memory modules for a family without them',
        (m: RawManifest) => (m.models[0].files.memoryAttention = { file: 'x.onnx' }),
        /files\.memoryAttention: Segment Anything .* models have no memory modules/,
      ],
      [
        'an unknown file role',
        (m: RawManifest) => (m.models[0].files.extra = { file: 'x.onnx' }),
        /files\.extra: is not a file role \(known: encoder, decoder, memoryAttention/,
      ],
    ])('refuses %s', (_what, mutate, message) => {
      const m = clone();
      mutate(m);
      expect(() => parseModelManifest(m)).toThrow(message);
    });
  });

  it('names the known models when asked for an unknown one', () => {
    expect(() => findModel(parseModelManifest(MANIFEST), 'nope')).toThrow(
      /Unknown model "nope"\. Models in the manifest: sam-vit-b/,
    );
  });
});
