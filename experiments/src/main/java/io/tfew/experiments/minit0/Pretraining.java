package io.tfew.experiments.minit0;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.api.loss.Loss;
import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.checkpoint.FloatTensor;
import io.tfew.core.checkpoint.SafetensorsWriter;
import io.tfew.core.data.RankExample;
import io.tfew.core.model.RandomCheckpointWriter;
import io.tfew.core.model.SiteRewrites;
import io.tfew.core.model.T5Config;
import io.tfew.core.optim.Adafactor;
import io.tfew.core.optim.AdamW;
import io.tfew.core.optim.CosineWarmupDecay;
import io.tfew.core.optim.Optimizer;
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
import java.util.function.BiConsumer;
import java.util.function.Consumer;
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

  /** How the run ended; {@code parameters} counts the trained ones (every base weight, or the method's). */
  public record Outcome(long startStep, long endStep, double lastLoss, long parameters) {}

  private Pretraining() {}

  public static Outcome run(Path out, Options options, Loss lm, boolean resume, Listener listener) {
    createDirectories(out);
    WordLevelTokenizerWriter.write(out.resolve("tokenizer.json"), Vocabulary.words());
    RandomCheckpointWriter.write(MiniT0Model.byName(options.shape()), out, options.seed());
    Path modelFile = out.resolve("model.safetensors");
    return train(out, out, SiteRewrites.none(), new AdamW(new AdamW.Options(0.9, 0.98, 1e-8, 0.0)), options, lm,
        resume, listener, modelFile, graph -> graph.parameters().baseWeightKeys().forEach(graph.parameters()::trainableBase),
        (graph, session) -> saveModel(modelFile, graph, session));
  }

  /**
   * A PEFT method to train on the mixture in place of the backbone, as T-Few pre-trains its (IA)^3 vectors
   * on T0's mixture before few-shot fine-tuning.
   *
   * @param model an already pre-trained Hugging Face model directory (e.g. {@code models/mini-t0}), kept frozen
   * @param name the method's registry name, under which its parameters are declared and saved
   */
  public record Adapter(Path model, String name, ConfigSection config, PeftMethod method) {}

  /**
   * Trains only {@code adapter}'s parameters on the training families, the backbone frozen, with T-Few's
   * Adafactor (the optimizer its (IA)^3 runs use) under the same warm-up and cosine schedule. Writes
   * {@code OUT/adapter/} as {@code tfew train} does (Hugging Face PEFT layout where the method has one) every
   * {@code saveEvery} steps, and the training state in {@code OUT/training-state/}.
   */
  public static Outcome runAdapter(Path out, Adapter adapter, Options options, Loss lm, boolean resume,
      Listener listener) {
    createDirectories(out);
    Path dir = out.resolve(ADAPTER_DIR);
    SiteRewrites rewrites = new SiteRewrites(List.of(new SiteRewrites.Active(adapter.name(), adapter.method(),
        adapter.config().asMap())));
    return train(adapter.model(), out, rewrites, new Adafactor(), options, lm, resume, listener,
        dir.resolve(AdapterDirectory.WEIGHTS_FILE), graph -> { },
        (graph, session) -> AdapterDirectory.save(dir, adapter.name(), adapter.config(), adapter.method(),
            graph.parameters(), session));
  }

  /** Where {@link #runAdapter} writes the adapter, inside the output directory. */
  public static final String ADAPTER_DIR = "adapter";

  /**
   * The loop both modes share: the model of {@code modelDir} with {@code rewrites}, the parameters
   * {@code makeTrainable} marks (PEFT methods declare theirs while the graph is built), the LM loss on the
   * family stream, and {@code save} at every save step.
   */
  private static Outcome train(Path modelDir, Path out, SiteRewrites rewrites, Optimizer optimizer, Options options,
      Loss lm, boolean resume, Listener listener, Path savedFile, Consumer<ModelGraph> makeTrainable,
      BiConsumer<ModelGraph, Session> save) {
    // Read back what is on disk, so the model trained is the one its config.json describes.
    T5Config config = T5Config.read(modelDir.resolve("config.json")).withDropout(0.0);
    try (T5Tokenizer tokenizer = T5Tokenizer.load(modelDir.resolve("tokenizer.json"), MAX_SEQ_LEN);
        ModelGraph graph = new ModelGraph(config, rewrites, true, 1, options.seed())) {
      makeTrainable.accept(graph);
      TrainingGraph training = TrainingGraph.build(graph, List.of(new TrainingGraph.WeightedLoss("lm", lm, 1.0)),
          optimizer, 1, options.maxGradNorm());
      graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
      try (Session session = graph.startSession()) {
        try (Checkpoint init = Checkpoint.open(modelDir)) {
          graph.weights().load(session, init, n -> { });
        }
        // Inits that copy checkpoint values (soft prompts from word embeddings) run once those are loaded.
        graph.parameters().initializeFromBase(session);
        Trainer trainer = new Trainer(graph, session, training,
            new TrainingOptions(options.steps(), options.batchSize(), 1, options.lr(), options.saveEvery(),
                options.seed()),
            new CosineWarmupDecay(options.warmupSteps(), options.lrFloor()), source(tokenizer, options));
        Trainer.Outcome trained = trainer.train(out.resolve(STATE_DIR), resume, (step, loss, norm, lr) -> {
          listener.onStep(step, loss, lr);
          if (step == options.steps() || (options.saveEvery() > 0 && step % options.saveEvery() == 0)) {
            save.accept(graph, session);
            listener.onSave(step, savedFile);
          }
        });
        if (trained.startStep() == options.steps()) {
          save.accept(graph, session); // resumed a finished run
        }
        return new Outcome(trained.startStep(), trained.endStep(), trained.lastLoss(), graph.parameters().count());
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
    Map<String, long[]> shapes = graph.weights().shapes();
    Session.Runner runner = session.runner();
    shapes.keySet().forEach(key -> runner.fetch(graph.weights().get(key)));
    // One run: every distinct fetch list would cost TensorFlow a new executor over the training graph.
    try (Result r = runner.run()) {
      int i = 0;
      for (Map.Entry<String, long[]> e : shapes.entrySet()) {
        TFloat32 t = (TFloat32) r.get(i++);
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
