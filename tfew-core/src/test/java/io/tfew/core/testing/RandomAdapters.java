package io.tfew.core.testing;

import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethodProvider;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.model.TrainableParameters;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.LoadedModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Adapters that look trained: a method's initial parameters plus uniform noise in +-0.25 from {@code seed},
 * written through core's own save path ({@link AdapterDirectory#save}), so two seeds give two adapters
 * that score differently.
 */
public final class RandomAdapters {
  private RandomAdapters() {}

  public static Path write(Path modelDir, String method, Map<String, Object> options, long seed, Path out) {
    PeftMethodProvider provider = PluginRegistry.discover().method(method, "test");
    ConfigSection config = ConfigSection.validate("peft[0]", provider.configFields(), options);
    try (LoadedModel model = LoadedModel.open(modelDir,
        List.of(new ActiveMethod(method, provider, config, Optional.empty())),
        List.of(LoadedModel.Program.SCORE), 64, seed, loaded -> { })) {
      TrainableParameters parameters = model.graph().parameters();
      SplittableRandom r = new SplittableRandom(seed);
      for (TrainableParameters.Declared d : parameters.declaredBy(method).values()) {
        float[] v = parameters.read(model.session(), d.key());
        for (int i = 0; i < v.length; i++) {
          v[i] += (float) (0.5 * (r.nextDouble() - 0.5));
        }
        parameters.assign(model.session(), d.key(), v);
      }
      AdapterDirectory.save(out, method, config, model.methods().get(method), parameters, model.session());
    }
    return out;
  }
}
