/**
 * Plain tensor data shared by the core and the runtime. The core never imports onnxruntime: it
 * produces feeds in this shape and the runtime wraps each one in an `ort.Tensor(type, data, dims)`.
 */

export type TensorDType = 'float32' | 'int64';

export type FeedTensor =
  { type: 'float32'; data: Float32Array; dims: number[] } | { type: 'int64'; data: BigInt64Array; dims: number[] };

/** Model inputs by graph input name. */
export type Feeds = Record<string, FeedTensor>;

/** A float32 tensor as a session returns it (`ort.Tensor` satisfies this shape). */
export interface OutputTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** Session outputs by graph output name. */
export type DecoderOutputs = Record<string, OutputTensor>;

/** A dimension: a fixed size, or a symbol (e.g. 'N' points) that varies from run to run. */
export type Dim = number | string;

/** What a model graph's input or output must look like: a loader checks name, dtype and rank. */
export interface TensorSpec {
  name: string;
  /** Other names that exports of the same family use for this tensor. */
  alternativeNames?: readonly string[];
  dtype: TensorDType;
  /** The rank is `dims.length`; symbolic entries are not checked. */
  dims: readonly Dim[];
  /** The graph may lack this input; a feed is only built when it is present. */
  optional?: boolean;
}
