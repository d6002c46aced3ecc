package dev.sonus.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds a recipe's arguments to a public constructor or static method and calls it.
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>Options record: when an executable takes exactly one record that has a static no-arg {@code
 *       defaults()} (like {@code Fbank(Fbank.Options)}) and every keyword is a component of that
 *       record, the record starts from {@code defaults()} and the keywords replace components by
 *       name. The same holds for building such a record itself ({@code !new:features.Fbank.Options
 *       {n_mels: 80}}).
 *   <li>Otherwise the executable whose parameter names are exactly the keywords (after the
 *       positional arguments, which fill the first parameters in order); all parameters must be
 *       given. Among several that accept the values, the one needing the fewest conversions wins
 *       ({@code Math.max(3, 4)} is the int one).
 * </ol>
 *
 * Keys are snake_case in recipes and camelCase in Java ({@code n_mels} is {@code nMels}); parameter
 * names come from {@code -parameters}. Values are converted by {@link Coercion}.
 */
final class Binder {
  private Binder() {}

  /**
   * One argument: its value, the resolved node it was built from (for locations of nested values;
   * null for values given from Java), its dotted key and where it was written.
   */
  record Arg(Object value, Node node, String key, Location location) {}

  /**
   * Calls {@code target} with the arguments; {@code where} and {@code key} are the tag's, for
   * messages.
   */
  static Object call(
      Target target, List<Arg> positional, Map<String, Arg> keyword, Location where, String key) {
    List<Executable> executables = target.executables();
    Class<?> type = target.type();
    if (positional.isEmpty()
        && target.method() == null
        && type.isRecord()
        && defaultsMethod(type) != null
        && covers(type, keyword.keySet())) {
      target.policy().check(type, canonical(type), where, key);
      return Coercion.record(type, keyword, where, key, "component of " + target.describe());
    }
    if (positional.isEmpty()) {
      for (Executable e : executables) {
        Class<?> options = optionsRecord(e);
        if (options != null && covers(options, keyword.keySet())) {
          target.policy().check(options, canonical(options), where, key);
          Object record =
              Coercion.record(options, keyword, where, key, "parameter for " + target.describe());
          return invoke(target, e, new Object[] {record}, where, key);
        }
      }
    }
    Object[] best = null;
    Executable bestExecutable = null;
    int bestCost = Integer.MAX_VALUE;
    ConfigException firstFailure = null;
    List<String> tried = new ArrayList<>();
    for (Executable e : executables) {
      List<Arg> plan = plan(e, positional, keyword, where);
      if (plan == null) {
        continue;
      }
      tried.add(signature(target, e));
      try {
        Object[] values = new Object[plan.size()];
        int cost = 0;
        Parameter[] params = e.getParameters();
        for (int i = 0; i < values.length; i++) {
          Arg arg = plan.get(i);
          values[i] =
              Coercion.coerce(
                  arg.value(),
                  params[i].getParameterizedType(),
                  arg.node(),
                  arg.key(),
                  arg.location());
          cost += Coercion.cost(arg.value(), params[i].getType());
        }
        if (cost < bestCost) {
          best = values;
          bestExecutable = e;
          bestCost = cost;
        }
      } catch (ConfigException failure) {
        if (firstFailure == null) {
          firstFailure = failure;
        }
      }
    }
    if (bestExecutable != null) {
      return invoke(target, bestExecutable, best, where, key);
    }
    if (firstFailure != null && tried.size() == 1) {
      throw firstFailure;
    }
    if (firstFailure != null) {
      throw new ConfigException(
          firstFailure.file(),
          firstFailure.line(),
          firstFailure.key(),
          firstFailure.problem()
              + " (none of the "
              + target.kind()
              + "s "
              + String.join(", ", tried)
              + " accepts the values)",
          firstFailure.getCause());
    }
    throw noMatch(target, executables, positional, keyword, where, key);
  }

