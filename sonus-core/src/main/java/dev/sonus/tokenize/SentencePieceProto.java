package dev.sonus.tokenize;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;

/**
 * The schema of SentencePiece's {@code sentencepiece_model.proto} (package {@code sentencepiece},
 * proto2), built in code as a protobuf descriptor so that {@code .model} files are read and written
 * by protobuf-java's {@code DynamicMessage} without a protoc step in the build.
 *
 * <p>Every field of upstream's {@code TrainerSpec}, {@code NormalizerSpec}, {@code SelfTestData}
 * and {@code ModelProto} is declared with its number, type and default, so that a field this
 * toolkit does not use still reads with its documented default, and a field it does not know (a
 * newer sentencepiece's, an extension) is kept as an unknown field and written back unchanged.
 */
final class SentencePieceProto {
  /** {@code sentencepiece.ModelProto}: the whole {@code .model} file. */
  static final Descriptor MODEL;

  /** {@code sentencepiece.ModelProto.SentencePiece}: one vocabulary entry. */
  static final Descriptor PIECE;

  /** {@code sentencepiece.TrainerSpec}. */
  static final Descriptor TRAINER_SPEC;

  /** {@code sentencepiece.NormalizerSpec} (also the type of {@code denormalizer_spec}). */
  static final Descriptor NORMALIZER_SPEC;

  /** {@code sentencepiece.SelfTestData}. */
  static final Descriptor SELF_TEST_DATA;

  /** {@code sentencepiece.SelfTestData.Sample}. */
  static final Descriptor SELF_TEST_SAMPLE;

  /** Largest field number protobuf allows, for the extension ranges. */
  private static final int MAX_FIELD_NUMBER = (1 << 29) - 1;

  static {
    FileDescriptorProto file =
        FileDescriptorProto.newBuilder()
            .setName("sentencepiece_model.proto")
            .setPackage("sentencepiece")
            .setSyntax("proto2")
            .addMessageType(trainerSpec())
            .addMessageType(normalizerSpec())
            .addMessageType(selfTestData())
            .addMessageType(modelProto())
            .build();
    FileDescriptor fd;
    try {
      fd = FileDescriptor.buildFrom(file, new FileDescriptor[0]);
    } catch (DescriptorValidationException e) {
      throw new ExceptionInInitializerError(e);
    }
    TRAINER_SPEC = fd.findMessageTypeByName("TrainerSpec");
    NORMALIZER_SPEC = fd.findMessageTypeByName("NormalizerSpec");
    SELF_TEST_DATA = fd.findMessageTypeByName("SelfTestData");
    SELF_TEST_SAMPLE = SELF_TEST_DATA.findNestedTypeByName("Sample");
    MODEL = fd.findMessageTypeByName("ModelProto");
    PIECE = MODEL.findNestedTypeByName("SentencePiece");
  }

  private SentencePieceProto() {}

  /** The field {@code name} of {@code type}; a misspelt name is a bug here. */
  static FieldDescriptor field(Descriptor type, String name) {
    FieldDescriptor f = type.findFieldByName(name);
    if (f == null) {
      throw new IllegalStateException(type.getFullName() + " has no field " + name);
    }
    return f;
  }

