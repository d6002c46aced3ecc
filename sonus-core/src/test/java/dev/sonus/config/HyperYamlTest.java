package dev.sonus.config;

import static dev.sonus.config.Recipes.fails;
import static dev.sonus.config.Recipes.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.config.testing.Color;
import dev.sonus.config.testing.Seeds;
import dev.sonus.config.testing.Widget;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HyperYamlTest {

  @Test
  void plainScalarsFollowYaml12LikeRuamel() {
    Hparams hp =
        load(
            """
        a: 1
        b: 0.5
        c: 1e-5
        d: yes
        e: true
        f: null
        g: 12345678901
        h: "3"
        i: 0x10
        j: 123456789012345678901234
        k: on
        l: .inf
        m: 1_000
        n: 1.e-8
        """);
    assertEquals(1, hp.get("a"));
    assertEquals(0.5, hp.get("b"));
    assertEquals(1e-5, hp.get("c"));
    assertEquals("yes", hp.get("d"), "YAML 1.2: yes is a string, as in ruamel.yaml");
    assertEquals(true, hp.get("e"));
    assertNull(hp.get("f"));
    assertEquals(12345678901L, hp.get("g"));
    assertEquals("3", hp.get("h"));
    assertEquals(16, hp.get("i"));
    assertEquals(new BigInteger("123456789012345678901234"), hp.get("j"));
    assertEquals("on", hp.get("k"));
    assertEquals(Double.POSITIVE_INFINITY, hp.get("l"));
    assertEquals(1000, hp.get("m"));
    assertEquals(1e-8, hp.get("n"), "SpeechBrain writes eps: 1.e-8");
  }

  @Test
  void parenthesesMakeUnmodifiableTuples() {
    Hparams hp =
        load(
            """
        kernel: (3, 3)
        explicit: !tuple (1, a, 0.5)
        single: (7,)
        seq: !tuple [1, 2]
        """);
    assertEquals(List.of(3, 3), hp.get("kernel"));
    assertEquals(List.of(1, "a", 0.5), hp.get("explicit"));
    assertEquals(List.of(7), hp.get("single"));
    assertEquals(List.of(1, 2), hp.get("seq"));
    @SuppressWarnings("unchecked")
    List<Object> kernel = (List<Object>) hp.get("kernel");
    assertThrows(UnsupportedOperationException.class, () -> kernel.add(4));
  }

  @Test
  void nestedKeysAreReachedWithDotsAndIndices() {
    Hparams hp =
        load(
            """
        model:
          channels: [32, 64]
          head: {classes: 10}
        """);
    assertEquals(64, hp.get("model.channels.1"));
    assertEquals(64, hp.get("model.channels[1]"));
    assertEquals(10, hp.getInt("model.head.classes"));
    assertEquals(List.of("model"), List.copyOf(hp.keys()));
    assertTrue(hp.contains("model.head"));
    assertFalse(hp.contains("model.tail"));
  }

  @Test
  void aliasesShareOneObjectAndMergeKeysCopyArguments() {
    Hparams hp =
        load(
            """
        w1: &base !new:config.testing.Widget
          size: 3
          name: a
        w2: !new:config.testing.Widget
          <<: *base
          name: b
        w3: *base
        """);
    Widget w1 = (Widget) hp.get("w1");
    Widget w2 = (Widget) hp.get("w2");
    assertEquals(3, w2.size());
    assertEquals("b", w2.name());
    assertSame(w1, hp.get("w3"), "an alias is the same node, so the same object");
  }

  @Test
  void doubleUnderscoreKeysRunFirstButAreNotKept() {
    Seeds.drain();
    Hparams hp =
        load(
            """
        __set_seed: !apply:config.testing.Seeds.set [1986]
        first: !apply:config.testing.Seeds.note [first]
        second: !apply:config.testing.Seeds.note [second]
        """);
    assertEquals(List.of("seed 1986", "first", "second"), Seeds.drain(), "built in file order");
    assertEquals(List.of("first", "second"), List.copyOf(hp.keys()));
  }

  @Test
  void typedGettersConvertLikeConstructorArguments() {
    Hparams hp =
        load(
            """
        n: 40
        whole: 2.0
        lr: 1
        name: fsdd
        dir: results/x
        flag: false
        color: blue_green
        """);
    assertEquals(40, hp.getInt("n"));
    assertEquals(2, hp.getInt("whole"));
    assertEquals(1.0, hp.getDouble("lr"));
    assertEquals(40L, hp.getLong("n"));
    assertEquals("fsdd", hp.getString("name"));
    assertEquals("40", hp.getString("n"));
    assertEquals(Path.of("results/x"), hp.getPath("dir"));
    assertFalse(hp.getBoolean("flag"));
    assertEquals(Color.BLUE_GREEN, hp.get("color", Color.class));
  }

  @Test
  void typedGetterRefusesLossyValueNamingKeyAndLine() {
    Hparams hp =
        load(
            """
        n: 40
        ratio: 0.5
        """);
    ConfigException e =
        Recipes.failsWith(
            () -> hp.getInt("ratio"),
            "recipe.yaml:2",
            "key 'ratio'",
            "0.5",
            "expected Integer",
            "not a whole number");
    assertEquals(2, e.line());
    assertEquals("ratio", e.key());
    assertEquals("recipe.yaml", e.file());
  }

  @Test
  void missingKeyInGetSuggestsCloseKeys() {
    Hparams hp = load("n_mels: 40\n");
    Recipes.failsWith(() -> hp.get("n_mel"), "no key 'n_mel'", "did you mean n_mels?");
  }

  @Test
  void duplicateKeysAreErrors() {
    fails(
        """
        n_mels: 40
        lr: 0.1
        n_mels: 80
        """,
        "recipe.yaml:3",
        "key 'n_mels'",
        "duplicate key (first written at line 1)");
  }

  @Test
  void syntaxErrorNamesFileLineAndColumn() {
    ConfigException e =
        fails(
            """
        a: 1
        b: [1, 2
        c: 3
        """,
            "recipe.yaml:",
            "YAML syntax error");
    assertTrue(e.line() >= 2, e.getMessage());
    assertTrue(e.column() > 0, e.getMessage());
    assertTrue(
        e.getMessage().startsWith("recipe.yaml:" + e.line() + ":" + e.column() + ": "),
        e.getMessage());
  }

  @Test
  void unknownTagIsAnErrorWithSuggestion() {
    fails("a: 1\nb: !refs <a>\n", "recipe.yaml:2", "unknown tag !refs", "did you mean !ref");
    fails(
        "f: !nwe:features.Fbank\n",
        "recipe.yaml:1",
        "unknown tag !nwe:features.Fbank",
        "did you mean !new:");
    fails("f: !!python/tuple [1, 2]\n", "unknown tag !!python/tuple");
  }

  @Test
  void globalTagsAreRefusedNotConstructed() {
    fails(
        "x: !!java.io.File [/tmp]\n",
        "recipe.yaml:1",
        "unknown tag !!java.io.File.",
        "Supported: !new:");
    fails(
        "x: !<tag:yaml.org,2002:javax.script.ScriptEngineManager> "
            + "[!!java.net.URLClassLoader [[!!java.net.URL [\"http://example.invalid/\"]]]]\n",
        "unknown tag !!javax.script.ScriptEngineManager");
  }

  @Test
  void topLevelMustBeAMapping() {
    fails("- 1\n- 2\n", "recipe.yaml:1", "top level of a recipe must be a mapping");
  }

  @Test
  void emptyRecipeIsEmpty() {
    assertEquals(Map.of(), load("# nothing\n").asMap());
  }

  @Test
  void loadsAFileAndItsIncludesFromDisk() throws URISyntaxException {
    Path recipe = Path.of(getClass().getResource("/config/recipe.yaml").toURI());
    Hparams hp = HyperYaml.load(recipe, Recipes.overrides("data_folder=/data/fsdd"));
    assertEquals("/data/fsdd/train.csv", hp.get("train_csv"));
    assertEquals(new Widget(8, "from-include"), hp.get("encoder.widget"));
    assertEquals(16, hp.get("encoder.doubled"));
    assertEquals(recipe.toString(), hp.source());
  }

  @Test
  void unreadableFileIsAnUncheckedIoErrorNamingThePath() {
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class, () -> HyperYaml.load(Path.of("no/such/recipe.yaml")));
    assertTrue(e.getMessage().contains("no/such/recipe.yaml"), e.getMessage());
  }
}
