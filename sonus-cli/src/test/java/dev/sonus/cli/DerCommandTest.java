package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DerCommandTest {
  @TempDir Path dir;

  private Path rttm(String name, String... turns) throws Exception {
    StringBuilder sb = new StringBuilder(";; made by the test\n");
    for (String t : turns) {
      String[] f = t.split(" ");
      sb.append("SPEAKER rec 1 ")
          .append(f[0])
          .append(' ')
          .append(f[1])
          .append(" <NA> <NA> ")
          .append(f[2])
          .append(" <NA> <NA>\n");
    }
    return Files.writeString(dir.resolve(name), sb.toString());
  }

  @Test
  void printsTheRateAndItsPartsAndJson() throws Exception {
    Path ref = rttm("ref.rttm", "0 10 A", "10 10 B");
    Path hyp = rttm("hyp.rttm", "0 15 spk0", "15 5 spk1");
    DataPrepareTest.Result r =
        DataPrepareTest.run("der", "--ref", ref.toString(), "--hyp", hyp.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out()
            .startsWith(
                "DER 25.00% (missed 0.00%, false alarm 0.00%, confusion 25.00%) over 20.00 s"),
        r.out());
    DataPrepareTest.Result j =
        DataPrepareTest.run(
            "der", "--ref", ref.toString(), "--hyp", hyp.toString(), "--collar", "0.25", "--json");
    assertEquals(0, j.status(), j.err());
    assertTrue(j.out().contains("\"DER\"") && j.out().contains("\"spk0\": \"A\""), j.out());
  }

  @Test
  void aBadFileOrCollarIsNamed() throws Exception {
    Path ref = rttm("ref.rttm", "0 10 A", "5 10 A");
    Path hyp = rttm("hyp.rttm", "0 15 x");
    DataPrepareTest.Result r =
        DataPrepareTest.run("der", "--ref", ref.toString(), "--hyp", hyp.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains(ref + ":3: speaker A's turn at 5.000 s overlaps"), r.err());
    DataPrepareTest.Result c =
        DataPrepareTest.run(
            "der", "--ref", hyp.toString(), "--hyp", hyp.toString(), "--collar", "-1");
    assertEquals(2, c.status());
    assertTrue(c.err().contains("--collar is -1"), c.err());
    Path missing = dir.resolve("missing.rttm");
    DataPrepareTest.Result m =
        DataPrepareTest.run("der", "--ref", missing.toString(), "--hyp", hyp.toString());
    assertEquals(1, m.status());
    assertEquals("sonus: error: RTTM file " + missing + " does not exist", m.err().strip());
  }
}
