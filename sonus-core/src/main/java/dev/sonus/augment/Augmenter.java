package dev.sonus.augment;

import dev.sonus.data.ItemContext;
import dev.sonus.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Combines augmentations, SpeechBrain v1.0.0's {@code speechbrain.augment.augmenter.Augmenter} with
 * all its options and their names, so a recipe's augmentation block ports by changing the class
 * prefixes:
 *
 * <pre>
 * wav_augment: !new:augment.Augmenter
 *   concat_original: true
 *   min_augmentations: 3
 *   max_augmentations: 3
 *   augmentations: [!ref &lt;speed_perturb&gt;, !ref &lt;add_noise&gt;, !ref &lt;drop_chunk&gt;]
 * </pre>
 *
 * <p>Of a batch, the items from {@code augment_start_index} to {@code augment_end_index} are
 * augmented; the output is the original items from {@code concat_start_index} to {@code
 * concat_end_index} (when {@code concat_original}) followed by {@code repeat_augment} augmented
 * copies. A copy applies a random number (between {@code min_augmentations} and {@code
 * max_augmentations}) of the augmentations in list order (or shuffled with {@code
 * shuffle_augmentations}): one after the other, or with {@code parallel_augment} each to the input
 * separately, their outputs concatenated (with {@code parallel_augment_fixed_bs} each to its own
 * share of the batch). With probability {@code 1 - augment_prob} the batch is left as it is. {@link
 * Result#source()} says which input item each output came from, so labels can be replicated.
 *
 * <p>Randomness: the per-batch choices (whether to augment, how many, the shuffle) come from the
 * batch's items (seed, epoch and their IDs); each augmentation draws from (seed, epoch, item ID,
 * its name and position, the copy): the output is the same whatever the thread timing, and adding
 * an augmentation changes neither the data order nor another augmentation's draws.
 */
public final class Augmenter {
  private static final Logger LOG = LoggerFactory.getLogger(Augmenter.class);

  /**
   * The options, with SpeechBrain's names and defaults.
   *
   * @param parallelAugment apply each selected augmentation to the input separately and concatenate
   *     their outputs ({@code parallel_augment}, default false: one after the other)
   * @param parallelAugmentFixedBs in parallel mode, give each augmentation its own share of the
   *     batch so the augmented copy has the batch's size ({@code parallel_augment_fixed_bs})
   * @param concatOriginal put the original items before the augmented ones ({@code
   *     concat_original})
   * @param minAugmentations fewest augmentations applied ({@code min_augmentations}; null: 1)
   * @param maxAugmentations most augmentations applied ({@code max_augmentations}; null: all)
   * @param shuffleAugmentations pick the applied augmentations in random order ({@code
   *     shuffle_augmentations})
   * @param repeatAugment augmented copies of each item ({@code repeat_augment}, default 1)
   * @param augmentStartIndex first augmented item of a batch ({@code augment_start_index})
   * @param augmentEndIndex end (exclusive) of the augmented items ({@code augment_end_index}; null:
   *     the batch's end)
   * @param concatStartIndex first original item kept with {@code concat_original}
   * @param concatEndIndex end (exclusive) of the kept original items (null: the batch's end)
   * @param augmentProb probability that a batch is augmented ({@code augment_prob}, default 1)
   * @param augmentations the augmentations, all waveform or all feature ones
   * @param enableAugmentations one flag per augmentation, false leaving it out ({@code
   *     enable_augmentations}; null: all on), for ablations
   */
  public record Options(
      boolean parallelAugment,
      boolean parallelAugmentFixedBs,
      boolean concatOriginal,
      Integer minAugmentations,
      Integer maxAugmentations,
      boolean shuffleAugmentations,
      int repeatAugment,
      int augmentStartIndex,
      Integer augmentEndIndex,
      int concatStartIndex,
      Integer concatEndIndex,
      double augmentProb,
      List<Augmentation> augmentations,
      List<Boolean> enableAugmentations) {
    /** SpeechBrain's defaults, with no augmentations. */
    public static Options defaults() {
      return new Options(
          false, false, false, null, null, false, 1, 0, null, 0, null, 1.0, List.of(), null);
    }
  }

  /**
   * An augmented batch.
   *
   * @param data the output items
   * @param source for each output item, the index of the input item it came from
   */
  public record Result<T>(T data, int[] source) {}

  /**
   * An augmented feature batch.
   *
   * @param feats {@code [B', T, F]}
   * @param relLengths {@code [B']} valid fraction of {@code T}
   * @param source for each output item, the index of the input item it came from
   */
  public record FeatureResult(Tensor feats, Tensor relLengths, int[] source) {
    /** {@code labels} (batch first) repeated as the items were: {@code labels[source]}. */
    public Tensor replicate(Tensor labels) {
      return Augmenter.replicate(labels, source);
    }
  }

