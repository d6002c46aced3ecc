package dev.sonus.config;

import dev.sonus.util.RecipeCallable;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a recipe or a run folder may build, checked before anything is constructed or called.
 *
 * <p>By default: Sonus's own classes ({@code dev.sonus.*}) — their public constructors, records'
 * {@code defaults()}, and the static methods marked {@link RecipeCallable} — and a few JDK value
 * types whose public methods compute values only ({@link #JDK_VALUE_TYPES}: {@code java.lang.Math},
 * {@code String}, the boxed numbers, {@code java.nio.file.Path}, ...). Anything else — {@code
 * java.lang.ProcessBuilder}, {@code java.nio.file.Files}, {@code java.lang.System}, a user's own
 * class — is refused by name until it is allowed: by a prefix given to {@link #allowing} (the
 * command line's {@code --allow-classes com.example.}), or by the recipe's own {@code
 * trusted_classes: [com.example.]}, which is honoured for a recipe the user runs and refused, for a
 * run folder opened by an inference command, unless the user passes {@code --trust}.
 */
public final class ClassPolicy {
  /** JDK classes whose public constructors and static methods only compute values. */
  public static final Set<String> JDK_VALUE_TYPES =
      Set.of(
          "java.lang.Math",
          "java.lang.StrictMath",
          "java.lang.String",
          "java.lang.StringBuilder",
          "java.lang.Integer",
          "java.lang.Long",
          "java.lang.Double",
          "java.lang.Float",
          "java.lang.Short",
          "java.lang.Byte",
          "java.lang.Boolean",
          "java.lang.Character",
          "java.math.BigInteger",
          "java.math.BigDecimal",
          "java.nio.file.Path",
          "java.nio.file.Paths",
          "java.util.List",
          "java.util.Map",
          "java.util.Set",
          "java.util.ArrayList",
          "java.util.LinkedHashMap",
          "java.util.HashMap",
          "java.util.TreeMap",
          "java.util.LinkedHashSet",
          "java.time.Duration");

  private static final String SONUS = "dev.sonus.";
  private static final ClassPolicy SONUS_ONLY = new ClassPolicy(List.of(), false, true);
  private static final ClassPolicy VALUES_ONLY = new ClassPolicy(List.of(), false, false);

  private final List<String> allowed;
  private final boolean sonus;
  private final boolean everything;

  private ClassPolicy(List<String> allowed, boolean everything, boolean sonus) {
    this.allowed = List.copyOf(allowed);
    this.everything = everything;
    this.sonus = sonus;
  }

  /** Sonus's classes and the JDK value types only: the default for recipes and run folders. */
  public static ClassPolicy sonusOnly() {
    return SONUS_ONLY;
  }

  /**
   * Everything on the classpath, as HyperPyYAML allows: only for recipes one wrote oneself (the
   * command line's {@code --allow-classes '*'}).
   */
  public static ClassPolicy everything() {
    return new ClassPolicy(List.of(), true, true);
  }

  /**
   * The JDK value types only, no Sonus class: for a file that should hold values and nothing that
   * allocates models or reads files (and for fuzzing the binder without building real models).
   */
  public static ClassPolicy valuesOnly() {
    return VALUES_ONLY;
  }

  /**
   * This policy plus every class whose name starts with one of {@code prefixes} (a package with its
   * trailing dot, {@code com.example.}, or one class, {@code com.example.MyEncoder}); {@code *}
   * allows everything.
   */
  public ClassPolicy allowing(List<String> prefixes) {
    List<String> next = new ArrayList<>(allowed);
    boolean all = everything;
    for (String p : prefixes) {
      String prefix = p.trim();
      if (prefix.equals("*")) {
        all = true;
      } else if (!prefix.isEmpty()) {
        next.add(prefix);
      }
    }
    return new ClassPolicy(next, all, sonus);
  }

  /** The prefixes allowed besides the defaults. */
  public List<String> allowedPrefixes() {
    return allowed;
  }

  /** Whether everything on the classpath is allowed. */
  public boolean allowsEverything() {
    return everything;
  }

  /** Whether {@code type}'s constructors and static methods are all allowed by a prefix. */
  private boolean trusts(Class<?> type) {
    if (everything) {
      return true;
    }
    String name = type.getName();
    for (String prefix : allowed) {
      if (name.equals(prefix) || name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Throws unless {@code executable} of {@code type} may run.
   *
   * @param where the recipe line, for the message
   * @param key the recipe key, for the message
   */
  void check(Class<?> type, Executable executable, Location where, String key) {
    if (trusts(type) || JDK_VALUE_TYPES.contains(type.getName())) {
      return;
    }
    if (sonus && type.getName().startsWith(SONUS)) {
      if (!(executable instanceof Method m) || !Modifier.isStatic(m.getModifiers())) {
        return;
      }
      if (m.isAnnotationPresent(RecipeCallable.class)
          || (m.getName().equals("defaults") && m.getParameterCount() == 0 && type.isRecord())) {
        return;
      }
      throw new ConfigException(
          where,
          key,
          type.getName().replace('$', '.')
              + "."
              + m.getName()
              + " is not a method recipes may call (only constructors and the static methods marked"
              + " @RecipeCallable are: "
              + callable(type)
              + "); build the object with !new: instead");
    }
    throw new ConfigException(
        where,
        key,
        "class "
            + type.getName().replace('$', '.')
            + " is not on the recipe allow-list ("
            + (sonus ? "Sonus's own classes and " : "")
            + "JDK value types such as java.lang.Math and java.lang.String; see SECURITY.md), so nothing of it runs. If you trust this recipe, allow it: --allow-classes "
            + prefixOf(type)
            + " on the command line, or trusted_classes: ["
            + prefixOf(type)
            + "] in the recipe (a run folder's trusted_classes also needs --trust)");
  }

  /**
   * What to allow: the class itself for the JDK's own (a whole JDK package is too much), else its
   * package.
   */
  private static String prefixOf(Class<?> type) {
    String name = type.getName();
    Package p = type.getPackage();
    boolean jdk =
        name.startsWith("java.")
            || name.startsWith("javax.")
            || name.startsWith("jdk.")
            || name.startsWith("sun.")
            || name.startsWith("com.sun.");
    return jdk || p == null ? name : p.getName() + ".";
  }

  private static String callable(Class<?> type) {
    TreeSet<String> names = new TreeSet<>();
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) && m.isAnnotationPresent(RecipeCallable.class)) {
        names.add(m.getName());
      }
    }
    return names.isEmpty() ? "none in this class" : String.join(", ", names);
  }

  @Override
  public String toString() {
    return everything
        ? "ClassPolicy(everything)"
        : "ClassPolicy(" + (sonus ? "dev.sonus., " : "") + "JDK value types, " + allowed + ")";
  }
}
