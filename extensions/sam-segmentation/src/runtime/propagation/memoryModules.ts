/**
 * SAM 2's video modules in onnxruntime: the memory attention and memory encoder sessions and the two
 * constants (`no_mem_embed`, `vision_pos_embed`), each checked against the family's MemorySpec on
 * load. Opened with the image encoder and decoder by SamModel when the manifest entry has them.
 */
import type * as ort from 'onnxruntime-web';
import type { OrtModule } from '../ortRuntime';
import { channelsFirst, sequenceFirst, type MemorySpec, type ModelFamily, type SliceMemory } from '../../core';
import { assertGraphMatchesFamily, type GraphDescription } from '../../core/manifest';

export interface MemoryFiles {
  memoryAttention: Uint8Array;
  memoryEncoder: Uint8Array;
  noMemEmbed: Uint8Array;
  visionPosEmbed: Uint8Array;
}

type OpenSession = (bytes: Uint8Array, role: 'memoryAttention' | 'memoryEncoder') => Promise<ort.InferenceSession>;

/** Raw little-endian float32 values of a constant file, checked for length. */
function floats(bytes: Uint8Array, expected: number, what: string, modelId: string): Float32Array {
  if (bytes.byteLength !== expected * 4) {
    throw new Error(
      `The ${what} file of ${modelId} has ${bytes.byteLength} bytes; ${expected} float32 values (${expected * 4} bytes) expected.`,
    );
  }
  const copy = new Uint8Array(bytes); // aligned, and ours
  return new Float32Array(copy.buffer);
}

function plain(tensor: ort.Tensor | undefined, name: string, modelId: string): Float32Array {
  if (!tensor) throw new Error(`The memory encoder of ${modelId} gave no "${name}" output.`);
  if (tensor.type !== 'float32') throw new Error(`Output ${name} of ${modelId} is ${tensor.type}; expected float32.`);
  return tensor.data as Float32Array;
}

export class MemoryModules {
  /** Image feature channels and positions (SAM 2: 256 and 64x64), and memory channels (64). */
  readonly channels: number;
  readonly positions: number;
  readonly memoryChannels: number;
  private temporal: Float32Array | undefined;

  private constructor(
    readonly spec: MemorySpec,
    private readonly modelId: string,
    private readonly attention: ort.InferenceSession,
    private readonly encoder: ort.InferenceSession,
    readonly noMemEmbed: Float32Array,
    readonly visionPosEmbed: Float32Array,
    private readonly Tensor: OrtModule['Tensor'],
  ) {
    const curr = spec.attention.curr.dims;
    this.positions = curr[0] as number;
    this.channels = curr[2] as number;
    this.memoryChannels = spec.attention.memory.dims[2] as number;
  }

  static async open(
    family: ModelFamily,
    files: MemoryFiles,
    modelId: string,
    open: OpenSession,
    describe: (s: ort.InferenceSession) => GraphDescription,
    Tensor: OrtModule['Tensor'],
  ): Promise<MemoryModules> {
    const spec = family.propagation.memory;
    if (!spec) throw new Error(`${family.label} models have no memory modules.`);
    const noMemEmbed = floats(files.noMemEmbed, spec.noMemEmbed.length, 'no_mem_embed', modelId);
    const visionPosEmbed = floats(files.visionPosEmbed, spec.visionPosEmbed.length, 'vision_pos_embed', modelId);
    const attention = await open(files.memoryAttention, 'memoryAttention');
    let encoder: ort.InferenceSession | undefined;
    try {
      encoder = await open(files.memoryEncoder, 'memoryEncoder');
      assertGraphMatchesFamily(family, 'memoryAttention', describe(attention), `of ${modelId}`);
      assertGraphMatchesFamily(family, 'memoryEncoder', describe(encoder), `of ${modelId}`);
    } catch (err) {
      await Promise.all([attention.release(), encoder?.release()]);
      throw err;
    }
    return new MemoryModules(spec, modelId, attention, encoder, noMemEmbed, visionPosEmbed, Tensor);
  }

