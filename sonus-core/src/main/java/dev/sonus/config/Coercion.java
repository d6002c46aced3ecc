package dev.sonus.config;

import dev.sonus.util.Alias;
import java.io.File;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Converts recipe values to the Java type a parameter declares, refusing anything lossy.
 *
 * <p>YAML ints become {@code int, long, short, byte, double, float} (range-checked) or their boxes;
 * floats become {@code double} or {@code float}, and an {@code int} only when whole ({@code 0.5} is
 * an error, never truncated); strings become enums (case- and underscore-insensitive), {@code
 * Path}s and {@code File}s; lists become lists, sets and arrays with each element converted by the
 * declared element type; mappings become maps or records (components by name, starting from {@code
 * defaults()} when the record has one); built objects pass when assignable; a {@link Factory}
 * passes for a functional-interface parameter. Every refusal names the key, the value, the expected
 * type and where the value was written.
 */
final class Coercion {
  private Coercion() {}

  /**
   * Converts {@code value} for a parameter of type {@code type}.
   *
   * @param node resolved node the value was built from (gives nested locations), or null
   * @param key dotted key of the value, for messages
   * @param at where the value was written
   * @throws ConfigException when the value cannot be converted without loss
   */
  static Object coerce(Object value, Type type, Node node, String key, Location at) {
    Class<?> raw = raw(type);
    if (value == null) {
      if (raw.isPrimitive()) {
        throw fail(value, type, key, at, "a " + raw + " cannot be null (write a value)");
      }
      return raw == Optional.class ? Optional.empty() : null;
    }
    Class<?> boxed = box(raw);
    if (boxed == Optional.class) {
      return Optional.ofNullable(coerce(value, typeArgument(type, 0), node, key, at));
    }
    if (boxed == Integer.class
        || boxed == Long.class
        || boxed == Short.class
        || boxed == Byte.class
        || boxed == BigInteger.class) {
      return integral(value, boxed, type, key, at);
    }
    if (boxed == Double.class
        || boxed == Float.class
        || boxed == BigDecimal.class
        || boxed == Number.class) {
      if (!(value instanceof Number number)) {
        throw fail(value, type, key, at, quotedNumberHint(value));
      }
      if (boxed == Double.class) {
        return number.doubleValue();
      }
      if (boxed == Float.class) {
        return number.floatValue();
      }
      return boxed == BigDecimal.class ? new BigDecimal(number.toString()) : number;
    }
    if (boxed == Boolean.class) {
      if (value instanceof Boolean) {
        return value;
      }
      throw fail(value, type, key, at, "write true or false");
    }
    if (boxed == Character.class) {
      if (value instanceof String s && s.length() == 1) {
        return s.charAt(0);
      }
      throw fail(value, type, key, at, "write a single character");
    }
    if (raw == String.class || raw == CharSequence.class) {
      if (value instanceof String || value instanceof Number || value instanceof Boolean) {
        return PyFormat.str(value);
      }
      throw fail(value, type, key, at, null);
    }
    if (raw.isEnum()) {
      return enumConstant(value, raw, type, key, at);
    }
    if (raw == Path.class || raw == File.class) {
      return path(value, raw, type, key, at);
    }
    if (raw.isArray() && value instanceof List<?> list) {
      Type element =
          type instanceof GenericArrayType g ? g.getGenericComponentType() : raw.getComponentType();
      Object array = Array.newInstance(raw.getComponentType(), list.size());
      for (int i = 0; i < list.size(); i++) {
        Array.set(
            array, i, coerce(list.get(i), element, child(node, i), key + "." + i, at(node, i, at)));
      }
      return array;
    }
    if (raw.isRecord() && value instanceof Map<?, ?> map) {
      Map<String, Binder.Arg> fields = new LinkedHashMap<>();
      Node.Mapping mapping = node instanceof Node.Mapping m ? m : null;
      map.forEach(
          (k, v) -> {
            String name = String.valueOf(k);
            Node sub = mapping != null ? mapping.entries.get(name) : null;
            Location loc = mapping != null ? mapping.locationOf(name) : at;
            fields.put(name, new Binder.Arg(v, sub, key + "." + name, loc));
          });
      return record(raw, fields, at, key, "field of " + raw.getName().replace('$', '.'));
    }
    if ((Collection.class.isAssignableFrom(raw) || raw == Iterable.class)
        && value instanceof List<?> list
        && (raw.isInterface() || raw == ArrayList.class || raw == LinkedHashSet.class)) {
      Type element = typeArgument(type, 0);
      Collection<Object> out =
          Set.class.isAssignableFrom(raw) ? new LinkedHashSet<>() : new ArrayList<>();
      if (!raw.isAssignableFrom(out.getClass())) {
        throw fail(value, type, key, at, null);
      }
      for (int i = 0; i < list.size(); i++) {
        out.add(coerce(list.get(i), element, child(node, i), key + "." + i, at(node, i, at)));
      }
      return out;
    }
    if (Map.class.isAssignableFrom(raw)
        && value instanceof Map<?, ?> map
        && (raw.isInterface() || raw == LinkedHashMap.class)) {
      Type keyType = typeArgument(type, 0);
      Type valueType = typeArgument(type, 1);
      Node.Mapping mapping = node instanceof Node.Mapping m ? m : null;
      Map<Object, Object> out = new LinkedHashMap<>();
      map.forEach(
          (k, v) -> {
            String name = String.valueOf(k);
            Location loc = mapping != null ? mapping.locationOf(name) : at;
            Node sub = mapping != null ? mapping.entries.get(name) : null;
            Object javaKey =
                raw(keyType) == Object.class
                    ? name
                    : coerce(name, keyType, null, key + "." + name, loc);
            out.put(javaKey, coerce(v, valueType, sub, key + "." + name, loc));
          });
      if (!raw.isAssignableFrom(out.getClass())) {
        throw fail(value, type, key, at, null);
      }
      return out;
    }
    if (boxed.isInstance(value)) {
      return value;
    }
    if (value instanceof Factory factory && functionalMethod(raw) != null) {
      return factory.as(raw);
    }
    String hint =
        value instanceof Factory
            ? "a !name: factory can only be passed where a factory or a functional "
                + "interface is expected; use !new: to build the object now"
            : null;
    throw fail(value, type, key, at, hint);
  }

