package dev.sonus.fuzz;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.tensor.SafeTensors;
import dev.sonus.tensor.Tensors;
import dev.sonus.testing.FlacWriter;
import dev.sonus.testing.Pickle;
import dev.sonus.testing.RawZip;
import dev.sonus.testing.Shared;
import dev.sonus.tokenize.SentencePieceModel;
import dev.sonus.tokenize.SentencePieceTrainer;
import dev.sonus.tokenize.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Generates the seed corpus of {@link ReaderFuzzTest}: small valid (and a few nearly valid) files
 * of every format, made here, so that the fuzzer starts from inputs that reach deep into each
 * reader. The FLAC seeds include a few of the reference-encoder fixtures of {@code
 * src/test/resources/audio/flac} (LPC, Rice partitions, wasted bits, 33-bit side channels), which
 * the project's own writer does not produce, and the audio seeds a few of the compressed samples of
 * {@code src/test/resources/audio/codec} (MP3, Vorbis, Opus, AAC, WebM), which reach FFmpeg.
 *
 * <p>Regenerate after changing it (from the repository root), then commit the files:
 *
 * <pre>
 * ./mvnw -B -q -pl sonus-core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.sonus.fuzz.SeedCorpus
 * </pre>
 *
 * <p>It writes {@code seed-*} files only (crash files found by fuzzing are left alone); {@code
 * SeedCorpusTest} fails when the committed seeds differ from what this class generates.
 */
public final class SeedCorpus {
  /** Where the seeds live, relative to the repository root. */
  public static final String INPUTS =
      "sonus-core/src/test/resources/dev/sonus/fuzz/ReaderFuzzTestInputs";

  private SeedCorpus() {}

  /** Writes every seed under {@code <repo root>/}{@value #INPUTS}, replacing the old seeds. */
  public static void main(String[] args) throws IOException {
    Path root = args.length > 0 ? Path.of(args[0]) : Shared.repoRoot().resolve(INPUTS);
    for (Map.Entry<String, Map<String, byte[]>> target : seeds().entrySet()) {
      Path dir = Files.createDirectories(root.resolve(target.getKey()));
      try (var old = Files.list(dir)) {
        for (Path p : (Iterable<Path>) old::iterator) {
          if (p.getFileName().toString().startsWith("seed-")) {
            Files.delete(p);
          }
        }
      }
      for (Map.Entry<String, byte[]> seed : target.getValue().entrySet()) {
        Files.write(dir.resolve(seed.getKey()), seed.getValue());
      }
    }
  }

