package dev.sonus.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpeakerClusteringTest {
  /** {@code perSpeaker} noisy embeddings around each of {@code speakers} random directions. */
  private static float[][] speakers(int speakers, int perSpeaker, double noise, long seed) {
    SplittableRandom g = new SplittableRandom(seed);
    int d = 24;
    float[][] centres = new float[speakers][d];
    for (float[] c : centres) {
      for (int i = 0; i < d; i++) {
        c[i] = (float) g.nextGaussian();
      }
    }
    float[][] x = new float[speakers * perSpeaker][d];
    for (int n = 0; n < x.length; n++) {
      int s = n % speakers; // interleaved, as turns alternate in a conversation
      for (int i = 0; i < d; i++) {
        x[n][i] = (float) (centres[s][i] + noise * g.nextGaussian());
      }
    }
    return x;
  }

  private static int[] truth(int speakers, int perSpeaker) {
    int[] t = new int[speakers * perSpeaker];
    for (int n = 0; n < t.length; n++) {
      t[n] = n % speakers;
    }
    return t;
  }

  @Test
  void spectralClusteringFindsTheSpeakersAndTheirNumber() {
    for (int k = 2; k <= 4; k++) {
      float[][] x = speakers(k, 12, 0.3, k);
      assertArrayEquals(
          truth(k, 12), SpeakerClustering.spectral(x, null, 0.3, 2, 10, 0), k + " estimated");
      assertArrayEquals(
          truth(k, 12), SpeakerClustering.spectral(x, k, 0.3, 2, 10, 0), k + " given");
    }
  }

  @Test
  void theSameSeedGivesTheSameLabels() {
    float[][] x = speakers(3, 10, 1.2, 9); // overlapping clusters: k-means's start matters
    assertArrayEquals(
        SpeakerClustering.spectral(x, 3, 0.3, 2, 10, 5),
        SpeakerClustering.spectral(x, 3, 0.3, 2, 10, 5));
  }

  @Test
  void agglomerativeClusteringStopsAtTheCountOrTheThreshold() {
    float[][] x = speakers(3, 8, 0.2, 3);
    assertArrayEquals(truth(3, 8), SpeakerClustering.agglomerative(x, 3, 0));
    assertArrayEquals(truth(3, 8), SpeakerClustering.agglomerative(x, null, 0.5));
    assertEquals(
        1,
        java.util.Arrays.stream(SpeakerClustering.agglomerative(x, null, 2)).max().getAsInt() + 1);
  }

  @Test
  void windowsBecomeTurnsAsSpeechBrainMergesAndSplitsThem() {
    // SpeechBrain v1.0.0's examples of merge_ssegs_same_speaker and distribute_overlap
    List<SpeakerClustering.Window> merged =
        SpeakerClustering.turns(
            List.of(
                new SpeakerClustering.Window(5.5, 7.0, 1),
                new SpeakerClustering.Window(6.5, 9.0, 1),
                new SpeakerClustering.Window(8.0, 11.0, 1),
                new SpeakerClustering.Window(11.5, 13.0, 2),
                new SpeakerClustering.Window(14.0, 15.0, 2),
                new SpeakerClustering.Window(14.5, 15.0, 1)));
    assertEquals(
        List.of(
            new SpeakerClustering.Window(5.5, 11.0, 1),
            new SpeakerClustering.Window(11.5, 13.0, 2),
            new SpeakerClustering.Window(14.0, 14.75, 2),
            new SpeakerClustering.Window(14.75, 15.0, 1)),
        merged);
    assertEquals(
        List.of(
            new SpeakerClustering.Window(5.5, 8.5, 1),
            new SpeakerClustering.Window(8.5, 11.0, 2),
            new SpeakerClustering.Window(11.5, 12.5, 2),
            new SpeakerClustering.Window(12.5, 15.0, 1)),
        SpeakerClustering.turns(
            List.of(
                new SpeakerClustering.Window(5.5, 9.0, 1),
                new SpeakerClustering.Window(8.0, 11.0, 2),
                new SpeakerClustering.Window(11.5, 13.0, 2),
                new SpeakerClustering.Window(12.0, 15.0, 1))));
  }

  @Test
  void badInputIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> SpeakerClustering.spectral(new float[0][], null, 0.3, 2, 10, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> SpeakerClustering.spectral(new float[][] {{1, 2}, {1}}, null, 0.3, 2, 10, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> SpeakerClustering.spectral(new float[][] {{1, Float.NaN}}, null, 0.3, 2, 10, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> SpeakerClustering.spectral(speakers(2, 3, 0.1, 1), null, 0, 2, 10, 0));
  }
}
