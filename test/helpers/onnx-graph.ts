// Editing an exported ONNX file the way another producer would have written it: nodes with float32
// constants inserted after a named value, metadata entries replaced. For tests of what the importer
// reads beyond simdnet's own exports.
import { ModelProto } from '../../src/interop/onnx-schema.js';

interface NodeJSON {
  opType: string;
  name: string;
  input: string[];
  output: string[];
  attribute?: { name: string; type: number; f?: number; i?: number }[];
}
interface ModelJSON {
  graph: {
    node: NodeJSON[];
    initializer: { name: string; dims: number[]; dataType: number; rawData: Uint8Array }[];
  };
  metadataProps: { key: string; value: string }[];
}

/** A node to insert: its op, its name, and its constant operands (each a row of float32 values). */
export interface Inserted {
  opType: string;
  name: string;
  constants?: number[][];
  attribute?: NodeJSON['attribute'];
}

/** The file with `nodes` chained after the value `after` (the graph's output keeps its name). */
export function insertAfter(bytes: Uint8Array, after: string, nodes: Inserted[]): Uint8Array {
  const m = ModelProto.decode(bytes) as unknown as ModelJSON;
  const g = m.graph;
  const at = g.node.findIndex((n) => n.output[0] === after);
  if (at < 0) throw new Error(`no node writes '${after}'`);
  let x = `${after}.before`;
  g.node[at]!.output = [x];
  const added = nodes.map((n, k) => {
    const inputs = (n.constants ?? []).map((values, c) => {
      const name = `${n.name}.c${c}`;
      const rawData = new Uint8Array(Float32Array.from(values).buffer);
      g.initializer.push({ name, dims: [values.length], dataType: 1, rawData });
      return name;
    });
    const output = k === nodes.length - 1 ? after : `${n.name}.out`;
    const node = {
      opType: n.opType,
      name: n.name,
      input: [x, ...inputs],
      output: [output],
      attribute: n.attribute ?? [],
    };
    x = output;
    return node;
  });
  g.node.splice(at + 1, 0, ...added);
  return ModelProto.encode(m as never).finish();
}

/** The file's metadata_props as a map. */
export function metadataOf(bytes: Uint8Array): Map<string, string> {
  const m = ModelProto.decode(bytes) as unknown as ModelJSON;
  return new Map(m.metadataProps.map((p) => [p.key, p.value]));
}

/** The file with its metadata_props replaced by `entries` (a value of undefined removes the key). */
export function withMetadata(bytes: Uint8Array, entries: Record<string, string | undefined>): Uint8Array {
  const m = ModelProto.decode(bytes) as unknown as ModelJSON;
  const kept = m.metadataProps.filter((p) => !(p.key in entries));
  const added = Object.entries(entries)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([key, value]) => ({ key, value }));
  m.metadataProps = [...kept, ...added];
  return ModelProto.encode(m as never).finish();
}

/** The graph's node ops in order, and its input's and output's names and doc strings. */
export function graphOf(bytes: Uint8Array): {
  ops: string[];
  input: { name: string; docString: string };
  output: { name: string; docString: string };
} {
  const m = ModelProto.decode(bytes) as unknown as {
    graph: {
      node: NodeJSON[];
      input: { name: string; docString: string }[];
      output: { name: string; docString: string }[];
    };
  };
  const { node, input, output } = m.graph;
  return {
    ops: node.map((n) => n.opType),
    input: { name: input[0]!.name, docString: input[0]!.docString },
    output: { name: output[0]!.name, docString: output[0]!.docString },
  };
}