  /** Seeds by fuzz target (method name), then by file name ({@code seed-...}). */
  public static Map<String, Map<String, byte[]>> seeds() {
    Map<String, Map<String, byte[]>> all = new LinkedHashMap<>();
    Map<String, byte[]> audio = audio();
    all.put("audioRead", audio);
    all.put("audioInfo", audio);
    all.put("safeTensors", safeTensors());
    all.put("torchCheckpoint", checkpoints());
    all.put("torchPickle", pickles());
    all.put("json", json());
    all.put("manifestCsv", csv());
    all.put("manifestJson", manifestJson());
    all.put("hyperYaml", recipes());
    all.put("sentencePieceModel", sentencePieceModels());
    return all;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Audio

  private static Map<String, byte[]> audio() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    float[][] stereo = new float[2][48];
    for (int t = 0; t < 48; t++) {
      stereo[0][t] = (float) Math.sin(t * 0.3) * 0.5f;
      stereo[1][t] = (t % 7 - 3) / 8f;
    }
    Audio a = new Audio(stereo, 16_000);
    seeds.put("seed-pcm16-stereo.wav", wav(a, WavEncoding.PCM_S16));
    seeds.put("seed-pcm8-stereo.wav", wav(a, WavEncoding.PCM_U8));
    seeds.put("seed-pcm24-stereo.wav", wav(a, WavEncoding.PCM_S24));
    seeds.put(
        "seed-pcm32-mono.wav",
        wav(new Audio(new float[][] {stereo[0]}, 8_000), WavEncoding.PCM_S32));
    seeds.put("seed-float32-stereo.wav", wav(a, WavEncoding.FLOAT32));
    seeds.put(
        "seed-float64-mono.wav",
        wav(new Audio(new float[][] {stereo[1]}, 22_050), WavEncoding.FLOAT64));
    float[][] six = new float[6][8];
    six[3][2] = 0.25f;
    seeds.put("seed-float32-6ch.wav", wav(new Audio(six, 48_000), WavEncoding.FLOAT32));

    long[][] ramp = new long[2][64];
    for (int i = 0; i < 64; i++) {
      ramp[0][i] = (i * 997L) % 4096 - 2048;
      ramp[1][i] = -ramp[0][i];
    }
    seeds.put(
        "seed-constant-verbatim-fixed.flac",
        new FlacWriter(16_000, 2, 12)
            .constantFrame(256, 5, -7)
            .verbatimFrame(ramp)
            .fixedOrder1Frame(64, 100, 4, -3)
            .bytes());
    seeds.put(
        "seed-8ch-unknown-length.flac",
        new FlacWriter(48_000, 8, 24).declaredSamples(0).constantFrame(4096, 0, 1, -1).bytes());
    byte[] silence = fixture("silence_16k.flac");
    byte[] tag = new byte[10 + 20];
    tag[0] = 'I';
    tag[1] = 'D';
    tag[2] = '3';
    tag[3] = 4;
    tag[9] = 20;
    seeds.put("seed-id3-silence.flac", concat(tag, silence));
    seeds.put("seed-ref-lpc32.flac", fixture("lpc32_12k.flac"));
    seeds.put("seed-ref-wasted-bits.flac", fixture("wasted_bits_16k.flac"));
    seeds.put("seed-ref-mono8.flac", fixture("mono8_8k.flac"));
    seeds.put("seed-ref-stereo32-side.flac", fixture("stereo32_16k.flac"));
    // Compressed audio goes through FFmpeg: one small file of each container (within the corpus's
    // 100 KB).
    for (String name :
        List.of("cbr8k.mp3", "mono16k.ogg", "mono16k.opus", "mono16k.m4a", "stereo44k.webm")) {
      seeds.put("seed-codec-" + name, resource("/audio/codec/" + name));
    }
    return seeds;
  }

