package dev.sonus.run;

import dev.sonus.train.Progress;
import dev.sonus.train.Stage;
import dev.sonus.train.StopSignal;
import java.nio.file.Path;
import java.util.Map;

/**
 * The child process of {@link StopSignalProcessTest}: trains {@code args[0]} (a recipe) into {@code
 * args[1]}, printing "training" at epoch 2's first batch and slowing down from there so that a
 * signal finds it mid-epoch; prints the stop message inside a scope of its own, as the command line
 * does.
 */
public final class TrainUntilSignalled {
  private TrainUntilSignalled() {}

  public static void main(String[] args) throws Exception {
    Progress slow =
        (stage, epoch, done, total, seconds, loss) -> {
          if (stage == Stage.TRAIN && epoch == 2) {
            if (done == 1) {
              System.out.println("training");
              System.out.flush();
            }
            try {
              Thread.sleep(300);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    try (StopSignal.Scope command = StopSignal.open()) {
      try {
        Runner.train(Path.of(args[0]), Map.of("output_folder", args[1]), slow);
        System.out.println("finished");
      } catch (StopSignal.Stopped e) {
        System.out.println("stopped: " + e.getMessage());
      }
      System.out.flush();
    }
  }
}
