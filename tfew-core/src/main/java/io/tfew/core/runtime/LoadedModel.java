package io.tfew.core.runtime;

import io.tfew.api.peft.PeftMethod;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.checkpoint.Checkpoint;
import io.tfew.core.generate.GreedyDecoder;
import io.tfew.core.model.T5Config;
import io.tfew.core.score.RankScorer;
import io.tfew.core.score.RankScoringGraph;
import io.tfew.core.tokenize.T5Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.tensorflow.Session;

/**
 * A model ready to run: graph with the requested programs, the active PEFT methods, weights and
 * adapters loaded, and its tokenizer. {@link io.tfew.core.train.TrainableModel} is the counterpart that
 * trains.
 *
 * <pre>{@code
 * PluginRegistry registry = PluginRegistry.discover();
 * PeftMethodProvider ia3 = registry.method("ia3", "--peft");
 * List<ActiveMethod> methods = List.of(new ActiveMethod("ia3", ia3,
 *     ConfigSection.defaults("peft.ia3", ia3.configFields()), Optional.of(Path.of("runs/rte/adapter"))));
 * try (LoadedModel model = LoadedModel.open(Path.of("models/T0_3B"), methods,
 *     List.of(LoadedModel.Program.SCORE), 256, 0L, loaded -> { })) {
 *   List<EncodedExample> rows = ExampleEncoder.encodeAll(RankDataReader.read(data), model.tokenizer());
 *   List<ChoiceScores> scores = model.scorer().score(rows, 32, done -> { });
 * }
 * }</pre>
 */
public final class LoadedModel implements AutoCloseable {
  /** What the graph is built for. */
  public enum Program { SCORE, GENERATE }

  private final Path dir;
  private final ModelGraph graph;
  private final Session session;
  private final T5Tokenizer tokenizer;
  private final RankScoringGraph rank;
  private final GreedyDecoder greedy;
  private final Map<String, PeftMethod> methods;

  private LoadedModel(Path dir, ModelGraph graph, Session session, T5Tokenizer tokenizer,
      RankScoringGraph rank, GreedyDecoder greedy, Map<String, PeftMethod> methods) {
    this.dir = dir;
    this.graph = graph;
    this.session = session;
    this.tokenizer = tokenizer;
    this.rank = rank;
    this.greedy = greedy;
    this.methods = methods;
  }

  /**
   * Builds and loads a model from a Hugging Face directory.
   *
   * @param progress called with the number of weight values loaded so far
   */
  public static LoadedModel open(Path dir, List<ActiveMethod> active, List<Program> programs, int maxSeqLen,
      long seed, LongConsumer progress) {
    T5Config config = T5Config.read(dir.resolve("config.json"));
    Path tokenizerFile = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizerFile)) {
      throw new io.tfew.api.TfewException(dir + ": no tokenizer.json; copy the tokenizer.json of the model's "
          + "Hugging Face repository into the directory");
    }
    ActiveMethod.Created created = ActiveMethod.create(active);
    Map<String, PeftMethod> methods = created.methods();
    T5Tokenizer tokenizer = T5Tokenizer.load(tokenizerFile, maxSeqLen);
    int taskCount = active.stream().mapToInt(ActiveMethod::taskCount).max().orElse(1);
    for (ActiveMethod a : active) {
      if (taskCount > 1 && a.taskCount() != taskCount) {
        throw new io.tfew.api.TfewException("PEFT method '" + a.name() + "' has one adapter for every task, but "
            + "another method serves " + taskCount + " tasks; a mixed-task run holds exactly one method, with one "
            + "adapter per task");
      }
    }
    ModelGraph graph = new ModelGraph(config, created.rewrites(), false, taskCount, seed, SessionOptions.DEFAULT);
    Session session = null;
    try {
      RankScoringGraph rank = programs.contains(Program.SCORE) ? RankScoringGraph.build(graph.ops(), graph.model()) : null;
      GreedyDecoder greedy = programs.contains(Program.GENERATE) ? GreedyDecoder.build(graph.ops(), graph.model()) : null;
      graph.rewrites().requireEveryMethodTouchedASite(graph.parameters());
      session = graph.startSession();
      try (Checkpoint checkpoint = Checkpoint.open(dir)) {
        graph.weights().load(session, checkpoint, progress);
      }
      // Inits that copy checkpoint values (soft prompts from word embeddings) run once those are loaded.
      graph.parameters().initializeFromBase(session);
      for (ActiveMethod a : active) {
        if (a.adapterDir().isPresent()) {
          AdapterDirectory.load(a.adapterDir().get(), a.name(), methods.get(a.name()), graph.parameters(), session);
        } else if (!a.taskAdapterDirs().isEmpty()) {
          AdapterDirectory.loadPerTask(a.taskAdapterDirs(), a.name(), methods.get(a.name()), graph.parameters(),
              session);
        }
      }
      return new LoadedModel(dir, graph, session, tokenizer, rank, greedy, methods);
    } catch (RuntimeException e) {
      if (session != null) {
        session.close();
      }
      graph.close();
      tokenizer.close();
      throw e;
    }
  }

  public Path dir() {
    return dir;
  }

  public T5Config config() {
    return graph.config();
  }

  public T5Tokenizer tokenizer() {
    return tokenizer;
  }

  public ModelGraph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  public Map<String, PeftMethod> methods() {
    return methods;
  }

  public RankScorer scorer() {
    if (rank == null) {
      throw new IllegalStateException("the model was opened without the SCORE program");
    }
    return new RankScorer(session, rank, graph.config().padTokenId());
  }

  public GreedyDecoder greedy() {
    if (greedy == null) {
      throw new IllegalStateException("the model was opened without the GENERATE program");
    }
    return greedy;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
    tokenizer.close();
  }
}
