/**
 * The 8-bit display image → the encoder's input tensor for a family: resize (letterbox or stretch,
 * bilinear), then, as the family's `encoderInput` says, either normalise and zero-pad bottom/right into
 * `[1,3,S,S]` ('nchw-normalised'), or stop there and hand over the resized 0-255 pixels as `[h,w,3]`
 * ('hwc-resized-0-255': the graph normalises and pads itself). Both come from the same `ModelFrame` and the
 * same resampling, so prompt coordinates and masks map identically.
 */
import type { FeedTensor, Feeds } from '../tensors';
import type { EncoderInputLayout, ModelFamily, PreprocessSpec } from '../families';
import { ModelFrame } from '../geometry/modelFrame';
import { channelAffine, type ChannelAffine } from './normalisation';
import type { DisplayImage } from './displayImage';
import { bilinearTable, resamplePlane } from './resample';

export interface ModelInput {
  // pixel tensor, channels R, G, B: float32[1,3,S,S] normalised and padded ('nchw-normalised'), or
  // float32[resizedHeight,resizedWidth,3] on the 0-255 scale ('hwc-resized-0-255')
  data: Float32Array;
  dims: number[];
  layout: EncoderInputLayout;
  frame: ModelFrame;
}

/** Working memory reusable across calls (one per worker): the output tensor and the resize scratch. */
export interface PreprocessBuffers {
  output?: Float32Array;
  scratch?: Float32Array;
}

/** Minimum and maximum over the resized region of the first `channels` planes. */
function validRange(out: Float32Array, S: number, rw: number, rh: number, channels: number) {
  let min = Infinity;
  let max = -Infinity;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < rh; y++) {
      for (let i = c * S * S + y * S, end = i + rw; i < end; i++) {
        const v = out[i]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
  }
  return { min, max };
}

/**
 * Normalises the valid region of each plane in place, reading each pixel once (a grey image's plane 0
 * also fills planes 1 and 2), and zeroes the padding right of and below it.
 */
function normaliseAndPad(
  out: Float32Array,
  S: number,
  rw: number,
  rh: number,
  grey: boolean,
  { gain, offset }: ChannelAffine,
): void {
  const plane = S * S;
  const p1 = plane;
  const p2 = 2 * plane;
  const g0 = gain[0];
  const g1 = gain[1];
  const g2 = gain[2];
  const o0 = offset[0];
  const o1 = offset[1];
  const o2 = offset[2];
  for (let y = 0; y < rh; y++) {
    const end = y * S + rw;
    if (grey) {
      for (let i = y * S; i < end; i++) {
        const v = out[i]!;
        out[i] = v * g0 + o0;
        out[p1 + i] = v * g1 + o1;
        out[p2 + i] = v * g2 + o2;
      }
    } else {
      for (let i = y * S; i < end; i++) {
        out[i] = out[i]! * g0 + o0;
        out[p1 + i] = out[p1 + i]! * g1 + o1;
        out[p2 + i] = out[p2 + i]! * g2 + o2;
      }
    }
  }
  for (let base = 0; base < 3 * plane; base += plane) {
    if (rw < S) for (let y = 0; y < rh; y++) out.fill(0, base + y * S + rw, base + (y + 1) * S);
    out.fill(0, base + rh * S, base + plane);
  }
}

/**
 * 'hwc-resized-0-255': the resized pixels, interleaved `[h,w,3]`, 0-255, exactly the values the NCHW path
 * normalises (same tables, same scratch), with no padding.
 */
function resizedHwc(image: DisplayImage, spec: PreprocessSpec, frame: ModelFrame, buffers: PreprocessBuffers) {
  const { width, height, channels, data } = image;
  const rw = frame.resizedWidth;
  const rh = frame.resizedHeight;
  const size = rh * rw * 3;
  const out = buffers.output && buffers.output.length === size ? buffers.output : new Float32Array(size);
  const scratch =
    buffers.scratch && buffers.scratch.length >= height * rw ? buffers.scratch : new Float32Array(height * rw);
  buffers.output = out;
  buffers.scratch = scratch;
  const tableX = bilinearTable(width, rw, spec.antialias);
  const tableY = bilinearTable(height, rh, spec.antialias);
  for (let c = 0; c < channels; c++) {
    const src = { offset: c, pixelStride: channels, rowStride: width * channels };
    resamplePlane(data, src, out, { offset: c, pixelStride: 3, rowStride: rw * 3 }, tableX, tableY, scratch);
  }
  if (channels === 1) {
    for (let i = 0; i < size; i += 3) out[i + 1] = out[i + 2] = out[i]!;
  }
  return { data: out, dims: [rh, rw, 3], layout: 'hwc-resized-0-255' as const, frame };
}

export function preprocessImage(
  image: DisplayImage,
  spec: PreprocessSpec,
  buffers: PreprocessBuffers = {},
): ModelInput {
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) {
    throw new Error(`Image data has ${data.length} values; ${width} x ${height} x ${channels} need that many.`);
  }
  const frame = new ModelFrame(width, height, spec);
  if (spec.encoderInput === 'hwc-resized-0-255') return resizedHwc(image, spec, frame, buffers);
  const S = spec.inputSize;
  const plane = S * S;
  const out = buffers.output && buffers.output.length === 3 * plane ? buffers.output : new Float32Array(3 * plane);
  const rw = frame.resizedWidth;
  const rh = frame.resizedHeight;
  const scratchSize = height * rw;
  const scratch =
    buffers.scratch && buffers.scratch.length >= scratchSize ? buffers.scratch : new Float32Array(scratchSize);
  buffers.output = out;
  buffers.scratch = scratch;

  // Resize each source channel into its plane's valid region (a grey image into plane 0 only).
  const tableX = bilinearTable(width, rw, spec.antialias);
  const tableY = bilinearTable(height, rh, spec.antialias);
  for (let c = 0; c < channels; c++) {
    const src = { offset: c, pixelStride: channels, rowStride: width * channels };
    resamplePlane(data, src, out, { offset: c * plane, pixelStride: 1, rowStride: S }, tableX, tableY, scratch);
  }

  // Min-max statistics (MedSAM) are taken over the resized image, as the reference implementation does.
  const range = spec.normalisation.kind === 'min-max' ? validRange(out, S, rw, rh, channels) : { min: 0, max: 0 };
  normaliseAndPad(out, S, rw, rh, channels === 1, channelAffine(spec.normalisation, range));
  return { data: out, dims: [1, 3, S, S], layout: 'nchw-normalised', frame };
}

/** The encoder's feeds: the pixel tensor under the graph's input name (the family's, unless the loader found another). */
export function encoderFeeds(family: ModelFamily, input: ModelInput, inputName = family.encoder.image.name): Feeds {
  if (input.layout !== family.preprocess.encoderInput) {
    throw new Error(
      `The pixel tensor is laid out '${input.layout}', but this model's encoder takes ` +
        `'${family.preprocess.encoderInput}': preprocess with the model's own family (withPreprocessing).`,
    );
  }
  const tensor: FeedTensor = { type: 'float32', data: input.data, dims: [...input.dims] };
  return { [inputName]: tensor };
}
