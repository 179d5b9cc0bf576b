/** Bits per key: with BLOOM_HASHES probes, about 0.8% false positives at capacity. */
const BITS_PER_KEY = 10;
/** Probes per key: the optimum for 10 bits per key is ln 2 × 10 ≈ 7 (Bloom 1970; Broder & Mitzenmacher 2004). */
const BLOOM_HASHES = 7;

/**
 * A Bloom filter over byte keys (B. H. Bloom, "Space/time trade-offs in hash coding with allowable
 * errors", CACM 13(7), 1970): `mightContain` is false only for a key never added, and true for a
 * key not added with a probability of about 0.8% while no more than `capacity` keys were added
 * (rising past it). Keys cannot be removed.
 *
 * The probes are h1 + i·h2 for i < 7 (Kirsch & Mitzenmacher, "Less hashing, same performance",
 * ESA 2006), with h1 FNV-1a and h2 a second multiplicative hash of the key's bytes, each finished
 * with MurmurHash3's 32-bit finalizer.
 */
export class BloomFilter {
  readonly capacity: number;
  readonly #bits: Uint32Array;
  readonly #bitCount: number;
  #added = 0;

  /** A filter sized for `capacity` keys (at least 1), `capacity` × 10 bits. */
  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.ceil(capacity));
    this.#bitCount = Math.max(64, this.capacity * BITS_PER_KEY);
    this.#bits = new Uint32Array(Math.ceil(this.#bitCount / 32));
  }

  /** Keys added so far, counting a key added twice twice. */
  get added(): number {
    return this.#added;
  }

  add(key: Uint8Array): void {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < BLOOM_HASHES; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % this.#bitCount;
      this.#bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.#added++;
  }

  mightContain(key: Uint8Array): boolean {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < BLOOM_HASHES; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % this.#bitCount;
      if ((this.#bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

const pair: [number, number] = [0, 0];

/** Two independent 32-bit hashes of `key`; the returned pair is reused by the next call. */
function hashes(key: Uint8Array): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const byte = key[i]!;
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b + byte, 0x5bd1e995) ^ (b >>> 15);
  }
  pair[0] = fmix32(a ^ key.length);
  // Odd, so that the probes of one key never repeat a bit before they have to.
  pair[1] = fmix32(b) | 1;
  return pair;
}

/** MurmurHash3's finalizer: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
