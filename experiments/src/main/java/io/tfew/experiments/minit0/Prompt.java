package io.tfew.experiments.minit0;

/** One generated text-to-text example: the model reads {@code input} and should write {@code target}. */
public record Prompt(String input, String target) {}
