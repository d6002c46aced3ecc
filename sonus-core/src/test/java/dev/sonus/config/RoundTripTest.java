package dev.sonus.config;

import static dev.sonus.config.Recipes.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.config.testing.Pair;
import dev.sonus.features.Fbank;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundTripTest {
  private static final String RECIPE =
      """
      seed: 1986
      sample_rate: 8000
      output_dir: !ref results/fsdd_cnn/<seed>
      data_folder: !PLACEHOLDER
      lr: 0.00001
      big: 1e16
      huge: 123456789012345678901234
      strings: ["123", "yes", "true", "null", "(1, 2)", "1e-5", "", "a: b", "two\\nlines", "it's"]
      tuples:
        - (3, 3)
        - !tuple (a, 0.5)
        - !tuple ["x, y", "1"]
      n_mels: 40
      features: !new:features.Fbank
        sample_rate: !ref <sample_rate>
        n_mels: !ref <n_mels>
      widget: !new:config.testing.Widget {size: !ref <n_mels> // 4, name: !ref <data_folder>/w}
      same: !ref <widget>
      copy: !copy <widget>
      pair: !new:config.testing.Pair [!ref <widget>, !copy <widget>]
      make: !name:config.testing.Widget {size: 3}
      max: !apply:java.lang.Math.max [3, 4.5]
      nested: {list: [1, {deep: !ref <lr>}], empty: {}, none: null}
      """;

  @Test
  void resolvedYamlLoadsBackToAnEqualConfiguration() {
    Hparams first = load(RECIPE, "data_folder=/data/fsdd");
    String yaml = first.resolvedYaml();
    Hparams second = HyperYaml.load(yaml, "resolved.yaml", Map.of());
    try {
      assertEquals(first.keys(), second.keys());
      for (String key : first.keys()) {
        assertSameConfig(key, first.get(key), second.get(key));
      }
      assertEquals(yaml, second.resolvedYaml(), "resolving is idempotent");
    } finally {
      first.get("features", Fbank.class).close();
      second.get("features", Fbank.class).close();
    }
  }

  @Test
  void roundTripKeepsSharingOfReferencesAndSeparationOfCopies() {
    Hparams hp =
        HyperYaml.load(load(RECIPE, "data_folder=d").resolvedYaml(), "resolved.yaml", Map.of());
    try {
      assertSame(hp.get("widget"), hp.get("same"));
      assertNotSame(hp.get("widget"), hp.get("copy"));
      assertSame(hp.get("widget"), hp.get("pair", Pair.class).first());
      assertNotSame(hp.get("widget"), hp.get("pair", Pair.class).second());
    } finally {
      hp.get("features", Fbank.class).close();
    }
  }

  @Test
  void resolvedYamlKeepsObjectTagsAndReplacesReferences() {
    Hparams hp = load(RECIPE, "data_folder=/data/fsdd");
    hp.get("features", Fbank.class).close();
    String yaml = hp.resolvedYaml();
    assertTrue(yaml.contains("!new:features.Fbank"), yaml);
    assertTrue(yaml.contains("!name:config.testing.Widget"), yaml);
    assertTrue(yaml.contains("!apply:java.lang.Math.max [3, 4.5]"), yaml);
    assertTrue(yaml.contains("output_dir: results/fsdd_cnn/1986"), yaml);
    assertTrue(yaml.contains("lr: 1e-05"), yaml);
    assertTrue(
        yaml.contains("- (3, 3)"), "plain tuples are written as HyperPyYAML reads them:\n" + yaml);
    assertTrue(yaml.contains("same: *"), "a shared object is an alias:\n" + yaml);
    assertFalse(yaml.contains("!ref"), yaml);
    assertFalse(yaml.contains("!copy"), yaml);
    assertFalse(yaml.contains("!PLACEHOLDER"), yaml);
  }

  @Test
  void resolveWithoutBuildingMatchesTheLoadedText(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("inc.yaml"), "a: !PLACEHOLDER\nb: !ref <a> * 2\n");
    Path recipe =
        Files.writeString(
            dir.resolve("r.yaml"),
            "x: 2\ninc: !include:inc.yaml {a: !ref <x>}\n"
                + "w: !new:config.testing.Widget {size: !ref <inc.b>, name: n}\n");
    String resolved = HyperYaml.resolve(recipe, Map.of("x", "5"));
    assertEquals(HyperYaml.load(recipe, Map.of("x", "5")).resolvedYaml(), resolved);
    assertEquals(
        "x: 5\ninc:\n  a: 5\n  b: 10\nw: !new:config.testing.Widget\n  size: 10\n  name: n\n",
        resolved);
  }

  @Test
  void scalarsSurviveTheRoundTripWithTheirTypes() {
    Hparams hp =
        HyperYaml.load(load(RECIPE, "data_folder=d").resolvedYaml(), "resolved.yaml", Map.of());
    hp.get("features", Fbank.class).close();
    assertEquals(
        List.of("123", "yes", "true", "null", "(1, 2)", "1e-5", "", "a: b", "two\nlines", "it's"),
        hp.get("strings"));
    assertEquals(List.of(List.of(3, 3), List.of("a", 0.5), List.of("x, y", "1")), hp.get("tuples"));
    assertEquals(1e16, hp.get("big"));
    assertEquals(new BigInteger("123456789012345678901234"), hp.get("huge"));
    assertEquals(10, hp.get("widget", dev.sonus.config.testing.Widget.class).size());
  }

  /**
   * Equal values; objects of the same class with the same arguments; factories with the same
   * target.
   */
  private static void assertSameConfig(String key, Object a, Object b) {
    if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
      assertEquals(ma.keySet(), mb.keySet(), key);
      ma.forEach((k, v) -> assertSameConfig(key + "." + k, v, mb.get(k)));
    } else if (a instanceof List<?> la && b instanceof List<?> lb) {
      assertEquals(la.size(), lb.size(), key);
      for (int i = 0; i < la.size(); i++) {
        assertSameConfig(key + "." + i, la.get(i), lb.get(i));
      }
    } else if (a instanceof Fbank fa && b instanceof Fbank fb) {
      assertEquals(fa.options(), fb.options(), key);
    } else if (a instanceof Factory fa && b instanceof Factory fb) {
      assertEquals(fa.toString(), fb.toString(), key);
      assertEquals(fa.create(Map.of("name", "n")), fb.create(Map.of("name", "n")), key);
    } else {
      assertEquals(a, b, key);
    }
  }
}
