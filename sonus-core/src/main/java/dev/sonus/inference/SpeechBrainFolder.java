package dev.sonus.inference;

import dev.sonus.config.HyperYaml;
import dev.sonus.features.Fbank;
import dev.sonus.features.InputNormalization;
import dev.sonus.models.CosineClassifier;
import dev.sonus.models.EcapaTdnn;
import dev.sonus.nn.Activation;
import dev.sonus.tensor.StateDict;
import dev.sonus.tensor.TorchCheckpoint;
import dev.sonus.tokenize.LabelEncoder;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A SpeechBrain pretrained speaker model folder, as SpeechBrain publishes them ({@code hyperparams.yaml},
 * {@code embedding_model.ckpt}, optionally {@code mean_var_norm_emb.ckpt}, {@code classifier.ckpt},
 * {@code label_encoder.txt}), mapped onto Sonus classes: {@code speechbrain.lobes.features.Fbank} → {@link Fbank},
 * {@code speechbrain.processing.features.InputNormalization} → {@link InputNormalization},
 * {@code speechbrain.lobes.models.ECAPA_TDNN.ECAPA_TDNN} → {@link EcapaTdnn},
 * {@code speechbrain.lobes.models.ECAPA_TDNN.Classifier} → {@link CosineClassifier}; the checkpoints are read by
 * {@link TorchCheckpoint} (tensors only, nothing in them runs). Another class, or an argument these classes do not
 * support, is named in the error. The embedding is computed as SpeechBrain's {@code EncoderClassifier.encode_batch}
 * does: features, {@code mean_var_norm}, {@code embedding_model}.
 */
final class SpeechBrainFolder implements SpeakerEmbedder {
  private static final Logger LOG = LoggerFactory.getLogger(SpeechBrainFolder.class);
  private static final String FBANK = "speechbrain.lobes.features.Fbank";
  private static final String NORM = "speechbrain.processing.features.InputNormalization";
  private static final String ECAPA = "speechbrain.lobes.models.ECAPA_TDNN.ECAPA_TDNN";
  private static final String CLASSIFIER = "speechbrain.lobes.models.ECAPA_TDNN.Classifier";
  private static final Set<String> NOT_BUILT = Set.of("speechbrain.dataio.encoder.CategoricalEncoder",
      "speechbrain.utils.parameter_transfer.Pretrainer");

  private final Path folder;
  private final Fbank fbank;
  private final int sampleRate;
  private final InputNormalization meanVarNorm;
  private final EcapaTdnn embeddingModel;
  private final InputNormalization meanVarNormEmb;
  private final CosineClassifier classifier;
  private final LabelEncoder labels;

  private SpeechBrainFolder(Path folder, Fbank fbank, int sampleRate, InputNormalization meanVarNorm,
      EcapaTdnn embeddingModel, InputNormalization meanVarNormEmb, CosineClassifier classifier, LabelEncoder labels) {
    this.folder = folder;
    this.fbank = fbank;
    this.sampleRate = sampleRate;
    this.meanVarNorm = meanVarNorm;
    this.embeddingModel = embeddingModel;
    this.meanVarNormEmb = meanVarNormEmb;
    this.classifier = classifier;
    this.labels = labels;
  }

  /** Whether {@code folder} looks like a SpeechBrain model folder (has {@code hyperparams.yaml}). */
  static boolean isOne(Path folder) {
    return Files.isRegularFile(folder.resolve("hyperparams.yaml"));
  }

