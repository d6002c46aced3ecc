package dev.sonus.config;

import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * What a callable tag calls: the public constructors of a class ({@code !new:features.Fbank}) or
 * the public static methods of one name ({@code !apply:java.lang.Math.max}). Only what the recipe
 * names explicitly.
 *
 * @param type the class
 * @param method the static method's name, or null for constructors
 */
record Target(Class<?> type, String method, ClassPolicy policy) {

  /**
   * The target of a {@code !new:}, {@code !name:} or {@code !apply:} node; errors name the node's
   * key.
   */
  static Target of(Node node, String key, ClassPolicy policy) {
    String name = node.tagTarget().trim();
    boolean isNew = node.tag.startsWith(Node.NEW);
    Class<?> type = ClassNames.find(name);
    if (type != null) {
      return forClass(type, node, key, policy);
    }
    int dot = name.lastIndexOf('.');
    Class<?> owner = isNew || dot < 0 ? null : ClassNames.find(name.substring(0, dot));
    if (owner == null) {
      throw new ConfigException(node.location, key, ClassNames.unknownClass(name));
    }
    String method = name.substring(dot + 1);
    Target target = new Target(owner, method, policy);
    if (target.executables().isEmpty()) {
      TreeSet<String> methods = new TreeSet<>();
      for (Method m : owner.getMethods()) {
        if (Modifier.isStatic(m.getModifiers())) {
          methods.add(m.getName());
        }
      }
      throw new ConfigException(
          node.location,
          key,
          owner.getName()
              + " has no public static method '"
              + method
              + "'"
              + Names.suggest(method, methods));
    }
    return target;
  }

  /**
   * The target when it can be found without error, else null (overrides use it to check key names).
   */
  static Target tryOf(Node node) {
    try {
      return of(node, null, ClassPolicy.sonusOnly());
    } catch (ConfigException e) {
      return null;
    }
  }

  /** The constructors of {@code type}, for a node a {@link ClassTable} mapped to it. */
  static Target ofClass(Class<?> type, Node node, String key, ClassPolicy policy) {
    return forClass(type, node, key, policy);
  }

  private static Target forClass(Class<?> type, Node node, String key, ClassPolicy policy) {
    if (type.isInterface()
        || Modifier.isAbstract(type.getModifiers())
        || type.isEnum()
        || type.isPrimitive()) {
      throw new ConfigException(
          node.location,
          key,
          type.getName()
              + " is "
              + (type.isEnum() ? "an enum" : type.isInterface() ? "an interface" : "abstract")
              + " and cannot be constructed; name a concrete class"
              + (type.isEnum() ? " or write the constant as a " + "string" : ""));
    }
    if (!Modifier.isPublic(type.getModifiers())) {
      throw new ConfigException(
          node.location,
          key,
          type.getName() + " is not public; recipes can only build " + "public classes");
    }
    Target target = new Target(type, null, policy);
    if (target.executables().isEmpty()) {
      throw new ConfigException(node.location, key, type.getName() + " has no public constructor");
    }
    return target;
  }

  /**
   * Public constructors, or public static methods of the name, in a stable order (fewest parameters
   * first).
   */
  List<Executable> executables() {
    List<Executable> out = new ArrayList<>();
    if (method == null) {
      out.addAll(Arrays.asList(type.getConstructors()));
    } else {
      for (Method m : type.getMethods()) {
        if (m.getName().equals(method) && Modifier.isStatic(m.getModifiers()) && !m.isSynthetic()) {
          out.add(m);
        }
      }
    }
    out.sort(
        Comparator.comparingInt(Executable::getParameterCount).thenComparing(Executable::toString));
    return out;
  }

  /** {@code dev.sonus.features.Fbank} or {@code java.lang.Math.max}. */
  String describe() {
    String name = type.getName().replace('$', '.');
    return method == null ? name : name + "." + method;
  }

  /** {@code "constructor"} or {@code "method"}, for messages. */
  String kind() {
    return method == null ? "constructor" : "method";
  }
}
