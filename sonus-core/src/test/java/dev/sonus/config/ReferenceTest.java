package dev.sonus.config;

import static dev.sonus.config.Recipes.fails;
import static dev.sonus.config.Recipes.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.sonus.config.testing.Pair;
import dev.sonus.config.testing.Widget;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceTest {

  @Test
  void wholeReferenceKeepsTheType() {
    Hparams hp =
        load(
            """
        n_mels: 40
        lr: 0.001
        channels: [32, 64]
        a: !ref <n_mels>
        b: !ref <lr>
        c: !ref <channels>
        """);
    assertEquals(40, hp.get("a"));
    assertEquals(0.001, hp.get("b"));
    assertEquals(List.of(32, 64), hp.get("c"));
    assertSame(hp.get("channels"), hp.get("c"));
  }

  @Test
  void interpolationUsesPythonStr() {
    Hparams hp =
        load(
            """
        output_folder: results/fsdd
        seed: 1986
        lr: 0.00001
        deltas: true
        save: !ref <output_folder>/save
        run: !ref results/<seed>/lr<lr>-<deltas>
        one: !ref <seed>/b
        """);
    assertEquals("results/fsdd/save", hp.get("save"));
    assertEquals("results/1986/lr1e-05-True", hp.get("run"));
    assertEquals("1986/b", hp.get("one"), "not arithmetic, so a string (as in HyperPyYAML's test)");
  }

  @Test
  void arithmeticFollowsPythonTypes() {
    Hparams hp =
        load(
            """
        n_mels: 40
        a: 7
        b: 2
        double: !ref <n_mels> * 2
        half: !ref <n_mels> / 2
        floor: !ref <a> // <b> + 1
        neg_floor: !ref -<a> // <b>
        mod: !ref -<a> % 3
        pow: !ref <b> ** 10
        inv: !ref <b> ** -1
        paren: !ref (<a> + 1) * <b>
        mixed: !ref <a> * 0.5
        concat: !ref <a><b>
        """);
    assertEquals(80, hp.get("double"));
    assertEquals(20.0, hp.get("half"), "true division gives a float");
    assertEquals(4, hp.get("floor"));
    assertEquals(-4, hp.get("neg_floor"), "floors towards minus infinity");
    assertEquals(2, hp.get("mod"), "sign of the divisor");
    assertEquals(1024, hp.get("pow"));
    assertEquals(0.5, hp.get("inv"));
    assertEquals(16, hp.get("paren"));
    assertEquals(3.5, hp.get("mixed"));
    assertEquals(72, hp.get("concat"), "'72' reads as a number, as in HyperPyYAML");
  }

  @Test
  void divisionByZeroIsAnError() {
    fails("a: 0\nb: !ref 1 / <a>\n", "recipe.yaml:2", "key 'b'", "division by zero", "'1 / 0'");
  }

  @Test
  void interpolationToParenthesesGivesATuple() {
    Hparams hp = load("a: 3\nb: 4\nshape: !ref (<a>, <b>)\n");
    assertEquals(List.of(3, 4), hp.get("shape"));
  }

  @Test
  void referenceWithoutAngleBracketsIsText() {
    assertEquals("2 * 3", load("a: !ref 2 * 3\n").get("a"));
  }

  @Test
  void nestedKeysWithDotsBracketsAndIndices() {
    Hparams hp =
        load(
            """
        constants: {a: 1, list: [5, 6]}
        dotted: !ref <constants.a>
        bracket: !ref <constants[a]>
        index: !ref <constants.list.1>
        model: !new:config.testing.Widget {size: 3, name: m}
        size: !ref <model.size>
        """);
    assertEquals(1, hp.get("dotted"));
    assertEquals(1, hp.get("bracket"));
    assertEquals(6, hp.get("index"));
    assertEquals(3, hp.get("size"), "a reference into a !new: reads its argument");
  }

  @Test
  void referencesMayPointForwardAndThroughOtherReferences() {
    Hparams hp =
        load(
            """
        a: !ref <b>
        b: !ref <c.x>
        c: !ref <d>
        d: {x: 5}
        """);
    assertEquals(5, hp.get("a"));
    assertEquals(5, hp.get("b"));
  }

  @Test
  void referenceToAnObjectIsTheSameInstanceAndCopyIsANewOne() {
    Hparams hp =
        load(
            """
        widget: !new:config.testing.Widget {size: 3, name: a}
        same: !ref <widget>
        copy: !copy <widget>
        pair: !new:config.testing.Pair [!ref <widget>, !copy <widget>]
        """);
    Widget widget = (Widget) hp.get("widget");
    assertSame(widget, hp.get("same"));
    assertNotSame(widget, hp.get("copy"));
    assertEquals(widget, hp.get("copy"));
    Pair pair = (Pair) hp.get("pair");
    assertSame(widget, pair.first());
    assertNotSame(widget, pair.second());
  }

  @Test
  void copyCopiesObjectsInsideToo() {
    Hparams hp =
        load(
            """
        inner: !new:config.testing.Widget {size: 3, name: a}
        outer: !new:config.testing.Pair {first: !ref <inner>, second: !ref <inner>}
        clone: !copy <outer>
        """);
    Pair outer = (Pair) hp.get("outer");
    Pair clone = (Pair) hp.get("clone");
    assertSame(hp.get("inner"), outer.first());
    assertNotSame(outer.first(), clone.first());
    assertSame(clone.first(), clone.second(), "sharing inside the copy is kept");
  }

  @Test
  void missingReferenceNamesItAndSuggests() {
    ConfigException e =
        fails(
            """
        n_mels: 40
        n_fft: 400
        input_size: !ref <n_mel>
        """,
            "recipe.yaml:3: key 'input_size'",
            "!ref <n_mel>",
            "no key 'n_mel'",
            "did you mean n_mels?",
            "Known: n_mels, n_fft, input_size");
    assertEquals(3, e.line());
    fails("a: {b: 1}\nc: !ref <a.bb>\n", "no key 'a.bb' under 'a'", "did you mean b?");
  }

  @Test
  void cycleIsAnErrorNamingTheChain() {
    fails(
        """
        a: !ref <b>
        b: !ref <c>
        c: !ref <a>
        """,
        "reference cycle: a -> b -> c -> a");
    fails("a: {x: !ref <a>}\n", "reference cycle: a -> a.x -> a");
  }

  @Test
  void interpolatingAnObjectIsAnError() {
    fails(
        """
        w: !new:config.testing.Widget {size: 3, name: a}
        s: !ref <w>/x
        """,
        "recipe.yaml:2",
        "key 's'",
        "cannot put <w> into the text '<w>/x'",
        "!new:config.testing.Widget");
  }
}
