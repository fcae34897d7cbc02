/**
 * One SAM-family model loaded in onnxruntime: its encoder and decoder sessions, checked against the
 * family's I/O on load, and the two operations everything else is built on:
 *   encode(slice) → ImageEmbedding   (slow: once per image; plain data, cacheable and transferable)
 *   decode(embedding, prompt) → masks (fast: every prompt change)
 * Used by the inference worker in the browser and by the Node tools (evaluation, benchmark).
 */
import type * as ort from 'onnxruntime-web';
import {
  LogitUpsampler,
  ModelFrame,
  candidateMask,
  cleanUpMask,
  decodeCandidates,
  encodePrompt,
  encoderFeeds,
  prepareSlice,
  selectCandidate,
  type CleanupOptions,
  type DecoderOutputs,
  type Feeds,
  type MaskCandidate,
  type ModelFamily,
  type Prompt,
  type SelectionRule,
  type SlicePixels,
  type VoiSetting,
} from '../core';
import {
  FILE_ROLE_NAMES,
  assertGraphMatchesFamily,
  resolveTensorName,
  type GraphDescription,
  type GraphRole,
  type MemoryFileRole,
} from '../core/manifest';
import type { PropagationEngineName } from '../core';
import type { Backend } from './backendSelection';
import { MemoryModules } from './propagation/memoryModules';
import { WEB_RUNTIME, type OrtModule, type OrtRuntime } from './ortRuntime';

/** A model's file bytes by role: the encoder and decoder, and SAM 2's video modules when it has them. */
export type ModelBytes = { encoder: Uint8Array; decoder: Uint8Array } & Partial<Record<MemoryFileRole, Uint8Array>>;

/** A float32 tensor as plain data. */
export interface PlainTensor {
  data: Float32Array;
  dims: number[];
}

/** The encoder's outputs for one image, with what is needed to map prompts and masks. */
export interface ImageEmbedding {
  modelId: string;
  imageWidth: number;
  imageHeight: number;
  tensors: Record<string, PlainTensor>;
  /** The encoder saw the image with another window than asked, and why (see toDisplayImage). */
  windowNote?: string;
}

export interface DecodeOptions {
  /** Which candidate becomes the mask (default: highest predicted IoU). */
  selection?: SelectionRule;
  /** Apply the clean-up step (prompted components, holes); off when undefined. */
  cleanup?: CleanupOptions;
}

export interface DecodeResult {
  candidates: MaskCandidate[];
  chosen: MaskCandidate;
  /** The chosen candidate as a binary mask on the image grid: uint8[H*W], row-major. */
  mask: Uint8Array;
  /** Milliseconds of the decoder graph's run alone (the bare decoder, without feeds and masks). */
  decoderRunMs: number;
}

export interface SamModelDescription {
  id: string;
  /** The family, with the model's own preprocessing applied (see withPreprocessing). */
  family: ModelFamily;
  /** How it propagates (core/propagation/engineChoice.ts; default 'reprompt'); 'memory' opens the video modules. */
  propagation?: PropagationEngineName;
}

function describeSession(session: ort.InferenceSession): GraphDescription {
  const info = (m: ort.InferenceSession.ValueMetadata) =>
    m.isTensor ? { name: m.name, dtype: m.type, ...(m.shape.length > 0 && { dims: m.shape }) } : { name: m.name };
  return { inputs: session.inputMetadata.map(info), outputs: session.outputMetadata.map(info) };
}

function toOrtFeeds(Tensor: OrtModule['Tensor'], feeds: Feeds): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) out[name] = new Tensor(t.type, t.data, t.dims);
  return out;
}

function toPlain(tensor: ort.Tensor, name: string): PlainTensor {
  if (tensor.type !== 'float32') throw new Error(`Output ${name} is ${tensor.type}; expected float32.`);
  return { data: tensor.data as Float32Array, dims: [...tensor.dims] };
}