  static SpeechBrainFolder load(Path folder) {
    Path yaml = folder.resolve("hyperparams.yaml");
    Node root = new Yaml().compose(new StringReader(HyperYaml.resolve(yaml, Map.of())));
    if (!(root instanceof MappingNode top)) {
      throw new IllegalArgumentException(yaml + " is not a mapping of hyperparameters");
    }
    Map<String, Node> keys = new LinkedHashMap<>();
    for (NodeTuple t : top.getValue()) {
      keys.put(((ScalarNode) t.getKeyNode()).getValue(), t.getValueNode());
    }
    List<String> unmapped = new ArrayList<>();
    for (Map.Entry<String, Node> e : keys.entrySet()) {
      String cls = className(e.getValue());
      if (cls != null && !Set.of(FBANK, NORM, ECAPA, CLASSIFIER).contains(cls) && !NOT_BUILT.contains(cls)) {
        unmapped.add(e.getKey() + " (" + cls + ")");
      }
    }
    Node emb = keys.get("embedding_model");
    if (emb == null || !ECAPA.equals(className(emb))) {
      throw new IllegalArgumentException(yaml + ": 'embedding_model' is " + (emb == null ? "missing" : className(emb))
          + "; Sonus maps " + ECAPA + " (other embedding models are not supported yet)");
    }
    Node features = keys.get("compute_features");
    if (features == null || !FBANK.equals(className(features))) {
      throw new IllegalArgumentException(yaml + ": 'compute_features' is " + (features == null ? "missing"
          : className(features)) + "; Sonus maps " + FBANK);
    }
    if (!unmapped.isEmpty()) {
      LOG.info("{}: not used by Sonus: {}", yaml, unmapped);
    }
    Map<String, Object> fArgs = args(features, yaml, "compute_features");
    int rate = intArg(fArgs, "sample_rate", 16000);
    Fbank.Options fo = Fbank.Options.defaults().withSampleRate(rate).withNMels(intArg(fArgs, "n_mels", 40))
        .withNFft(intArg(fArgs, "n_fft", 400))
        .withFrequencyRange(doubleArg(fArgs, "f_min", 0), doubleArg(fArgs, "f_max", 0));
    requireOnly(fArgs, Set.of("sample_rate", "n_mels", "n_fft", "f_min", "f_max"), yaml, "compute_features");
    Fbank fbank = new Fbank(fo);

    InputNormalization norm = keys.containsKey("mean_var_norm")
        ? normalization(args(keys.get("mean_var_norm"), yaml, "mean_var_norm"), yaml, "mean_var_norm") : null;
    EcapaTdnn ecapa = new EcapaTdnn(ecapaOptions(args(emb, yaml, "embedding_model"), yaml));
    loadWeights(ecapa, checkpoint(folder, keys, "embedding_model"), true);
    ecapa.eval();

    InputNormalization normEmb = null;
    Path normEmbCkpt = checkpoint(folder, keys, "mean_var_norm_emb");
    if (keys.containsKey("mean_var_norm_emb") && Files.isRegularFile(normEmbCkpt)) {
      normEmb = normalization(args(keys.get("mean_var_norm_emb"), yaml, "mean_var_norm_emb"), yaml,
          "mean_var_norm_emb");
      Map<String, Tensor> stats = TorchCheckpoint.read(normEmbCkpt);
      try {
        if (!stats.containsKey("glob_mean") || !stats.containsKey("glob_std")) {
          throw new IllegalArgumentException(normEmbCkpt + " has no glob_mean/glob_std (it has " + stats.keySet()
              + "); it is not an InputNormalization checkpoint");
        }
        normEmb.setStatistics(stats.get("glob_mean"), stats.get("glob_std"),
            stats.containsKey("count") ? stats.get("count").item_long() : 1);
      } finally {
        stats.values().forEach(Tensor::close);
      }
      normEmb.eval();
    }
    CosineClassifier classifier = null;
    Path classifierCkpt = checkpoint(folder, keys, "classifier");
    if (keys.containsKey("classifier") && CLASSIFIER.equals(className(keys.get("classifier")))
        && Files.isRegularFile(classifierCkpt)) {
      Map<String, Object> c = args(keys.get("classifier"), yaml, "classifier");
      requireOnly(c, Set.of("input_size", "out_neurons", "lin_blocks", "lin_neurons", "device"), yaml, "classifier");
      classifier = new CosineClassifier(intArg(c, "input_size", 192), intArg(c, "lin_blocks", 0),
          intArg(c, "lin_neurons", 192), intArg(c, "out_neurons", 1211));
      loadWeights(classifier, classifierCkpt, true);
      classifier.eval();
    }
    Path labelFile = folder.resolve("label_encoder.txt");
    LabelEncoder labels = Files.isRegularFile(labelFile) ? LabelEncoder.load(labelFile) : null;
    if (norm != null) {
      norm.eval();
    }
    return new SpeechBrainFolder(folder, fbank, rate, norm, ecapa, normEmb, classifier, labels);
  }

  private static void loadWeights(org.bytedeco.pytorch.Module module, Path ckpt, boolean strict) {
    if (!Files.isRegularFile(ckpt)) {
      throw new IllegalArgumentException("checkpoint " + ckpt + " is missing; a SpeechBrain model folder needs it "
          + "(download the whole folder)");
    }
    Map<String, Tensor> state = TorchCheckpoint.read(ckpt);
    try {
      StateDict.load(module, state, strict, ckpt.toString());
    } finally {
      state.values().forEach(Tensor::close);
    }
  }

