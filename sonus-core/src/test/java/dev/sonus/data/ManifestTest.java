package dev.sonus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void csvSubstitutesDollarVariablesAndParsesDuration() throws IOException {
    Path p =
        write(
            "m.csv",
            "ID, duration, wav, wrd\nu1, 1.5, $data_root/a.wav, \"hello, world\"\nu2,2,$data_root/b.wav,x\n");
    Manifest m = Manifest.load(p, Map.of("data_root", "/data"));
    assertEquals(2, m.size());
    assertEquals("/data/a.wav", m.rows().get(0).get("wav"));
    assertEquals(1.5, m.rows().get(0).get("duration"));
    assertEquals("hello, world", m.rows().get(0).get("wrd"));
    assertEquals(3, m.rows().get(1).line());
  }

  @Test
  void jsonFormatsBracedVariablesAtAnyDepth() throws IOException {
    Path p =
        write(
            "m.json",
            "{\n \"a\": {\"wav\": {\"file\": \"{root}/a.wav\", \"start\": 0}, \"list\": [\"{root}\"]},\n"
                + " \"b\": {\"wav\": \"{root}/b.wav\"}\n}");
    Manifest m = Manifest.load(p, Map.of("root", "/r"));
    assertEquals("/r/a.wav", ((Map<?, ?>) m.rows().get(0).get("wav")).get("file"));
    assertEquals(List.of("/r"), m.rows().get(0).get("list"));
    assertEquals(3, m.rows().get(1).line());
  }

  @Test
  void aMissingReplacementNamesTheFieldLineAndVariable() throws IOException {
    Path p = write("m.csv", "ID,wav\nu1,$data_folder/a.wav\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Manifest.load(p, Map.of()));
    assertTrue(
        e.getMessage().contains("m.csv:2") && e.getMessage().contains("data_folder"),
        e.getMessage());
  }

  @Test
  void aCsvWithoutIdColumnIsRejected() throws IOException {
    Path p = write("m.csv", "id,wav\nu1,a.wav\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Manifest.load(p, Map.of()));
    assertTrue(e.getMessage().contains("'ID'"), e.getMessage());
  }

  @Test
  void aRowWithTheWrongFieldCountNamesItsLine() throws IOException {
    Path p = write("m.csv", "ID,wav,wrd\nu1,a.wav,x\nu2,b.wav\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Manifest.load(p, Map.of()));
    assertTrue(
        e.getMessage().contains("m.csv:3") && e.getMessage().contains("2 fields"), e.getMessage());
  }

  @Test
  void duplicateIdsLoadButCannotMakeADataset() throws IOException {
    Path p = write("m.csv", "ID,wav\nu1,a.wav\nu1,b.wav\n");
    Manifest m = Manifest.load(p, Map.of());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DynamicItemDataset.fromManifest(m));
    assertTrue(
        e.getMessage().contains("duplicate ID 'u1'") && e.getMessage().contains("line 2"),
        e.getMessage());
  }

  @Test
  void writtenCsvReadsBackTheSameRows() {
    Path p = dir.resolve("out/w.csv");
    List<Manifest.Row> rows =
        List.of(
            new Manifest.Row("a", Map.of("wav", "x.wav", "wrd", "with, comma \"quoted\""), 0),
            new Manifest.Row("b", Map.of("wav", "y.wav", "wrd", ""), 0));
    Manifest.writeCsv(p, List.of("wav", "wrd"), rows);
    Manifest m = Manifest.load(p, Map.of());
    assertEquals("with, comma \"quoted\"", m.rows().get(0).get("wrd"));
    assertEquals("", m.rows().get(1).get("wrd"));
  }

  @Test
  void speechBrainsOwnSampleManifestsLoad() {
    Path ann = Shared.data("speech-samples/annotation");
    Path root = ann.getParent();
    Manifest asr = Manifest.load(ann.resolve("ASR_train.csv"), Map.of());
    assertTrue(asr.size() > 0 && asr.keys().contains("wrd"), asr::toString);
    Manifest dev =
        Manifest.load(
            ann.resolve("ASR_dev.json"), Map.of("data_root", root.resolve("ASR").toString()));
    assertTrue(String.valueOf(dev.rows().get(0).get("wav")).startsWith(root.toString()));
    Manifest noise =
        Manifest.load(
            ann.resolve("noise.csv"), Map.of("noise_folder", root.resolve("noise").toString()));
    assertTrue(
        noise.rows().get(0).get("duration") instanceof Double, "spaces after commas are skipped");
    Manifest rirs =
        Manifest.load(
            ann.resolve("RIRs.csv"), Map.of("rir_folder", root.resolve("RIRs").toString()));
    assertEquals(4, rirs.size());
    Manifest vad =
        Manifest.load(
            ann.resolve("VAD_dev.json"), Map.of("data_folder", root.resolve("VAD").toString()));
    assertTrue(vad.rows().get(0).get("wav") instanceof Map<?, ?>);
  }
}