  /**
   * The arguments for each parameter of {@code e} in order, or null when the shape does not fit
   * (count, names). A varargs method takes extra positional arguments as its last array.
   */
  private static List<Arg> plan(
      Executable e, List<Arg> positional, Map<String, Arg> keyword, Location where) {
    Parameter[] params = e.getParameters();
    int n = params.length;
    if (!keyword.isEmpty() && !namesPresent(e)) {
      return null;
    }
    if (keyword.isEmpty()
        && e.isVarArgs()
        && positional.size() >= n - 1
        && !(positional.size() == n && positional.get(n - 1).value() instanceof List)) {
      List<Arg> out = new ArrayList<>(positional.subList(0, n - 1));
      List<Object> rest = new ArrayList<>();
      positional.subList(n - 1, positional.size()).forEach(a -> rest.add(a.value()));
      Arg first = positional.size() >= n ? positional.get(n - 1) : null;
      out.add(
          new Arg(
              rest,
              null,
              first != null ? first.key() : null,
              first != null ? first.location() : null));
      return fixLocations(out, where);
    }
    if (positional.size() > n) {
      return null;
    }
    Set<String> wanted = new LinkedHashSet<>();
    for (int i = positional.size(); i < n; i++) {
      wanted.add(params[i].getName());
    }
    Map<String, Arg> byCamel = new LinkedHashMap<>();
    keyword.forEach((k, v) -> byCamel.put(Names.camel(k), v));
    if (!wanted.equals(byCamel.keySet()) || byCamel.size() != keyword.size()) {
      return null;
    }
    List<Arg> out = new ArrayList<>(positional);
    for (int i = positional.size(); i < n; i++) {
      out.add(byCamel.get(params[i].getName()));
    }
    return out;
  }

  private static List<Arg> fixLocations(List<Arg> plan, Location fallback) {
    List<Arg> out = new ArrayList<>();
    for (Arg a : plan) {
      out.add(a.location() != null ? a : new Arg(a.value(), a.node(), a.key(), fallback));
    }
    return out;
  }

  /**
   * True when the parameter names were compiled in ({@code -parameters}), not {@code arg0, arg1}.
   */
  private static boolean namesPresent(Executable e) {
    for (Parameter p : e.getParameters()) {
      if (!p.isNamePresent()) {
        return false;
      }
    }
    return true;
  }

  /** The options record {@code e} takes as its only parameter, or null. */
  static Class<?> optionsRecord(Executable e) {
    if (e.getParameterCount() != 1) {
      return null;
    }
    Class<?> type = e.getParameterTypes()[0];
    return type.isRecord() && defaultsMethod(type) != null ? type : null;
  }