  /**
   * {@code t[source]} along the batch axis: the rows of a batch-first tensor repeated as an
   * augmenter's output repeats the items; {@code t} itself when {@code source} is null.
   */
  public static Tensor replicate(Tensor t, int[] source) {
    if (source == null) {
      return t;
    }
    long[] idx = new long[source.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = source[i];
    }
    return t.index_select(0, Tensors.fromLongs(idx, idx.length));
  }

  private final Options options;
  private final List<Augmentation> augmentations;
  private final List<String> keys;
  private final int minAugmentations;
  private final int maxAugmentations;
  private final boolean waveform;

  /** One augmentation with the default options. */
  public Augmenter(Augmentation augmentation) {
    this(withAugmentations(Options.defaults(), List.of(augmentation)));
  }

  /**
   * Builds the augmenter.
   *
   * @throws IllegalArgumentException naming the option whose value is invalid
   */
  public Augmenter(Options options) {
    this.options = options;
    List<Augmentation> all = options.augmentations() == null ? List.of() : options.augmentations();
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i) == null) {
        throw new IllegalArgumentException("augmentations[" + i + "] is null");
      }
    }
    if (options.repeatAugment() < 0) {
      throw new IllegalArgumentException(
          "repeat_augment is " + options.repeatAugment() + "; it must be 0 or more");
    }
    if (options.augmentProb() < 0 || options.augmentProb() > 1) {
      throw new IllegalArgumentException(
          "augment_prob is " + options.augmentProb() + "; it must be between 0 and 1");
    }
    if (options.augmentStartIndex() < 0 || options.concatStartIndex() < 0) {
      throw new IllegalArgumentException("augment_start_index and concat_start_index must be >= 0");
    }
    if (options.augmentEndIndex() != null
        && options.augmentEndIndex() < options.augmentStartIndex()) {
      throw new IllegalArgumentException(
          "augment_end_index ("
              + options.augmentEndIndex()
              + ") must not be smaller than augment_start_index ("
              + options.augmentStartIndex()
              + ")");
    }
    if (options.concatEndIndex() != null && options.concatEndIndex() < options.concatStartIndex()) {
      throw new IllegalArgumentException(
          "concat_end_index ("
              + options.concatEndIndex()
              + ") must not be smaller than concat_start_index ("
              + options.concatStartIndex()
              + ")");
    }
    // SpeechBrain clamps min/max to the list before enable_augmentations filters it
    int min = options.minAugmentations() == null ? 1 : options.minAugmentations();
    int max = options.maxAugmentations() == null ? all.size() : options.maxAugmentations();
    max = Math.min(max, all.size());
    min = Math.min(min, all.size());
    List<Augmentation> kept = new ArrayList<>(all);
    List<Boolean> enable = options.enableAugmentations();
    if (enable != null) {
      if (enable.size() != all.size()) {
        throw new IllegalArgumentException(
            "enable_augmentations has "
                + enable.size()
                + " flags but augmentations has "
                + all.size()
                + " entries; give one flag per augmentation");
      }
      kept.clear();
      for (int i = 0; i < all.size(); i++) {
        if (Boolean.TRUE.equals(enable.get(i))) {
          kept.add(all.get(i));
        }
      }
    }
    if (kept.isEmpty()) {
      LOG.warn("no augmentation is applied: the augmentation list is empty");
    }
    if (max <= 0) {
      LOG.warn("no augmentation is applied: max_augmentations is {}", max);
    }
    if (min < 0) {
      min = 0;
    }
    if (min > max) {
      LOG.warn("min_augmentations ({}) is above max_augmentations ({}); using {}", min, max, min);
      max = min;
    }
    long waves = kept.stream().filter(a -> a instanceof WaveformAugmentation).count();
    long feats = kept.stream().filter(a -> a instanceof FeatureAugmentation).count();
    if (waves > 0 && feats > 0) {
      throw new IllegalArgumentException(
          "augmentations mixes waveform ones ("
              + names(kept, WaveformAugmentation.class)
              + ") with feature ones ("
              + names(kept, FeatureAugmentation.class)
              + "); give each kind its own Augmenter (wav_augment and fea_augment)");
    }
    this.augmentations = List.copyOf(kept);
    List<String> k = new ArrayList<>();
    for (int i = 0; i < kept.size(); i++) {
      k.add(kept.get(i).name() + i);
    }
    this.keys = List.copyOf(k);
    this.minAugmentations = min;
    this.maxAugmentations = max;
    this.waveform = feats == 0;
  }

  private static Options withAugmentations(Options o, List<Augmentation> augmentations) {
    return new Options(
        o.parallelAugment(),
        o.parallelAugmentFixedBs(),
        o.concatOriginal(),
        o.minAugmentations(),
        o.maxAugmentations(),
        o.shuffleAugmentations(),
        o.repeatAugment(),
        o.augmentStartIndex(),
        o.augmentEndIndex(),
        o.concatStartIndex(),
        o.concatEndIndex(),
        o.augmentProb(),
        augmentations,
        null);
  }

  private static String names(List<Augmentation> list, Class<?> kind) {
    List<String> out = new ArrayList<>();
    list.stream().filter(kind::isInstance).forEach(a -> out.add(a.name()));
    return String.join(", ", out);
  }

  /** The options it was built with. */
  public Options options() {
    return options;
  }

  /** The augmentations applied (after {@code enable_augmentations}). */
  public List<Augmentation> augmentations() {
    return augmentations;
  }

  /** Whether these are waveform augmentations (true also for an empty list). */
  public boolean isWaveform() {
    return waveform && !augmentations.isEmpty();
  }

  /** Whether these are feature augmentations. */
  public boolean isFeature() {
    return !waveform;
  }

  /**
   * Augments a batch of waveforms.
   *
   * @param signals one {@code [channels][frames]} array per item; not modified
   * @param sampleRate their rate, Hz
   * @param contexts each item's seed, epoch and ID
   * @throws IllegalStateException if these are feature augmentations
   */
  public Result<List<float[][]>> augmentWaveforms(
      List<float[][]> signals, int sampleRate, List<ItemContext> contexts) {
    if (!waveform) {
      throw new IllegalStateException(
          this + " holds feature augmentations; apply it to features (fea_augment)");
    }
    return run(
        new Ops<List<float[][]>>() {
          @Override
          public int size(List<float[][]> b) {
            return b.size();
          }

          @Override
          public List<float[][]> slice(List<float[][]> b, int from, int to) {
            return b.subList(from, to);
          }

          @Override
          public List<float[][]> concat(List<List<float[][]>> parts) {
            List<float[][]> out = new ArrayList<>();
            parts.forEach(out::addAll);
            return out;
          }

          @Override
          public List<float[][]> apply(
              Augmentation a, List<float[][]> b, List<SplittableRandom> random) {
            WaveformAugmentation w = (WaveformAugmentation) a;
            List<float[][]> out = new ArrayList<>(b.size());
            for (int i = 0; i < b.size(); i++) {
              out.add(w.apply(b.get(i), sampleRate, random.get(i)));
            }
            return out;
          }
        },
        signals,
        contexts);
  }

  /**
   * Augments a batch of features.
   *
   * @param feats {@code [B, T, F]}
   * @param relLengths {@code [B]} valid fraction of {@code T}
   * @param contexts each item's seed, epoch and ID
   * @throws IllegalStateException if these are waveform augmentations
   */
  public FeatureResult augmentFeatures(
      Tensor feats, Tensor relLengths, List<ItemContext> contexts) {
    if (waveform && !augmentations.isEmpty()) {
      throw new IllegalStateException(
          this + " holds waveform augmentations; apply it to waveforms (wav_augment)");
    }
    long time = feats.size(1);
    float[] rel = Tensors.toFloats(relLengths.to(torch.ScalarType.Float));
    long[] lengths = new long[rel.length];
    for (int i = 0; i < rel.length; i++) {
      lengths[i] = Math.max(1, Math.min(time, Math.round(rel[i] * (double) time)));
    }
    record Fb(Tensor x, long[] len) {}
    Result<Fb> r =
        run(
            new Ops<Fb>() {
              @Override
              public int size(Fb b) {
                return b.len.length;
              }

              @Override
              public Fb slice(Fb b, int from, int to) {
                return new Fb(
                    b.x.narrow(0, from, to - from), java.util.Arrays.copyOfRange(b.len, from, to));
              }

              @Override
              public Fb concat(List<Fb> parts) {
                TensorVector v = new TensorVector();
                int n = 0;
                for (Fb p : parts) {
                  v.push_back(p.x);
                  n += p.len.length;
                }
                long[] len = new long[n];
                int at = 0;
                for (Fb p : parts) {
                  System.arraycopy(p.len, 0, len, at, p.len.length);
                  at += p.len.length;
                }
                return new Fb(torch.cat(v, 0), len);
              }

              @Override
              public Fb apply(Augmentation a, Fb b, List<SplittableRandom> random) {
                return new Fb(((FeatureAugmentation) a).apply(b.x, b.len, random), b.len);
              }
            },
            new Fb(feats, lengths),
            contexts);
    Fb out = r.data();
    float[] outRel = new float[out.len.length];
    for (int i = 0; i < outRel.length; i++) {
      outRel[i] = r.source()[i] < rel.length ? rel[r.source()[i]] : 1f;
    }
    return new FeatureResult(out.x, Tensors.fromFloats(outRel, outRel.length), r.source());
  }

  private interface Ops<B> {
    int size(B b);

    B slice(B b, int from, int to);

    B concat(List<B> parts);

    B apply(Augmentation a, B b, List<SplittableRandom> random);
  }

  private <B> Result<B> run(Ops<B> ops, B batch, List<ItemContext> contexts) {
    int n = ops.size(batch);
    if (contexts.size() != n) {
      throw new IllegalArgumentException(
          "the batch has " + n + " items but " + contexts.size() + " item contexts were given");
    }
    int[] identity = range(0, n);
    SplittableRandom batchRandom = batchContext(contexts).random("Augmenter");
    if (batchRandom.nextDouble() > options.augmentProb()) {
      return new Result<>(batch, identity);
    }
    int end = options.augmentEndIndex() != null ? Math.min(options.augmentEndIndex(), n) : n;
    int start = options.augmentStartIndex();
    if (start >= n) {
      LOG.debug("augment_start_index {} is past the batch's {} items: not augmented", start, n);
      return new Result<>(batch, identity);
    }
    int count =
        maxAugmentations <= 0 ? 0 : batchRandom.nextInt(minAugmentations, maxAugmentations + 1);
    if (options.repeatAugment() == 0 || count == 0 || augmentations.isEmpty()) {
      return new Result<>(batch, identity);
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < augmentations.size(); i++) {
      order.add(i);
    }
    if (options.shuffleAugmentations()) {
      Collections.shuffle(order, new java.util.Random(batchRandom.nextLong()));
    }
    List<Integer> selected = order.subList(0, Math.min(count, order.size()));
    B x = ops.slice(batch, start, end);
    List<ItemContext> xContexts = contexts.subList(start, end);
    List<B> parts = new ArrayList<>();
    List<int[]> sources = new ArrayList<>();
    if (options.concatOriginal() && options.concatStartIndex() < end - start) {
      int cEnd = options.concatEndIndex() != null ? Math.min(options.concatEndIndex(), n) : n;
      int cStart = Math.min(options.concatStartIndex(), cEnd);
      parts.add(ops.slice(batch, cStart, cEnd));
      sources.add(range(cStart, cEnd));
    }
    for (int r = 0; r < options.repeatAugment(); r++) {
      if (!options.parallelAugment()) {
        B cur = x;
        for (int k : selected) {
          cur = ops.apply(augmentations.get(k), cur, randoms(xContexts, keys.get(k), r));
        }
        parts.add(cur);
        sources.add(range(start, end));
      } else {
        int m = end - start;
        for (int j = 0; j < selected.size(); j++) {
          int k = selected.get(j);
          int from = 0;
          int to = m;
          if (options.parallelAugmentFixedBs()) {
            from = j * m / selected.size();
            to = (j + 1) * m / selected.size();
          }
          B part = ops.slice(x, from, to);
          parts.add(
              ops.apply(
                  augmentations.get(k),
                  part,
                  randoms(xContexts.subList(from, to), keys.get(k), r)));
          sources.add(range(start + from, start + to));
        }
      }
    }
    int total = sources.stream().mapToInt(s -> s.length).sum();
    int[] source = new int[total];
    int at = 0;
    for (int[] s : sources) {
      System.arraycopy(s, 0, source, at, s.length);
      at += s.length;
    }
    return new Result<>(ops.concat(parts), source);
  }

  private static List<SplittableRandom> randoms(List<ItemContext> contexts, String key, int copy) {
    List<SplittableRandom> out = new ArrayList<>(contexts.size());
    for (ItemContext c : contexts) {
      out.add(c.random(key + "#" + copy));
    }
    return out;
  }

  /** The batch's own context: its seed and epoch, and its items' IDs joined. */
  private static ItemContext batchContext(List<ItemContext> contexts) {
    if (contexts.isEmpty()) {
      return ItemContext.of("");
    }
    StringBuilder ids = new StringBuilder();
    for (ItemContext c : contexts) {
      ids.append(c.itemId()).append('\u0000');
    }
    return new ItemContext(contexts.get(0).seed(), contexts.get(0).epoch(), ids.toString());
  }

  private static int[] range(int from, int to) {
    int[] r = new int[Math.max(0, to - from)];
    for (int i = 0; i < r.length; i++) {
      r[i] = from + i;
    }
    return r;
  }

  @Override
  public String toString() {
    return "Augmenter(" + keys + ", min=" + minAugmentations + ", max=" + maxAugmentations + ")";
  }
}
