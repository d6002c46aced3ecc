package dev.sonus.config;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@link Factory} of a {@code !name:} entry: its target and the arguments the recipe gave. */
final class BoundFactory implements Factory {
  private final Target target;
  private final List<Binder.Arg> positional;
  private final Map<String, Binder.Arg> keyword;
  private final Location where;
  private final String key;
  private final String written;

  BoundFactory(
      Target target,
      List<Binder.Arg> positional,
      Map<String, Binder.Arg> keyword,
      Location where,
      String key,
      String written) {
    this.target = target;
    this.positional = List.copyOf(positional);
    this.keyword = new LinkedHashMap<>(keyword);
    this.where = where;
    this.key = key;
    this.written = written;
  }

  @Override
  public Object create(Map<String, ?> moreArgs) {
    Map<String, Binder.Arg> merged = new LinkedHashMap<>();
    keyword.forEach((k, v) -> merged.put(Names.camel(k), v));
    moreArgs.forEach(
        (k, v) ->
            merged.put(
                Names.camel(k), new Binder.Arg(v, null, Names.join(key, Names.snake(k)), where)));
    return Binder.call(target, positional, merged, where, key);
  }

  @Override
  public <T> T create(Class<T> type, Map<String, ?> moreArgs) {
    Object built = create(moreArgs);
    if (!Coercion.box(type).isInstance(built)) {
      throw new ConfigException(
          where,
          key,
          written
              + " built "
              + Coercion.describe(built)
              + ", but the code "
              + "expects a "
              + type.getName()
              + "; point the recipe at a class that is one");
    }
    @SuppressWarnings("unchecked")
    T typed = (T) built;
    return typed;
  }

  @Override
  public Object call(Object... moreArgs) {
    List<Binder.Arg> args = new ArrayList<>(positional);
    for (int i = 0; i < moreArgs.length; i++) {
      args.add(new Binder.Arg(moreArgs[i], null, Names.join(key, "arg" + i), where));
    }
    return Binder.call(target, args, keyword, where, key);
  }

  @Override
  public <F> F as(Class<F> functionalInterface) {
    Method method = Coercion.functionalMethod(functionalInterface);
    if (method == null) {
      throw new IllegalArgumentException(
          functionalInterface.getName()
              + " is not a functional interface (an "
              + "interface with exactly one abstract method); a factory cannot stand for it");
    }
    InvocationHandler handler =
        (proxy, m, args) -> {
          if (m.getDeclaringClass() == Object.class) {
            return switch (m.getName()) {
              case "equals" -> proxy == args[0];
              case "hashCode" -> System.identityHashCode(proxy);
              default -> toString();
            };
          }
          if (m.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, m, args);
          }
          Object out = call(args == null ? new Object[0] : args);
          Class<?> returns = m.getReturnType();
          return returns == void.class ? null : Coercion.coerce(out, returns, null, key, where);
        };
    ClassLoader loader =
        functionalInterface.getClassLoader() != null
            ? functionalInterface.getClassLoader()
            : BoundFactory.class.getClassLoader();
    Object proxy = Proxy.newProxyInstance(loader, new Class<?>[] {functionalInterface}, handler);
    return functionalInterface.cast(proxy);
  }

  @Override
  public String target() {
    return target.describe();
  }

  @Override
  public String toString() {
    return "Factory(" + written + ")";
  }
}
