#!/usr/bin/env bash
# usage: measure.sh METHOD [--set ...]. Runs `tfew train` (t5-base-shaped random model, 4 steps) and reads
# /proc/PID/status VmHWM every 0.2 s: after_load = peak when the first training step starts, train = peak
# once 3 of the 4 steps have finished. Then stops the run (the end-of-run checkpoint and adapter saves,
# identical for both methods' weights, are not measured).
set -u
method=$1; shift
out=/tmp/lomo-mem/run-$method-$$
rm -rf "$out"
export TF_ENABLE_ONEDNN_OPTS=1 TF_CPP_MIN_LOG_LEVEL=2
start=$(date +%s)
nice -n 10 java -Xmx3g -cp "$(cat /tmp/lomo-mem/cp.txt)" io.tfew.core.cli.TfewCli train /tmp/lomo-mem/mem.yaml \
  --out "$out" --set "peft[0].method=$method" "$@" > "$out.log" 2>&1 &
pid=$!
load_hwm=""; train_hwm=""
while kill -0 $pid 2>/dev/null; do
  h=$(awk '/VmHWM/{print $2}' /proc/$pid/status 2>/dev/null)
  if [ -z "$load_hwm" ] && grep -q "0/4 step" "$out.log"; then load_hwm=$h; fi
  if grep -q "3/4 step" "$out.log"; then train_hwm=$h; kill $pid; break; fi
  sleep 0.2
done
wait $pid 2>/dev/null
echo "method=$method $* wall=$(( $(date +%s) - start ))s peak_rss_after_load=$((load_hwm/1024))MiB peak_rss_3_steps=$((train_hwm/1024))MiB"
grep -o 'train  75%[^l]*loss [0-9.]*' "$out.log" | tail -1
