/**
 * Checks a loaded graph's inputs and outputs against what its family needs, before any inference:
 * a wrong file (an encoder given as decoder, another family's export, a truncated graph) is refused
 * with a message that names every mismatch, instead of failing later with a bare exception number.
 */
import { ENCODER_INPUTS, ENCODER_INPUT_LAYOUTS, graphSpecs, withPreprocessing, type ModelFamily } from '../families';
import type { Dim, TensorSpec } from '../tensors';
import { FILE_ROLE_NAMES, type GraphRole } from './modelManifest';

/** What a session reports about one input or output (onnxruntime's `inputMetadata` reduces to this). */
export interface GraphTensorInfo {
  name: string;
  /** 'float32', 'int64', ...; undefined when the runtime does not say. */
  dtype?: string;
  /** Dimensions, with symbolic names as strings; undefined when unknown. */
  dims?: readonly Dim[];
}

export interface GraphDescription {
  inputs: readonly GraphTensorInfo[];
  outputs: readonly GraphTensorInfo[];
}

export class GraphMismatchError extends Error {
  constructor(
    readonly problems: string[],
    context: string,
  ) {
    super(`${context} does not match its model family:\n  - ${problems.join('\n  - ')}`);
    this.name = 'GraphMismatchError';
  }
}

function describe(spec: TensorSpec): string {
  return `${spec.name} ${spec.dtype}[${spec.dims.join(',')}]`;
}

/** The graph's tensor for a spec: its name first, then its alternative names, in that order. */
function findTensor(spec: TensorSpec, available: readonly GraphTensorInfo[]): GraphTensorInfo | undefined {
  for (const name of [spec.name, ...(spec.alternativeNames ?? [])]) {
    const found = available.find((t) => t.name === name);
    if (found) return found;
  }
  return undefined;
}

/** The name a loaded graph uses for a spec (its own or an alternative), or undefined. */
export function resolveTensorName(spec: TensorSpec, names: readonly string[]): string | undefined {
  return findTensor(
    spec,
    names.map((name) => ({ name })),
  )?.name;
}

function compare(spec: TensorSpec, actual: GraphTensorInfo, kind: string): string[] {
  const problems: string[] = [];
  if (actual.dtype !== undefined && actual.dtype !== spec.dtype) {
    problems.push(`${kind} ${actual.name} is ${actual.dtype}, expected ${spec.dtype}`);
  }
  if (actual.dims !== undefined) {
    // Only fixed sizes on both sides are compared: exports name their dynamic axes freely.
    const sizeMismatch = spec.dims.some(
      (d, i) => typeof d === 'number' && typeof actual.dims![i] === 'number' && actual.dims![i] !== d,
    );
    if (actual.dims.length !== spec.dims.length || sizeMismatch) {
      problems.push(`${kind} ${actual.name} is [${actual.dims.join(',')}], expected ${describe(spec)}`);
    }
  }
  return problems;
}

/**
 * When an encoder's pixel input fits another encoder input layout than the model's, says which and how to
 * declare it (e.g. an HWC 0-255 MobileSAM export under a manifest entry that expects NCHW).
 */
function layoutHint(family: ModelFamily, actual: GraphTensorInfo): string | undefined {
  for (const layout of ENCODER_INPUT_LAYOUTS) {
    if (layout === family.preprocess.encoderInput) continue;
    const other = withPreprocessing(family, { encoderInput: layout }).encoder.image;
    if (compare(other, actual, 'input').length === 0) {
      return (
        `this encoder takes ${ENCODER_INPUTS[layout].description}, not ` +
        `${ENCODER_INPUTS[family.preprocess.encoderInput].description}: if that is the model's format, set ` +
        `"preprocess": { "encoderInput": "${layout}" } in its manifest entry`
      );
    }
  }
  return undefined;
}

/** Lists every difference between a graph and its family's expectations (empty when it fits). */
export function graphProblems(family: ModelFamily, role: GraphRole, graph: GraphDescription): string[] {
  const expected = graphSpecs(family)[role];
  const problems: string[] = [];
  for (const spec of expected.inputs) {
    const actual = findTensor(spec, graph.inputs);
    if (!actual) {
      if (!spec.optional) problems.push(`missing input ${describe(spec)}`);
      continue;
    }
    const mismatches = compare(spec, actual, 'input');
    const hint = mismatches.length > 0 && spec === family.encoder.image ? layoutHint(family, actual) : undefined;
    problems.push(...(hint ? mismatches.map((m) => `${m}; ${hint}`) : mismatches));
  }
  const known = new Set(expected.inputs.flatMap((s) => [s.name, ...(s.alternativeNames ?? [])]));
  for (const extra of graph.inputs.filter((t) => !known.has(t.name))) {
    problems.push(
      `unexpected input ${extra.name} (this family's ${role} takes: ${expected.inputs.map((s) => s.name).join(', ')})`,
    );
  }
  for (const spec of expected.outputs) {
    const actual = findTensor(spec, graph.outputs);
    if (!actual) problems.push(`missing output ${describe(spec)}`);
    else problems.push(...compare(spec, actual, 'output'));
  }
  return problems;
}

/** Throws a GraphMismatchError naming every mismatch. */
export function assertGraphMatchesFamily(
  family: ModelFamily,
  role: GraphRole,
  graph: GraphDescription,
  file: string,
): void {
  const problems = graphProblems(family, role, graph);
  if (problems.length > 0) {
    throw new GraphMismatchError(problems, `The ${FILE_ROLE_NAMES[role]} ${file} (${family.label})`);
  }
}
