package dev.sonus.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.data.ItemContext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Augmenter's options, with SpeechBrain's semantics, and its randomness. */
class AugmenterTest {
  /** Adds a constant; records nothing else. */
  record Plus(float value) implements WaveformAugmentation {
    @Override
    public float[][] apply(float[][] x, int sampleRate, SplittableRandom random) {
      float[][] out = Signals.copy(x);
      for (float[] c : out) {
        for (int i = 0; i < c.length; i++) {
          c[i] += value;
        }
      }
      return out;
    }

    @Override
    public String name() {
      return "Plus";
    }
  }

  /** Adds a random number, to see the draws. */
  record Jitter() implements WaveformAugmentation {
    @Override
    public float[][] apply(float[][] x, int sampleRate, SplittableRandom random) {
      return new Plus((float) random.nextDouble()).apply(x, sampleRate, random);
    }
  }

  static Augmenter.Options options(
      boolean parallel,
      boolean fixedBs,
      boolean concat,
      Integer min,
      Integer max,
      int repeat,
      int start,
      Integer end,
      double prob,
      List<Augmentation> augs,
      List<Boolean> enable) {
    return new Augmenter.Options(
        parallel, fixedBs, concat, min, max, false, repeat, start, end, 0, null, prob, augs,
        enable);
  }

  static List<float[][]> batch(int n) {
    List<float[][]> b = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      b.add(new float[][] {{i, i}});
    }
    return b;
  }

  static List<ItemContext> contexts(int n, long seed, int epoch) {
    List<ItemContext> c = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      c.add(new ItemContext(seed, epoch, "utt" + i));
    }
    return c;
  }

  private static float[] firsts(List<float[][]> b) {
    float[] out = new float[b.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get(i)[0][0];
    }
    return out;
  }

  @Test
  void sequentialAppliesTheAugmentationsInOrderAndConcatOriginalPutsTheOriginalsFirst() {
    Augmenter a =
        new Augmenter(
            options(
                false,
                false,
                true,
                2,
                2,
                1,
                0,
                null,
                1,
                List.of(new Plus(10), new Plus(100)),
                null));
    Augmenter.Result<List<float[][]>> r = a.augmentWaveforms(batch(3), 16000, contexts(3, 1, 1));
    assertArrayEquals(new float[] {0, 1, 2, 110, 111, 112}, firsts(r.data()));
    assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2}, r.source());
  }

  @Test
  void parallelConcatenatesEachAugmentationsOutputAndFixedBatchSizeSplitsTheBatch() {
    List<Augmentation> two = List.of(new Plus(10), new Plus(100));
    Augmenter par = new Augmenter(options(true, false, false, 2, 2, 1, 0, null, 1, two, null));
    Augmenter.Result<List<float[][]>> r = par.augmentWaveforms(batch(2), 16000, contexts(2, 1, 1));
    assertArrayEquals(new float[] {10, 11, 100, 101}, firsts(r.data()));
    assertArrayEquals(new int[] {0, 1, 0, 1}, r.source());

    Augmenter fixed = new Augmenter(options(true, true, false, 2, 2, 1, 0, null, 1, two, null));
    Augmenter.Result<List<float[][]>> f =
        fixed.augmentWaveforms(batch(4), 16000, contexts(4, 1, 1));
    assertArrayEquals(new float[] {10, 11, 102, 103}, firsts(f.data()));
    assertArrayEquals(new int[] {0, 1, 2, 3}, f.source());
  }

  @Test
  void repeatStartEndAndEnableSelectWhatIsAugmented() {
    Augmenter a =
        new Augmenter(
            options(
                false,
                false,
                false,
                1,
                1,
                2,
                1,
                3,
                1,
                List.of(new Plus(10), new Plus(100)),
                List.of(false, true)));
    Augmenter.Result<List<float[][]>> r = a.augmentWaveforms(batch(4), 16000, contexts(4, 1, 1));
    assertArrayEquals(new float[] {101, 102, 101, 102}, firsts(r.data()));
    assertArrayEquals(new int[] {1, 2, 1, 2}, r.source());
    assertEquals(1, a.augmentations().size());
  }

  @Test
  void probabilityZeroOrStartPastTheBatchLeavesItAlone() {
    List<Augmentation> one = List.of(new Plus(10));
    Augmenter never =
        new Augmenter(options(false, false, true, null, null, 1, 0, null, 0, one, null));
    Augmenter.Result<List<float[][]>> r =
        never.augmentWaveforms(batch(3), 16000, contexts(3, 1, 1));
    assertArrayEquals(new float[] {0, 1, 2}, firsts(r.data()));
    Augmenter late =
        new Augmenter(options(false, false, false, null, null, 1, 5, null, 1, one, null));
    assertArrayEquals(
        new float[] {0, 1},
        firsts(late.augmentWaveforms(batch(2), 16000, contexts(2, 1, 1)).data()));
  }

  @Test
  void drawsDependOnSeedEpochAndItemButNotOnTheOtherItemsOrAddedAugmentations() {
    Augmenter a = new Augmenter(new Jitter());
    float[] e1 = firsts(a.augmentWaveforms(batch(3), 16000, contexts(3, 7, 1)).data());
    float[] again = firsts(a.augmentWaveforms(batch(3), 16000, contexts(3, 7, 1)).data());
    float[] e2 = firsts(a.augmentWaveforms(batch(3), 16000, contexts(3, 7, 2)).data());
    assertArrayEquals(e1, again, "same seed, epoch and items: same draws");
    assertNotEquals(e1[0], e2[0], "another epoch draws again");
    // item 1 alone gets the same draw as in the batch of three
    List<float[][]> alone = List.<float[][]>of(new float[][] {{1, 1}});
    float got =
        a.augmentWaveforms(alone, 16000, List.of(new ItemContext(7, 1, "utt1")))
            .data()
            .get(0)[0][0];
    assertEquals(e1[1], got);
    // an augmentation appended to the list leaves the first one's draws unchanged
    Augmenter two =
        new Augmenter(
            options(
                false,
                false,
                false,
                1,
                1,
                1,
                0,
                null,
                1,
                List.of(new Jitter(), new Plus(0)),
                null));
    assertArrayEquals(e1, firsts(two.augmentWaveforms(batch(3), 16000, contexts(3, 7, 1)).data()));
  }

  @Test
  void badOptionsAreRefusedByName() {
    List<Augmentation> one = List.of(new Plus(1));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new Augmenter(
                        options(
                            false, false, false, 1, 1, 1, 0, null, 1, one, List.of(true, false))))
            .getMessage()
            .contains("enable_augmentations has 2 flags"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new Augmenter(options(false, false, false, 1, 1, 1, 0, null, 1.5, one, null)))
            .getMessage()
            .contains("augment_prob"));
    List<Augmentation> mixed = List.of(new Plus(1), new Warping());
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new Augmenter(options(false, false, false, 1, 1, 1, 0, null, 1, mixed, null)))
            .getMessage()
            .contains("give each kind its own Augmenter"));
  }
}
