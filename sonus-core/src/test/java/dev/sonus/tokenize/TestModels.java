package dev.sonus.tokenize;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Small SentencePiece models and text made by the tests themselves: a corpus of made-up
 * transcripts, models trained on it, models edited field by field (as protobuf messages), and
 * precompiled charsmaps built from a few rules.
 */
public final class TestModels {
  private TestModels() {}

  private static final String[] WORDS = {
    "THE", "CAT", "SAT", "ON", "A", "MAT", "THAT", "WAS", "FLAT", "AND", "THEN", "RAN", "AWAY",
    "WITH", "THIS", "HAT", "SHE", "SAID", "HE", "HAD", "SEEN", "TEN", "MEN", "WHEN", "RAIN", "CAME"
  };

  /**
   * {@code n} made-up transcripts of four to nine words, upper case as LibriSpeech's, the same on
   * every call.
   */
  public static List<String> transcripts(int n) {
    List<String> out = new ArrayList<>(n);
    long state = 42;
    for (int i = 0; i < n; i++) {
      state = state * 6364136223846793005L + 1442695040888963407L;
      int words = 4 + (int) ((state >>> 33) % 6);
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < words; w++) {
        state = state * 6364136223846793005L + 1442695040888963407L;
        if (w > 0) {
          sb.append(' ');
        }
        sb.append(WORDS[(int) ((state >>> 33) % WORDS.length)]);
      }
      out.add(sb.toString());
    }
    return out;
  }

  /** A model of {@code type} trained on {@link #transcripts}(60). */
  public static SentencePieceModel trained(SentencePieceModel.Type type, int vocabSize) {
    return SentencePieceTrainer.train(
        transcripts(60), SentencePieceTrainer.Options.of(type, vocabSize));
  }

  /** The bytes of {@code model} with its message changed by {@code edit}. */
  public static byte[] edited(byte[] model, Consumer<DynamicMessage.Builder> edit) {
    try {
      DynamicMessage.Builder b =
          DynamicMessage.parseFrom(SentencePieceProto.MODEL, model).toBuilder();
      edit.accept(b);
      return b.build().toByteArray();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Sets field {@code name} of the sub-message {@code spec} ({@code trainer_spec}, ...). */
  public static Consumer<DynamicMessage.Builder> setIn(String spec, String name, Object value) {
    return b -> {
      FieldDescriptor specField = SentencePieceProto.field(SentencePieceProto.MODEL, spec);
      DynamicMessage.Builder sub = ((DynamicMessage) b.getField(specField)).toBuilder();
      FieldDescriptor f = SentencePieceProto.field(sub.getDescriptorForType(), name);
      Object v = value;
      if (f.getType() == FieldDescriptor.Type.ENUM && value instanceof String s) {
        v = f.getEnumType().findValueByName(s);
      }
      if (f.getType() == FieldDescriptor.Type.BYTES && value instanceof byte[] bytes) {
        v = com.google.protobuf.ByteString.copyFrom(bytes);
      }
      sub.setField(f, v);
      b.setField(specField, sub.build());
    };
  }

  /** Changes piece {@code id}: its text, score and type (null keeps what it was). */
  public static Consumer<DynamicMessage.Builder> piece(
      int id, String text, Float score, String type) {
    return b -> {
      FieldDescriptor pieces = SentencePieceProto.field(SentencePieceProto.MODEL, "pieces");
      DynamicMessage.Builder p = ((DynamicMessage) b.getRepeatedField(pieces, id)).toBuilder();
      if (text != null) {
        p.setField(SentencePieceProto.field(SentencePieceProto.PIECE, "piece"), text);
      }
      if (score != null) {
        p.setField(SentencePieceProto.field(SentencePieceProto.PIECE, "score"), score);
      }
      if (type != null) {
        FieldDescriptor t = SentencePieceProto.field(SentencePieceProto.PIECE, "type");
        p.setField(t, t.getEnumType().findValueByName(type));
      }
      b.setRepeatedField(pieces, id, p.build());
    };
  }

  /** Appends a piece. */
  public static Consumer<DynamicMessage.Builder> addPiece(String text, float score, String type) {
    return b -> {
      DynamicMessage.Builder p = DynamicMessage.newBuilder(SentencePieceProto.PIECE);
      p.setField(SentencePieceProto.field(SentencePieceProto.PIECE, "piece"), text);
      p.setField(SentencePieceProto.field(SentencePieceProto.PIECE, "score"), score);
      FieldDescriptor t = SentencePieceProto.field(SentencePieceProto.PIECE, "type");
      p.setField(t, t.getEnumType().findValueByName(type));
      b.addRepeatedField(SentencePieceProto.field(SentencePieceProto.MODEL, "pieces"), p.build());
    };
  }

  /** Adds a {@code self_test_data} sample. */
  public static Consumer<DynamicMessage.Builder> selfTest(String input, String expected) {
    return b -> {
      FieldDescriptor data = SentencePieceProto.field(SentencePieceProto.MODEL, "self_test_data");
      DynamicMessage.Builder d = ((DynamicMessage) b.getField(data)).toBuilder();
      DynamicMessage sample =
          DynamicMessage.newBuilder(SentencePieceProto.SELF_TEST_SAMPLE)
              .setField(
                  SentencePieceProto.field(SentencePieceProto.SELF_TEST_SAMPLE, "input"), input)
              .setField(
                  SentencePieceProto.field(SentencePieceProto.SELF_TEST_SAMPLE, "expected"),
                  expected)
              .build();
      d.addRepeatedField(
          SentencePieceProto.field(SentencePieceProto.SELF_TEST_DATA, "samples"), sample);
      b.setField(data, d.build());
    };
  }

  /**
   * A {@code precompiled_charsmap} of {@code rules} (text to replacement, e.g. {@code "Ａ" -> "A"}),
   * laid out as sentencepiece's: a darts-clone double array of the rules' UTF-8 bytes whose leaves
   * point at NUL-terminated replacements.
   */
  public static byte[] charsMap(Map<String, String> rules) {
    ByteArrayOutputStream strings = new ByteArrayOutputStream();
    // A byte trie: node -> children by label; terminal nodes hold the replacement's offset.
    List<TreeMap<Integer, Integer>> children = new ArrayList<>();
    List<Integer> values = new ArrayList<>();
    children.add(new TreeMap<>());
    values.add(-1);
    for (Map.Entry<String, String> r : new TreeMap<>(rules).entrySet()) {
      int node = 0;
      for (byte b : r.getKey().getBytes(StandardCharsets.UTF_8)) {
        int label = b & 0xFF;
        Integer next = children.get(node).get(label);
        if (next == null) {
          next = children.size();
          children.add(new TreeMap<>());
          values.add(-1);
          children.get(node).put(label, next);
        }
        node = next;
      }
      values.set(node, strings.size());
      strings.writeBytes(r.getValue().getBytes(StandardCharsets.UTF_8));
      strings.write(0);
    }
    int[] units = new int[1024];
    boolean[] used = new boolean[units.length];
    boolean[] usedBase = new boolean[units.length];
    int[] position = new int[children.size()];
    int[] labels = new int[children.size()];
    used[0] = true;
    List<Integer> queue = new ArrayList<>(List.of(0));
    for (int q = 0; q < queue.size(); q++) {
      int node = queue.get(q);
      int at = position[node];
      boolean leaf = values.get(node) >= 0;
      List<Integer> wanted = new ArrayList<>(children.get(node).keySet());
      if (leaf) {
        wanted.add(0);
      }
      int base = 1;
      while (!fits(base, wanted, used, usedBase)) {
        base++;
      }
      usedBase[base] = true;
      int offset = at ^ base;
      units[at] = (offset << 10) | (leaf ? 1 << 8 : 0) | labels[node];
      if (leaf) {
        used[base] = true;
        units[base] = (1 << 31) | values.get(node);
      }
      for (Map.Entry<Integer, Integer> c : children.get(node).entrySet()) {
        int p = base ^ c.getKey();
        used[p] = true;
        position[c.getValue()] = p;
        labels[c.getValue()] = c.getKey();
        queue.add(c.getValue());
      }
    }
    int size = 0;
    for (int i = 0; i < used.length; i++) {
      if (used[i]) {
        size = i + 1;
      }
    }
    size = (size + 255) / 256 * 256; // whole blocks of 256 units, as darts-clone writes them
    ByteBuffer out =
        ByteBuffer.allocate(4 + 4 * size + strings.size()).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(4 * size);
    for (int i = 0; i < size; i++) {
      out.putInt(used[i] ? units[i] : 0xFF); // an empty unit's label matches no byte of a rule
    }
    out.put(strings.toByteArray());
    return out.array();
  }

  private static boolean fits(int base, List<Integer> labels, boolean[] used, boolean[] usedBase) {
    if (base >= usedBase.length - 256 || usedBase[base]) {
      return base >= usedBase.length - 256 ? fail() : false;
    }
    for (int l : labels) {
      if (used[base ^ l]) {
        return false;
      }
    }
    return true;
  }

  private static boolean fail() {
    throw new IllegalStateException("the test charsmap outgrew its 1024 units");
  }

  /** The pieces of a model, for messages. */
  public static String describe(SentencePieceModel m) {
    return Arrays.toString(m.pieces().stream().map(SentencePieceModel.Piece::piece).toArray());
  }
}