  /**
   * How far {@code value} is from {@code type}: 0 for an exact match, more for widening or
   * conversion. Picks among overloads ({@code Math.max(3, 4)} is the int one).
   */
  static int cost(Object value, Class<?> type) {
    if (value == null) {
      return 0;
    }
    Class<?> boxed = box(type);
    if (boxed == value.getClass()) {
      return 0;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
      if (boxed == Long.class) {
        return 1;
      }
      if (boxed == Double.class) {
        return 2;
      }
      if (boxed == Float.class) {
        return 3;
      }
      if (boxed == Integer.class || boxed == Short.class || boxed == Byte.class) {
        return 4;
      }
    }
    if (value instanceof Double) {
      if (boxed == Float.class) {
        return 1;
      }
      if (boxed == Integer.class
          || boxed == Long.class
          || boxed == Short.class
          || boxed == Byte.class) {
        return 6;
      }
    }
    if (boxed == Object.class) {
      return 8;
    }
    return boxed.isInstance(value) ? 1 : 3;
  }

  /**
   * The recipe names of a record component: its own ({@code snake_case}) and its {@link Alias
   * aliases}.
   */
  static List<String> names(RecordComponent c) {
    List<String> out = new ArrayList<>();
    out.add(Names.snake(c.getName()));
    Alias alias = c.getAnnotation(Alias.class);
    if (alias != null) {
      out.addAll(List.of(alias.value()));
    }
    return out;
  }

  /** Index of the component a recipe key names (by its name or an alias), or -1. */
  static int componentIndex(RecordComponent[] components, String key) {
    String camel = Names.camel(key);
    for (int i = 0; i < components.length; i++) {
      for (String name : names(components[i])) {
        if (Names.camel(name).equals(camel)) {
          return i;
        }
      }
    }
    return -1;
  }

