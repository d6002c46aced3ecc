package dev.sonus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ArithmeticTest {

  private static Object eval(String text) {
    return Arithmetic.evaluate(text)
        .orElseThrow(() -> new AssertionError("not arithmetic: " + text));
  }

  @Test
  void integersStayIntegersExceptUnderTrueDivision() {
    assertEquals(7, eval("3 + 4"));
    assertEquals(12, eval("2 * 6"));
    assertEquals(1.5, eval("3 / 2"));
    assertEquals(2.0, eval("4 / 2"));
    assertEquals(1, eval("3 // 2"));
    assertEquals(1.0, eval("3.0 // 2"));
  }

  @Test
  void precedenceAndAssociativityMatchPython() {
    assertEquals(14, eval("2 + 3 * 4"));
    assertEquals(20, eval("(2 + 3) * 4"));
    assertEquals(-4, eval("-2 ** 2"));
    assertEquals(512, eval("2 ** 3 ** 2"), "** is right-associative");
    assertEquals(0.5, eval("2 ** -1"));
    assertEquals(2, eval("10 - 4 - 4"));
  }

  @Test
  void floorDivisionAndModuloFollowTheDivisorSign() {
    assertEquals(-4, eval("-7 // 2"));
    assertEquals(1, eval("-7 % 2"));
    assertEquals(-1, eval("7 % -2"));
    assertEquals(1.5, eval("-2.5 % 4"));
  }

  @Test
  void bigIntegersDoNotOverflow() {
    assertEquals(4294967296L, eval("2 ** 32"));
    assertEquals(BigInteger.TWO.pow(100), eval("2 ** 100"));
  }

  @Test
  void literalsLikePython() {
    assertEquals(1e-5, eval("1e-5"));
    assertEquals(1000, eval("1_000"));
    assertEquals(255, eval("0xff"));
    assertEquals(0.5, eval(".5"));
    assertEquals(3, eval(" 3 "));
  }

  @Test
  void textThatIsNotArithmeticIsLeftAlone() {
    for (String text :
        new String[] {
          "results/1986", "1986/b", "a + 1", "1 2", "", "012", "3 +", "(1, 2)", "1e", "2x", "1..2"
        }) {
      assertEquals(Optional.empty(), Arithmetic.evaluate(text), text);
    }
  }

  @Test
  void divisionByZeroIsAnError() {
    assertThrows(Arithmetic.EvalException.class, () -> Arithmetic.evaluate("1 / 0"));
    assertThrows(Arithmetic.EvalException.class, () -> Arithmetic.evaluate("1 // 0"));
    assertThrows(Arithmetic.EvalException.class, () -> Arithmetic.evaluate("1 % 0.0"));
    assertThrows(Arithmetic.EvalException.class, () -> Arithmetic.evaluate("(-8) ** 0.5"));
  }
}