  private static DescriptorProto trainerSpec() {
    DescriptorProto.Builder m = DescriptorProto.newBuilder().setName("TrainerSpec");
    m.addEnumType(enumType("ModelType", "UNIGRAM", 1, "BPE", 2, "WORD", 3, "CHAR", 4).build());
    repeated(m, "input", 1, FieldDescriptorProto.Type.TYPE_STRING);
    optional(m, "input_format", 7, FieldDescriptorProto.Type.TYPE_STRING, null);
    optional(m, "model_prefix", 2, FieldDescriptorProto.Type.TYPE_STRING, null);
    m.addField(
        FieldDescriptorProto.newBuilder()
            .setName("model_type")
            .setNumber(3)
            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setType(FieldDescriptorProto.Type.TYPE_ENUM)
            .setTypeName(".sentencepiece.TrainerSpec.ModelType")
            .setDefaultValue("UNIGRAM"));
    optional(m, "vocab_size", 4, FieldDescriptorProto.Type.TYPE_INT32, "8000");
    repeated(m, "accept_language", 5, FieldDescriptorProto.Type.TYPE_STRING);
    optional(m, "self_test_sample_size", 6, FieldDescriptorProto.Type.TYPE_INT32, "0");
    optional(m, "enable_differential_privacy", 50, FieldDescriptorProto.Type.TYPE_BOOL, "false");
    optional(m, "differential_privacy_noise_level", 51, FieldDescriptorProto.Type.TYPE_FLOAT, "0");
    optional(
        m,
        "differential_privacy_clipping_threshold",
        52,
        FieldDescriptorProto.Type.TYPE_UINT64,
        "0");
    optional(m, "character_coverage", 10, FieldDescriptorProto.Type.TYPE_FLOAT, "0.9995");
    optional(m, "input_sentence_size", 11, FieldDescriptorProto.Type.TYPE_UINT64, "0");
    optional(m, "shuffle_input_sentence", 19, FieldDescriptorProto.Type.TYPE_BOOL, "true");
    optional(m, "mining_sentence_size", 12, FieldDescriptorProto.Type.TYPE_INT32, null);
    optional(m, "training_sentence_size", 13, FieldDescriptorProto.Type.TYPE_INT32, null);
    optional(m, "seed_sentencepiece_size", 14, FieldDescriptorProto.Type.TYPE_INT32, "1000000");
    optional(m, "shrinking_factor", 15, FieldDescriptorProto.Type.TYPE_FLOAT, "0.75");
    optional(m, "max_sentence_length", 18, FieldDescriptorProto.Type.TYPE_INT32, "4192");
    optional(m, "num_threads", 16, FieldDescriptorProto.Type.TYPE_INT32, "16");
    optional(m, "num_sub_iterations", 17, FieldDescriptorProto.Type.TYPE_INT32, "2");
    optional(m, "max_sentencepiece_length", 20, FieldDescriptorProto.Type.TYPE_INT32, "16");
    optional(m, "split_by_unicode_script", 21, FieldDescriptorProto.Type.TYPE_BOOL, "true");
    optional(m, "split_by_number", 23, FieldDescriptorProto.Type.TYPE_BOOL, "true");
    optional(m, "split_by_whitespace", 22, FieldDescriptorProto.Type.TYPE_BOOL, "true");
    optional(m, "treat_whitespace_as_suffix", 24, FieldDescriptorProto.Type.TYPE_BOOL, "false");
    optional(m, "allow_whitespace_only_pieces", 26, FieldDescriptorProto.Type.TYPE_BOOL, "false");
    optional(m, "split_digits", 25, FieldDescriptorProto.Type.TYPE_BOOL, "false");
    optional(m, "pretokenization_delimiter", 53, FieldDescriptorProto.Type.TYPE_STRING, "");
    repeated(m, "control_symbols", 30, FieldDescriptorProto.Type.TYPE_STRING);
    repeated(m, "user_defined_symbols", 31, FieldDescriptorProto.Type.TYPE_STRING);
    optional(m, "required_chars", 36, FieldDescriptorProto.Type.TYPE_STRING, null);
    optional(m, "byte_fallback", 35, FieldDescriptorProto.Type.TYPE_BOOL, "false");
    optional(m, "vocabulary_output_piece_score", 32, FieldDescriptorProto.Type.TYPE_BOOL, "true");
    optional(m, "hard_vocab_limit", 33, FieldDescriptorProto.Type.TYPE_BOOL, "true");
    optional(m, "use_all_vocab", 34, FieldDescriptorProto.Type.TYPE_BOOL, "false");
    optional(m, "unk_id", 40, FieldDescriptorProto.Type.TYPE_INT32, "0");
    optional(m, "bos_id", 41, FieldDescriptorProto.Type.TYPE_INT32, "1");
    optional(m, "eos_id", 42, FieldDescriptorProto.Type.TYPE_INT32, "2");
    optional(m, "pad_id", 43, FieldDescriptorProto.Type.TYPE_INT32, "-1");
    optional(m, "unk_piece", 45, FieldDescriptorProto.Type.TYPE_STRING, "<unk>");
    optional(m, "bos_piece", 46, FieldDescriptorProto.Type.TYPE_STRING, "<s>");
    optional(m, "eos_piece", 47, FieldDescriptorProto.Type.TYPE_STRING, "</s>");
    optional(m, "pad_piece", 48, FieldDescriptorProto.Type.TYPE_STRING, "<pad>");
    optional(m, "unk_surface", 44, FieldDescriptorProto.Type.TYPE_STRING, " \u2047 ");
    optional(m, "train_extremely_large_corpus", 49, FieldDescriptorProto.Type.TYPE_BOOL, "false");
    optional(m, "seed_sentencepieces_file", 54, FieldDescriptorProto.Type.TYPE_STRING, "");
    extensions(m);
    return m.build();
  }

  private static DescriptorProto normalizerSpec() {
    DescriptorProto.Builder m = DescriptorProto.newBuilder().setName("NormalizerSpec");
    optional(m, "name", 1, FieldDescriptorProto.Type.TYPE_STRING, null);
    optional(m, "precompiled_charsmap", 2, FieldDescriptorProto.Type.TYPE_BYTES, null);
    optional(m, "add_dummy_prefix", 3, FieldDescriptorProto.Type.TYPE_BOOL, "true");
    optional(m, "remove_extra_whitespaces", 4, FieldDescriptorProto.Type.TYPE_BOOL, "true");
    optional(m, "escape_whitespaces", 5, FieldDescriptorProto.Type.TYPE_BOOL, "true");
    optional(m, "normalization_rule_tsv", 6, FieldDescriptorProto.Type.TYPE_STRING, null);
    extensions(m);
    return m.build();
  }