  /** The Pretrainer's path for a loadable, else {@code <name>.ckpt} in the folder. */
  private static Path checkpoint(Path folder, Map<String, Node> keys, String name) {
    Node pre = keys.get("pretrainer");
    if (pre instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if ("paths".equals(((ScalarNode) t.getKeyNode()).getValue()) && t.getValueNode() instanceof MappingNode p) {
          for (NodeTuple q : p.getValue()) {
            if (name.equals(((ScalarNode) q.getKeyNode()).getValue()) && q.getValueNode() instanceof ScalarNode v) {
              Path given = Path.of(v.getValue());
              return given.isAbsolute() ? given : folder.resolve(given).normalize();
            }
          }
        }
      }
    }
    return folder.resolve(name + ".ckpt");
  }

  private static String className(Node node) {
    String tag = node.getTag().getValue();
    return tag.startsWith("!new:") ? tag.substring(5) : null;
  }

  private static Map<String, Object> args(Node node, Path yaml, String key) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        out.put(((ScalarNode) t.getKeyNode()).getValue(), value(t.getValueNode()));
      }
    } else if (!(node instanceof ScalarNode s && s.getValue().isEmpty())) {
      throw new IllegalArgumentException(yaml + ": '" + key + "' must give its arguments as a mapping");
    }
    return out;
  }

  private static Object value(Node node) {
    if (node instanceof SequenceNode s) {
      List<Object> out = new ArrayList<>();
      s.getValue().forEach(n -> out.add(value(n)));
      return out;
    }
    if (node instanceof ScalarNode s) {
      String tag = s.getTag().getValue();
      if (tag.startsWith("!name:")) {
        return tag.substring(6);
      }
      return s.getValue();
    }
    return node.toString();
  }

  private static void requireOnly(Map<String, Object> args, Set<String> supported, Path yaml, String key) {
    for (String k : args.keySet()) {
      if (!supported.contains(k) && !"device".equals(k)) {
        throw new IllegalArgumentException(yaml + ": argument '" + k + "' of '" + key + "' is not supported by "
            + "Sonus (supported: " + new java.util.TreeSet<>(supported) + ")");
      }
    }
  }

  private static int intArg(Map<String, Object> args, String key, int fallback) {
    Object v = args.get(key);
    return v == null ? fallback : Integer.parseInt(String.valueOf(v).trim());
  }

  private static double doubleArg(Map<String, Object> args, String key, double fallback) {
    Object v = args.get(key);
    if (v == null || "null".equals(v) || "None".equals(v)) {
      return fallback;
    }
    return Double.parseDouble(String.valueOf(v).trim());
  }

  private static boolean boolArg(Map<String, Object> args, String key, boolean fallback) {
    Object v = args.get(key);
    return v == null ? fallback : Boolean.parseBoolean(String.valueOf(v).trim().toLowerCase(Locale.ROOT));
  }

  @SuppressWarnings("unchecked")
  private static List<Long> longs(Map<String, Object> args, String key, List<Long> fallback) {
    Object v = args.get(key);
    if (v == null) {
      return fallback;
    }
    List<Long> out = new ArrayList<>();
    for (Object o : (List<Object>) v) {
      out.add(Long.parseLong(String.valueOf(o).trim()));
    }
    return out;
  }

  private static InputNormalization normalization(Map<String, Object> a, Path yaml, String key) {
    requireOnly(a, Set.of("norm_type", "mean_norm", "std_norm", "avg_factor", "update_until_epoch"), yaml, key);
    String type = String.valueOf(a.getOrDefault("norm_type", "global")).toUpperCase(Locale.ROOT);
    InputNormalization.Type t;
    try {
      t = InputNormalization.Type.valueOf(type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(yaml + ": norm_type of '" + key + "' is " + type.toLowerCase(Locale.ROOT)
          + "; Sonus supports sentence, batch and global", e);
    }
    return new InputNormalization(t, boolArg(a, "mean_norm", true), boolArg(a, "std_norm", true));
  }

  private static EcapaTdnn.Options ecapaOptions(Map<String, Object> a, Path yaml) {
    requireOnly(a, Set.of("input_size", "lin_neurons", "activation", "channels", "kernel_sizes", "dilations",
        "attention_channels", "res2net_scale", "se_channels", "global_context", "groups"), yaml, "embedding_model");
    Object act = a.get("activation");
    if (act != null && !"torch.nn.ReLU".equals(act)) {
      throw new IllegalArgumentException(yaml + ": activation " + act + " of 'embedding_model' is not supported; "
          + "Sonus maps torch.nn.ReLU");
    }
    EcapaTdnn.Options d = EcapaTdnn.Options.defaults();
    return new EcapaTdnn.Options(intArg(a, "input_size", 80), intArg(a, "lin_neurons", 192), Activation.RELU,
        longs(a, "channels", d.channels()), longs(a, "kernel_sizes", d.kernelSizes()),
        longs(a, "dilations", d.dilations()), intArg(a, "attention_channels", 128), intArg(a, "res2net_scale", 8),
        intArg(a, "se_channels", 128), boolArg(a, "global_context", true), longs(a, "groups", d.groups()));
  }

  @Override
  public int sampleRate() {
    return sampleRate;
  }

  @Override
  public float[][] embed(List<float[]> signals) {
    return embed(signals, false);
  }

  /** Embeddings, optionally with the folder's global embedding normalisation ({@code normalize=True}). */
  float[][] embed(List<float[]> signals, boolean normalize) {
    if (normalize && meanVarNormEmb == null) {
      throw new IllegalArgumentException(folder + " has no mean_var_norm_emb.ckpt: embeddings cannot be normalised");
    }
    return Embeddings.compute(signals, fbank, meanVarNorm, embeddingModel, normalize ? meanVarNormEmb : null);
  }

  /** The folder's classifier, or null. */
  CosineClassifier classifier() {
    return classifier;
  }

  /** The folder's labels, or null. */
  LabelEncoder labels() {
    return labels;
  }
}
