package dev.sonus.inference;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.augment.AddNoise;
import dev.sonus.augment.AddReverb;
import dev.sonus.augment.WaveformAugmentation;
import dev.sonus.config.LoadOptions;
import dev.sonus.data.AudioPipelines;
import dev.sonus.data.ItemContext;
import dev.sonus.data.Manifest;
import dev.sonus.run.RunFolder;
import dev.sonus.run.RunLock;
import dev.sonus.tensor.AtomicFiles;
import dev.sonus.train.Progress;
import dev.sonus.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Robustness evaluation: a run folder evaluated on its test set clean and corrupted — real noise at
 * each of several SNRs, and reverberation — with the same corruption of each utterance every time
 * (its noise recording, offset and RIR are drawn from the utterance's ID alone), so two runs or two
 * models meet the same corrupted audio.
 *
 * <p>The corrupted recordings are written as 32-bit float WAV at each file's own rate under {@code
 * <run>/corrupted/<condition>/} with a manifest that points at them, then evaluated like any test
 * manifest ({@link Evaluation}): {@code eval_<condition>.json} per condition and {@code
 * robustness_<name>.json} with the table.
 */
public final class Robustness {
  private Robustness() {}

  /** The seed of the corruption draws (fixed: the corruption is part of the test set). */
  public static final long CORRUPTION_SEED = 20_260_101L;

  /**
   * One test condition.
   *
   * @param name e.g. {@code clean}, {@code noise_5dB}, {@code reverb}
   * @param snr the SNR in dB, or NaN for none
   * @param corruption what is applied, or null for the clean set
   */
  public record Condition(String name, double snr, WaveformAugmentation corruption) {}

  /**
   * What the evaluation measured.
   *
   * @param conditions the conditions, in order
   * @param metrics each condition's metrics
   * @param table the written JSON
   */
  public record Result(List<Condition> conditions, List<Map<String, Double>> metrics, Path table) {}

  /**
   * The conditions of {@code --corrupt noise=SRC --snr ... [--reverb DIR]}: clean, the noise at
   * each SNR, reverberation.
   *
   * @param noise manifest or folder of noise recordings, or null
   * @param snrs SNRs in dB
   * @param reverb manifest or folder of room impulse responses, or null
   */
  public static List<Condition> conditions(String noise, List<Double> snrs, String reverb) {
    List<Condition> out = new ArrayList<>();
    out.add(new Condition("clean", Double.NaN, null));
    if (noise != null) {
      if (snrs.isEmpty()) {
        throw new IllegalArgumentException("--corrupt noise=... needs SNRs: --snr 20,10,5,0");
      }
      for (double snr : snrs) {
        AddNoise add =
            named(
                "--corrupt noise=" + noise,
                () ->
                    new AddNoise(
                        new AddNoise.Options(
                            noise, null, "random", 0, snr, snr, true, null, false, "white",
                            Map.of(), 16000, 16000)));
        out.add(new Condition("noise_" + decibels(snr) + "dB", snr, add));
      }
    }
    if (reverb != null) {
      AddReverb rev =
          named(
              "--reverb " + reverb,
              () ->
                  new AddReverb(
                      new AddReverb.Options(
                          reverb, "random", 0, 1.0, Map.of(), 16000, 16000, "avg")));
      out.add(new Condition("reverb", Double.NaN, rev));
    }
    return out;
  }

  /**
   * Evaluates {@code runFolder} under each condition.
   *
   * @param manifest the manifest to corrupt; null for the recipe's {@code test_data}
   * @param dataFolder replaces {@code $data_root} in it; null for the recipe's
   * @param decoding replaces the recipe's decoder, or null
   */
  public static Result run(
      Path runFolder,
      Path manifest,
      Path dataFolder,
      Decoding.Change decoding,
      LoadOptions options,
      List<Condition> conditions,
      Progress progress) {
    // One load and one lock for every condition: the model, its decoder and the checkpoint are
    // the same, only the manifest changes.
    try (RunLock lock =
        Files.isRegularFile(runFolder.resolve("hparams.yaml"))
            ? RunLock.acquire(runFolder, "eval")
            : null) {
      RunFolder.Loaded loaded = Evaluation.load(runFolder, options, decoding);
      return evaluate(loaded, runFolder, manifest, dataFolder, decoding, conditions, progress);
    }
  }

