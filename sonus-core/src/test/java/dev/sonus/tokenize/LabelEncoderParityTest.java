package dev.sonus.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sonus.testing.FixtureManifest;
import dev.sonus.testing.SpeechBrainYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Reads SpeechBrain's own {@code label_encoder.txt}: the one that the {@code hyperparams.yaml} of
 * the {@code model_folder} of {@code <sonus.fixtures>/speechbrain-model-folder} names ({@code
 * pretrainer.paths}). The expected labels are parsed here from the file's {@code 'label' => index}
 * lines.
 */
class LabelEncoderParityTest {
  private static final Pattern LABEL_LINE = Pattern.compile("^'(.*)' => (\\d+)$");

  @Test
  void readsSpeechBrainsOwnLabelEncoderFile() throws IOException {
    FixtureManifest m = FixtureManifest.of("speechbrain-model-folder");
    String folder = m.get("model_folder").string().replaceAll("/?$", "/");
    Path yaml = m.path(folder + "hyperparams.yaml");
    Object file =
        SpeechBrainYaml.at(
            SpeechBrainYaml.load(yaml), yaml, "pretrainer", "paths", "label_encoder");
    Path p = m.path(folder + file);
    TreeMap<Integer, String> byIndex = new TreeMap<>();
    for (String line : Files.readAllLines(p)) {
      if (line.startsWith("=")) {
        break; // then SpeechBrain's 'starting_index' and other settings
      }
      Matcher l = LABEL_LINE.matcher(line.strip());
      if (l.matches()) {
        byIndex.put(Integer.parseInt(l.group(2)), l.group(1));
      }
    }
    assertFalse(byIndex.isEmpty(), p + " has no 'label' => index lines");
    LabelEncoder e = LabelEncoder.load(p);
    assertEquals(new ArrayList<>(byIndex.values()), e.labels(), p.toString());
    for (var entry : byIndex.entrySet()) {
      assertEquals(
          entry.getKey(), e.encode(entry.getValue()), "index of '" + entry.getValue() + "'");
    }
  }
}
