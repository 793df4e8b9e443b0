// The job protocol on the control block that the calling thread and its helpers share: a job is
// published under a new generation, its parts are claimed one by one (claim), helpers are admitted
// to it (admitted) and wait between jobs (nextJob). parallel.ts says what a job computes; this file
// only how threads agree on who computes which part. Every thread runs its own instance of the
// module on one shared memory, so the globals here are per thread.

// Control block: byte offsets from controlPtr (JavaScript allocates CONTROL_BYTES, zeroed).
const C_GENERATION: usize = 0; // i32, bumped for every job; idle helpers wait on it
const C_SLEEPERS: usize = 4;   // i32, helpers blocked in wait (a notify is needed only then)
const C_EPOCH: usize = 8;      // i32, the pool's epoch; helpers of an older epoch leave
const C_ALIVE: usize = 12;     // i32, helpers inside helperLoop
const C_DONE: usize = 16;      // i32, parts of the current job finished
const C_ADMIT: usize = 20;     // i32, helpers the job may use (the network's threads − 1)
const C_KIND: usize = 24;      // i32, what the job computes (parallel.ts's JOB_*)
const C_ARGS: usize = 28;      // 10 × i32 arguments of the job
const C_CLAIM: usize = 72;     // i64, generation << 32 | the parts of that job left to take (openClaims)
const C_TICKETS: usize = 80;   // i64, generation << 32 | helpers admitted to that job
const C_HELPED: usize = 88;    // i32, parts computed by helpers since the engine started (tests read it)
export const CONTROL_BYTES: i32 = 128;

// Blocking, waking and the clock go through JavaScript (Atomics.wait and Atomics.notify on the word
// at Int32 index `index` of the memory, performance.now): V8's baseline compiler in Node 20 corrupts
// locals that are live across memory.atomic.wait32 in a loop (seen here; a call keeps them safe).
// @ts-ignore: decorator
@external("env", "sleep") declare function sleep(index: i32, expected: i32): void;
// @ts-ignore: decorator
@external("env", "wake") declare function wake(index: i32, count: i32): void;
// @ts-ignore: decorator
@external("env", "now") declare function now(): f64;

// How long an idle helper spins before it sleeps, in milliseconds: at most SPIN_MS_MAX (long enough
// to stay awake between the batches of an epoch, whose gaps are far shorter than the time a
// sleeping helper takes to wake), and twice the helper's last wait for a job when that wait was
// short; after a wait longer than SPIN_MS_MAX (training stopped, or another copy of the library, or
// another program, has the cores) it sleeps at once. A spinning helper competes for a core with
// whatever it waits for, on a busy machine with the neighbour it waits on.
const SPIN_MS_MAX: f64 = 1;
// Spins between two looks at the clock (a call into JavaScript, far dearer than a spin).
const SPINS_PER_LOOK: i32 = 1024;

let controlPtr: usize = 0;
// The part this thread takes first in every job (claim): 0 for the caller, 1, 2, … for helpers in
// the order they started.
let home: i32 = 0;
// This helper's spin before sleeping, in milliseconds (see SPIN_MS_MAX).
let patience: f64 = SPIN_MS_MAX;

// Points this instance at the control block shared by the caller and its helpers.
export function setControl(control: usize): void {
  controlPtr = control;
}

