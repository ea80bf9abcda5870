#!/usr/bin/env bash
# Zero-shot and (IA)^3 on every mini-T0 held-out family and few-shot seed (the recipe in base.yaml), then
# one line per family: the median-over-templates accuracy before and after training, averaged over seeds.
# Usage (from the repo root): experiments/mini-t0/heldout.sh [RUNS_DIR] [more tfew train options, e.g. --set model=DIR]
set -euo pipefail
tfew="${TFEW:-./tfew}"
runs="${1:-runs/mini-t0}"
shift || true
for family in rating not_like positive_choice; do
  for seed in 0 1 2; do
    "$tfew" train "experiments/mini-t0/$family.yaml" --out "$runs/$family-$seed" \
      --set "data.train.path=experiments/mini-t0/tasks/$family/32_shot/${seed}_seed.jsonl" "$@" 2>/dev/null | grep accuracy \
      | sed "s/^/$family seed $seed: /"
  done
done
python3 - "$runs" <<'PY'
import json, sys, glob, statistics
runs = sys.argv[1]
for family in ["rating", "not_like", "positive_choice"]:
    before, after = [], []
    for seed in [0, 1, 2]:
        for line in open(f"{runs}/{family}-{seed}/metrics.jsonl"):
            row = json.loads(line)
            if row.get("template") == "median":
                (before if row["phase"] == "zero_shot" else after).append(row["accuracy"])
    print(f"{family}: zero-shot {statistics.mean(before):.3f} -> ia3 {statistics.mean(after):.3f} "
          f"(seeds {', '.join(f'{a:.3f}' for a in after)})")
PY
