package io.tfew.experiments.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tfew.core.files.AtomicFile;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.TensorFlow;

/**
 * What a run was: its resolved configuration, seed, the SHA-256 of every file it read, library
 * versions, the tfew git commit and the machine. Written as {@code provenance.json} beside the results;
 * its {@code config} re-runs it.
 */
public final class Provenance {
  private final Map<String, Object> record = new LinkedHashMap<>();
  private final Map<String, String> files = new TreeMap<>();

  public Provenance(Map<String, Object> resolvedConfig, long seed, String command) {
    record.put("tfew_version", "0.1.0-SNAPSHOT");
    record.put("git_commit", GitCommit.of(Provenance.class));
    record.put("command", command);
    record.put("started", Instant.now().toString());
    record.put("seed", seed);
    record.put("config", resolvedConfig);
    record.put("files_sha256", files);
    Map<String, Object> versions = new LinkedHashMap<>();
    versions.put("java", System.getProperty("java.version"));
    versions.put("tensorflow", TensorFlow.version());
    versions.put("tensorflow_java", "1.1.0");
    record.put("versions", versions);
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put("arch", System.getProperty("os.arch"));
    machine.put("cpus", Runtime.getRuntime().availableProcessors());
    machine.put("memory_bytes", ((com.sun.management.OperatingSystemMXBean) ManagementFactory
        .getOperatingSystemMXBean()).getTotalMemorySize());
    machine.put("onednn", System.getenv().getOrDefault("TF_ENABLE_ONEDNN_OPTS", "unset"));
    record.put("machine", machine);
  }

  /** Records a file the run read, under a role such as {@code data.train} or {@code model/config.json}. */
  public Provenance file(String role, Path file) {
    files.put(role, FileDigests.sha256(file));
    return this;
  }

  public Provenance put(String key, Object value) {
    record.put(key, value);
    return this;
  }

  public Map<String, Object> asMap() {
    return record;
  }

  /** Writes {@code provenance.json} into {@code dir}, atomically. */
  public void write(Path dir) {
    Path target = dir.resolve("provenance.json");
    AtomicFile.write(target, out -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, record));
  }
}
