package dev.sonus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PyFormatTest {

  @Test
  void floatsPrintAsPythonRepr() {
    assertEquals("1e-05", PyFormat.floatRepr(1e-5));
    assertEquals("0.0001", PyFormat.floatRepr(1e-4));
    assertEquals("0.001", PyFormat.floatRepr(0.001));
    assertEquals("1.0", PyFormat.floatRepr(1.0));
    assertEquals("0.1", PyFormat.floatRepr(0.1));
    assertEquals("1.5e-07", PyFormat.floatRepr(1.5e-7));
    assertEquals("1e+16", PyFormat.floatRepr(1e16));
    assertEquals("1000000000000000.0", PyFormat.floatRepr(1e15));
    assertEquals("123.456", PyFormat.floatRepr(123.456));
    assertEquals("-2.5", PyFormat.floatRepr(-2.5));
    assertEquals("-0.0", PyFormat.floatRepr(-0.0));
    assertEquals("0.30000000000000004", PyFormat.floatRepr(0.1 + 0.2));
    assertEquals("inf", PyFormat.floatRepr(Double.POSITIVE_INFINITY));
  }

  @Test
  void valuesPrintAsPythonStr() {
    assertEquals("True", PyFormat.str(true));
    assertEquals("None", PyFormat.str(null));
    assertEquals("abc", PyFormat.str("abc"));
    assertEquals("[1, 'a', 0.5]", PyFormat.str(Arrays.asList(1, "a", 0.5)));
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("k", "it's");
    assertEquals("{'k': \"it's\"}", PyFormat.str(map));
  }
}