  private static DescriptorProto selfTestData() {
    DescriptorProto.Builder sample = DescriptorProto.newBuilder().setName("Sample");
    optional(sample, "input", 1, FieldDescriptorProto.Type.TYPE_STRING, null);
    optional(sample, "expected", 2, FieldDescriptorProto.Type.TYPE_STRING, null);
    DescriptorProto.Builder m =
        DescriptorProto.newBuilder().setName("SelfTestData").addNestedType(sample);
    m.addField(
        message(
            "samples",
            1,
            FieldDescriptorProto.Label.LABEL_REPEATED,
            ".sentencepiece.SelfTestData.Sample"));
    extensions(m);
    return m.build();
  }

  private static DescriptorProto modelProto() {
    DescriptorProto.Builder piece = DescriptorProto.newBuilder().setName("SentencePiece");
    piece.addEnumType(
        enumType(
            "Type",
            "NORMAL",
            1,
            "UNKNOWN",
            2,
            "CONTROL",
            3,
            "USER_DEFINED",
            4,
            "BYTE",
            6,
            "UNUSED",
            5));
    optional(piece, "piece", 1, FieldDescriptorProto.Type.TYPE_STRING, null);
    optional(piece, "score", 2, FieldDescriptorProto.Type.TYPE_FLOAT, null);
    piece.addField(
        FieldDescriptorProto.newBuilder()
            .setName("type")
            .setNumber(3)
            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setType(FieldDescriptorProto.Type.TYPE_ENUM)
            .setTypeName(".sentencepiece.ModelProto.SentencePiece.Type")
            .setDefaultValue("NORMAL"));
    extensions(piece);
    DescriptorProto.Builder m =
        DescriptorProto.newBuilder().setName("ModelProto").addNestedType(piece);
    m.addField(
        message(
            "pieces",
            1,
            FieldDescriptorProto.Label.LABEL_REPEATED,
            ".sentencepiece.ModelProto.SentencePiece"));
    m.addField(
        message(
            "trainer_spec",
            2,
            FieldDescriptorProto.Label.LABEL_OPTIONAL,
            ".sentencepiece.TrainerSpec"));
    m.addField(
        message(
            "normalizer_spec",
            3,
            FieldDescriptorProto.Label.LABEL_OPTIONAL,
            ".sentencepiece.NormalizerSpec"));
    m.addField(
        message(
            "self_test_data",
            4,
            FieldDescriptorProto.Label.LABEL_OPTIONAL,
            ".sentencepiece.SelfTestData"));
    m.addField(
        message(
            "denormalizer_spec",
            5,
            FieldDescriptorProto.Label.LABEL_OPTIONAL,
            ".sentencepiece.NormalizerSpec"));
    extensions(m);
    return m.build();
  }

  private static void optional(
      DescriptorProto.Builder m,
      String name,
      int number,
      FieldDescriptorProto.Type type,
      String defaultValue) {
    FieldDescriptorProto.Builder f =
        FieldDescriptorProto.newBuilder()
            .setName(name)
            .setNumber(number)
            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setType(type);
    if (defaultValue != null) {
      f.setDefaultValue(defaultValue);
    }
    m.addField(f);
  }

  private static void repeated(
      DescriptorProto.Builder m, String name, int number, FieldDescriptorProto.Type type) {
    m.addField(
        FieldDescriptorProto.newBuilder()
            .setName(name)
            .setNumber(number)
            .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED)
            .setType(type));
  }

  private static FieldDescriptorProto message(
      String name, int number, FieldDescriptorProto.Label label, String typeName) {
    return FieldDescriptorProto.newBuilder()
        .setName(name)
        .setNumber(number)
        .setLabel(label)
        .setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
        .setTypeName(typeName)
        .build();
  }

  /** Upstream's {@code extensions 200 to max;}: such fields are kept as unknown fields. */
  private static void extensions(DescriptorProto.Builder m) {
    m.addExtensionRange(
        DescriptorProto.ExtensionRange.newBuilder().setStart(200).setEnd(MAX_FIELD_NUMBER + 1));
  }

  private static EnumDescriptorProto.Builder enumType(String name, Object... namesAndNumbers) {
    EnumDescriptorProto.Builder e = EnumDescriptorProto.newBuilder().setName(name);
    for (int i = 0; i < namesAndNumbers.length; i += 2) {
      e.addValue(
          EnumValueDescriptorProto.newBuilder()
              .setName((String) namesAndNumbers[i])
              .setNumber((Integer) namesAndNumbers[i + 1]));
    }
    return e;
  }
}
