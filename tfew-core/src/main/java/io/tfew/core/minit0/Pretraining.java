package io.tfew.core.minit0;

import io.tfew.api.TfewException;
import io.tfew.api.loss.Loss;
import io.tfew.core.bench.RandomCheckpointWriter;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.data.RankExample;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.AdamW;
import io.tfew.core.optim.CosineWarmupDecay;
import io.tfew.core.runtime.ModelGraph;
import io.tfew.core.score.EncodedExample;
import io.tfew.core.score.ExampleEncoder;
import io.tfew.core.tokenize.T5Tokenizer;
import io.tfew.core.tokenize.WordLevelTokenizerWriter;
import io.tfew.core.train.ExampleSource;
import io.tfew.core.train.Trainer;
import io.tfew.core.train.TrainingGraph;
import io.tfew.core.train.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Multitask pre-training of a T5 from random weights on the mini-T0 training families: every base weight
 * trainable, the plain LM loss on each prompt's target, AdamW with linear warm-up and a cosine decay.
 * Each draw picks a family and a template at random from a stream seeded by (seed, draw index), so the
 * same options, seed and thread count give the same bytes.
 *
 * <p>Writes into the output directory a Hugging Face model ({@code config.json}, {@code model.safetensors}
 * in float32, {@code tokenizer.json}), rewritten every {@code saveEvery} steps, and the training state in
 * {@code training-state/} for {@code --resume}.
 */
public final class Pretraining {
  /** Where the optimizer state for resuming lives, inside the output directory. */
  public static final String STATE_DIR = "training-state";
  /** Longest input: the families' prompts are at most about 20 words. */
  static final int MAX_SEQ_LEN = 64;

  /**
   * @param shape {@code mini} or {@code tiny} ({@link MiniT0Model#byName})
   * @param saveEvery write the model every this many steps (0: only at the end)
   */
  public record Options(String shape, int steps, int batchSize, double lr, int warmupSteps, double lrFloor,
      double maxGradNorm, int saveEvery, long seed) {
    public Options {
      MiniT0Model.byName(shape);
      if (steps < 1) {
        throw new TfewException("--steps = " + steps + ": must be at least 1");
      }
      if (batchSize < 1) {
        throw new TfewException("--batch-size = " + batchSize + ": must be at least 1");
      }
      if (!(lr > 0) || Double.isInfinite(lr)) {
        throw new TfewException("--lr = " + lr + ": must be a positive number, e.g. 2e-3");
      }
      if (!(maxGradNorm >= 0)) {
        throw new TfewException("--max-grad-norm = " + maxGradNorm + ": must be 0 (no clipping) or positive");
      }
      if (warmupSteps < 0 || warmupSteps > steps) {
        throw new TfewException("--warmup = " + warmupSteps + ": must be between 0 and --steps (" + steps + ")");
      }
      if (!(lrFloor >= 0 && lrFloor <= 1)) {
        throw new TfewException("--lr-floor = " + lrFloor + ": must be in [0, 1]");
      }
      if (saveEvery < 0) {
        throw new TfewException("--save-every = " + saveEvery + ": must not be negative");
      }
    }
  }

  /** Progress after each optimizer step, and after each model save. */
  public interface Listener {
    void onStep(long step, double loss, double learningRate);

    default void onSave(long step, Path modelFile) {}
  }

  /** How the run ended. */
  public record Outcome(long startStep, long endStep, double lastLoss, long parameters) {}

  private Pretraining() {}

  public static Outcome run(Path out, Options options, Loss lm, boolean resume, Listener listener) {
    createDirectories(out);
    WordLevelTokenizerWriter.write(out.resolve("tokenizer.json"), Vocabulary.words());
    RandomCheckpointWriter.write(MiniT0Model.byName(options.shape()), out, options.seed());
    // Read back what was written, so the model trained is the one its config.json describes.
    T5Config config = T5Config.read(out.resolve("config.json")).withDropout(0.0);
    try (T5Tokenizer tokenizer = T5Tokenizer.load(out.resolve("tokenizer.json"), MAX_SEQ_LEN);
        ModelGraph graph = new ModelGraph(config, SiteRewrites.none(), true, 1, options.seed())) {
      for (String key : graph.parameters().baseWeightKeys()) {
        graph.parameters().trainableBase(key);
      }
      AdamW adamw = new AdamW(new AdamW.Options(0.9, 0.98, 1e-8, 0.0));
      TrainingGraph training = TrainingGraph.build(graph, List.of(new TrainingGraph.WeightedLoss("lm", lm, 1.0)),
          adamw, 1, options.maxGradNorm());
      try (Session session = graph.startSession()) {
        try (Checkpoint init = Checkpoint.open(out)) {
          graph.weights().load(session, init, n -> { });
        }
        Trainer trainer = new Trainer(graph, session, training,
            new TrainingOptions(options.steps(), options.batchSize(), 1, options.lr(), options.saveEvery(),
                options.seed()),
            new CosineWarmupDecay(options.warmupSteps(), options.lrFloor()), source(tokenizer, options));
        Trainer.Outcome trained = trainer.train(out.resolve(STATE_DIR), resume, (step, loss, norm, lr) -> {
          listener.onStep(step, loss, lr);
          if (step == options.steps() || (options.saveEvery() > 0 && step % options.saveEvery() == 0)) {
            saveModel(out.resolve("model.safetensors"), graph, session);
            listener.onSave(step, out.resolve("model.safetensors"));
          }
        });
        if (trained.startStep() == options.steps()) {
          saveModel(out.resolve("model.safetensors"), graph, session); // resumed a finished run
        }
        return new Outcome(trained.startStep(), trained.endStep(), trained.lastLoss(), config.parameterCount());
      }
    }
  }

  /**
   * The pre-training stream: draw {@code i} is a uniformly chosen family's fresh prompt, made into a
   * one-choice rank example so the LM loss trains its target.
   */
  static ExampleSource source(T5Tokenizer tokenizer, Options options) {
    List<TaskFamily<?>> families = TrainingFamilies.all();
    int size = Math.toIntExact(Math.min(Integer.MAX_VALUE, (long) options.steps() * options.batchSize()));
    return new ExampleSource() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public EncodedExample draw(int index, SplittableRandom random) {
        Prompt p = families.get(random.nextInt(families.size())).sample(random);
        return ExampleEncoder.encode(new RankExample(p.input(), List.of(p.target()), OptionalInt.of(0),
            Optional.empty()), tokenizer, 0);
      }
    };
  }

  /** Writes every base weight as float32 under its Hugging Face name. */
  static void saveModel(Path file, ModelGraph graph, Session session) {
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : graph.weights().shapes().entrySet()) {
      Session.Runner runner = session.runner().fetch(graph.weights().get(e.getKey()));
      try (Result r = runner.run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] values = new float[Math.toIntExact(t.size())];
        t.asRawTensor().data().asFloats().read(values);
        tensors.put(e.getKey(), new FloatTensor(e.getValue(), values));
      }
    }
    SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new TfewException(dir + ": cannot create the directory (" + e.getMessage() + ")");
    }
  }
}
