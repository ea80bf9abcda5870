package io.tfew.experiments.sweep;

import io.tfew.api.TfewException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The GPUs that local sweep workers share out: worker {@code i} (of {@code --workers}) gets device
 * {@code devices[i mod n]} as its only visible device, through {@code CUDA_VISIBLE_DEVICES}. With more workers
 * than devices, several workers share a device (each session grows its GPU memory on demand). {@link #NONE}
 * (the CPU build) sets no variable.
 *
 * <pre>{@code
 * WorkerDevices d = WorkerDevices.of("0,1");   // --devices 0,1
 * d.forWorker(2);                              // Optional[0]
 * }</pre>
 *
 * @param devices device ids as {@code CUDA_VISIBLE_DEVICES} takes them: indices or {@code GPU-...} UUIDs
 */
public record WorkerDevices(List<String> devices) {
  /** The environment variable CUDA reads; a worker's value names exactly one device. */
  public static final String VARIABLE = "CUDA_VISIBLE_DEVICES";

  /** No GPU: workers get no variable. */
  public static final WorkerDevices NONE = new WorkerDevices(List.of());

  /** Where the NVIDIA driver lists one directory per GPU, whatever CUDA_VISIBLE_DEVICES says. */
  public static final Path NVIDIA_GPUS = Path.of("/proc/driver/nvidia/gpus");

  public WorkerDevices {
    devices = List.copyOf(devices);
  }

  /** The device of worker {@code slot}; empty when there are no devices. */
  public Optional<String> forWorker(int slot) {
    return devices.isEmpty() ? Optional.empty() : Optional.of(devices.get(slot % devices.size()));
  }

  /** The devices of a {@code --devices} value: ids separated by commas, e.g. {@code 0,1} or {@code GPU-8a1f...}. */
  public static WorkerDevices of(String option) {
    List<String> ids = new ArrayList<>();
    for (String id : option.split(",", -1)) {
      String trimmed = id.trim();
      if (!trimmed.matches("[A-Za-z0-9:_-]+")) {
        throw new TfewException("--devices " + option + ": give device ids separated by commas, as "
            + VARIABLE + " takes them (e.g. --devices 0,1)");
      }
      ids.add(trimmed);
    }
    if (ids.stream().distinct().count() != ids.size()) {
      throw new TfewException("--devices " + option + ": a device is named twice; with more workers than devices, "
          + "workers share the devices in turn");
    }
    return new WorkerDevices(ids);
  }

  /**
   * The devices this process may hand out: its own {@code CUDA_VISIBLE_DEVICES} when set (a Slurm allocation or
   * the user's choice), else one index per GPU the driver lists under {@code nvidiaGpus}.
   *
   * @throws TfewException when no GPU is visible
   */
  public static WorkerDevices visible(Map<String, String> environment, Path nvidiaGpus) {
    String inherited = environment.get(VARIABLE);
    if (inherited != null) {
      // CUDA hides every device for an empty value or an invalid first entry such as -1.
      if (inherited.isBlank() || inherited.trim().startsWith("-")) {
        throw new TfewException(VARIABLE + "='" + inherited + "' hides every GPU from this sweep, so its workers "
            + "have none to share; unset it, or name the devices with --devices 0,1");
      }
      return of(inherited);
    }
    long count;
    try (Stream<Path> gpus = Files.list(nvidiaGpus)) {
      count = gpus.count();
    } catch (IOException e) {
      count = 0;
    }
    if (count == 0) {
      throw new TfewException("the sweep runs TensorFlow's CUDA build but finds no GPU (" + VARIABLE + " is unset "
          + "and " + nvidiaGpus + " lists none); name the devices with --devices 0,1, or run without --gpu");
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(Integer.toString(i));
    }
    return new WorkerDevices(ids);
  }
}
