/**
 * Seeded, forkable pseudo-random numbers.
 *
 * Generator: xoshiro128** (32-bit words, 128-bit state, period 2^128 − 1), which passes
 * BigCrush and PractRand and is fast in JavaScript because it needs only 32-bit integer
 * operations. Reference: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number
 * generators", ACM Transactions on Mathematical Software 47(4), 2021 (https://prng.di.unimi.it/).
 *
 * Seeding and forking follow the design of numpy's `SeedSequence` (itself after M. E. O'Neill's
 * `seed_seq_fe`): the seed and the fork path (the indices `i` of every `fork(i)` from the root)
 * are hashed into a 128-bit pool, and the generator's state is drawn from that pool. For a
 * non-negative integer seed the initial state equals numpy's
 * `SeedSequence(seed, spawn_key=path).generate_state(4)`, so streams can be cross-checked.
 * Because a stream depends only on (seed, path), `rng.fork(i)` is the same no matter how many
 * numbers the parent has drawn: seed per customer, tree or replicate and results do not depend
 * on order or worker count.
 */
import { InputError, invalidOption } from './errors';
import { checkNumber } from './validate';

/** A seeded stream of random numbers (xoshiro128**). Pass it, never use a global one. */
export interface Rng {
  /** Next uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Next uniform float in [0, 1) with 53 random bits (two 32-bit draws). */
  nextFloat(): number;
  /** An independent child stream determined by this stream's seed path and `i` only. */
  fork(i: number): Rng;
  /** A plain JSON-serialisable snapshot; `rngFromState(state)` resumes exactly here. */
  state(): RngState;
  /** An independent copy at the same position (same future numbers, same forks). */
  clone(): Rng;
}

/** JSON-serialisable snapshot of an {@link Rng}. */
export interface RngState {
  algorithm: 'xoshiro128**';
  /** The root seed given to {@link rng}. */
  seed: number | string;
  /** The fork indices from the root stream to this one (`[]` for the root). */
  path: number[];
  /** The four 32-bit state words of xoshiro128**, as unsigned integers. */
  s: [number, number, number, number];
}

// --- SeedSequence hashing (numpy/randomgen constants) -------------------------------------

const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const POOL_SIZE = 4;

/** Tags that keep non-integer number seeds and string seeds apart from integer seeds. */
const TAG_FLOAT = 0x6c6f6174; // arbitrary constants (ASCII "loat", "strg")
const TAG_STRING = 0x73747267;

/** SeedSequence's hashmix: mixes one word with the running hash constant, kept in pool[4]. */
function hashmix(value: number, pool: Uint32Array): number {
  value = (value ^ pool[POOL_SIZE]) >>> 0;
  pool[POOL_SIZE] = Math.imul(pool[POOL_SIZE], MULT_A);
  value = Math.imul(value, pool[POOL_SIZE]) >>> 0;
  return (value ^ (value >>> 16)) >>> 0;
}

function mix(x: number, y: number): number {
  const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
  return (r ^ (r >>> 16)) >>> 0;
}

/**
 * The entropy pool after absorbing `entropy` (SeedSequence.mix_entropy). Returns 5 words: the
 * 4-word pool and the running hash constant, so that further words (fork indices) can be
 * absorbed incrementally with {@link absorbWord} — exactly as if they had been part of `entropy`.
 */
function mixEntropy(entropy: ArrayLike<number>): Uint32Array {
  const pool = new Uint32Array(POOL_SIZE + 1);
  pool[POOL_SIZE] = INIT_A;
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0, pool);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src], pool));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) absorbWord(pool, entropy[src]);
  return pool;
}

/** Mixes one more entropy word into a pool from {@link mixEntropy}, in place. */
function absorbWord(pool: Uint32Array, word: number): void {
  for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(word, pool));
}

/** Absorbs a fork index (a non-negative safe integer: one or two little-endian words). */
function absorbIndex(pool: Uint32Array, i: number): void {
  absorbWord(pool, i % 0x100000000 >>> 0);
  const hi = Math.floor(i / 0x100000000);
  if (hi > 0) absorbWord(pool, hi >>> 0);
}

/** SeedSequence.generate_state(4): the xoshiro128** state words from a pool. */
function generateState(pool: Uint32Array): [number, number, number, number] {
  let hashConst = INIT_B;
  const out: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    let v = (pool[i % POOL_SIZE] ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_B) >>> 0;
    v = Math.imul(v, hashConst) >>> 0;
    out[i] = (v ^ (v >>> 16)) >>> 0;
  }
  // xoshiro's all-zero state is a fixed point; the hash makes it (nearly) impossible, but guard.
  if ((out[0] | out[1] | out[2] | out[3]) === 0) out[0] = 0x9e3779b9;
  return out;
}

