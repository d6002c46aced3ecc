package dev.sonus.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.GeneralCodingRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core's layering, as the package map of the design describes it: each package uses only the
 * ones below it (and the foundations {@code util} and {@code tensor}), from the bottom up:
 *
 * <pre>
 * util, tensor                              foundations
 * audio, tokenize, config, metrics          leaves
 * features                                  audio
 * data                                      audio, features, tokenize
 * nn, models, losses, decode                layers and what is built from them
 * train                                     the loop, over data and nn
 * repro                                     environment, data fingerprint, determinism, compare
 * run                                       Runner, RunDirectory, RunFolder, Replay
 * datasets                                  corpus preparers
 * inference                                 one-call interfaces, slot-free: they see tasks only through interfaces
 * experiments                               tasks; they implement the inference interfaces
 * bench                                     benchmarks over everything
 * </pre>
 *
 * There are no cycles between packages, and nothing in the core prints to the standard streams,
 * exits the JVM or parses a command line.
 */
class LayeringTest {
  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sonus");
  }

  @Test
  void packagesDependOnlyOnTheLayersBelowThem() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("util")
        .definedBy("dev.sonus.util..")
        .layer("tensor")
        .definedBy("dev.sonus.tensor..")
        .layer("audio")
        .definedBy("dev.sonus.audio..")
        .layer("tokenize")
        .definedBy("dev.sonus.tokenize..")
        .layer("config")
        .definedBy("dev.sonus.config..")
        .layer("metrics")
        .definedBy("dev.sonus.metrics..")
        .layer("features")
        .definedBy("dev.sonus.features..")
        .layer("data")
        .definedBy("dev.sonus.data..")
        .layer("augment")
        .definedBy("dev.sonus.augment..")
        .layer("nn")
        .definedBy("dev.sonus.nn..")
        .layer("models")
        .definedBy("dev.sonus.models..")
        .layer("losses")
        .definedBy("dev.sonus.losses..")
        .layer("decode")
        .definedBy("dev.sonus.decode..")
        .layer("train")
        .definedBy("dev.sonus.train..")
        .layer("repro")
        .definedBy("dev.sonus.repro..")
        .layer("run")
        .definedBy("dev.sonus.run..")
        .layer("datasets")
        .definedBy("dev.sonus.datasets..")
        .layer("inference")
        .definedBy("dev.sonus.inference..")
        .layer("experiments")
        .definedBy("dev.sonus.experiments..")
        .layer("bench")
        .definedBy("dev.sonus.bench..")
        .whereLayer("util")
        .mayNotAccessAnyLayer()
        .whereLayer("tensor")
        .mayOnlyAccessLayers("util")
        .whereLayer("audio")
        .mayOnlyAccessLayers("util", "tensor")
        .whereLayer("tokenize")
        .mayOnlyAccessLayers("util", "tensor")
        .whereLayer("config")
        .mayOnlyAccessLayers("util", "tensor")
        .whereLayer("metrics")
        .mayOnlyAccessLayers("util", "tensor", "tokenize")
        .whereLayer("features")
        .mayOnlyAccessLayers("util", "tensor", "audio")
        .whereLayer("data")
        .mayOnlyAccessLayers("util", "tensor", "audio", "features", "tokenize")
        .whereLayer("augment")
        .mayOnlyAccessLayers("util", "tensor", "audio", "features", "data")
        .whereLayer("nn")
        .mayOnlyAccessLayers("util", "tensor")
        .whereLayer("models")
        .mayOnlyAccessLayers("util", "tensor", "nn")
        .whereLayer("losses")
        .mayOnlyAccessLayers("util", "tensor", "nn")
        .whereLayer("decode")
        .mayOnlyAccessLayers("util", "tensor", "nn", "tokenize")
        .whereLayer("train")
        .mayOnlyAccessLayers("util", "tensor", "data", "nn")
        .whereLayer("repro")
        .mayOnlyAccessLayers("util", "tensor", "audio", "config", "data", "train")
        .whereLayer("run")
        .mayOnlyAccessLayers("util", "tensor", "config", "data", "train", "repro")
        .whereLayer("datasets")
        .mayOnlyAccessLayers("util", "tensor", "audio", "data", "tokenize")
        .whereLayer("inference")
        .mayOnlyAccessLayers(
            "util",
            "tensor",
            "audio",
            "config",
            "metrics",
            "features",
            "augment",
            "data",
            "nn",
            "models",
            "losses",
            "decode",
            "tokenize",
            "train",
            "run")
        .whereLayer("experiments")
        .mayOnlyAccessLayers(
            "util",
            "tensor",
            "audio",
            "config",
            "metrics",
            "features",
            "data",
            "augment",
            "nn",
            "models",
            "losses",
            "decode",
            "tokenize",
            "train",
            "inference")
        .whereLayer("bench")
        .mayOnlyAccessLayers(
            "util",
            "tensor",
            "audio",
            "features",
            "data",
            "augment",
            "nn",
            "models",
            "losses",
            "inference",
            "repro")
        .check(core);
  }

  @Test
  void noCyclesBetweenPackages() {
    slices().matching("dev.sonus.(*)..").should().beFreeOfCycles().check(core);
  }

  @Test
  void theCoreDoesNotPrint() {
    GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(core);
  }

  @Test
  void theCoreNeitherExitsNorParsesCommandLines() {
    noClasses()
        .should()
        .callMethod(System.class, "exit", int.class)
        .orShould()
        .callMethod(Runtime.class, "exit", int.class)
        .orShould()
        .dependOnClassesThat()
        .resideInAPackage("picocli..")
        .check(core);
  }
}
