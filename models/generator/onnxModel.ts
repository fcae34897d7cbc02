/**
 * Builds ONNX models (ModelProto bytes) from a small declarative description.
 *
 * The project generates its own test and default models instead of shipping opaque binaries:
 * each graph is readable TypeScript, reproducible, and has exactly the input/output names, dtypes
 * and shapes of the SAM family it stands in for (see docs of `sam-formats`).
 * Field numbers follow onnx/onnx.proto (IR version 8).
 */
import { ProtoWriter } from './protobufWriter';

export const ELEM_TYPES = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
} as const;
export type ElemType = keyof typeof ELEM_TYPES;

/** A dimension: a fixed size or a symbolic name (e.g. 'num_points'). */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  type: ElemType;
  shape: Dim[];
}

export interface Tensor {
  name: string;
  type: 'float32' | 'int64' | 'int32';
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array;
}

export type Attribute =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'tensor'; value: Tensor };

export const attr = {
  float: (value: number): Attribute => ({ kind: 'float', value }),
  int: (value: number): Attribute => ({ kind: 'int', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  floats: (value: number[]): Attribute => ({ kind: 'floats', value }),
  ints: (value: number[]): Attribute => ({ kind: 'ints', value }),
  tensor: (value: Tensor): Attribute => ({ kind: 'tensor', value }),
};

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, Attribute>;
  name?: string;
}

export interface Graph {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Node[];
  initializers?: Tensor[];
}

export interface ModelOptions {
  opset?: number;
  producer?: string;
  docString?: string;
  /** Free-form key/value metadata stored in the model (e.g. the family it imitates). */
  metadata?: Record<string, string>;
}

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function writeTensor(w: ProtoWriter, t: Tensor): void {
  w.packedInts(1, t.dims);
  w.int(2, ELEM_TYPES[t.type]);
  w.string(8, t.name);
  // raw_data is little-endian, which is what typed arrays hold on every platform we run on.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function writeAttribute(w: ProtoWriter, name: string, a: Attribute): void {
  w.string(1, name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, a.value));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedInts(8, a.value);
      break;
  }
  w.int(20, ATTRIBUTE_TYPE[a.kind]);
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, ELEM_TYPES[v.type]);
      tensorType.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

function writeNode(w: ProtoWriter, n: Node, index: number): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.op}_${index}`);
  w.string(4, n.op);
  for (const [name, a] of Object.entries(n.attributes ?? {})) {
    w.message(5, (aw) => writeAttribute(aw, name, a));
  }
}

/** Serialises a graph as an ONNX model file (the bytes of a `.onnx`). */
export function encodeModel(graph: Graph, options: ModelOptions = {}): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, 8); // ir_version
  w.string(2, options.producer ?? 'ohif-sam model generator');
  if (options.docString) w.string(6, options.docString);
  w.message(7, (g) => {
    graph.nodes.forEach((n, i) => g.message(1, (nw) => writeNode(nw, n, i)));
    g.string(2, graph.name);
    for (const t of graph.initializers ?? []) g.message(5, (tw) => writeTensor(tw, t));
    for (const v of graph.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of graph.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => o.string(1, '').int(2, options.opset ?? 17));
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    w.message(14, (m) => m.string(1, key).string(2, value));
  }
  return w.finish();
}

export const tensor = {
  float32: (name: string, dims: number[], data: ArrayLike<number>): Tensor => ({
    name,
    type: 'float32',
    dims,
    data: Float32Array.from(data),
  }),
  int64: (name: string, dims: number[], data: ArrayLike<number>): Tensor => ({
    name,
    type: 'int64',
    dims,
    data: BigInt64Array.from(Array.from(data, (v) => BigInt(v))),
  }),
};
