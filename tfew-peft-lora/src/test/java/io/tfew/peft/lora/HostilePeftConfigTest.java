package io.tfew.peft.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tfew.api.TfewException;
import io.tfew.api.config.ConfigSection;
import io.tfew.core.adapter.AdapterDirectory;
import io.tfew.core.plugin.PluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Careless and hostile {@code adapter_config.json} files, read the way {@code tfew score --adapter} reads
 * them: every one is a {@link TfewException} naming the file and the field, never a narrowed number, a
 * silent default, a NullPointerException or a hang.
 */
class HostilePeftConfigTest {
  @TempDir
  Path tmp;

  private final PluginRegistry registry = PluginRegistry.discover();

  private Path adapter(String json) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "adapter");
    Files.writeString(dir.resolve(AdapterDirectory.CONFIG_FILE), json);
    return dir;
  }

  /** What score/generate do with an adapter directory: read it, then validate the method's section. */
  private ConfigSection load(Path dir) {
    AdapterDirectory.Spec spec = AdapterDirectory.read(dir, registry);
    return ConfigSection.validate(AdapterDirectory.configFile(dir) + ": tfew_config",
        spec.provider().configFields(), spec.methodConfig());
  }

  @Test
  void aValidConfigStillReads() throws IOException {
    ConfigSection c = load(adapter("{\"peft_type\": \"LORA\", \"r\": 16, \"lora_alpha\": 32,"
        + " \"target_modules\": [\"q\", \"v\"]}"));
    assertThat(c.getInt("r")).isEqualTo(16);
    assertThat(c.getDouble("alpha")).isEqualTo(32.0);
  }

  @Test
  void integersThatOverflowAreErrorsNotNarrowed() throws IOException {
    for (String r : new String[] {"4294967300", "2147483648", "18446744073709551616"}) {
      Path dir = adapter("{\"peft_type\": \"LORA\", \"r\": " + r + "}");
      assertThatThrownBy(() -> load(dir))
          .isInstanceOf(TfewException.class)
          .hasMessageContaining(dir.resolve(AdapterDirectory.CONFIG_FILE).toString())
          .hasMessageContaining("r: " + r + " is out of range");
    }
  }

  @Test
  void valuesOfTheWrongTypeAreErrorsNotDefaults() throws IOException {
    Path alpha = adapter("{\"peft_type\": \"LORA\", \"lora_alpha\": \"16\"}");
    assertThatThrownBy(() -> load(alpha))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(alpha.resolve(AdapterDirectory.CONFIG_FILE).toString())
        .hasMessageContaining("lora_alpha: expected a number but found '16'");
    Path dora = adapter("{\"peft_type\": \"LORA\", \"use_dora\": \"true\"}");
    assertThatThrownBy(() -> load(dora)).isInstanceOf(TfewException.class).hasMessageContaining("use_dora");
    Path rslora = adapter("{\"peft_type\": \"LORA\", \"use_rslora\": \"yes\"}");
    assertThatThrownBy(() -> load(rslora)).isInstanceOf(TfewException.class).hasMessageContaining("use_rslora");
  }

  @Test
  void tfewsOwnRecordIsTypedToo() throws IOException {
    Path dir = Files.createTempDirectory(tmp, "tfew");
    Files.writeString(dir.resolve(AdapterDirectory.TFEW_FILE),
        "{\"tfew_method\": \"lora\", \"tfew_config\": {\"r\": 4294967300, \"alpha\": 8.0}}");
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(dir.resolve(AdapterDirectory.TFEW_FILE) + ": tfew_config.r: 4294967300 is out of range");
    Files.writeString(dir.resolve(AdapterDirectory.TFEW_FILE),
        "{\"tfew_method\": \"lora\", \"tfew_config\": {\"r\": 4, \"alpha\": \"8\"}}");
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(dir.resolve(AdapterDirectory.TFEW_FILE) + ": tfew_config.alpha: expected a number");
    Files.writeString(dir.resolve(AdapterDirectory.TFEW_FILE), "{\"tfew_method\": \"lora\", \"tfew_method\": \"ia3\"}");
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(TfewException.class).hasMessageContaining("Duplicate field 'tfew_method'");
  }

  @Test
  void duplicateKeysAreRefused() throws IOException {
    Path dir = adapter("{\"peft_type\": \"LORA\", \"r\": 4, \"r\": 64}");
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(dir.resolve(AdapterDirectory.CONFIG_FILE).toString())
        .hasMessageContaining("Duplicate field 'r'");
  }

  @Test
  void nullAndNonObjectConfigsAreErrors() throws IOException {
    for (String json : new String[] {"null", "[]", "42", "\"LORA\""}) {
      Path dir = adapter(json);
      assertThatThrownBy(() -> load(dir))
          .as(json)
          .isInstanceOf(TfewException.class)
          .hasMessageContaining(dir.resolve(AdapterDirectory.CONFIG_FILE).toString());
    }
  }

  @Test
  void invalidAndPathologicalRegexesAreConfigErrorsOrMatchQuickly() throws IOException {
    Path invalid = adapter("{\"peft_type\": \"LORA\", \"target_modules\": \"(.*q\"}");
    assertThatThrownBy(() -> load(invalid))
        .isInstanceOf(TfewException.class)
        .hasMessageContaining(invalid.resolve(AdapterDirectory.CONFIG_FILE).toString())
        .hasMessageContaining("target_modules: '(.*q' is not a regular expression");
    // Fourteen .* then Z: exponential for a backtracking engine on every module path.
    String hang = ".*".repeat(14) + "Z";
    Path slow = adapter("{\"peft_type\": \"LORA\", \"target_modules\": \"" + hang + "\"}");
    ConfigSection c = load(slow);
    LoraConfig config = LoraConfig.from(c);
    assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> assertThat(config.targets("decoder.block.11.layer.1.EncDecAttention.q".repeat(4))).isFalse());
  }

  /**
   * A bounded fuzz loop over PEFT LORA configs: every key of a valid config set to values of every JSON
   * type, and random character edits; each either loads or fails with a TfewException naming the file.
   */
  @Test
  void mutatedConfigsLoadOrFailWithTfewExceptionsOnly() throws IOException {
    String[] keys = {"peft_type", "r", "lora_alpha", "lora_dropout", "use_rslora", "target_modules", "use_dora",
        "modules_to_save", "bias", "rank_pattern", "init_lora_weights", "layers_to_transform"};
    String[] values = {"null", "true", "\"x\"", "\"(\"", "-1", "0", "1e999", "4294967300", "2.5", "[]", "[1]",
        "[\"q\", null]", "{}", "{\"q\": 2}", "\"" + ".*".repeat(14) + "Z\"", "\"all-linear\""};
    java.util.Random random = new java.util.Random(15);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < 400; i++) {
        StringBuilder json = new StringBuilder("{\"peft_type\": \"LORA\"");
        for (int k = 0; k < 1 + random.nextInt(4); k++) {
          json.append(", \"").append(keys[1 + random.nextInt(keys.length - 1)]).append("\": ")
              .append(values[random.nextInt(values.length)]);
        }
        json.append('}');
        String text = json.toString();
        if (random.nextInt(4) == 0) {
          char[] c = text.toCharArray();
          String edits = "{}[]\",:0x ";
          c[random.nextInt(c.length)] = edits.charAt(random.nextInt(edits.length()));
          text = new String(c);
        }
        Path dir = adapter(text);
        try {
          LoraConfig.from(load(dir));
        } catch (TfewException expected) {
          assertThat(expected.getMessage()).as(text).contains(dir.toString());
        }
      }
    });
  }
}
