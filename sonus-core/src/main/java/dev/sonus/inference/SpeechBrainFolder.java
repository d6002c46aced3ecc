package dev.sonus.inference;

import dev.sonus.config.ClassTable;
import dev.sonus.config.Hparams;
import dev.sonus.config.HyperYaml;
import dev.sonus.features.Fbank;
import dev.sonus.features.FeatureExtractor;
import dev.sonus.features.InputNormalization;
import dev.sonus.features.Mfcc;
import dev.sonus.models.ClassifierHead;
import dev.sonus.models.CosineClassifier;
import dev.sonus.models.EcapaTdnn;
import dev.sonus.models.EmbeddingModel;
import dev.sonus.models.Xvector;
import dev.sonus.models.XvectorClassifier;
import dev.sonus.nn.Activation;
import dev.sonus.tensor.StateDict;
import dev.sonus.tensor.TorchCheckpoint;
import dev.sonus.tokenize.LabelEncoder;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * A SpeechBrain pretrained speaker model folder, as SpeechBrain publishes them ({@code
 * hyperparams.yaml}, {@code embedding_model.ckpt}, optionally {@code mean_var_norm_emb.ckpt},
 * {@code classifier.ckpt}, {@code label_encoder.txt}), built by one table of SpeechBrain classes
 * and the recipe binder ({@link #CLASSES}): the YAML's arguments bind to the Sonus classes by name,
 * so an argument a class does not have is named with the ones it has, and a class without an entry
 * is refused by name with the supported ones. Nothing in the folder runs: the YAML builds only the
 * table's classes, and {@link TorchCheckpoint} reads tensors only. The embedding is computed as
 * SpeechBrain's {@code EncoderClassifier.encode_batch} does: features, {@code mean_var_norm},
 * {@code embedding_model}.
 */
final class SpeechBrainFolder implements SpeakerEmbedder {
  private static final Logger LOG = LoggerFactory.getLogger(SpeechBrainFolder.class);

  /** The SpeechBrain classes a model folder may name, and the Sonus class each is built as. */
  static final ClassTable CLASSES =
      ClassTable.empty()
          .with("speechbrain.lobes.features.Fbank", Fbank.class)
          .with("speechbrain.lobes.features.MFCC", Mfcc.class)
          .with("speechbrain.processing.features.InputNormalization", InputNormalization.class)
          .with("speechbrain.lobes.models.ECAPA_TDNN.ECAPA_TDNN", EcapaTdnn.class)
          .with("speechbrain.lobes.models.ECAPA_TDNN.Classifier", CosineClassifier.class)
          .with("speechbrain.lobes.models.Xvector.Xvector", Xvector.class)
          .with(
              "speechbrain.lobes.models.Xvector.Classifier",
              XvectorClassifier.class,
              SpeechBrainFolder::inputShapeToSize)
          .withConstant("torch.nn.ReLU", Activation.RELU)
          .withConstant("torch.nn.LeakyReLU", Activation.LEAKY_RELU)
          .withConstant("torch.nn.Tanh", Activation.TANH)
          .withConstant("torch.nn.GELU", Activation.GELU)
          .ignoring("device", "requires_grad");

  /**
   * The keys of {@code hyperparams.yaml} that Sonus builds; the others (modules, pretrainer, ...)
   * are read only.
   */
  private static final List<String> REQUIRED = List.of("compute_features", "embedding_model");

  private static final List<String> OPTIONAL =
      List.of("mean_var_norm", "mean_var_norm_emb", "classifier");

  private final Path folder;
  private final FeatureExtractor features;
  private final InputNormalization meanVarNorm;
  private final EmbeddingModel embeddingModel;
  private final InputNormalization meanVarNormEmb;
  private final ClassifierHead classifier;
  private final LabelEncoder labels;

  private SpeechBrainFolder(
      Path folder,
      FeatureExtractor features,
      InputNormalization meanVarNorm,
      EmbeddingModel embeddingModel,
      InputNormalization meanVarNormEmb,
      ClassifierHead classifier,
      LabelEncoder labels) {
    this.folder = folder;
    this.features = features;
    this.meanVarNorm = meanVarNorm;
    this.embeddingModel = embeddingModel;
    this.meanVarNormEmb = meanVarNormEmb;
    this.classifier = classifier;
    this.labels = labels;
  }

  /**
   * Whether {@code folder} looks like a SpeechBrain model folder (has {@code hyperparams.yaml}).
   */
  static boolean isOne(Path folder) {
    return Files.isRegularFile(folder.resolve("hyperparams.yaml"));
  }

  static SpeechBrainFolder load(Path folder) {
    Path yaml = folder.resolve("hyperparams.yaml");
    Map<String, Node> keys = topLevel(yaml);
    for (String key : REQUIRED) {
      String cls = className(keys.get(key));
      if (cls == null || CLASSES.sonusClass(cls) == null) {
        throw new IllegalArgumentException(
            yaml
                + ": '"
                + key
                + "' is "
                + (keys.containsKey(key) ? cls == null ? "not a !new: object" : cls : "missing")
                + "; Sonus builds "
                + key
                + " from one of "
                + CLASSES.supported());
      }
    }
    List<String> build = new java.util.ArrayList<>(REQUIRED);
    for (String key : OPTIONAL) {
      String cls = className(keys.get(key));
      if (cls != null && CLASSES.sonusClass(cls) != null) {
        build.add(key);
      } else if (keys.containsKey(key)) {
        LOG.info("{}: '{}' ({}) is not used: Sonus has no counterpart", yaml, key, cls);
      }
    }
    Hparams h = HyperYaml.loadKeys(yaml, build, CLASSES);
    FeatureExtractor features = h.get("compute_features", FeatureExtractor.class);
    EmbeddingModel model = h.get("embedding_model", EmbeddingModel.class);
    loadWeights(model.module(), checkpoint(folder, keys, "embedding_model"));
    model.module().eval();
    InputNormalization norm =
        h.contains("mean_var_norm") ? h.get("mean_var_norm", InputNormalization.class) : null;
    if (norm != null) {
      norm.eval();
    }
    InputNormalization normEmb = null;
    Path normEmbCkpt = checkpoint(folder, keys, "mean_var_norm_emb");
    if (h.contains("mean_var_norm_emb") && Files.isRegularFile(normEmbCkpt)) {
      normEmb = h.get("mean_var_norm_emb", InputNormalization.class);
      loadStatistics(normEmb, normEmbCkpt);
      normEmb.eval();
    }
    ClassifierHead classifier = null;
    Path classifierCkpt = checkpoint(folder, keys, "classifier");
    if (h.contains("classifier") && Files.isRegularFile(classifierCkpt)) {
      classifier = h.get("classifier", ClassifierHead.class);
      loadWeights(classifier.module(), classifierCkpt);
      classifier.module().eval();
    }
    Path labelFile = folder.resolve("label_encoder.txt");
    LabelEncoder labels = Files.isRegularFile(labelFile) ? LabelEncoder.load(labelFile) : null;
    return new SpeechBrainFolder(folder, features, norm, model, normEmb, classifier, labels);
  }

  /**
   * SpeechBrain's x-vector classifier takes {@code input_shape} ({@code [null, null, 512]}): its
   * last entry.
   */
  private static Map<String, Object> inputShapeToSize(Map<String, Object> args) {
    Map<String, Object> out = new LinkedHashMap<>(args);
    Object shape = out.remove("input_shape");
    if (shape instanceof List<?> list && !list.isEmpty()) {
      out.put("input_size", list.get(list.size() - 1));
    } else if (shape != null) {
      out.put("input_size", shape);
    }
    return out;
  }

  private static Map<String, Node> topLevel(Path yaml) {
    Node root = new Yaml().compose(new StringReader(HyperYaml.resolve(yaml, Map.of())));
    if (!(root instanceof MappingNode top)) {
      throw new IllegalArgumentException(yaml + " is not a mapping of hyperparameters");
    }
    Map<String, Node> keys = new LinkedHashMap<>();
    for (NodeTuple t : top.getValue()) {
      keys.put(((ScalarNode) t.getKeyNode()).getValue(), t.getValueNode());
    }
    return keys;
  }

  private static void loadStatistics(InputNormalization norm, Path ckpt) {
    Map<String, Tensor> stats = TorchCheckpoint.read(ckpt);
    try {
      if (!stats.containsKey("glob_mean") || !stats.containsKey("glob_std")) {
        throw new IllegalArgumentException(
            ckpt
                + " has no glob_mean/glob_std (it has "
                + stats.keySet()
                + "); it is not an InputNormalization checkpoint");
      }
      norm.setStatistics(
          stats.get("glob_mean"),
          stats.get("glob_std"),
          stats.containsKey("count") ? stats.get("count").item_long() : 1);
    } finally {
      stats.values().forEach(Tensor::close);
    }
  }

  private static void loadWeights(Module module, Path ckpt) {
    if (!Files.isRegularFile(ckpt)) {
      throw new IllegalArgumentException(
          "checkpoint "
              + ckpt
              + " is missing; a SpeechBrain model folder needs it "
              + "(download the whole folder)");
    }
    Map<String, Tensor> state = TorchCheckpoint.read(ckpt);
    try {
      StateDict.load(module, state, true, ckpt.toString());
    } finally {
      state.values().forEach(Tensor::close);
    }
  }

  /** The Pretrainer's path for a loadable, else {@code <name>.ckpt} in the folder. */
  private static Path checkpoint(Path folder, Map<String, Node> keys, String name) {
    Node pre = keys.get("pretrainer");
    if (pre instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if ("paths".equals(((ScalarNode) t.getKeyNode()).getValue())
            && t.getValueNode() instanceof MappingNode p) {
          for (NodeTuple q : p.getValue()) {
            if (name.equals(((ScalarNode) q.getKeyNode()).getValue())
                && q.getValueNode() instanceof ScalarNode v) {
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
    if (node == null) {
      return null;
    }
    String tag = node.getTag().getValue();
    return tag.startsWith("!new:") ? tag.substring(5) : null;
  }

  @Override
  public int sampleRate() {
    return features.sampleRate();
  }

  @Override
  public float[][] embed(List<float[]> signals) {
    return embed(signals, false);
  }

  /**
   * Embeddings, optionally with the folder's global embedding normalisation ({@code
   * normalize=True}).
   */
  float[][] embed(List<float[]> signals, boolean normalize) {
    if (normalize && meanVarNormEmb == null) {
      throw new IllegalArgumentException(
          folder + " has no mean_var_norm_emb.ckpt: embeddings cannot be normalised");
    }
    return Embeddings.compute(
        signals, features, meanVarNorm, embeddingModel, normalize ? meanVarNormEmb : null);
  }

  /** The folder's embedding model. */
  EmbeddingModel embeddingModel() {
    return embeddingModel;
  }

  /** The folder's classifier, or null. */
  ClassifierHead classifier() {
    return classifier;
  }

  /** The folder's labels, or null. */
  LabelEncoder labels() {
    return labels;
  }
}
