package dev.sonus.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The command line only parses arguments, calls the core and prints what it returns: no tensor
 * arithmetic, no native memory of its own, no reading of recipes by hand; and only {@code Main}
 * ends the process.
 */
class CommandLineLayerTest {
  private static final JavaClasses CLI =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.sonus.cli");

  @Test
  void commandsDoNoComputeOfTheirOwn() {
    noClasses()
        .that()
        .resideInAPackage("dev.sonus.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.bytedeco..", "org.yaml..")
        .because("the command line calls the core, which owns every tensor and every file format")
        .check(CLI);
  }

  @Test
  void onlyMainEndsTheProcess() {
    noClasses()
        .that()
        .resideInAPackage("dev.sonus.cli..")
        .and()
        .doNotHaveSimpleName("Main")
        .should()
        .callMethod(System.class, "exit", int.class)
        .check(CLI);
  }
}
