package dev.sonus.experiments;

import dev.sonus.data.Batch;
import dev.sonus.metrics.ErrorRateStats;
import dev.sonus.metrics.TextTokens;
import java.util.List;

/** Word and character error statistics of a batch's hypotheses against its {@code wrd} column. */
final class RecognitionScores {
  private RecognitionScores() {}

  /**
   * Appends each utterance's alignment (by its id, and by speaker when the batch has {@code
   * spk_id}) to {@code wer} (words) and {@code cer} (characters).
   */
  static void append(Batch batch, List<String> hyps, ErrorRateStats wer, ErrorRateStats cer) {
    List<Object> refs = batch.list("wrd");
    List<Object> speakers = batch.keys().contains("spk_id") ? batch.list("spk_id") : null;
    for (int i = 0; i < hyps.size(); i++) {
      String ref = String.valueOf(refs.get(i));
      String speaker = speakers == null ? null : String.valueOf(speakers.get(i));
      String id = batch.ids().get(i);
      wer.append(id, TextTokens.words(ref), TextTokens.words(hyps.get(i)), speaker);
      cer.append(id, TextTokens.characters(ref), TextTokens.characters(hyps.get(i)), speaker);
    }
  }
}
