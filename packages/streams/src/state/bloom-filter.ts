/** Bits per key: with BLOOM_HASHES probes, about 0.8% false positives at capacity. */
const BITS_PER_KEY = 10;
/** Probes per key: the optimum for 10 bits per key is ln 2 × 10 ≈ 7 (Broder & Mitzenmacher 2004). */
const BLOOM_HASHES = 7;

/**
 * A Bloom filter over byte keys (B. H. Bloom, "Space/time trade-offs in hash coding with allowable
 * errors", CACM 13(7), 1970), made of layers that are added as keys are (Almeida et al.,
 * "Scalable Bloom Filters", IPL 101(6), 2007): `mightContain` is false only for a key never added,
 * and true for a key never added with a probability of about 0.8% per layer. Keys cannot be
 * removed.
 *
 * Each layer has `capacity` × 10 bits and takes keys until it holds its capacity; the next layer
 * is twice as large, up to `maxLayers`, after which add() refuses keys. A key that some layer
 * might hold already is not added again.
 *
 * The probes are h1 + i·h2 for i < 7 (Kirsch & Mitzenmacher, "Less hashing, same performance",
 * ESA 2006), with h1 FNV-1a and h2 a second multiplicative hash of the key's bytes, each finished
 * with MurmurHash3's 32-bit finalizer.
 */
export class BloomFilter {
  readonly #layers: Layer[];
  readonly #maxLayers: number;

  /** A filter whose first layer is sized for `capacity` keys (at least 1), at most `maxLayers` layers. */
  constructor(capacity: number, maxLayers = 1) {
    this.#layers = [new Layer(Math.max(1, Math.ceil(capacity)))];
    this.#maxLayers = maxLayers;
  }

  /** Keys added so far; a key the filter might hold already is not counted again. */
  get added(): number {
    let added = 0;
    for (const layer of this.#layers) added += layer.added;
    return added;
  }

  get layers(): number {
    return this.#layers.length;
  }

  /** Adds `key`; false when it had to be added but every layer is full and no layer may be added. */
  add(key: Uint8Array): boolean {
    const [h1, h2] = hashes(key);
    for (const layer of this.#layers) if (layer.has(h1, h2)) return true;
    let last = this.#layers[this.#layers.length - 1]!;
    if (last.added >= last.capacity) {
      if (this.#layers.length >= this.#maxLayers) return false;
      last = new Layer(2 * last.capacity);
      this.#layers.push(last);
    }
    last.set(h1, h2);
    return true;
  }

  mightContain(key: Uint8Array): boolean {
    const [h1, h2] = hashes(key);
    for (const layer of this.#layers) if (layer.has(h1, h2)) return true;
    return false;
  }
}

class Layer {
  readonly capacity: number;
  readonly #bits: Uint32Array;
  readonly #bitCount: number;
  added = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#bitCount = Math.max(64, capacity * BITS_PER_KEY);
    this.#bits = new Uint32Array(Math.ceil(this.#bitCount / 32));
  }

  set(h1: number, h2: number): void {
    for (let i = 0; i < BLOOM_HASHES; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % this.#bitCount;
      this.#bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.added++;
  }

  has(h1: number, h2: number): boolean {
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
