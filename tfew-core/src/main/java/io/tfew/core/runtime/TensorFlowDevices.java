package io.tfew.core.runtime;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListMemoryBytes;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;

/**
 * The devices a TensorFlow session of this process would run on, as the session itself lists them (the C
 * API's {@code TF_SessionListDevices}): what {@code tfew doctor} prints. TensorFlow-Java's {@code Session}
 * does not expose the list, so an empty graph's session is opened through the C API with the same
 * {@link SessionOptions} a run uses (GPU memory growth included) and closed again.
 *
 * <pre>{@code
 * for (TensorFlowDevices.Device d : TensorFlowDevices.list(SessionOptions.DEFAULT)) {
 *   System.out.println(d.name()); // /job:localhost/replica:0/task:0/device:CPU:0
 * }
 * }</pre>
 */
public final class TensorFlowDevices {
  /**
   * One device.
   *
   * @param name TensorFlow's full name, e.g. /job:localhost/replica:0/task:0/device:GPU:0
   * @param type CPU or GPU
   * @param memoryBytes the memory TensorFlow may use on it, as the session reports it
   */
  public record Device(String name, String type, long memoryBytes) {}

  private TensorFlowDevices() {}

  /** The devices of a session opened with {@code options}; loads the native library on first use. */
  public static List<Device> list(SessionOptions options) {
    TensorFlow.version(); // loads the native library before any C API call
    byte[] config = options.proto().toByteArray();
    try (PointerScope scope = new PointerScope()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions sessionOptions = TF_SessionOptions.newSessionOptions();
      TF_SetConfig(sessionOptions, new BytePointer(config), config.length, status);
      status.throwExceptionIfNotOK();
      TF_Graph graph = TF_Graph.newGraph();
      TF_Session session = TF_NewSession(graph, sessionOptions, status);
      status.throwExceptionIfNotOK();
      try {
        TF_DeviceList devices = TF_SessionListDevices(session, status);
        status.throwExceptionIfNotOK();
        try {
          List<Device> list = new ArrayList<>();
          for (int i = 0; i < TF_DeviceListCount(devices); i++) {
            String name = TF_DeviceListName(devices, i, status).getString();
            String type = TF_DeviceListType(devices, i, status).getString();
            long bytes = TF_DeviceListMemoryBytes(devices, i, status);
            status.throwExceptionIfNotOK();
            list.add(new Device(name, type, bytes));
          }
          return List.copyOf(list);
        } finally {
          TF_DeleteDeviceList(devices);
        }
      } finally {
        TF_CloseSession(session, status);
        TF_DeleteSession(session, status);
      }
    }
  }
}