  /** The public static no-arg {@code defaults()} of a record returning the record, or null. */
  static Method defaultsMethod(Class<?> record) {
    try {
      Method m = record.getMethod("defaults");
      return Modifier.isStatic(m.getModifiers()) && m.getReturnType() == record ? m : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static boolean covers(Class<?> record, Set<String> keys) {
    RecordComponent[] components = record.getRecordComponents();
    for (String k : keys) {
      if (Coercion.componentIndex(components, k) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Snake-case names a target accepts as keywords (all parameter names and options-record
   * components), or null when some executable's names are unknown (compiled without {@code
   * -parameters}).
   */
  static Set<String> keywordNames(Target target) {
    Set<String> out = new LinkedHashSet<>();
    for (Executable e : target.executables()) {
      Class<?> options = optionsRecord(e);
      if (options != null) {
        for (RecordComponent c : options.getRecordComponents()) {
          out.addAll(Coercion.names(c));
        }
      }
    }
    for (Executable e : target.executables()) {
      if (!namesPresent(e)) {
        return null;
      }
      for (Parameter p : e.getParameters()) {
        out.add(Names.snake(p.getName()));
      }
    }
    return out;
  }

  /**
   * The names to show in "Known: ..." lists: {@link #keywordNames} without the parameter that takes
   * a whole options record ({@code options} of {@code Fbank(Options options)}), which is accepted
   * but rarely meant.
   */
  static Set<String> shownNames(Target target) {
    Set<String> names = keywordNames(target);
    if (names == null) {
      return null;
    }
    Set<String> out = new LinkedHashSet<>(names);
    for (Executable e : target.executables()) {
      if (optionsRecord(e) != null && e.getParameters()[0].isNamePresent()) {
        String name = Names.snake(e.getParameters()[0].getName());
        boolean usedElsewhere =
            target.executables().stream()
                .anyMatch(
                    other ->
                        optionsRecord(other) == null
                            && other.getParameterCount() > 0
                            && java.util.Arrays.stream(other.getParameters())
                                .anyMatch(p -> Names.snake(p.getName()).equals(name)));
        if (!usedElsewhere) {
          out.remove(name);
        }
      }
    }
    return out;
  }

  /** Error for a keyword no executable accepts, or null when every keyword is known. */
  static ConfigException unknownKeyword(Target target, Map<String, Arg> keyword) {
    Set<String> accepted = keywordNames(target);
    Set<String> known = shownNames(target);
    if (accepted == null) {
      return null;
    }
    Set<String> camelKnown = new LinkedHashSet<>();
    accepted.forEach(k -> camelKnown.add(Names.camel(k)));
    for (Map.Entry<String, Arg> entry : keyword.entrySet()) {
      if (!camelKnown.contains(Names.camel(entry.getKey()))) {
        String given = Names.snake(entry.getKey());
        Arg arg = entry.getValue();
        return new ConfigException(
            arg.location(),
            arg.key(),
            "unknown parameter for " + target.describe() + Names.suggest(given, known));
      }
    }
    return null;
  }

  private static ConfigException noMatch(
      Target target,
      List<Executable> executables,
      List<Arg> positional,
      Map<String, Arg> keyword,
      Location where,
      String key) {
    ConfigException unknown = unknownKeyword(target, keyword);
    if (unknown != null) {
      return unknown;
    }
    List<String> signatures = new ArrayList<>();
    executables.forEach(e -> signatures.add(signature(target, e)));
    String kinds = target.kind() + "s";
    String list = " Public " + kinds + ": " + String.join(", ", signatures) + ".";
    if (!keyword.isEmpty() && keywordNames(target) == null) {
      return new ConfigException(
          where,
          key,
          "the parameter names of "
              + target.describe()
              + " are not known at "
              + "run time (compiled without -parameters); give the arguments as a list in order."
              + list);
    }
    if (keyword.isEmpty()) {
      return new ConfigException(
          where,
          key,
          "no public "
              + target.kind()
              + " of "
              + target.describe()
              + " takes "
              + positional.size()
              + " positional argument"
              + (positional.size() == 1 ? "" : "s")
              + "."
              + list);
    }
    Set<String> given = new LinkedHashSet<>();
    keyword.keySet().forEach(k -> given.add(Names.camel(k)));
    for (Executable e : executables) {
      Parameter[] params = e.getParameters();
      Set<String> names = new LinkedHashSet<>();
      for (int i = positional.size(); i < params.length; i++) {
        names.add(params[i].getName());
      }
      if (names.containsAll(given)) {
        List<String> missing = new ArrayList<>();
        names.stream().filter(n -> !given.contains(n)).forEach(n -> missing.add(Names.snake(n)));
        return new ConfigException(
            where,
            key,
            "missing "
                + String.join(", ", missing)
                + " for "
                + signature(target, e)
                + "; every parameter must be given."
                + list);
      }
    }
    List<String> snakeGiven = new ArrayList<>();
    given.forEach(g -> snakeGiven.add(Names.snake(g)));
    return new ConfigException(
        where,
        key,
        "no public "
            + target.kind()
            + " of "
            + target.describe()
            + " takes exactly ("
            + String.join(", ", snakeGiven)
            + ")."
            + list);
  }

  /** A record's canonical constructor (the one the record binder calls). */
  private static Executable canonical(Class<?> record) {
    java.lang.reflect.RecordComponent[] components = record.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < types.length; i++) {
      types[i] = components[i].getType();
    }
    try {
      return record.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(record + " has no canonical constructor", e);
    }
  }

  /** {@code Widget(size: int, name: String)}, with snake_case names as a recipe writes them. */
  static String signature(Target target, Executable e) {
    List<String> parts = new ArrayList<>();
    for (Parameter p : e.getParameters()) {
      String type = Coercion.typeName(p.getParameterizedType());
      parts.add(p.isNamePresent() ? Names.snake(p.getName()) + ": " + type : type);
    }
    String name = target.method() == null ? target.type().getSimpleName() : target.method();
    return name + "(" + String.join(", ", parts) + ")";
  }

  private static Object invoke(
      Target target, Executable e, Object[] args, Location where, String key) {
    target.policy().check(target.type(), e, where, key);
    try {
      if (e instanceof Constructor<?> c) {
        return c.newInstance(args);
      }
      return ((Method) e).invoke(null, args);
    } catch (InvocationTargetException ex) {
      Throwable cause = ex.getCause();
      throw new ConfigException(
          where,
          key,
          target.describe()
              + signatureValues(e)
              + " failed: "
              + cause.getClass().getSimpleName()
              + ": "
              + cause.getMessage(),
          cause);
    } catch (ExceptionInInitializerError ex) {
      Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
      throw new ConfigException(
          where, key, "loading " + target.type().getName() + " failed: " + cause, cause);
    } catch (ReflectiveOperationException | IllegalArgumentException ex) {
      throw new ConfigException(
          where,
          key,
          "cannot call " + target.describe() + signatureValues(e) + ": " + ex.getMessage(),
          ex);
    }
  }

  private static String signatureValues(Executable e) {
    List<String> names = new ArrayList<>();
    for (Parameter p : e.getParameters()) {
      names.add(
          p.isNamePresent()
              ? Names.snake(p.getName())
              : Coercion.typeName(p.getParameterizedType()));
    }
    return "(" + String.join(", ", names) + ")";
  }
}
