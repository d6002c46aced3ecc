package dev.sonus.cli;

import dev.sonus.repro.Environment;
import dev.sonus.util.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sonus env}: what this machine, JVM and libtorch are. */
@Command(
    name = "env",
    description = "Print the Java, OS, CPU, libtorch and Sonus versions and settings.")
final class EnvCommand implements Callable<Integer> {
  @Option(names = "--json", description = "print JSON instead of text")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Environment env = Environment.capture();
    spec.commandLine()
        .getOut()
        .print(json ? Json.writePretty(env.toMap()) + System.lineSeparator() : env.toText());
    return 0;
  }
}
