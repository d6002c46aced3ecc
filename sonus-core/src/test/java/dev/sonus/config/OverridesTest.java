package dev.sonus.config;

import static dev.sonus.config.Recipes.fails;
import static dev.sonus.config.Recipes.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.config.testing.Color;
import dev.sonus.config.testing.Widget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverridesTest {
  private static final String RECIPE =
      """
      n_mels: 40
      lr: 0.001
      name: fsdd
      channels: [32, 64]
      input_size: !ref <n_mels>
      w: !new:config.testing.Widget
        size: !ref <n_mels>
        name: !ref <name>
      plain: {a: 1, b: {c: 2}}
      empty: !new:java.util.ArrayList
      """;

  @Test
  void parseSplitsOverridesFromOtherArguments() {
    Overrides.Parsed parsed =
        Overrides.parse(
            "recipe.yaml",
            "--lr=0.1",
            "--model.n_mels=80",
            "--device",
            "cpu",
            "--+notes=a=b",
            "--",
            "--x=1");
    assertEquals(Map.of("lr", "0.1", "model.n_mels", "80", "+notes", "a=b"), parsed.overrides());
    assertEquals(List.of("lr", "model.n_mels", "+notes"), List.copyOf(parsed.overrides().keySet()));
    assertEquals(List.of("recipe.yaml", "--device", "cpu", "--x=1"), parsed.rest());
  }

  @Test
  void parseRejectsAKeyGivenTwice() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Overrides.parse("--lr=0.1", "--lr=0.2"));
    assertTrue(e.getMessage().contains("--lr is given twice ('0.1' and '0.2')"), e.getMessage());
  }

  @Test
  void valuesAreParsedAsYaml() {
    Hparams hp = load(RECIPE, "lr=0.1", "channels=[16,32,48]", "name=foo", "n_mels=80");
    assertEquals(0.1, hp.get("lr"));
    assertEquals(List.of(16, 32, 48), hp.get("channels"));
    assertEquals("foo", hp.get("name"));
    assertEquals(80, hp.get("n_mels"));
  }

  @Test
  void overridesApplyBeforeReferencesAreResolved() {
    Hparams hp = load(RECIPE, "n_mels=80", "name=bar");
    assertEquals(80, hp.get("input_size"));
    assertEquals(new Widget(80, "bar"), hp.get("w"));
  }

  @Test
  void dottedKeysReachArgumentsMapsAndListItems() {
    Hparams hp = load(RECIPE, "w.size=5", "plain.b.c=3", "channels.1=128", "w.color=green");
    assertEquals(
        new Widget(5, "fsdd", Color.GREEN),
        hp.get("w"),
        "a parameter not in the recipe may be added");
    assertEquals(3, hp.get("plain.b.c"));
    assertEquals(List.of(32, 128), hp.get("channels"));
  }

  @Test
  void unknownKeyIsAnErrorWithDidYouMean() {
    ConfigException e =
        fails(
            RECIPE,
            new String[] {"n_mel=80"},
            "override --n_mel=80: key 'n_mel'",
            "no such key in the recipe; did you mean n_mels?",
            "--+n_mel=...");
    assertEquals("n_mel", e.key());
    fails(RECIPE, new String[] {"plain.b.d=1"}, "key 'plain.b.d'", "no such key", "Known: c");
  }

  @Test
  void unknownParameterOfACallableIsAnError() {
    fails(
        RECIPE,
        new String[] {"w.colour=green"},
        "override --w.colour=green: key 'w.colour'",
        "unknown parameter for dev.sonus.config.testing.Widget; did you mean color?");
  }

  @Test
  void plusPrefixAddsNewKeys() {
    Hparams hp = load(RECIPE, "+notes=first try", "+extra.depth=3");
    assertEquals("first try", hp.get("notes"));
    assertEquals(3, hp.get("extra.depth"));
  }

  @Test
  void taggedValueReplacesAndPlainMappingMerges() {
    Hparams replaced = load(RECIPE, "w=!new:config.testing.Widget {size: 9, name: z}");
    assertEquals(new Widget(9, "z"), replaced.get("w"));
    Hparams merged = load(RECIPE, "w={size: 7}", "plain={b: {c: 5}}");
    assertEquals(new Widget(7, "fsdd"), merged.get("w"));
    assertEquals(Map.of("a", 1, "b", Map.of("c", 5)), merged.get("plain"));
  }

  @Test
  void overrideMayUseReferences() {
    assertEquals(new Widget(40, "fsdd-40"), load(RECIPE, "w.name=!ref <name>-<n_mels>").get("w"));
  }

  @Test
  void emptyCallableTakesKeywordOverrides() {
    Hparams hp = load("w: !new:config.testing.Widget\n", "w.size=3", "w.name=a");
    assertEquals(new Widget(3, "a"), hp.get("w"));
  }

  @Test
  void keywordsForClassesWithoutParameterNamesExplainWhy() {
    fails(
        RECIPE,
        new String[] {"empty.initial_capacity=4"},
        "recipe.yaml:10: key 'empty'",
        "parameter names of java.util.ArrayList are not known at run time (compiled without -parameters)",
        "give the arguments as a list in order",
        "ArrayList(int)");
  }

  @Test
  void cannotDescendIntoAReferenceOrAScalar() {
    fails(
        RECIPE,
        new String[] {"input_size.x=1"},
        "'input_size' is !ref <n_mels>",
        "override the key it refers to instead");
    fails(RECIPE, new String[] {"lr.x=1"}, "'lr' holds 0.001, not a mapping");
    fails(RECIPE, new String[] {"channels.5=1"}, "index 5 is out of range; 'channels' has 2 items");
  }

  @Test
  void badOverrideValueNamesTheOverride() {
    fails(
        RECIPE, new String[] {"channels=[1, 2"}, "override --channels=[1, 2", "YAML syntax error");
    fails(
        RECIPE,
        new String[] {"w.size=0.5"},
        "override --w.size=0.5: key 'w.size': expected int, got 0.5");
  }
}