  private static Result evaluate(
      RunFolder.Loaded loaded,
      Path runFolder,
      Path manifest,
      Path dataFolder,
      Decoding.Change decoding,
      List<Condition> conditions,
      Progress progress) {
    var h = loaded.hparams();
    Path testData = manifest != null ? manifest : h.getPath("test_data");
    Map<String, String> replacements =
        dataFolder != null
            ? RunFolder.dataReplacements(dataFolder.toString())
            : RunFolder.dataReplacements(h);
    Manifest m = Manifest.load(testData, replacements);
    List<String> audioColumns = loaded.experiment().audioColumns();
    String base = testData.getFileName().toString().replaceAll("\\.[^.]*$", "");
    List<Map<String, Double>> metrics = new ArrayList<>();
    for (Condition c : conditions) {
      Path target = testData;
      Path folder = null;
      if (c.corruption() != null) {
        folder = runFolder.resolve("corrupted").resolve(c.name());
        target = corrupt(m, audioColumns, c, folder);
      }
      Evaluation.Result r =
          Evaluation.evaluate(
              loaded,
              runFolder,
              c.corruption() == null ? manifest : target,
              c.corruption() == null ? dataFolder : null,
              decoding,
              progress);
      metrics.add(r.metrics());
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < conditions.size(); i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("condition", conditions.get(i).name());
      if (!Double.isNaN(conditions.get(i).snr())) {
        row.put("snr_db", conditions.get(i).snr());
      }
      row.put("metrics", metrics.get(i));
      rows.add(row);
    }
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("manifest", testData.toString());
    record.put("utterances", m.size());
    record.put("corruption_seed", CORRUPTION_SEED);
    record.put("conditions", rows);
    Path json = runFolder.resolve("robustness_" + base.toLowerCase(Locale.ROOT) + ".json");
    AtomicFiles.writeString(json, Json.writePretty(record) + "\n");
    return new Result(List.copyOf(conditions), metrics, json);
  }

  /** Writes the corrupted recordings and their manifest; returns the manifest. */
  private static Path corrupt(Manifest m, List<String> columns, Condition c, Path folder) {
    try {
      Files.createDirectories(folder);
      List<Manifest.Row> rows = new ArrayList<>();
      for (Manifest.Row row : m.rows()) {
        Map<String, Object> fields = new LinkedHashMap<>(row.fields());
        for (String column : columns) {
          if (fields.get(column) == null) {
            continue;
          }
          Path src = AudioPipelines.audioPath(fields.get(column));
          Audio a = AudioIO.read(src).toMono();
          ItemContext ctx = new ItemContext(CORRUPTION_SEED, 0, row.id());
          float[][] y =
              c.corruption()
                  .apply(a.samples(), a.sampleRate(), ctx.random(c.name() + "/" + column));
          Path out =
              folder.resolve(safe(row.id()) + (columns.size() > 1 ? "_" + column : "") + ".wav");
          AudioIO.writeWav(out, new Audio(y, a.sampleRate()), WavEncoding.FLOAT32);
          fields.put(column, out.toAbsolutePath().toString());
        }
        rows.add(new Manifest.Row(row.id(), fields, row.line()));
      }
      List<String> keys = new ArrayList<>(m.keys());
      keys.remove("id");
      keys.remove("ID");
      Path csv = folder.resolve(c.name() + ".csv");
      Manifest.writeCsv(csv, keys, rows);
      return csv;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the corrupted set under " + folder + ": " + e.getMessage(), e);
    }
  }

  /** {@code make}, with {@code option} (as the user typed it) before the message of its error. */
  private static <T> T named(String option, java.util.function.Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  private static String decibels(double snr) {
    return snr == Math.rint(snr)
        ? Long.toString((long) snr)
        : java.math.BigDecimal.valueOf(snr).stripTrailingZeros().toPlainString();
  }

  private static String safe(String id) {
    return id.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
