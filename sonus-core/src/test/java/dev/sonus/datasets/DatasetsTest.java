package dev.sonus.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetsTest {
  /** A preparer that only declares options, for testing how they are read. */
  private static final DatasetPreparer GROUPS =
      new DatasetPreparer() {
        @Override
        public String name() {
          return "groups";
        }

        @Override
        public String description() {
          return "declares options only";
        }

        @Override
        public List<PreparerOption> options() {
          return List.of(
              new PreparerOption("valid_groups", "0.1", "held-out groups"),
              new PreparerOption("seed", "0", "seed"));
        }

        @Override
        public List<PreparedManifest> prepare(
            Path dataFolder, Path outDir, Map<String, String> options) {
          throw new UnsupportedOperationException();
        }
      };

  @Test
  void theRegistryHoldsEveryCorpusWithItsOptions() {
    assertEquals(List.of("fsdd", "an4", "speech-commands", "noizeus", "folders"), Datasets.names());
    assertEquals("fsdd", Datasets.get("FSDD").name());
    for (DatasetPreparer p : Datasets.all()) {
      assertFalse(p.description().isBlank(), p.name());
      assertFalse(p.options().isEmpty(), p.name());
      PreparerOptions defaults = PreparerOptions.resolve(p, Map.of());
      for (PreparerOption o : p.options()) {
        assertEquals(o.defaultValue(), defaults.string(o.key()));
      }
    }
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    Written.fails(
        () -> Datasets.get("fdsd"),
        "'fdsd'",
        "did you mean fsdd?",
        String.join(", ", Datasets.names()));
    assertTrue(Datasets.find("timit").isEmpty());
  }

  @Test
  void anUnknownOptionNamesTheKnownOnes() {
    Written.fails(
        () -> PreparerOptions.resolve(GROUPS, Map.of("valid_group", "2")),
        "groups takes no option " + "'valid_group'",
        "did you mean valid_groups?",
        "valid_groups, seed");
  }

  @Test
  void optionKeysMayUseDashesAndValuesAreTrimmed() {
    PreparerOptions o = PreparerOptions.resolve(GROUPS, Map.of("valid-groups", " 3 "));
    assertEquals(3, o.count("valid_groups", 10, "groups"));
    assertEquals(0L, o.seed("seed"));
    assertEquals(List.of("valid_groups", "seed"), List.copyOf(o.values().keySet()));
  }

  @Test
  void aCountOrFractionIsReadAsSuchAndCheckedAgainstTheTotal() {
    assertEquals(7, PreparerOptions.resolve(GROUPS, Map.of()).count("valid_groups", 74, "groups"));
    assertEquals(
        3,
        PreparerOptions.resolve(GROUPS, Map.of("valid_groups", "30%"))
            .count("valid_groups", 10, "groups"));
    assertEquals(
        1,
        PreparerOptions.resolve(GROUPS, Map.of("valid_groups", "1%"))
            .count("valid_groups", 10, "groups"),
        "a fraction above 0 takes at least one");
    assertEquals(
        0,
        PreparerOptions.resolve(GROUPS, Map.of("valid_groups", "0"))
            .count("valid_groups", 10, "groups"));
    Written.fails(
        () ->
            PreparerOptions.resolve(GROUPS, Map.of("valid_groups", "11"))
                .count("valid_groups", 10, "groups"),
        "valid_groups=11",
        "11 groups",
        "only 10");
    Written.fails(
        () ->
            PreparerOptions.resolve(GROUPS, Map.of("valid_groups", "1.0"))
                .count("valid_groups", 10, "groups"),
        "valid_groups is 1.0",
        "[0, 1)");
    Written.fails(
        () -> PreparerOptions.resolve(GROUPS, Map.of("seed", "x")).seed("seed"), "seed is 'x'");
  }

  @Test
  void theSplitOfAGroupDependsOnlyOnItsNameAndTheSeed() {
    Map<String, String> forward =
        Splits.assign(List.of("a", "b", "c", "d", "e", "f", "g", "h"), 7, 2, 2);
    Map<String, String> backward =
        Splits.assign(List.of("h", "g", "f", "e", "d", "c", "b", "a"), 7, 2, 2);
    assertEquals(forward, backward);
    assertEquals(2, forward.values().stream().filter("valid"::equals).count());
    assertEquals(2, forward.values().stream().filter("test"::equals).count());
    assertEquals(4, forward.values().stream().filter("train"::equals).count());
  }
}