  private static byte[] wav(Audio audio, WavEncoding encoding) {
    try {
      Path f = Files.createTempFile("sonus-seed", ".wav");
      try {
        AudioIO.writeWav(f, audio, encoding);
        return Files.readAllBytes(f);
      } finally {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] fixture(String name) {
    return resource("/audio/flac/" + name);
  }

  private static byte[] resource(String name) {
    try (InputStream in = SeedCorpus.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + name + " is missing");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Tensors

  private static Map<String, byte[]> safeTensors() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    try (PointerScope scope = new PointerScope()) {
      Map<String, Tensor> t = new LinkedHashMap<>();
      t.put("encoder.w", Tensors.fromFloats(new float[] {1, -2, 3.5f, 0, 1e-3f, 7}, 2, 3));
      t.put("step", Tensors.fromLongs(new long[] {42}));
      t.put("empty", Tensors.fromFloats(new float[0], 0, 3));
      seeds.put(
          "seed-f32-i64-metadata.safetensors",
          safeTensorsBytes(t, Map.of("format", "pt", "epoch", "3")));
      Map<String, Tensor> every = new LinkedHashMap<>();
      Tensor base = Tensors.fromFloats(new float[] {0, 1, 0, 1}, 4);
      for (org.bytedeco.pytorch.global.torch.ScalarType type :
          List.of(
              org.bytedeco.pytorch.global.torch.ScalarType.Double,
              org.bytedeco.pytorch.global.torch.ScalarType.Half,
              org.bytedeco.pytorch.global.torch.ScalarType.BFloat16,
              org.bytedeco.pytorch.global.torch.ScalarType.Int,
              org.bytedeco.pytorch.global.torch.ScalarType.Short,
              org.bytedeco.pytorch.global.torch.ScalarType.Char,
              org.bytedeco.pytorch.global.torch.ScalarType.Byte,
              org.bytedeco.pytorch.global.torch.ScalarType.Bool)) {
        every.put(type.name().toLowerCase(java.util.Locale.ROOT), base.to(type));
      }
      seeds.put("seed-every-dtype.safetensors", safeTensorsBytes(every, Map.of()));
    }
    seeds.put("seed-no-tensors.safetensors", safeTensorsHeader("{}"));
    return seeds;
  }

  private static byte[] safeTensorsBytes(Map<String, Tensor> tensors, Map<String, String> meta) {
    try {
      Path f = Files.createTempFile("sonus-seed", ".safetensors");
      try {
        SafeTensors.write(f, tensors, meta);
        return Files.readAllBytes(f);
      } finally {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] safeTensorsHeader(String json) {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(h.length)
        .put(h)
        .array();
  }

  /**
   * A {@code torch.save}-style archive around {@code pickle}: {@code archive/data.pkl}, storage
   * {@code 0} (floats 0 to 7), storage {@code 1} (the long 42) and {@code archive/version}.
   */
  public static byte[] checkpointZip(byte[] pickle) {
    return RawZip.bytes(
        List.of(
            RawZip.stored("archive/data.pkl", pickle),
            RawZip.stored("archive/data/0", floats(0, 1, 2, 3, 4, 5, 6, 7)),
            RawZip.stored("archive/data/1", longs(42)),
            RawZip.stored("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII))));
  }

  private static Map<String, byte[]> checkpoints() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("seed-state-dict.ckpt", checkpointZip(stateDict()));
    seeds.put("seed-protocol4.ckpt", checkpointZip(protocol4()));
    byte[] bools =
        new Pickle()
            .proto(2)
            .emptyDict()
            .str("mask")
            .tensor("BoolStorage", "0", 4, 0, new long[] {2, 2}, new long[] {2, 1})
            .setitem()
            .stop();
    seeds.put(
        "seed-bool-big-endian-deflated.ckpt",
        RawZip.bytes(
            List.of(
                RawZip.deflated("m/data.pkl", bools),
                RawZip.stored("m/byteorder", "big".getBytes(StandardCharsets.US_ASCII)),
                RawZip.deflated("m/data/0", new byte[] {1, 0, 0, 1}))));
    return seeds;
  }

  private static Map<String, byte[]> pickles() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("seed-state-dict.pkl", stateDict());
    seeds.put("seed-protocol4.pkl", protocol4());
    seeds.put("seed-shared-lists.pkl", Pickle.sharedLists(3, 8));
    seeds.put(
        "seed-stride0.pkl",
        new Pickle()
            .proto(2)
            .emptyDict()
            .str("w")
            .tensor("FloatStorage", "0", 8, 3, new long[] {4, 5}, new long[] {0, 1})
            .setitem()
            .stop());
    return seeds;
  }

  /**
   * An OrderedDict state dict as {@code torch.save} writes it (protocol 2): a transposed view with
   * an offset, a parameter, a 0-dim long tensor, numbers, nested containers and the {@code
   * _metadata} attribute set by BUILD.
   */
  private static byte[] stateDict() {
    Pickle p = new Pickle().proto(2);
    p.global("collections", "OrderedDict").put(0).emptyTuple().reduce().put(1).mark();
    p.str("layer.weight").global("torch._utils", "_rebuild_tensor_v2").put(2);
    p.mark().storage("FloatStorage", "0", 8).int1(1);
    p.int1(3).int1(2).tuple2().int1(1).int1(3).tuple2().bool(false).get(0).emptyTuple().reduce();
    p.tuple().reduce();
    p.str("layer.bias").global("torch._utils", "_rebuild_parameter").get(2).mark();
    p.storage("FloatStorage", "0", 8).int1(0).int1(2).tuple1().int1(1).tuple1().bool(true);
    p.get(0).emptyTuple().reduce().tuple().reduce().bool(true).get(0).emptyTuple().reduce();
    p.tuple3().reduce();
    p.str("num_batches_tracked").get(2).mark().storage("LongStorage", "1", 1).int1(0);
    p.emptyTuple().emptyTuple().bool(false).get(0).emptyTuple().reduce().tuple().reduce();
    p.str("eps")
        .float8(1e-5)
        .str("count")
        .int4(-7)
        .str("flag")
        .bool(true)
        .str("big")
        .long1(1L << 40);
    p.str("betas").float8(0.9).float8(0.999).tuple2();
    p.str("groups").emptyList().mark().emptyDict().str("lr").float8(0.1).setitem().none().appends();
    p.setitems();
    p.emptyDict().str("_metadata").get(0).emptyTuple().reduce().str("").emptyDict();
    p.str("version").int1(1).setitem().setitem().setitem().build();
    return p.stop();
  }

  /** Protocol 4: FRAME, SHORT_BINUNICODE, MEMOIZE and STACK_GLOBAL, as Python 3.8+ writes. */
  private static byte[] protocol4() {
    Pickle p = new Pickle().proto(4);
    p.op(0x95).raw(new byte[] {60, 0, 0, 0, 0, 0, 0, 0}); // FRAME of 60 bytes: a hint only
    p.emptyDict().op(0x94).mark();
    shortStr(p, "w").op(0x94);
    shortStr(p, "torch._utils");
    shortStr(p, "_rebuild_tensor_v2").stackGlobal().op(0x94);
    p.mark().mark();
    shortStr(p, "storage");
    shortStr(p, "torch");
    shortStr(p, "FloatStorage").stackGlobal();
    shortStr(p, "0");
    shortStr(p, "cpu").int1(8).tuple().op('Q');
    p.int1(0).int1(8).tuple1().int1(1).tuple1().bool(false);
    p.global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    shortStr(p, "n").int1(5);
    p.setitems();
    return p.stop();
  }

  private static Pickle shortStr(Pickle p, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return p.op(0x8c).op(b.length).raw(b);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Text

  private static Map<String, byte[]> json() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put(
        "seed-record.json",
        utf8(
            "{\"sonus\": {\"version\": \"0.1.0\", \"commit\": null},\n"
                + " \"cpu\": {\"cores\": 2, \"simd\": [\"AVX2\", \"FMA\"], \"ghz\": 2.45},\n"
                + " \"metrics\": {\"wer\": 12.5, \"loss\": -1.25e-3, \"ok\": true, \"bad\": false}}"));
    seeds.put(
        "seed-strings.json",
        utf8(
            "[\"tab\\tquote\\\"slash\\/back\\\\\", \"\\u00e9\\ud83d\\ude00\", \"caf\u00e9\", \"\"]"));
    seeds.put(
        "seed-numbers.json",
        utf8("[0, -0, 1e308, -1.5E+10, 123456789012345678901234567890, 0.000001, [[[]]], {}]"));
    return seeds;
  }

  private static Map<String, byte[]> csv() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put(
        "seed-speechbrain.csv",
        utf8(
            "ID, duration, wav, spk_id, wrd\n"
                + "utt1, 1.25, $data_root/a.wav, s1, \"hello, world\"\n"
                + "utt2,2,$data_root/b.wav,s2,\"say \"\"yes\"\"\"\n"
                + "\n"
                + "utt3,0.5,$data_root/c.wav,s1,x\n"));
    seeds.put(
        "seed-bom-crlf.csv",
        utf8("\uFEFFID,wav,wrd\r\nu1,a.wav,\"two\r\nlines\"\r\nu2,b.wav,\r\n"));
    return seeds;
  }

  private static Map<String, byte[]> manifestJson() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put(
        "seed-speechbrain.json",
        utf8(
            "{\n"
                + "  \"utt1\": {\"wav\": \"{data_root}/a.wav\", \"duration\": 1.2, \"words\":"
                + " [\"a\", \"b\"]},\n"
                + "  \"utt2\": {\"wav\": {\"file\": \"{data_root}/b.wav\", \"start\": 0, \"stop\":"
                + " 16000}, \"spk\": \"s\"}\n"
                + "}\n"));
    return seeds;
  }

  /** Recipes in the dialect's every feature, building JDK value types only (see the target). */
  private static Map<String, byte[]> recipes() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put(
        "seed-references.yaml",
        utf8(
            "seed: 1986\n"
                + "output_folder: !ref results/<seed>\n"
                + "n_mels: 40\n"
                + "double: !ref <n_mels> * 2 + 1\n"
                + "ratio: !ref (<n_mels> - 8) / 4 ** 2 % 3\n"
                + "sizes: [!ref <n_mels>, 128, -1.5e-3, .inf, null, ~, yes, 0x1F]\n"
                + "nested:\n  a: !ref <sizes>\n  b: !ref <double>\n"
                + "copy: !copy <nested>\n"
                + "anchor: &base {x: 1, y: [2, 3]}\n"
                + "merged: {<<: *base, z: 4}\n"
                + "text: \"quoted 'text' <seed>\"\n"
                + "block: |\n  two\n  lines\n"));
    seeds.put(
        "seed-build.yaml",
        utf8(
            "big: !new:java.math.BigInteger ['123456789']\n"
                + "root: !apply:java.lang.Math.sqrt [2.0]\n"
                + "names: !new:java.util.ArrayList [[a, b]]\n"
                + "max: !apply:java.lang.Math.max {a: 1, b: 2}\n"
                + "later: !name:java.lang.Math.abs\n"
                + "path: !apply:java.nio.file.Path.of [/tmp, x]\n"
                + "trusted_classes: [java.util.concurrent.]\n"
                + "bad: !new:java.lang.ProcessBuilder [ls]\n"));
    seeds.put(
        "seed-tuple-date.yaml",
        utf8("pair: !tuple (1, 2)\n" + "when: 2026-12-01\n" + "neg: -0.0\n"));
    return seeds;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static byte[] longs(long... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return b.array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** The total size of all seeds, for the size check. */
  // ---------------------------------------------------------------------------------------------------------------
  // SentencePiece models

  /**
   * Models trained here: unigram with a small {@code precompiled_charsmap}, BPE with a user-defined
   * symbol and the 256 byte pieces, and char.
   */
  private static Map<String, byte[]> sentencePieceModels() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    byte[] charsMap = TestModels.charsMap(Map.of("\uFF21", "A", "\uFB01", "fi", "\u0007", ""));
    seeds.put(
        "seed-unigram-charsmap.model",
        TestModels.edited(
            TestModels.trained(SentencePieceModel.Type.UNIGRAM, 40).toByteArray(),
            TestModels.setIn("normalizer_spec", "precompiled_charsmap", charsMap)
                .andThen(TestModels.setIn("normalizer_spec", "name", "nmt_nfkc"))));
    seeds.put(
        "seed-bpe-bytes-user.model",
        SentencePieceTrainer.train(
                TestModels.transcripts(60),
                SentencePieceTrainer.Options.of(SentencePieceModel.Type.BPE, 40 + 256 + 1)
                    .withByteFallback(true)
                    .withUserDefinedSymbols(List.of("[NOISE]")))
            .toByteArray());
    seeds.put("seed-char.model", TestModels.trained(SentencePieceModel.Type.CHAR, 0).toByteArray());
    return seeds;
  }

  static long totalBytes() {
    long n = 0;
    for (Map<String, byte[]> m : seeds().values()) {
      for (byte[] b : m.values()) {
        n += b.length;
      }
    }
    return n;
  }
}
