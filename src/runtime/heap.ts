// One linear memory shared by every network of an engine, with a first-fit allocator in
// JavaScript. Views over memory.buffer are rebuilt in exactly one place (refresh, from grow)
// because memory.grow detaches the old buffer, and a cached view of a detached buffer reads zeros.
// grow is the only place the memory grows: no kernel calls memory.grow (the Wasm builds contain no
// such instruction, test/memory-growth.test.ts), so the getters return the views as they are
// rather than asking memory.buffer (two C++ accessors, ~40 ns) on every use.
import { ALIGN, align } from './layout.js';

/** Bytes per page of WebAssembly memory. */
export const PAGE = 65536;
/** 2 GiB per engine: pointers stay positive in the 32-bit descriptor words read by both engines. */
export const MAX_BYTES = 32768 * PAGE;

export interface LinearMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export class Heap {
  private f32View: Float32Array;
  private i32View: Int32Array;
  private u8View: Uint8Array;
  private f64View: Float64Array;
  // free blocks as [start, end) byte ranges, sorted by start, never adjacent (merged)
  private free: [number, number][] = [];
  private used = new Map<number, number>();

  constructor(
    readonly memory: LinearMemory,
    base: number,
  ) {
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
    this.u8View = new Uint8Array(memory.buffer);
    this.f64View = new Float64Array(memory.buffer);
    const start = align(Math.max(base, ALIGN));
    if (start < memory.buffer.byteLength) this.free.push([start, memory.buffer.byteLength]);
  }

  get f32(): Float32Array {
    return this.f32View;
  }
  get i32(): Int32Array {
    return this.i32View;
  }
  get f64(): Float64Array {
    return this.f64View;
  }
  get u8(): Uint8Array {
    return this.u8View;
  }

  private refresh(): void {
    const buffer = this.memory.buffer;
    this.f32View = new Float32Array(buffer);
    this.i32View = new Int32Array(buffer);
    this.u8View = new Uint8Array(buffer);
    this.f64View = new Float64Array(buffer);
  }

  /** Bytes currently handed out. */
  get allocated(): number {
    let n = 0;
    for (const size of this.used.values()) n += size;
    return n;
  }
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** A zeroed, cache-line-aligned (ALIGN) block of at least `bytes` bytes; grows memory when needed. */
  alloc(bytes: number): number {
    const size = align(Math.max(bytes, ALIGN));
    let ptr = this.take(size);
    if (ptr < 0) {
      this.grow(size);
      ptr = this.take(size);
      if (ptr < 0) throw new RangeError(`simdnet: could not allocate ${size} bytes of Wasm memory`);
    }
    this.used.set(ptr, size);
    this.u8.fill(0, ptr, ptr + size);
    return ptr;
  }

  /** Returns a block to the free list; freeing 0 or an unknown pointer does nothing. */
  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) return;
    this.used.delete(ptr);
    this.insertFree(ptr, ptr + size);
  }

  private take(size: number): number {
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i]!;
      if (block[1] - block[0] >= size) {
        const ptr = block[0];
        block[0] += size;
        if (block[0] === block[1]) this.free.splice(i, 1);
        return ptr;
      }
    }
    return -1;
  }

  private insertFree(start: number, end: number): void {
    const list = this.free;
    let i = 0;
    while (i < list.length && list[i]![0] < start) i++;
    list.splice(i, 0, [start, end]);
    // merge with the next block, then with the previous one
    if (i + 1 < list.length && list[i]![1] === list[i + 1]![0]) {
      list[i]![1] = list[i + 1]![1];
      list.splice(i + 1, 1);
    }
    if (i > 0 && list[i - 1]![1] === list[i]![0]) {
      list[i - 1]![1] = list[i]![1];
      list.splice(i, 1);
    }
  }

  /** Grows memory so that a free block of `size` bytes exists at the end. */
  private grow(size: number): void {
    const old = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tail = last && last[1] === old ? last[1] - last[0] : 0;
    const needed = size - tail;
    // grow by at least a quarter of the current size so that a run of allocations grows rarely
    const want = Math.max(needed, Math.min(old >> 2, MAX_BYTES - old));
    if (old + needed > MAX_BYTES) {
      throw new RangeError(
        `simdnet: needs ${size} more bytes of Wasm memory; the 2 GiB limit allows ${MAX_BYTES - old + tail}`,
      );
    }
    const pages = Math.ceil(want / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      const minimal = Math.ceil(needed / PAGE);
      try {
        this.memory.grow(minimal);
      } catch (err) {
        throw new RangeError(`simdnet: could not grow Wasm memory by ${minimal * PAGE} bytes (${String(err)})`);
      }
    }
    this.refresh();
    this.insertFree(old, this.memory.buffer.byteLength);
  }
}

/** A growable ArrayBuffer with the shape of WebAssembly.Memory, for the 'js' engine. */
export function createLinearMemory(bytes: number): LinearMemory {
  const pages = Math.ceil(bytes / PAGE);
  if (typeof WebAssembly !== 'undefined' && typeof WebAssembly.Memory === 'function') {
    return new WebAssembly.Memory({ initial: pages, maximum: MAX_BYTES / PAGE });
  }
  let buffer = new ArrayBuffer(pages * PAGE);
  return {
    get buffer() {
      return buffer;
    },
    grow(add: number) {
      const old = buffer.byteLength / PAGE;
      const next = new ArrayBuffer(buffer.byteLength + add * PAGE);
      new Uint8Array(next).set(new Uint8Array(buffer));
      buffer = next;
      return old;
    },
  };
}
