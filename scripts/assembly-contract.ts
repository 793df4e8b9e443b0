// npm run asbuild's first step: writes assembly/contract.generated.ts, the AssemblyScript side of
// src/abi/contract.ts: the descriptor as @unmanaged classes whose @inline accessors load and store
// at the offsets TypeScript's views use (layoutOf), the kind codes and the shared constants. The file
// is not committed: it is rewritten from the contract before every compile, so it cannot go stale.
// Run as `node scripts/run.mjs scripts/assembly-contract.ts`; it rewrites the file only when its text changes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ACTIVATIONS, HEADER, LAYER, LOSSES, OPTIMIZERS, SHARED, type FieldType } from '../src/abi/contract.js';
import { HEADER_BYTES, LAYER_BYTES, layoutOf } from '../src/abi/descriptor.js';

const OUT = 'assembly/contract.generated.ts';
const TYPES: Record<FieldType, string> = { i32: 'i32', f32: 'f32', ptr: 'usize', f64: 'f64' };
const INLINE = '  // @ts-ignore: decorator\n  @inline';

/** A getter and a setter per field, at the field's byte offset from the record's address. */
function accessors(fields: Record<string, FieldType>): string {
  const { at } = layoutOf(fields);
  return Object.entries(fields)
    .map(([name, type]) => {
      const t = TYPES[type],
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

function assemblyContract(): string {
  return `// Generated from src/abi/contract.ts by scripts/assembly-contract.ts in npm run asbuild: edit the
// contract, not this file. A Descriptor or LayerRecord is an address (changetype<Descriptor>(ptr))
// whose fields load and store where TypeScript's views (src/abi/descriptor.ts) read and write them.

export const HEADER_BYTES: usize = ${HEADER_BYTES};
export const LAYER_BYTES: usize = ${LAYER_BYTES};

// @ts-ignore: decorator
@unmanaged export class Descriptor {
${accessors(HEADER)}
${INLINE} layer(l: i32): LayerRecord { return changetype<LayerRecord>(changetype<usize>(this) + HEADER_BYTES + <usize>l * LAYER_BYTES); }
}

// @ts-ignore: decorator
@unmanaged export class LayerRecord {
${accessors(LAYER)}
}

${codes('ACT', ACTIVATIONS)}

${codes('LOSS', LOSSES)}

${codes('OPT', OPTIMIZERS)}

${Object.entries(SHARED)
  .map(([name, value]) => `export const ${name}: i32 = ${value};`)
  .join('\n')}
`;
}

const text = assemblyContract();
if (!existsSync(OUT) || readFileSync(OUT, 'utf8') !== text) writeFileSync(OUT, text);
