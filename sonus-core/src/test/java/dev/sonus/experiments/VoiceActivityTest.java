package dev.sonus.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.data.BatchSampler;
import dev.sonus.data.DataLoader;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.features.Fbank;
import dev.sonus.models.CRDNN;
import dev.sonus.nn.Activation;
import dev.sonus.train.Brain;
import dev.sonus.train.EpochCounter;
import dev.sonus.train.Optimizer;
import dev.sonus.train.Optimizers;
import dev.sonus.train.ParamGroups;
import dev.sonus.train.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small CRDNN learns where the loud harmonic bursts are in quiet noise: frame F1 rises, the
 * probabilities of a long file computed in chunks line up with its frames, and epochs leave no
 * native objects behind.
 */
class VoiceActivityTest {
  private static final int RATE = 16000;

  /** Recordings of 1.2 s: noise at -46 dB with one harmonic burst; the manifest names the burst. */
  private static Path corpus(Path dir, int count, long seed) throws Exception {
    SplittableRandom g = new SplittableRandom(seed);
    StringBuilder csv = new StringBuilder("ID,duration,wav,speech\n");
    for (int n = 0; n < count; n++) {
      float[] x = new float[(int) (1.2 * RATE)];
      double start = 0.1 + 0.5 * g.nextDouble();
      double end = start + 0.2 + 0.3 * g.nextDouble();
      double f0 = 120 + 100 * g.nextDouble();
      for (int i = 0; i < x.length; i++) {
        double t = (double) i / RATE;
        double v = 0.005 * g.nextGaussian();
        if (t >= start && t < end) {
          for (int h = 1; h <= 5; h++) {
            v += 0.15 / h * Math.sin(2 * Math.PI * f0 * h * t);
          }
        }
        x[i] = (float) v;
      }
      Path wav = dir.resolve("r" + n + ".wav");
      AudioIO.writeWav(wav, Audio.mono(x, RATE), WavEncoding.PCM_S16);
      csv.append(String.format(Locale.ROOT, "r%d,1.2,%s,%.3f %.3f%n", n, wav, start, end));
    }
    Path m = dir.resolve("vad.csv");
    Files.writeString(m, csv);
    return m;
  }

  private static VoiceActivity task() {
    CRDNN crdnn =
        new CRDNN(
            new CRDNN.Options(
                20,
                Activation.LEAKY_RELU,
                0.0,
                1,
                List.of(8L),
                List.of(3L, 3L),
                false,
                2,
                false,
                List.of(2L),
                1,
                16,
                true,
                1,
                16));
    return new VoiceActivity(new VoiceActivity.Options(new Fbank(RATE, 20), null, crdnn));
  }

  private static DataLoader loader(DynamicItemDataset ds) {
    return new DataLoader(
        ds, BatchSampler.fixed(ds.size(), 4, BatchSampler.Order.RANDOM, null, 1, false), 1, 2, 1);
  }

  @Test
  void itLearnsWhereTheBurstsAreAndLeavesNoNativeObjectsBehind(@TempDir Path dir) throws Exception {
    torch.manual_seed(5);
    Manifest train = Manifest.load(corpus(dir, 12, 1), Map.of());
    VoiceActivity vad = task();
    assertEquals(0.01, vad.frameShift(), 1e-12);
    try (DataLoader t = loader(vad.dataset(train, Stage.TRAIN));
        DataLoader v = loader(vad.dataset(train, Stage.VALID));
        Optimizer opt = Optimizers.adam(ParamGroups.single(vad.model(), 0), 0.01)) {
      Brain<VoiceActivity.Output> brain = new Brain<>(vad, opt, null, Brain.Options.defaults());
      List<Brain.StageResult> log = brain.fit(new EpochCounter(10), t, v);
      Map<String, Double> last = log.get(log.size() - 1).metrics();
      assertTrue(last.get("F1") > 85, "frame F1 after 10 epochs: " + last);
      long before = Pointer.totalCount();
      brain.fit(new EpochCounter(12), t, v);
      assertTrue(Pointer.totalCount() <= before + 2, "native objects grew over 2 epochs");
    }
    float[] x = AudioIO.read(dir.resolve("r0.wav")).toMono().channel(0);
    float[] whole = vad.speechProbabilities(x, 100);
    float[] chunked = vad.speechProbabilities(x, 0.3);
    assertEquals(whole.length, chunked.length, "chunks give one probability per frame");
    assertEquals((x.length + 159) / 160, whole.length);
  }

  @Test
  void annotationsAreReadStrictly() {
    assertEquals(
        List.of(new dev.sonus.decode.VadBoundaries.Segment(0.38, 2)),
        VoiceActivity.segments("0.38 2"));
    assertEquals(List.of(), VoiceActivity.segments(""));
    assertThrows(IllegalArgumentException.class, () -> VoiceActivity.segments("0.38"));
    assertThrows(IllegalArgumentException.class, () -> VoiceActivity.segments("2 1"));
    assertThrows(IllegalArgumentException.class, () -> VoiceActivity.segments("a b"));
  }
}