  /**
   * Builds a record from named values: from {@code defaults()} when it has one, else every
   * component given.
   */
  static Object record(
      Class<?> type, Map<String, Binder.Arg> fields, Location where, String key, String what) {
    RecordComponent[] components = type.getRecordComponents();
    Object[] values = new Object[components.length];
    boolean[] given = new boolean[components.length];
    Method defaults = Binder.defaultsMethod(type);
    try {
      if (defaults != null) {
        Object base = defaults.invoke(null);
        for (int i = 0; i < components.length; i++) {
          values[i] = components[i].getAccessor().invoke(base);
          given[i] = true;
        }
      }
    } catch (InvocationTargetException e) {
      throw new ConfigException(
          where, key, type.getName() + ".defaults() failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new ConfigException(
          where, key, "cannot read the defaults of " + type.getName() + ": " + e, e);
    }
    List<String> known = new ArrayList<>();
    for (RecordComponent c : components) {
      known.addAll(names(c));
    }
    String[] givenAs = new String[components.length];
    for (Map.Entry<String, Binder.Arg> field : fields.entrySet()) {
      int index = componentIndex(components, field.getKey());
      Binder.Arg arg = field.getValue();
      if (index < 0) {
        throw new ConfigException(
            arg.location(),
            arg.key(),
            "unknown " + what + Names.suggest(Names.snake(field.getKey()), known));
      }
      if (givenAs[index] != null) {
        throw new ConfigException(
            arg.location(),
            arg.key(),
            "'"
                + field.getKey()
                + "' and '"
                + givenAs[index]
                + "' name the same setting of "
                + type.getName().replace('$', '.')
                + "; give only one of them");
      }
      givenAs[index] = field.getKey();
      values[index] =
          coerce(
              arg.value(),
              components[index].getGenericType(),
              arg.node(),
              arg.key(),
              arg.location());
      given[index] = true;
    }
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < components.length; i++) {
      if (!given[i]) {
        missing.add(known.get(i));
      }
    }
    if (!missing.isEmpty()) {
      throw new ConfigException(
          where,
          key,
          "missing "
              + String.join(", ", missing)
              + " for "
              + type.getName().replace('$', '.')
              + " (it has no defaults(), so every component must be given)");
    }
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
    }
    try {
      Constructor<?> canonical = type.getDeclaredConstructor(types);
      return canonical.newInstance(values);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw new ConfigException(
          where,
          key,
          type.getName().replace('$', '.')
              + " rejected the values: "
              + cause.getClass().getSimpleName()
              + ": "
              + cause.getMessage(),
          cause);
    } catch (ReflectiveOperationException e) {
      throw new ConfigException(where, key, "cannot build record " + type.getName() + ": " + e, e);
    }
  }

  private static Object integral(Object value, Class<?> boxed, Type type, String key, Location at) {
    BigInteger whole;
    if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      whole = BigInteger.valueOf(((Number) value).longValue());
    } else if (value instanceof BigInteger big) {
      whole = big;
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d) || d != Math.rint(d)) {
        throw fail(
            value, type, key, at, "it is not a whole number, and it is never rounded silently");
      }
      whole = new BigDecimal(d).toBigIntegerExact();
    } else {
      throw fail(value, type, key, at, quotedNumberHint(value));
    }
    if (boxed == BigInteger.class) {
      return whole;
    }
    int bits =
        boxed == Long.class ? 64 : boxed == Integer.class ? 32 : boxed == Short.class ? 16 : 8;
    if (whole.bitLength() >= bits) {
      throw fail(value, type, key, at, "it is out of range for a " + typeName(type));
    }
    long v = whole.longValue();
    if (boxed == Long.class) {
      return v;
    }
    if (boxed == Integer.class) {
      return (int) v;
    }
    return boxed == Short.class ? (Object) (short) v : (Object) (byte) v;
  }

  private static Object enumConstant(
      Object value, Class<?> type, Type declared, String key, Location at) {
    Object[] constants = type.getEnumConstants();
    if (type.isInstance(value)) {
      return value;
    }
    if (value instanceof String s) {
      String wanted = s.trim().replace('-', '_');
      for (Object c : constants) {
        if (((Enum<?>) c).name().equalsIgnoreCase(wanted)) {
          return c;
        }
      }
      // SpeechBrain's spellings of the same names: RelPosMHAXL for REL_POS_MHA_XL, regularMHA
      String squeezed = wanted.replace("_", "");
      for (Object c : constants) {
        if (((Enum<?>) c).name().replace("_", "").equalsIgnoreCase(squeezed)) {
          return c;
        }
      }
    }
    List<String> names = new ArrayList<>();
    for (Object c : constants) {
      names.add(((Enum<?>) c).name().toLowerCase(Locale.ROOT));
    }
    String close =
        value instanceof String s ? Names.didYouMean(s.toLowerCase(Locale.ROOT), names) : "";
    throw fail(value, declared, key, at, "it must be one of " + String.join(", ", names) + close);
  }

  private static Object path(Object value, Class<?> raw, Type type, String key, Location at) {
    Path path;
    if (value instanceof Path p) {
      path = p;
    } else if (value instanceof File f) {
      path = f.toPath();
    } else if (value instanceof String s) {
      try {
        path = Path.of(s);
      } catch (InvalidPathException e) {
        throw fail(value, type, key, at, "it is not a valid path: " + e.getReason());
      }
    } else {
      throw fail(value, type, key, at, null);
    }
    return raw == Path.class ? path : path.toFile();
  }

  private static String quotedNumberHint(Object value) {
    if (!(value instanceof String s)) {
      return null;
    }
    try {
      return Arithmetic.evaluate(s.trim()).isPresent()
          ? "remove the quotes to write a number"
          : null;
    } catch (Arithmetic.EvalException e) {
      return null; // not a number worth a hint (beyond the literal limits, say): no hint
    }
  }

  /** The single abstract method of a functional interface, or null when {@code type} is not one. */
  static Method functionalMethod(Class<?> type) {
    if (!type.isInterface()) {
      return null;
    }
    Method found = null;
    for (Method m : type.getMethods()) {
      if (!Modifier.isAbstract(m.getModifiers()) || isObjectMethod(m)) {
        continue;
      }
      if (found != null
          && !(found.getName().equals(m.getName())
              && found.getParameterCount() == m.getParameterCount())) {
        return null;
      }
      found = m;
    }
    return found;
  }

  private static boolean isObjectMethod(Method m) {
    try {
      Object.class.getMethod(m.getName(), m.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static ConfigException fail(
      Object value, Type type, String key, Location at, String hint) {
    return new ConfigException(
        at,
        key,
        "expected "
            + typeName(type)
            + ", got "
            + describe(value)
            + (hint == null ? "" : "; " + hint));
  }

  /**
   * {@code 0.5 (a float)}, {@code 'abc' (a string)}: a value as a recipe wrote it, and its kind.
   */
  static String describe(Object value) {
    String kind;
    if (value == null) {
      return "null";
    } else if (value instanceof Boolean) {
      kind = "a bool";
    } else if (value instanceof Double || value instanceof Float) {
      kind = "a float";
    } else if (value instanceof Number) {
      kind = "an int";
    } else if (value instanceof String) {
      kind = "a string";
    } else if (value instanceof List) {
      kind = "a list";
    } else if (value instanceof Map) {
      kind = "a mapping";
    } else if (value instanceof Factory) {
      kind = "a factory";
    } else {
      kind = "a " + value.getClass().getName();
    }
    String text = value instanceof String s ? PyFormat.stringRepr(s) : PyFormat.repr(value);
    if (text.length() > 80) {
      text = text.substring(0, 77) + "...";
    }
    return text + " (" + kind + ")";
  }

  /**
   * Readable type: {@code int}, {@code List<Integer>}, {@code dev.sonus.features.Filterbank.Shape}.
   */
  static String typeName(Type type) {
    String name = type.getTypeName().replace('$', '.');
    for (String pkg :
        List.of("java.lang.", "java.util.function.", "java.util.", "java.nio.file.", "java.io.")) {
      name = name.replaceAll("\\b" + pkg.replace(".", "\\.") + "(?=[A-Z])", "");
    }
    return name;
  }

  static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    if (type instanceof GenericArrayType g) {
      return Array.newInstance(raw(g.getGenericComponentType()), 0).getClass();
    }
    if (type instanceof WildcardType w) {
      return raw(w.getUpperBounds()[0]);
    }
    if (type instanceof TypeVariable<?> v) {
      return raw(v.getBounds()[0]);
    }
    return Object.class;
  }

  private static Type typeArgument(Type type, int index) {
    if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
      return p.getActualTypeArguments()[index];
    }
    return Object.class;
  }

  static Class<?> box(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    return switch (type.getName()) {
      case "int" -> Integer.class;
      case "long" -> Long.class;
      case "double" -> Double.class;
      case "float" -> Float.class;
      case "boolean" -> Boolean.class;
      case "short" -> Short.class;
      case "byte" -> Byte.class;
      case "char" -> Character.class;
      default -> Void.class;
    };
  }

  private static Node child(Node node, int index) {
    return node instanceof Node.Sequence s && index < s.items.size() ? s.items.get(index) : null;
  }

  private static Location at(Node node, int index, Location fallback) {
    Node child = child(node, index);
    return child != null ? child.location : fallback;
  }
}
