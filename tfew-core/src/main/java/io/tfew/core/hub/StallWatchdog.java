package io.tfew.core.hub;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a response body that has delivered nothing for too long. HttpClient's timeouts only cover
 * the wait for headers; without this a silent connection would block a download forever.
 */
final class StallWatchdog implements AutoCloseable {
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tfew-download-watchdog");
    t.setDaemon(true);
    return t;
  });

  private final Closeable body;
  private final long timeoutNanos;
  private final ScheduledFuture<?> task;
  private volatile long lastProgress = System.nanoTime();
  private volatile boolean stalled;

  StallWatchdog(Closeable body, Duration timeout) {
    this.body = body;
    this.timeoutNanos = timeout.toNanos();
    long period = Math.max(10, timeout.toMillis() / 4);
    this.task = TIMER.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  void progress() {
    lastProgress = System.nanoTime();
  }

  boolean stalled() {
    return stalled;
  }

  private void check() {
    if (System.nanoTime() - lastProgress > timeoutNanos) {
      stalled = true;
      task.cancel(false);
      try {
        body.close();
      } catch (IOException ignored) {
        // The reader sees the closed stream as an IOException either way.
      }
    }
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