  /** A slice's raw features [1,C,HW] from the image encoder's `image_embed` (which has `no_mem_embed` added). */
  rawFeatures(imageEmbed: Float32Array): Float32Array<ArrayBuffer> {
    const out = new Float32Array(imageEmbed.length);
    const { channels, positions } = this;
    for (let c = 0; c < channels; c++) {
      const minus = this.noMemEmbed[c]!;
      for (let p = c * positions, end = p + positions; p < end; p++) out[p] = imageEmbed[p]! - minus;
    }
    return out;
  }

  /** A slice's memory from its raw features [1,C,HW] and its mask in the model frame (scaled). */
  async encodeMemory(features: Float32Array<ArrayBuffer>, mask: Float32Array<ArrayBuffer>): Promise<SliceMemory> {
    const { encoder: spec } = this.spec;
    const size = spec.mask.dims[2] as number;
    const side = Math.sqrt(this.positions);
    const feeds = {
      [this.inputName(this.encoder, spec.features.name, spec.features.alternativeNames)]: new this.Tensor(
        'float32',
        features,
        [1, this.channels, side, side],
      ),
      [this.inputName(this.encoder, spec.mask.name, spec.mask.alternativeNames)]: new this.Tensor('float32', mask, [
        1,
        1,
        size,
        size,
      ]),
    };
    const out = await this.encoder.run(feeds);
    const get = (name: string, alternatives: readonly string[] = []) => {
      const found = [name, ...alternatives].find((n) => out[n] !== undefined);
      return plain(found === undefined ? undefined : out[found], name, this.modelId);
    };
    this.temporal ??= Float32Array.from(get(spec.temporalPos.name, spec.temporalPos.alternativeNames));
    const c = this.memoryChannels;
    return {
      features: sequenceFirst(get(spec.memory.name, spec.memory.alternativeNames), c, this.positions),
      positions: sequenceFirst(get(spec.memoryPos.name, spec.memoryPos.alternativeNames), c, this.positions),
    };
  }

  /** SAM 2's temporal encoding (`maskmem_tpos_enc`), known after the first memory was encoded. */
  get temporalEncoding(): Float32Array {
    if (!this.temporal) throw new Error('No memory encoded yet: the temporal encoding comes with the first.');
    return this.temporal;
  }

  /** Memory attention: the slice's raw features [1,C,HW] conditioned on the bank → [1,C,HW]. */
  async attend(
    features: Float32Array,
    bank: { memory: Float32Array<ArrayBuffer>; memoryPos: Float32Array<ArrayBuffer>; slots: number },
  ): Promise<Float32Array<ArrayBuffer>> {
    const { attention: spec } = this.spec;
    const { channels: c, positions: hw, memoryChannels: cm } = this;
    const length = bank.slots * hw;
    const feeds = {
      [spec.curr.name]: new this.Tensor('float32', sequenceFirst(features, c, hw), [hw, 1, c]),
      [spec.currPos.name]: new this.Tensor('float32', this.visionPosEmbed, [hw, 1, c]),
      [spec.memory.name]: new this.Tensor('float32', bank.memory, [length, 1, cm]),
      [spec.memoryPos.name]: new this.Tensor('float32', bank.memoryPos, [length, 1, cm]),
      [spec.objectPointerTokens.name]: new this.Tensor('int64', BigInt64Array.of(0n), []),
    };
    const out = await this.attention.run(feeds);
    // Sequence first [HW,1,C] back to the decoder's [1,C,H,W].
    return channelsFirst(plain(out[spec.output.name], spec.output.name, this.modelId), c, hw);
  }

  private inputName(session: ort.InferenceSession, name: string, alternatives: readonly string[] = []): string {
    return [name, ...alternatives].find((n) => session.inputNames.includes(n)) ?? name;
  }

  async release(): Promise<void> {
    await Promise.all([this.attention.release(), this.encoder.release()]);
  }
}