async function createSession(
  runtime: OrtRuntime,
  bytes: Uint8Array,
  role: GraphRole,
  backend: Backend,
  modelId: string,
): Promise<ort.InferenceSession> {
  try {
    return await runtime.ort.InferenceSession.create(bytes, {
      ...runtime.sessionOptions,
      executionProviders: [backend],
      graphOptimizationLevel: 'all',
      // Errors only: ORT warns on every WebGPU session that shape ops run on the CPU, as it should.
      logSeverityLevel: 3,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `The ${FILE_ROLE_NAMES[role]} of ${modelId} could not be loaded by onnxruntime (${backend}): ${reason}. Is it a complete ONNX file?`,
    );
  }
}

export class SamModel {
  private readonly upsamplers = new Map<string, LogitUpsampler>();

  private constructor(
    readonly description: SamModelDescription,
    readonly backend: Backend,
    private readonly encoder: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
    private readonly Tensor: OrtModule['Tensor'],
    /** SAM 2's video modules, for the 'memory' propagation engine. */
    readonly memory?: MemoryModules,
  ) {}

  /**
   * Creates the sessions (onnxruntime-web unless another build is given) and refuses graphs whose inputs
   * and outputs do not fit the family.
   */
  static async create(
    description: SamModelDescription,
    files: ModelBytes,
    backend: Backend = 'wasm',
    runtime: OrtRuntime = WEB_RUNTIME,
  ): Promise<SamModel> {
    if (!runtime.backends.includes(backend)) {
      throw new Error(`This onnxruntime build runs ${runtime.backends.join(' and ')}, not ${backend}.`);
    }
    const open = (bytes: Uint8Array, role: GraphRole) => createSession(runtime, bytes, role, backend, description.id);
    const encoder = await open(files.encoder, 'encoder');
    const decoder = await open(files.decoder, 'decoder').catch(async (err) => {
      await encoder.release();
      throw err;
    });
    try {
      assertGraphMatchesFamily(description.family, 'encoder', describeSession(encoder), `${description.id} encoder`);
      assertGraphMatchesFamily(description.family, 'decoder', describeSession(decoder), `${description.id} decoder`);
    } catch (err) {
      await Promise.all([encoder.release(), decoder.release()]);
      throw err;
    }
    let memory: MemoryModules | undefined;
    if (description.propagation === 'memory') {
      const { memoryAttention, memoryEncoder, noMemEmbed, visionPosEmbed } = files;
      try {
        if (!memoryAttention || !memoryEncoder || !noMemEmbed || !visionPosEmbed) {
          throw new Error(`${description.id} propagates with SAM 2's memory but its video modules were not given.`);
        }
        memory = await MemoryModules.open(
          description.family,
          { memoryAttention, memoryEncoder, noMemEmbed, visionPosEmbed },
          description.id,
          open,
          describeSession,
          runtime.ort.Tensor,
        );
      } catch (err) {
        await Promise.all([encoder.release(), decoder.release()]);
        throw err;
      }
    }
    return new SamModel(description, backend, encoder, decoder, runtime.ort.Tensor, memory);
  }

  private frame(width: number, height: number): ModelFrame {
    return new ModelFrame(width, height, this.description.family.preprocess);
  }

  async encode(slice: SlicePixels, voi: VoiSetting): Promise<ImageEmbedding> {
    const { family, id } = this.description;
    const input = prepareSlice(slice, voi, family);
    const inputName = this.encoder.inputNames[0]!;
    const results = await this.encoder.run(toOrtFeeds(this.Tensor, encoderFeeds(family, input, inputName)));
    const tensors: Record<string, PlainTensor> = {};
    for (const spec of family.decoder.embeddings) {
      const t = results[spec.name];
      if (!t) throw new Error(`The encoder of ${id} gave no "${spec.name}" output.`);
      tensors[spec.name] = toPlain(t, spec.name);
    }
    const { windowNote } = input;
    return {
      modelId: id,
      imageWidth: slice.columns,
      imageHeight: slice.rows,
      tensors,
      ...(windowNote && { windowNote }),
    };
  }

  /**
   * Runs the decoder on a prompt and returns its candidates only (no mask on the image grid): for
   * callers that score every candidate themselves, such as the evaluation, so no mask is made twice.
   */
  async decodeCandidates(
    embedding: ImageEmbedding,
    prompt: Prompt,
    options: { withoutPrompt?: boolean } = {},
  ): Promise<{ candidates: MaskCandidate[]; frame: ModelFrame; decoderRunMs: number }> {
    const { family, id } = this.description;
    if (embedding.modelId !== id) {
      throw new Error(`This embedding was made by ${embedding.modelId}, not ${id}: encode the image with this model.`);
    }
    const frame = this.frame(embedding.imageWidth, embedding.imageHeight);
    const feeds = toOrtFeeds(
      this.Tensor,
      encodePrompt(prompt, family, frame, { decoderInputNames: this.decoder.inputNames, ...options }),
    );
    for (const [name, t] of Object.entries(embedding.tensors)) feeds[name] = new this.Tensor('float32', t.data, t.dims);
    const runStarted = performance.now();
    const results = await this.decoder.run(feeds);
    const decoderRunMs = performance.now() - runStarted;
    // Outputs under the family's canonical names, whatever this export calls them.
    const outputs: DecoderOutputs = {};
    const { lowResMasks, iouPredictions, masks } = family.decoder;
    for (const spec of [lowResMasks, iouPredictions, ...(masks ? [masks] : [])]) {
      const name = resolveTensorName(spec, this.decoder.outputNames);
      const t = name === undefined ? undefined : results[name];
      if (t) outputs[spec.name] = toPlain(t, spec.name);
    }
    return { candidates: decodeCandidates(outputs, family, frame), frame, decoderRunMs };
  }

  /** Decodes a prompt, chooses a candidate and makes its mask on the image grid (the viewer's path). */
  async decode(embedding: ImageEmbedding, prompt: Prompt, options: DecodeOptions = {}): Promise<DecodeResult> {
    const { candidates, frame, decoderRunMs } = await this.decodeCandidates(embedding, prompt);
    const chosen = selectCandidate(candidates, options.selection ?? 'highest-iou', prompt);
    const mask = this.candidateMask(frame.imageWidth, frame.imageHeight, chosen, prompt, options.cleanup);
    return { candidates, chosen, mask, decoderRunMs };
  }

  /**
   * One candidate as a binary mask on the image grid (uint8[H*W]), cleaned up when asked: no decoder
   * run, so showing another candidate of a decode costs only the upsampling.
   */
  candidateMask(
    imageWidth: number,
    imageHeight: number,
    candidate: MaskCandidate,
    prompt: Pick<Prompt, 'points' | 'box'>,
    cleanup?: CleanupOptions,
  ): Uint8Array {
    const frame = this.frame(imageWidth, imageHeight);
    const mask = candidateMask(candidate, this.upsampler(frame, candidate));
    return cleanup ? cleanUpMask(mask, imageWidth, imageHeight, prompt, cleanup) : mask;
  }

  /** Upsamplers hold resampling tables for one image size; reuse them across prompts. */
  private upsampler(frame: ModelFrame, candidate: MaskCandidate): LogitUpsampler {
    const key = `${frame.imageWidth}x${frame.imageHeight}/${candidate.lowResWidth}x${candidate.lowResHeight}`;
    let upsampler = this.upsamplers.get(key);
    if (!upsampler) {
      if (this.upsamplers.size >= 8) this.upsamplers.clear(); // a series has one size; don't hoard tables
      upsampler = new LogitUpsampler(frame, candidate.lowResWidth, candidate.lowResHeight);
      this.upsamplers.set(key, upsampler);
    }
    return upsampler;
  }

  async release(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release(), this.memory?.release()]);
  }
}
