package io.tfew.cli;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tfew adapter ...}: work on saved adapter directories. */
@Command(name = "adapter", mixinStandardHelpOptions = true, description = "Work on saved adapter directories.",
    subcommands = {AdapterCommand.Export.class})
public final class AdapterCommand {

  /** {@code tfew adapter export}: the Hugging Face PEFT form of a tfew adapter. */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Write an adapter in Hugging Face PEFT's layout (adapter_config.json + adapter_model.safetensors). "
          + "ia3, lora and prompt_tuning adapters already are and are copied; p_tuning is written as PEFT's "
          + "P_TUNING (the prompt encoder's output). A composed run's adapter (one directory per method) is "
          + "written as one PEFT directory per method under OUT. No base weight is read.")
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
      List<Path> members = AdapterDirectory.members(adapter);
      boolean composed = !members.equals(List.of(adapter));
      PrintWriter stdout = spec.commandLine().getOut();
      // A composed adapter exports as it is saved: one PEFT directory per method under OUT, in the recorded
      // order, each loadable by PEFT alone; tfew reads OUT back as the same composition.
      List<String> names = new ArrayList<>();
      for (Path dir : members) {
        AdapterDirectory.Spec s = AdapterDirectory.read(dir, registry);
        ConfigSection section = ConfigSection.validate(s.configFile() + ": tfew_config",
            s.provider().configFields(), s.methodConfig());
        ActiveMethod method = new ActiveMethod(s.provider().name(), s.provider(), section, Optional.of(dir));
        Path target = composed ? out.resolve(dir.getFileName().toString()) : out;
        String type = PeftExporter.export(config, method, target);
        names.add(dir.getFileName().toString());
        stdout.println("wrote " + target + " (peft_type " + type + ")");
      }
      if (composed) {
        AdapterDirectory.saveComposition(out, names);
      }
      stdout.flush();
      return 0;
    }
  }
}