/** The entropy words of a root seed (numpy's layout for non-negative integers: 0 → [0]). */
function seedWords(seed: number | string): number[] {
  const words: number[] = [];
  if (typeof seed === 'number') {
    if (Number.isSafeInteger(seed) && seed >= 0) {
      words.push(seed % 0x100000000 >>> 0);
      const hi = Math.floor(seed / 0x100000000);
      if (hi > 0) words.push(hi >>> 0);
    } else {
      // Any other finite number: its IEEE-754 bits (little-endian words), tagged.
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, seed, true);
      words.push(TAG_FLOAT, view.getUint32(0, true), view.getUint32(4, true));
    }
  } else {
    // Strings: UTF-8 bytes packed little-endian into words, after a tag and the byte length.
    const bytes = Buffer.from(seed, 'utf8');
    words.push(TAG_STRING, bytes.length);
    for (let i = 0; i < bytes.length; i += 4) {
      words.push(
        (bytes[i] | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0,
      );
    }
  }
  return words;
}

/**
 * The pool for a seed and a fork path. numpy pads the root entropy to 4 words before appending
 * the spawn key; the padding only supplies the zeros that mixEntropy uses anyway, so absorbing
 * the path words one by one after the root gives the same pool.
 */
function poolFor(seed: number | string, path: readonly number[]): Uint32Array {
  const pool = mixEntropy(seedWords(seed));
  for (const i of path) absorbIndex(pool, i);
  return pool;
}

// --- the generator --------------------------------------------------------------------------

const TWO_POW_26 = 67108864;
const TWO_POW_M53 = 1 / 9007199254740992;

class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param pool the entropy pool of this stream's (seed, path), for forking
   * @param s the current xoshiro128** state words
   */
  constructor(
    private readonly seed: number | string,
    private readonly path: readonly number[],
    private readonly pool: Uint32Array,
    s: readonly number[],
  ) {
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
    this.s2 = s[2] | 0;
    this.s3 = s[3] | 0;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  nextFloat(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * TWO_POW_26 + b) * TWO_POW_M53;
  }

  fork(i: number): Rng {
    checkForkIndex(i);
    const pool = this.pool.slice();
    absorbIndex(pool, i);
    return new Xoshiro128(this.seed, this.path.concat(i), pool, generateState(pool));
  }

  state(): RngState {
    return {
      algorithm: 'xoshiro128**',
      seed: this.seed,
      path: this.path.slice(),
      s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
    };
  }

  clone(): Rng {
    return new Xoshiro128(this.seed, this.path, this.pool, [this.s0, this.s1, this.s2, this.s3]);
  }
}

function checkSeed(seed: unknown): number | string {
  if (typeof seed === 'string') return seed;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw invalidOption('seed', 'a finite number or a string', seed);
  }
  return seed === 0 ? 0 : seed; // -0 → 0
}

function checkForkIndex(i: unknown): number {
  checkNumber('index', i, { min: 0, integer: true });
  if (!Number.isSafeInteger(i)) throw invalidOption('index', 'a non-negative safe integer', i);
  return i as number;
}

/**
 * A seeded xoshiro128** stream.
 * @param seed a finite number or a string (hashed deterministically); default 0
 */
export function rng(seed: number | string = 0): Rng {
  const s = checkSeed(seed);
  const pool = poolFor(s, []);
  return new Xoshiro128(s, [], pool, generateState(pool));
}

/** Resumes a stream from {@link Rng.state}: same future numbers and the same forks. */
export function rngFromState(state: RngState): Rng {
  if (state === null || typeof state !== 'object') throw invalidOption('state', 'an RngState object', state);
  if (state.algorithm !== 'xoshiro128**') {
    throw invalidOption('state.algorithm', '"xoshiro128**"', state.algorithm);
  }
  const seed = checkSeed(state.seed);
  if (!Array.isArray(state.path)) throw invalidOption('state.path', 'an array of fork indices', state.path);
  const path = state.path.map((i) => checkForkIndex(i));
  const s = state.s;
  if (!Array.isArray(s) || s.length !== 4) throw invalidOption('state.s', 'an array of 4 unsigned 32-bit integers', s);
  for (let k = 0; k < 4; k++) {
    if (!Number.isInteger(s[k]) || s[k] < 0 || s[k] > 0xffffffff) {
      throw new InputError(
        `invalid option \`state.s\`: expected unsigned 32-bit integers, got ${String(s[k])} at index ${k}`,
      );
    }
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) throw invalidOption('state.s', 'a state that is not all zero', s);
  return new Xoshiro128(seed, path, poolFor(seed, path), s);
}

/** True when `value` looks like an {@link Rng} (has `nextUint32`, `nextFloat` and `fork`). */
export function isRng(value: unknown): value is Rng {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Rng).nextUint32 === 'function' &&
    typeof (value as Rng).nextFloat === 'function' &&
    typeof (value as Rng).fork === 'function'
  );
}

/** Throws ``invalid option `name`: expected an Rng ...`` unless `value` is an {@link Rng}. */
export function checkRng(name: string, value: unknown): Rng {
  if (!isRng(value)) throw invalidOption(name, 'an Rng (from rng(seed))', value);
  return value;
}
