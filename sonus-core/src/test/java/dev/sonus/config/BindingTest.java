package dev.sonus.config;

import static dev.sonus.config.Recipes.fails;
import static dev.sonus.config.Recipes.load;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.sonus.config.testing.Color;
import dev.sonus.config.testing.Gadget;
import dev.sonus.config.testing.Maker;
import dev.sonus.config.testing.Point;
import dev.sonus.config.testing.Primitives;
import dev.sonus.config.testing.Shape;
import dev.sonus.config.testing.Widget;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BindingTest {

  @Test
  void optionsRecordStartsFromDefaults() {
    Hparams hp =
        load(
            """
        g: !new:config.testing.Gadget
          rate: 2
          color: Blue_Green
          dir: /tmp/x
          sizes: [3]
          weights: [1, 2.5]
        """);
    Gadget.Options options = hp.get("g", Gadget.class).options();
    assertEquals(2.0, options.rate());
    assertEquals(2, options.layers(), "unset: from defaults()");
    assertEquals(Color.BLUE_GREEN, options.color());
    assertEquals(Path.of("/tmp/x"), options.dir());
    assertEquals(List.of(3), options.sizes());
    assertArrayEquals(new double[] {1, 2.5}, options.weights());
  }

  @Test
  void optionsRecordValidationErrorIsWrappedWithTheLine() {
    ConfigException e =
        fails(
            "a: 1\ng: !new:config.testing.Gadget {layers: -1}\n",
            "recipe.yaml:2",
            "key 'g'",
            "rejected the values",
            "layers is -1");
    assertInstanceOf(IllegalArgumentException.class, e.getCause());
  }

  @Test
  void misspelledFbankKeyGivesTheDocumentedMessage() {
    ConfigException e =
        fails(
            """
        sample_rate: 8000
        features: !new:features.Fbank
          sample_rate: !ref <sample_rate>
          n_mel: 40
        """);
    assertEquals(
        "recipe.yaml:4: key 'features.n_mel': unknown parameter for dev.sonus.features.Fbank; "
            + "did you mean n_mels? Known: sample_rate, n_fft, n_mels, f_min, f_max, win_length_ms, win_length, "
            + "hop_length_ms, hop_length, filter_shape, deltas, context, left_frames, right_frames",
        e.getMessage());
    assertEquals(4, e.line());
    assertEquals("features.n_mel", e.key());
  }

  @Test
  void constructorIsChosenByExactParameterNames() {
    Hparams hp =
        load(
            """
        two: !new:config.testing.Widget {size: 3, name: a}
        three: !new:config.testing.Widget {size: 3, name: a, color: green}
        """);
    assertEquals(Color.RED, hp.get("two", Widget.class).color());
    assertEquals(Color.GREEN, hp.get("three", Widget.class).color());
  }

  @Test
  void missingParameterListsTheConstructors() {
    fails(
        "w: !new:config.testing.Widget {size: 3}\n",
        "recipe.yaml:1",
        "key 'w'",
        "missing name for Widget(size: int, name: String)",
        "Public constructors: Widget(size: int, name: String), Widget(size: int, name: String, color: "
            + "dev.sonus.config.testing.Color)");
  }

  @Test
  void misspelledKeywordSuggestsAndListsKnownNames() {
    fails(
        "w: !new:config.testing.Widget\n  size: 3\n  nmae: a\n",
        "recipe.yaml:3",
        "key 'w.nmae'",
        "unknown parameter for dev.sonus.config.testing.Widget",
        "did you mean name?",
        "Known: size, name, color");
  }

  @Test
  void wrongNumberOfPositionalArgumentsListsConstructors() {
    fails(
        "w: !new:config.testing.Widget [1]\n",
        "no public constructor of dev.sonus.config.testing.Widget takes " + "1 positional argument",
        "Widget(size: int, name: String)");
  }

  @Test
  void floatsAreNeverTruncatedToInts() {
    assertEquals(
        2,
        load("w: !new:config.testing.Widget {size: 2.0, name: a}\n").get("w", Widget.class).size());
    ConfigException e =
        fails(
            """
        n: 1
        w: !new:config.testing.Widget
          size: 0.5
          name: a
        """,
            "recipe.yaml:3: key 'w.size': expected int, got 0.5 (a float)",
            "not a whole number");
    assertEquals(3, e.line());
  }

  @Test
  void quotedNumberIsNotAnInt() {
    fails(
        "w: !new:config.testing.Widget {size: '3', name: a}\n",
        "key 'w.size'",
        "expected int, got '3' (a string)",
        "remove the quotes");
  }

  @Test
  void unknownEnumConstantListsTheConstants() {
    fails(
        "w: !new:config.testing.Widget {size: 1, name: a, color: gren}\n",
        "key 'w.color'",
        "got 'gren' (a string)",
        "one of red, green, blue_green",
        "did you mean green?");
  }

  @Test
  void constructorExceptionIsWrappedWithKeyLineAndCause() {
    ConfigException e =
        fails(
            "x: 1\nw: !new:config.testing.Widget {size: -1, name: a}\n",
            "recipe.yaml:2",
            "key 'w'",
            "dev.sonus.config.testing.Widget(size, name) failed",
            "IllegalArgumentException",
            "size is -1; must be positive");
    assertInstanceOf(IllegalArgumentException.class, e.getCause());
  }

  @Test
  void mappingsBecomeRecordsListsAndMaps() {
    Shape shape =
        load("""
        s: !new:config.testing.Shape
          origin: {x: 1, y: 2}
          corners: [{x: 0, y: 0}, {x: 1.5, y: 0}]
          tags: {a: 1}
          ids: [1, 2]
        """)
            .get("s", Shape.class);
    assertEquals(new Point(1, 2), shape.origin());
    assertEquals(List.of(new Point(0, 0), new Point(1.5, 0)), shape.corners());
    assertEquals(Map.of("a", 1), shape.tags());
    assertArrayEquals(new long[] {1, 2}, shape.ids());
  }

  @Test
  void nestedRecordErrorsNameTheNestedKey() {
    fails(
        """
        s: !new:config.testing.Shape
          origin: {x: 1}
          corners: [{x: 0, y: 0}, {x: 1, z: 0}]
          tags: {}
          ids: []
        """,
        "recipe.yaml:2",
        "missing y for dev.sonus.config.testing.Point");
    fails(
        """
        s: !new:config.testing.Shape
          origin: {x: 1, y: 1}
          corners: [{x: 0, y: 0}, {x: 1, yy: 0}]
          tags: {a: one}
          ids: []
        """,
        "key 's.corners.1.yy'",
        "unknown field of dev.sonus.config.testing.Point",
        "did you mean y?");
    fails(
        """
        s: !new:config.testing.Shape
          origin: {x: 1, y: 1}
          corners: []
          tags:
            a: one
          ids: []
        """,
        "recipe.yaml:5: key 's.tags.a': expected Integer, got 'one' (a string)");
  }

  @Test
  void everyConvertibleKindIsConverted() {
    Primitives p =
        load("""
        p: !new:config.testing.Primitives
          count: 5
          ratio: 0.25
          small: 7
          boxed: 3
          dir: a/b
          file: c/d
          dims: [1, 2]
          names: [x, y]
          scales: [1, 0.5]
          labels: [a, b, a]
          note: null
          letter: z
          anything: [1, {k: v}]
        """)
            .get("p", Primitives.class);
    assertEquals(5L, p.count());
    assertEquals(0.25f, p.ratio());
    assertEquals((short) 7, p.small());
    assertEquals(3.0, p.boxed());
    assertEquals(Path.of("a/b"), p.dir());
    assertEquals(new File("c/d"), p.file());
    assertArrayEquals(new int[] {1, 2}, p.dims());
    assertArrayEquals(new String[] {"x", "y"}, p.names());
    assertEquals(List.of(1.0, 0.5), p.scales(), "ints widen to Double inside a List<Double>");
    assertEquals(Set.of("a", "b"), p.labels());
    assertEquals(Optional.empty(), p.note());
    assertEquals('z', p.letter());
    assertEquals(List.of(1, Map.of("k", "v")), p.anything());
  }

  @Test
  void nullForAPrimitiveAndOutOfRangeIntsAreErrors() {
    fails(
        "w: !new:config.testing.Widget {size: null, name: a}\n", "key 'w.size'", "cannot be null");
    fails(
        "w: !new:config.testing.Widget {size: 3000000000, name: a}\n",
        "key 'w.size'",
        "out of range for a int");
  }

  @Test
  void factoriesPassAsFunctionalInterfaces() {
    Maker maker =
        load("""
        maker: !new:config.testing.Maker
          defaults: !name:config.testing.Widget {size: 2, name: d}
          sized: !name:config.testing.Widget.sized
        """)
            .get("maker", Maker.class);
    assertEquals(new Widget(2, "d"), maker.make());
    assertEquals(new Widget(5, "w5"), maker.make(5));
  }

  @Test
  void builtObjectsPassWhenAssignableElseTheErrorNamesTheType() {
    assertEquals(
        new Widget(1, "a"),
        load("""
        w: !new:config.testing.Widget [1, a]
        p: !new:config.testing.Pair [!ref <w>, 2]
        """)
            .get("p", dev.sonus.config.testing.Pair.class)
            .first());
    fails(
        """
        w: !new:config.testing.Widget [1, a]
        s: !new:config.testing.Shape {origin: !ref <w>, corners: [], tags: {}, ids: []}
        """,
        "key 's.origin'",
        "expected dev.sonus.config.testing.Point",
        "(a dev.sonus.config.testing.Widget)");
  }
}
