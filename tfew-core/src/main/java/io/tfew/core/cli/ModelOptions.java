package io.tfew.core.cli;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.hub.ModelLocator;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ActiveMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every command that runs a model shares. */
final class ModelOptions {
  @Option(names = "--model", required = true, paramLabel = "DIR_OR_REPO_ID",
      description = "Hugging Face model directory, or a repo id (org/name[@revision]) resolved from the HF cache.")
  String model;

  @Option(names = "--adapter", paramLabel = "DIR",
      description = "Adapter directory (adapter_config.json + adapter_model.safetensors), written by tfew or HF PEFT.")
  List<Path> adapters = new ArrayList<>();

  @Option(names = "--max-seq-len", defaultValue = "256", paramLabel = "N",
      description = "Truncate the input and each answer choice to N tokens, EOS kept (default: ${DEFAULT-VALUE}).")
  int maxSeqLen;

  void validate() {
    if (maxSeqLen < 2) {
      throw new TfewException("--max-seq-len " + maxSeqLen + ": must be at least 2 (one token and EOS)");
    }
    for (Path a : adapters) {
      if (!Files.isDirectory(a)) {
        throw new TfewException("--adapter " + a + ": no such directory");
      }
    }
  }

  Path resolveModel(ModelLocator locator) {
    return locator.resolve(model);
  }

  List<ActiveMethod> methods(PluginRegistry registry) {
    List<ActiveMethod> active = new ArrayList<>();
    for (Path dir : adapters) {
      AdapterDirectory.Spec spec = AdapterDirectory.read(dir, registry);
      ConfigSection config = ConfigSection.validate(dir.resolve(AdapterDirectory.CONFIG_FILE) + ": tfew_config",
          spec.provider().configFields(), spec.methodConfig());
      active.add(new ActiveMethod(spec.provider().name(), spec.provider(), config, Optional.of(dir)));
    }
    return active;
  }
}
