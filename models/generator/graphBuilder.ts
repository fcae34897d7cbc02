/**
 * A small helper for writing ONNX graphs by hand: every `op` call appends one node with a fresh,
 * readable output name and returns that name, so a graph reads like straight-line code:
 *
 *   const d = g.op('Sub', [a, b]);
 *   const d2 = g.op('Mul', [d, d]);
 *
 * Constants become initializers (`g.f32`, `g.i64`). `g.output(name, value)` gives a computed value
 * its public output name. The result is the `Graph` that `encodeModel` writes.
 */
import type { Attribute, Graph, Node, Tensor, ValueInfo } from './onnxModel';
import { attr, tensor } from './onnxModel';

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  private readonly counters = new Map<string, number>();

  /** `prefix` keeps the names of two builders' values apart (not needed for one graph). */
  constructor(private readonly prefix = '') {}

  private fresh(base: string): string {
    const n = (this.counters.get(base) ?? 0) + 1;
    this.counters.set(base, n);
    return `${this.prefix}${base}_${n}`;
  }

  /** Appends a node with one output and returns the output's name. `hint` names it for readers. */
  op(op: string, inputs: string[], attributes?: Record<string, Attribute>, hint?: string): string {
    const out = this.fresh(hint ?? op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attributes, name: `${out}_node` });
    return out;
  }

  /** A float32 constant; a plain number is a scalar (rank 0, broadcasts against anything). */
  f32(values: number | ArrayLike<number>, dims?: number[], hint = 'const'): string {
    const data = typeof values === 'number' ? [values] : values;
    const name = this.fresh(hint);
    this.initializers.push(tensor.float32(name, dims ?? (typeof values === 'number' ? [] : [data.length]), data));
    return name;
  }

  /** An int64 constant (shapes, axes, indices); a plain number is a scalar. */
  i64(values: number | ArrayLike<number>, dims?: number[], hint = 'const_i64'): string {
    const data = typeof values === 'number' ? [values] : values;
    const name = this.fresh(hint);
    this.initializers.push(tensor.int64(name, dims ?? (typeof values === 'number' ? [] : [data.length]), data));
    return name;
  }

  /**
   * Makes `value` the graph output `name`: the node that computes it writes `name` directly (and its
   * readers read `name`). No Identity node, which ORT's WebGPU backend has no kernel for. A graph
   * input or initializer is passed through an Identity instead.
   */
  output(name: string, value: string): void {
    if (!this.nodes.some((n) => n.outputs.includes(value))) {
      this.nodes.push({ op: 'Identity', inputs: [value], outputs: [name], name: `${name}_output` });
      return;
    }
    for (const n of this.nodes) {
      n.inputs = n.inputs.map((v) => (v === value ? name : v));
      n.outputs = n.outputs.map((v) => (v === value ? name : v));
    }
  }

  // Shorthands for the ops the SAM-like graphs use most.
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  /** `a * k` for a number `k`. */
  scale(a: string, k: number): string {
    return this.mul(a, this.f32(k));
  }
  square(a: string): string {
    return this.mul(a, a);
  }
  /** Clip to [lo, hi]; `undefined` leaves that side open. */
  clip(a: string, lo?: number, hi?: number): string {
    return this.op('Clip', [a, lo === undefined ? '' : this.f32(lo), hi === undefined ? '' : this.f32(hi)]);
  }
  /** Cast a boolean to float32 (0 / 1). */
  toFloat(a: string): string {
    return this.op('Cast', [a], { to: attr.int(1) });
  }
  reshape(a: string, shape: number[]): string {
    return this.op('Reshape', [a, this.i64(shape)]);
  }
  transpose(a: string, perm: number[]): string {
    return this.op('Transpose', [a], { perm: attr.ints(perm) });
  }
  unsqueeze(a: string, axes: number[]): string {
    return this.op('Unsqueeze', [a, this.i64(axes)]);
  }
  /** ReduceSum (opset 13+: axes is an input). */
  reduceSum(a: string, axes: number[], keepdims: boolean): string {
    return this.op('ReduceSum', [a, this.i64(axes)], { keepdims: attr.int(keepdims ? 1 : 0) });
  }
  /** ReduceMean (up to opset 17: axes is an attribute). */
  reduceMean(a: string, axes: number[], keepdims: boolean): string {
    return this.op('ReduceMean', [a], { axes: attr.ints(axes), keepdims: attr.int(keepdims ? 1 : 0) });
  }
  /** Gather one index along `axis`, dropping that axis. */
  pick(a: string, index: number, axis: number): string {
    return this.op('Gather', [a, this.i64(index)], { axis: attr.int(axis) });
  }
  /** Slice `[start, end)` along `axis`. */
  slice(a: string, start: number, end: number, axis: number): string {
    return this.op('Slice', [a, this.i64([start]), this.i64([end]), this.i64([axis])]);
  }

  /** The finished graph, ready for `encodeModel`. */
  graph(name: string, inputs: ValueInfo[], outputs: ValueInfo[]): Graph {
    return { name, inputs, outputs, nodes: this.nodes, initializers: this.initializers };
  }
}
