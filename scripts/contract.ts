// npm run asbuild's first step: writes both sides' accessors of src/abi/contract.ts, from the same
// offsets (src/abi/fields.ts's layoutOf):
// - assembly/contract.generated.ts: the descriptor and the quantized layer record as @unmanaged
//   classes whose @inline accessors load and store at those offsets, the kind codes and the shared
//   constants;
// - src/abi/views.generated.ts: TypeScript view classes over an engine's memory, one getter and
//   setter per field at its constant offset (src/abi/descriptor.ts types and hands them out), and
//   the records' sizes as numbers, so that the bundle carries no field table.
// Neither file is committed: both are rewritten from the contract before every compile, so neither
// can go stale. Run as `node scripts/run.mjs scripts/contract.ts`; a file is rewritten only when
// its text changes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  ACTIVATIONS,
  HEADER,
  LAYER,
  LOSSES,
  OPTIMIZERS,
  QUANT_LAYER,
  SHARED,
  type FieldType,
} from '../src/abi/contract.js';
import { SIZE, layoutOf } from '../src/abi/fields.js';

// the records' sizes, written into both files as numbers
const HEADER_BYTES = layoutOf(HEADER).bytes;
const LAYER_BYTES = layoutOf(LAYER).bytes;
const QUANT_LAYER_BYTES = layoutOf(QUANT_LAYER).bytes;

const NOTICE = (what: string): string =>
  `// Generated from src/abi/contract.ts by scripts/contract.ts in npm run asbuild: edit the contract,
// not this file. ${what}
`;

// ---- AssemblyScript --------------------------------------------------------------------------

const AS_TYPES: Record<FieldType, string> = { i32: 'i32', f32: 'f32', ptr: 'usize', f64: 'f64' };
const INLINE = '  // @ts-ignore: decorator\n  @inline';

/** A getter and a setter per field, at the field's byte offset from the record's address. */
function assemblyAccessors(fields: Record<string, FieldType>): string {
  const { at } = layoutOf(fields);
  return Object.entries(fields)
    .map(([name, type]) => {
      const t = AS_TYPES[type],
        offset = at[name];
      return (
        `${INLINE} get ${name}(): ${t} { return load<${t}>(changetype<usize>(this), ${offset}); }\n` +
        `${INLINE} set ${name}(value: ${t}) { store<${t}>(changetype<usize>(this), value, ${offset}); }`
      );
    })
    .join('\n');
}

/** `PREFIX_NAME: i32 = code` for each public name ('leaky-relu' → ACT_LEAKY_RELU). */
const codes = (prefix: string, names: readonly string[]): string =>
  names
    .map((name, code) => `export const ${prefix}_${name.toUpperCase().replace(/-/g, '_')}: i32 = ${code};`)
    .join('\n');

const assembly = `${NOTICE(`A Descriptor, LayerRecord or QuantLayerRecord is an address
// (changetype<Descriptor>(ptr)) whose fields load and store where TypeScript's views
// (src/abi/views.generated.ts) read and write them.`)}
export const HEADER_BYTES: usize = ${HEADER_BYTES};
export const LAYER_BYTES: usize = ${LAYER_BYTES};
export const QUANT_LAYER_BYTES: usize = ${QUANT_LAYER_BYTES};

// @ts-ignore: decorator
@unmanaged export class Descriptor {
${assemblyAccessors(HEADER)}
${INLINE} layer(l: i32): LayerRecord { return changetype<LayerRecord>(changetype<usize>(this) + HEADER_BYTES + <usize>l * LAYER_BYTES); }
}

// @ts-ignore: decorator
@unmanaged export class LayerRecord {
${assemblyAccessors(LAYER)}
}

// @ts-ignore: decorator
@unmanaged export class QuantLayerRecord {
${assemblyAccessors(QUANT_LAYER)}
}

// Record l of the quantized network whose records start at layersPtr.
// @ts-ignore: decorator
@inline export function quantLayer(layersPtr: usize, l: i32): QuantLayerRecord {
  return changetype<QuantLayerRecord>(layersPtr + <usize>l * QUANT_LAYER_BYTES);
}

${codes('ACT', ACTIVATIONS)}

${codes('LOSS', LOSSES)}

${codes('OPT', OPTIMIZERS)}

${Object.entries(SHARED)
  .map(([name, value]) => `export const ${name}: i32 = ${value};`)
  .join('\n')}
`;

// ---- TypeScript ----------------------------------------------------------------------------------

/** A getter and a setter per field on the typed array of its type, at its index from the record's start. */
function typescriptAccessors(fields: Record<string, FieldType>): string {
  const { at } = layoutOf(fields);
  return Object.entries(fields)
    .map(([name, type]) => {
      const array = type === 'ptr' ? 'i32' : type;
      const index = at[name]! / SIZE[type];
      const element = type === 'f64' ? `(this.word >> 1) + ${index}` : `this.word + ${index}`;
      return (
        `  get ${name}(): number {\n    return this.memory.${array}[${element}]!;\n  }\n` +
        `  set ${name}(value: number) {\n    this.memory.${array}[${element}] = value;\n  }`
      );
    })
    .join('\n');
}

const RECORD = `  /** the record's address in 32-bit words */
  private readonly word: number;
  constructor(
    private readonly memory: MemoryViews,
    readonly ptr: number,
  ) {
    this.word = ptr >> 2;
  }`;

const typescript = `${NOTICE(`The view classes over an engine's memory (src/abi/descriptor.ts hands them
// out): one getter and setter per field at its constant offset, as the kernels' accessors.`)}
import type { MemoryViews } from './fields.js';

/** Bytes of the header; layer record l starts HEADER_BYTES + l·LAYER_BYTES after the descriptor. */
export const HEADER_BYTES = ${HEADER_BYTES};
export const LAYER_BYTES = ${LAYER_BYTES};
/** Bytes of a quantized layer record; record l of a quantized network starts l·QUANT_LAYER_BYTES after the first. */
export const QUANT_LAYER_BYTES = ${QUANT_LAYER_BYTES};

export class LayerRecord {
${RECORD}
${typescriptAccessors(LAYER)}
}

export class QuantLayerRecord {
${RECORD}
${typescriptAccessors(QUANT_LAYER)}
}

export class Descriptor {
${RECORD}
  // each layer's view is made once, on first use
  private readonly records: LayerRecord[] = [];
  layer(l: number): LayerRecord {
    return (this.records[l] ??= new LayerRecord(this.memory, this.ptr + ${HEADER_BYTES} + l * ${LAYER_BYTES}));
  }
${typescriptAccessors(HEADER)}
}
`;

for (const [file, text] of [
  ['assembly/contract.generated.ts', assembly],
  ['src/abi/views.generated.ts', typescript],
] as const) {
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
}
