package io.tfew.core.runtime;

import io.tfew.api.config.ConfigSection;
import io.tfew.api.peft.PeftMethodProvider;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A PEFT method to apply: which plugin, its validated options, and the adapter directory its trained
 * parameters come from (empty for freshly initialised parameters).
 */
public record ActiveMethod(String name, PeftMethodProvider provider, ConfigSection config,
    Optional<Path> adapterDir) {}
