package dev.sonus.cli;

import dev.sonus.config.LoadOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --allow-classes} and {@code --trust}: how much a recipe or run folder may run beyond
 * Sonus's own classes (see SECURITY.md).
 */
final class TrustOptions {
  @Option(
      names = "--allow-classes",
      split = ",",
      paramLabel = "PREFIX",
      description =
          "also build classes whose name starts with PREFIX (a package with its dot, com.example., or a"
              + " class); '*' allows everything on the classpath. Only for files you trust.")
  List<String> allowClasses = new ArrayList<>();

  @Option(
      names = "--trust",
      description =
          "vouch for the file: honour a run folder's trusted_classes and let includes leave its folder")
  boolean trust;

  /** The options for a recipe the user runs. */
  LoadOptions recipe() {
    return LoadOptions.recipe().allowing(allowClasses).trusting(trust);
  }

  /** The options for a run folder opened by an inference command. */
  LoadOptions runFolder() {
    return LoadOptions.runFolder().allowing(allowClasses).trusting(trust);
  }
}
