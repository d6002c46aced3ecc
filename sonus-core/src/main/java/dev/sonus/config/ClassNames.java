package dev.sonus.config;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds the class a recipe names: a short Sonus name ({@code features.Fbank} is {@code
 * dev.sonus.features.Fbank}, {@code features.Fbank.Options} its nested record), or a fully
 * qualified name of any class on the classpath.
 *
 * <p>The short names are registered by living in {@code dev.sonus}: every public class of a Sonus
 * package is reachable as {@code <package>.<Class>}, and the classes of that package are the
 * candidates for "did you mean". Classes are looked up without being initialised; nothing runs
 * until the recipe's object is built.
 */
final class ClassNames {
  static final String ROOT = "dev.sonus.";

  private ClassNames() {}

  /** The class named {@code name}, or null. */
  static Class<?> find(String name) {
    if (name.isEmpty()
        || !name.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
      return null;
    }
    List<String> candidates = name.startsWith(ROOT) ? List.of(name) : List.of(ROOT + name, name);
    for (String candidate : candidates) {
      Class<?> found = load(candidate);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  /** Loads {@code a.b.C.D}, trying nested names ({@code a.b.C$D}) from the right. */
  private static Class<?> load(String dotted) {
    String name = dotted;
    while (true) {
      try {
        return Class.forName(name, false, loader());
      } catch (ClassNotFoundException | LinkageError e) {
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
          return null;
        }
        name = name.substring(0, dot) + '$' + name.substring(dot + 1);
      }
    }
  }

  private static ClassLoader loader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : ClassNames.class.getClassLoader();
  }

  /** The name a recipe would use: {@code features.Fbank} for Sonus classes, else the full name. */
  static String shortName(Class<?> type) {
    String name = type.getName().replace('$', '.');
    return name.startsWith(ROOT) ? name.substring(ROOT.length()) : name;
  }

  /** Message for an unknown class: what was tried, and close Sonus names. */
  static String unknownClass(String name) {
    String tried = name.startsWith(ROOT) ? name : ROOT + name + " or " + name;
    return "unknown class '"
        + name
        + "' (tried "
        + tried
        + ")"
        + suggestion(name)
        + " Use <package>.<Class> for Sonus classes (features.Fbank) or a fully qualified class name.";
  }

  private static String suggestion(String name) {
    String shortName = name.startsWith(ROOT) ? name.substring(ROOT.length()) : name;
    int dot = shortName.lastIndexOf('.');
    String pkg = dot < 0 ? "" : shortName.substring(0, dot);
    String simple = shortName.substring(dot + 1);
    List<String> classes = listClasses(pkg.isEmpty() ? "dev.sonus" : ROOT + pkg);
    if (!classes.isEmpty()) {
      List<String> close = Names.similar(simple, classes);
      if (close.isEmpty()) {
        return "; classes in "
            + (pkg.isEmpty() ? "dev.sonus" : pkg)
            + ": "
            + String.join(", ", classes)
            + ".";
      }
      List<String> full = new ArrayList<>();
      close.forEach(c -> full.add(pkg.isEmpty() ? c : pkg + "." + c));
      return "; did you mean " + String.join(" or ", full) + "?";
    }
    List<String> packages = listPackages();
    String first = pkg.contains(".") ? pkg.substring(0, pkg.indexOf('.')) : pkg;
    if (!first.isEmpty() && !packages.contains(first)) {
      List<String> close = Names.similar(first, packages);
      if (!close.isEmpty()) {
        return "; did you mean package " + String.join(" or ", close) + "?";
      }
    }
    return ".";
  }

  /**
   * Simple names of the top-level classes of a package (from directories and jars on the
   * classpath).
   */
  static List<String> listClasses(String pkg) {
    TreeSet<String> out = new TreeSet<>();
    for (String entry : listEntries(pkg.replace('.', '/'))) {
      if (entry.endsWith(".class")
          && !entry.contains("$")
          && !entry.startsWith("package-info")
          && !entry.startsWith("module-info")) {
        out.add(entry.substring(0, entry.length() - ".class".length()));
      }
    }
    return new ArrayList<>(out);
  }

  /** Sonus packages: the folders under {@code dev/sonus}. */
  static List<String> listPackages() {
    TreeSet<String> out = new TreeSet<>();
    for (String entry : listEntries("dev/sonus")) {
      if (entry.endsWith("/")) {
        out.add(entry.substring(0, entry.length() - 1));
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * Names directly inside a classpath folder; folders end with '/'. Unreadable locations are
   * skipped.
   */
  private static List<String> listEntries(String folder) {
    List<String> out = new ArrayList<>();
    try {
      Enumeration<URL> urls = loader().getResources(folder);
      while (urls.hasMoreElements()) {
        URL url = urls.nextElement();
        if (url.getProtocol().equals("file")) {
          try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            files.forEach(p -> out.add(p.getFileName() + (Files.isDirectory(p) ? "/" : "")));
          }
        } else if (url.getProtocol().equals("jar")) {
          JarURLConnection connection = (JarURLConnection) url.openConnection();
          connection.setUseCaches(false);
          try (JarFile jar = connection.getJarFile()) {
            String prefix = folder + "/";
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
              String entry = e.nextElement().getName();
              if (entry.startsWith(prefix) && entry.length() > prefix.length()) {
                String rest = entry.substring(prefix.length());
                int slash = rest.indexOf('/');
                if (slash < 0 || slash == rest.length() - 1) {
                  out.add(rest);
                }
              }
            }
          }
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      // Suggestions are best effort: an unreadable classpath entry only means fewer candidates.
    }
    return out;
  }
}
