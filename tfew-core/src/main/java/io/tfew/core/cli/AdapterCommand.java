package io.tfew.core.cli;

import com.google.inject.Inject;
import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.model.T5Config;
import io.tfew.core.plugin.PluginRegistry;
import io.tfew.core.runtime.ActiveMethod;
import io.tfew.core.runtime.PeftExporter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tfew adapter ...}: work on saved adapter directories. */
@Command(name = "adapter", mixinStandardHelpOptions = true, description = "Work on saved adapter directories.",
    subcommands = {AdapterCommand.Export.class})
public final class AdapterCommand {

  /** {@code tfew adapter export}: the Hugging Face PEFT form of a tfew adapter. */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Write an adapter in Hugging Face PEFT's layout (adapter_config.json + adapter_model.safetensors). "
          + "ia3, lora and prompt_tuning adapters already are and are copied; p_tuning is written as PEFT's "
          + "P_TUNING (the prompt encoder's output). No base weight is read.")
  static final class Export implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "CONFIG_OR_DIR",
        description = "The base model's config.json, or a directory holding it.")
    Path model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "The tfew adapter directory.")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the PEFT adapter.")
    Path out;

    @Spec
    CommandSpec spec;

    private final PluginRegistry registry;

    @Inject
    Export(PluginRegistry registry) {
      this.registry = registry;
    }

    @Override
    public Integer call() {
      if (!Files.isDirectory(adapter)) {
        throw new TfewException("--adapter " + adapter + ": no such directory");
      }
      T5Config config = T5Config.read(Files.isDirectory(model) ? model.resolve("config.json") : model);
      AdapterDirectory.Spec s = AdapterDirectory.read(adapter, registry);
      ConfigSection section = ConfigSection.validate(AdapterDirectory.configFile(adapter) + ": tfew_config",
          s.provider().configFields(), s.methodConfig());
      ActiveMethod method = new ActiveMethod(s.provider().name(), s.provider(), section, Optional.of(adapter));
      String type = PeftExporter.export(config, method, out);
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.println("wrote " + out + " (peft_type " + type + ")");
      stdout.flush();
      return 0;
    }
  }
}
