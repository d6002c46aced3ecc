package dev.sonus.data;

import java.util.SplittableRandom;

/**
 * Where an item is being computed: the run's seed, the epoch and the item's ID. Per-item randomness
 * (augmentation, cropping) draws from {@link #random(String)}, which depends only on these values
 * and a stream name, never on which loader thread runs first, so batches are identical whatever the
 * thread timing.
 *
 * @param seed the run's seed
 * @param epoch 1-based epoch, 0 outside training
 * @param itemId the item's manifest ID
 */
public record ItemContext(long seed, int epoch, String itemId) {

  /** A context for computing items outside a training epoch (seed 0, epoch 0). */
  public static ItemContext of(String itemId) {
    return new ItemContext(0, 0, itemId);
  }

  /** A generator seeded from (seed, epoch, item ID, stream); different streams are independent. */
  public SplittableRandom random(String stream) {
    long h = mix(seed);
    h = mix(h ^ epoch);
    h = mix(h ^ hash(itemId));
    h = mix(h ^ hash(stream));
    return new SplittableRandom(h);
  }

  /** 64-bit FNV-1a of the string's UTF-16 units: stable across JVMs and runs. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** The SplitMix64 finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