// @ts-ignore: decorator
@inline export function arg(i: i32): i32 { return load<i32>(controlPtr + C_ARGS + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function setArg(i: i32, value: i32): void { store<i32>(controlPtr + C_ARGS + (<usize>i << 2), value); }
// @ts-ignore: decorator
@inline export function jobKind(): i32 { return load<i32>(controlPtr + C_KIND); }

// Lowers argument slot i to `value` if it is smaller (parts that found something race to report it).
export function lowerArg(i: i32, value: i32): void {
  const at = controlPtr + C_ARGS + (<usize>i << 2);
  for (let seen = atomic.load<i32>(at); value < seen; ) {
    const was = atomic.cmpxchg<i32>(at, seen, value);
    if (was == seen) return;
    seen = was;
  }
}

// The low half of the claim word of a job of `parts` parts, none taken yet. Up to 31 parts: a mask
// of the parts taken, whose bits beyond the last part are set from the start. Beyond: bit 31, the
// part count in bits 16-30 and the parts taken below. Either way the word alone says which parts
// its job has: a helper that saw a job late never reads a part count that a newer job may already
// have written.
// @ts-ignore: decorator
@inline function openClaims(parts: i32): u32 {
  return parts <= 31 ? ~((<u32>1 << parts) - 1) & 0x7fffffff : 0x80000000 | (<u32>parts << 16);
}

// Publishes the job whose kind is `kind` and whose arguments are set, in `parts` parts, for
// `helpers` helpers besides the caller; returns its generation.
export function publish(kind: i32, parts: i32, helpers: i32): i32 {
  const c = controlPtr;
  store<i32>(c + C_KIND, kind);
  store<i32>(c + C_ADMIT, helpers);
  atomic.store<i32>(c + C_DONE, 0);
  const generation = atomic.load<i32>(c + C_GENERATION) + 1;
  atomic.store<i64>(c + C_TICKETS, (<i64>generation) << 32);
  atomic.store<i64>(c + C_CLAIM, ((<i64>generation) << 32) | <i64>openClaims(parts));
  atomic.store<i32>(c + C_GENERATION, generation);
  if (atomic.load<i32>(c + C_SLEEPERS) > 0) wake(<i32>((c + C_GENERATION) >> 2), helpers);
  return generation;
}

// The next unclaimed part of job `generation`, or −1 when there is none (or a newer job began: a
// helper that woke late can never take a part of a job whose arguments it did not read). Each
// thread takes its own part `home` first when it is free: the same thread then computes the same
// band from one batch to the next (the gradient rows of W, then the step on those rows) and finds
// it in its own cache. Beyond 31 parts they are taken in order.
export function claim(generation: i32): i32 {
  const at = controlPtr + C_CLAIM;
  for (;;) {
    const word = atomic.load<i64>(at);
    if (<i32>(word >>> 32) != generation) return -1;
    const low = <u32>word;
    let part: i32, next: i64;
    if (low & 0x80000000) {
      part = <i32>(low & 0xffff);
      if (part >= <i32>((low >>> 16) & 0x7fff)) return -1;
      next = word + 1;
    } else {
      const free = ~low & 0x7fffffff;
      if (free == 0) return -1;
      part = home < 31 && (free & (<u32>1 << home)) != 0 ? home : <i32>ctz(free);
      next = word | (<i64>1 << part);
    }
    if (atomic.cmpxchg<i64>(at, word, next) == word) return part;
  }
  return -1; // not reached
}

// Counts a part as finished.
export function partDone(): void {
  atomic.add<i32>(controlPtr + C_DONE, 1);
}

// Returns once `parts` parts of the current job are finished (the helpers' last ones).
export function awaitParts(parts: i32): void {
  while (atomic.load<i32>(controlPtr + C_DONE) < parts) { /* helpers finish the parts they claimed */ }
}

// Whether a helper that saw job `generation` may work on it: a ticket of that job (its word carries
// the generation, so a helper that comes late cannot take the ticket of the job after it), while
// fewer than the job's admitted helpers hold one.
export function admitted(generation: i32): bool {
  const at = controlPtr + C_TICKETS;
  for (;;) {
    const word = atomic.load<i64>(at);
    if (<i32>(word >>> 32) != generation || <i32>word >= load<i32>(controlPtr + C_ADMIT)) return false;
    if (atomic.cmpxchg<i64>(at, word, word + 1) == word) return true;
  }
  return false; // not reached
}

// A helper's entry into helperLoop: its home part, and the generation it has seen.
export function helperEnter(): i32 {
  home = atomic.add<i32>(controlPtr + C_ALIVE, 1) + 1;
  return atomic.load<i32>(controlPtr + C_GENERATION);
}

// A helper's exit from helperLoop.
export function helperLeave(): void {
  atomic.sub<i32>(controlPtr + C_ALIVE, 1);
}

// Waits for a job newer than `seen` (spinning, then sleeping: patience) and returns its generation
// (or the bump of stopHelpers: the caller then checks the epoch).
export function nextJob(seen: i32): i32 {
  const c = controlPtr;
  const started = now();
  let generation = atomic.load<i32>(c + C_GENERATION);
  let spins = 0;
  while (generation == seen) {
    if (++spins == SPINS_PER_LOOK) {
      spins = 0;
      if (now() - started >= patience) {
        atomic.add<i32>(c + C_SLEEPERS, 1);
        sleep(<i32>((c + C_GENERATION) >> 2), seen);
        atomic.sub<i32>(c + C_SLEEPERS, 1);
      }
    }
    generation = atomic.load<i32>(c + C_GENERATION);
  }
  const waited = now() - started;
  patience = waited < SPIN_MS_MAX ? min(SPIN_MS_MAX, 2 * waited) : 0;
  return generation;
}

// Counts parts that a helper computed.
export function countHelped(parts: i32): void {
  atomic.add<i32>(controlPtr + C_HELPED, parts);
}

// The pool's epoch, handed to each helper it starts (helperLoop leaves once it moves on).
export function helperEpoch(): i32 {
  return atomic.load<i32>(controlPtr + C_EPOCH);
}

// Parts of products that helpers computed since the engine started (so tests can tell that the
// threads really shared the work).
export function helperParts(): i32 {
  return atomic.load<i32>(controlPtr + C_HELPED);
}

// The part a helper that saw job `generation` would take now, or −1 (tests check that a late
// helper takes nothing of a finished job).
export function testClaim(generation: i32): i32 {
  return claim(generation);
}

// Ends every helper of the current epoch and returns once none is left in helperLoop (so their
// scratch can be reused). Helpers started later, with this older epoch, leave at once.
export function stopHelpers(): void {
  const c = controlPtr;
  atomic.add<i32>(c + C_EPOCH, 1);
  atomic.add<i32>(c + C_GENERATION, 1);
  wake(<i32>((c + C_GENERATION) >> 2), -1);
  while (atomic.load<i32>(c + C_ALIVE) > 0) { /* each helper leaves within one part */ }
}
