package dev.sonus.config;

import static dev.sonus.config.Recipes.fails;
import static dev.sonus.config.Recipes.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.config.testing.Color;
import dev.sonus.config.testing.Widget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TagTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  @Test
  void newBuildsWithKeywordsPositionalsOrNothing() {
    Hparams hp =
        load(
            """
        kw: !new:config.testing.Widget {size: 3, name: a, color: green}
        pos: !new:config.testing.Widget [4, b]
        none: !new:java.util.ArrayList
        fq: !new:java.lang.StringBuilder [abc]
        """);
    assertEquals(new Widget(3, "a", Color.GREEN), hp.get("kw"));
    assertEquals(new Widget(4, "b"), hp.get("pos"));
    assertEquals(new ArrayList<>(), hp.get("none"));
    assertEquals("abc", hp.get("fq").toString());
  }

  @Test
  void newNestsInsideListsAndMaps() {
    Hparams hp =
        load(
            """
        layers:
          - !new:config.testing.Widget {size: 1, name: a}
          - !new:config.testing.Widget {size: 2, name: b}
        heads: {left: !new:config.testing.Widget [3, c]}
        pair: !new:config.testing.Pair
          first: !new:config.testing.Widget {size: 4, name: d}
          second: [!new:config.testing.Widget [5, e]]
        """);
    assertEquals(List.of(new Widget(1, "a"), new Widget(2, "b")), hp.get("layers"));
    assertEquals(new Widget(3, "c"), hp.get("heads.left"));
    assertEquals(new Widget(4, "d"), hp.get("pair", dev.sonus.config.testing.Pair.class).first());
    assertEquals(
        List.of(new Widget(5, "e")), hp.get("pair", dev.sonus.config.testing.Pair.class).second());
  }

  @Test
  void newOfAFeaturesFbankUsesItsOptionsRecord() {
    Hparams hp =
        load("features: !new:features.Fbank {sample_rate: 8000, n_mels: 40, deltas: true}\n");
    try (dev.sonus.features.Fbank fbank = hp.get("features", dev.sonus.features.Fbank.class)) {
      assertEquals(40, fbank.options().nMels());
      assertEquals(8000, fbank.options().sampleRate());
      assertTrue(fbank.options().deltas());
      assertEquals(400, fbank.options().nFft(), "unset keys keep Options.defaults()");
      assertEquals(120, fbank.outputDim());
    }
  }

  @Test
  void nestedClassesHaveShortNamesToo() {
    Hparams hp =
        load(
            """
        defaults: !apply:features.Fbank.Options.defaults
        options: !new:features.Fbank.Options {n_mels: 80}
        features: !new:features.Fbank {options: !ref <options>}
        """);
    assertEquals(dev.sonus.features.Fbank.Options.defaults(), hp.get("defaults"));
    assertEquals(80, hp.get("options", dev.sonus.features.Fbank.Options.class).nMels());
    try (dev.sonus.features.Fbank fbank = hp.get("features", dev.sonus.features.Fbank.class)) {
      assertSame(hp.get("options"), fbank.options());
    }
  }

  @Test
  void nameGivesAFactoryThatTakesMoreArgumentsLater() {
    Hparams hp =
        load(
            """
        make: !name:config.testing.Widget {size: 3}
        bare: !name:config.testing.Widget
        sized: !name:config.testing.Widget.sized
        """);
    Factory make = hp.get("make", Factory.class);
    assertEquals(new Widget(3, "x"), make.create(Map.of("name", "x")));
    assertEquals(
        new Widget(9, "y", Color.RED),
        make.create(Widget.class, Map.of("size", 9, "name", "y")),
        "call-time arguments win");
    assertEquals(
        new Widget(2, "z", Color.GREEN),
        hp.get("bare", Factory.class).create(Map.of("size", 2, "name", "z", "color", "green")));
    assertEquals(new Widget(7, "w7"), hp.get("sized", Factory.class).call(7));
    assertEquals("dev.sonus.config.testing.Widget.sized", hp.get("sized", Factory.class).target());
    assertNotSame(make.create(Map.of("name", "x")), make.create(Map.of("name", "x")));
  }

  @Test
  void factoryErrorsPointAtTheNameLine() {
    Hparams hp = load("a: 1\nmake: !name:config.testing.Widget {size: 3}\n");
    Factory make = hp.get("make", Factory.class);
    Recipes.failsWith(() -> make.create(Map.of()), "recipe.yaml:2", "key 'make'", "missing name");
    Recipes.failsWith(
        () -> make.create(String.class, Map.of("name", "n")),
        "recipe.yaml:2",
        "expects a java.lang.String");
    fails(
        "make: !name:config.testing.Widget {sise: 3}\n",
        "recipe.yaml:1",
        "key 'make.sise'",
        "unknown parameter for dev.sonus.config.testing.Widget",
        "did you mean size?");
  }

  @Test
  void applyCallsAStaticMethodAtLoadTime() {
    Hparams hp =
        load(
            """
        max: !apply:java.lang.Math.max [3, 4]
        max_float: !apply:java.lang.Math.max [3, 4.5]
        twice: !apply:config.testing.Widget.twice {x: 21}
        joined: !apply:java.lang.String.join ["-", a, b, c]
        path: !apply:java.nio.file.Path.of [results, save]
        """);
    assertEquals(4, hp.get("max"), "the int overload, as Python keeps ints");
    assertEquals(4.5, hp.get("max_float"));
    assertEquals(42, hp.get("twice"));
    assertEquals("a-b-c", hp.get("joined"));
    assertEquals(Path.of("results", "save"), hp.get("path"));
  }

  @Test
  void applyOfAnUnknownMethodSuggests() {
    fails(
        "m: !apply:java.lang.Math.maxx [1, 2]\n",
        "recipe.yaml:1",
        "key 'm'",
        "java.lang.Math has no public static method 'maxx'",
        "did you mean max?");
  }

  @Test
  void includeAppliesItsOverridesAndResolvesInItsOwnFile() throws IOException {
    write(
        "sub/imported.yaml",
        """
        a: 10
        b: !PLACEHOLDER
        c: !ref <a> // <b>
        """);
    Path main =
        write(
            "main.yaml",
            """
        b: !PLACEHOLDER
        import: !include:sub/imported.yaml
          a: 3
          b: !ref <b>
        d: !ref <import.c>
        """);
    Hparams hp = HyperYaml.load(main, Recipes.overrides("b=3"));
    assertEquals(3, hp.get("import.a"));
    assertEquals(1, hp.get("import.c"));
    assertEquals(1, hp.get("d"));
    Hparams overridden = HyperYaml.load(main, Recipes.overrides("import.a=6", "b=3"));
    assertEquals(6, overridden.get("import.a"));
    assertEquals(2, overridden.get("import.c"));
  }

  @Test
  void includeOverridesMustNameKeysOfTheIncludedFile() throws IOException {
    write("inc.yaml", "alpha: 1\n");
    Path main = write("main.yaml", "x: !include:inc.yaml\n  alpah: 2\n");
    ConfigException e =
        Recipes.failsWith(
            () -> HyperYaml.load(main),
            "main.yaml:2",
            "key 'x.alpah'",
            "no such key",
            "did you mean alpha?");
    assertEquals(2, e.line());
    Path main2 = write("main2.yaml", "x: !include:inc.yaml\n");
    Recipes.failsWith(
        () -> HyperYaml.load(main2, Recipes.overrides("x.alpah=2")),
        "override --x.alpah=2",
        "did you mean alpha?");
  }

  @Test
  void includeCycleAndMissingFileAreErrors() throws IOException {
    write("a.yaml", "b: !include:b.yaml\n");
    write("b.yaml", "a: !include:a.yaml\n");
    Recipes.failsWith(
        () -> HyperYaml.load(dir.resolve("a.yaml")), "include cycle: a.yaml -> b.yaml -> a.yaml");
    Path main = write("m.yaml", "x: 1\ny: !include:missing.yaml\n");
    ConfigException e =
        Recipes.failsWith(
            () -> HyperYaml.load(main),
            "m.yaml:2",
            "key 'y'",
            "cannot read included file",
            "missing.yaml");
    assertInstanceOf(IOException.class, e.getCause());
  }

  @Test
  void unsetPlaceholdersAreAllListedWithFileAndLine() {
    ConfigException e =
        fails(
            """
        data_folder: !PLACEHOLDER
        out: !ref <data_folder>/out
        n: 3
        model:
          weights: !PLACEHOLDER
        """,
            "recipe.yaml:1: key 'data_folder': is a !PLACEHOLDER and must be set",
            "2 unset:",
            "recipe.yaml:1 'data_folder'",
            "recipe.yaml:5 'model.weights'",
            "--data_folder=");
    assertEquals("data_folder", e.key());
    assertEquals(1, e.line());
  }

  @Test
  void placeholderSetByOverrideIsUsedEverywhere() {
    Hparams hp = load("data: !PLACEHOLDER\nout: !ref <data>/out\n", "data=/tmp/d");
    assertEquals("/tmp/d/out", hp.get("out"));
  }

  @Test
  void referenceToAnApplyResultSharesIt() {
    Hparams hp =
        load(
            """
        made: !apply:config.testing.Widget.sized [3]
        again: !ref <made>
        """);
    assertSame(hp.get("made"), hp.get("again"));
  }

  @Test
  void unknownClassSuggestsRegisteredShortNames() {
    fails(
        "w: !new:config.testing.Widgt [1, a]\n",
        "recipe.yaml:1",
        "key 'w'",
        "unknown class 'config.testing.Widgt'",
        "did you mean config.testing.Widget?");
    fails("f: !new:features.Fbnak\n", "did you mean features.Fbank?");
    fails(
        "f: !new:featurs.Fbank\n",
        "unknown class 'featurs.Fbank'",
        "did you mean package features?");
    fails(
        "f: !new:com.example.Nope\n",
        "unknown class 'com.example.Nope'",
        "tried dev.sonus.com.example.Nope or com.example.Nope");
  }

  @Test
  void abstractTypesAndScalarArgumentsAreRefused() {
    fails("l: !new:java.util.List\n", "java.util.List is an interface and cannot be constructed");
    fails("w: !new:config.testing.Widget 3\n", "is followed by '3'", "as a mapping ({a: 1})");
  }
}
