/**
 * readLocalModel (tools/models/localModel.ts): the one step from a model id to its checked bytes that the
 * evaluation, the default model's measurement and the benchmark share, on a temporary models folder and
 * on the repository's own.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLocalModel } from '../../../tools/models/localModel';
import { sha256Of } from '../../../tools/models/fileIntegrity';

const bytes = (length: number, step: number) => Uint8Array.from({ length }, (_, i) => (i * step) % 251);
const GRAPHS = { encoder: bytes(3000, 7), decoder: bytes(1200, 13) };
const DATA = bytes(5000, 3);
const pinned = (file: string, data: Uint8Array) => ({ file, bytes: data.length, sha256: sha256Of(data) });

/** Two models: "fetched" downloads its files (the encoder with external data); "built" is generated here. */
const MANIFEST = {
  version: 1,
  defaultModel: 'built',
  models: ['fetched', 'built'].map((id) => {
    const url = (file: string) => (id === 'fetched' ? { url: `https://models.example/${file}` } : {});
    return {
      id,
      name: id,
      family: 'sam',
      version: 'test',
      description: 'test model',
      licence: { spdx: 'MIT' },
      segmentAnythingWeights: false,
      files: {
        encoder: {
          ...pinned('e.onnx', GRAPHS.encoder),
          ...url('e.onnx'),
          ...(id === 'fetched' && { extraFiles: [{ ...pinned('e_data.bin', DATA), ...url('e_data.bin') }] }),
        },
        decoder: { ...pinned('d.onnx', GRAPHS.decoder), ...url('d.onnx') },
      },
      recommendedBackend: 'any',
    };
  }),
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-model-'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(MANIFEST));
  for (const id of ['fetched', 'built']) {
    mkdirSync(join(dir, id));
    writeFileSync(join(dir, id, 'e.onnx'), GRAPHS.encoder);
    writeFileSync(join(dir, id, 'd.onnx'), GRAPHS.decoder);
  }
  writeFileSync(join(dir, 'fetched', 'e_data.bin'), DATA);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readLocalModel', () => {
  it("gives the entry and both graphs' bytes, the manifest's default model when no id is given", async () => {
    const fetched = await readLocalModel('fetched', dir);
    expect(fetched.entry.id).toBe('fetched');
    expect(fetched.files.encoder).toEqual(GRAPHS.encoder);
    expect(fetched.files.decoder).toEqual(GRAPHS.decoder);
    expect(Object.keys(fetched.files).sort()).toEqual(['decoder', 'encoder']);
    expect((await readLocalModel(undefined, dir)).entry.id).toBe('built');
  });

  it('names the known models for an id the manifest does not have', async () => {
    await expect(readLocalModel('nope', dir)).rejects.toThrow(
      /Model nope is not in .*manifest\.json; known: fetched, built\./,
    );
  });

  it('says how to get a missing file: fetch a downloaded model, generate a built one', async () => {
    rmSync(join(dir, 'fetched', 'e_data.bin'));
    await expect(readLocalModel('fetched', dir)).rejects.toThrow(
      /fetched: its encoder extra file e_data\.bin \(.*fetched\/e_data\.bin\) is not here; run: npm run models -- fetch fetched$/,
    );
    rmSync(join(dir, 'built', 'd.onnx'));
    await expect(readLocalModel('built', dir)).rejects.toThrow(
      /built: its decoder .* is not here; run: npm run models:generate$/,
    );
  });

  it('refuses a file of the wrong size or content, graph or extra file', async () => {
    writeFileSync(join(dir, 'fetched', 'd.onnx'), GRAPHS.decoder.subarray(1));
    await expect(readLocalModel('fetched', dir)).rejects.toThrow(
      /fetched\/d\.onnx is not the manifest's file: 1199 bytes, expected 1200 .*fetch fetched$/,
    );
    writeFileSync(join(dir, 'fetched', 'd.onnx'), GRAPHS.decoder);
    const changed = DATA.slice();
    changed[10]! ^= 1;
    writeFileSync(join(dir, 'fetched', 'e_data.bin'), changed);
    await expect(readLocalModel('fetched', dir)).rejects.toThrow(/e_data\.bin is not the manifest's file: SHA-256 /);
  });

  it("reads the repository's default model", async () => {
    const { entry, files } = await readLocalModel();
    expect(entry.id).toBe('intensity-similarity-v1');
    expect(sha256Of(files.encoder)).toBe(entry.files.encoder.sha256);
    expect(sha256Of(files.decoder)).toBe(entry.files.decoder.sha256);
  });
});
