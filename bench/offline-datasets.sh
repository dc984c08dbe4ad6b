#!/usr/bin/env bash
# Builds the offline benchmark's datasets (docs/benchmarks/offline.md) with D4RL's recipes on
# rxrl/Hopper-v0 and rxrl/HalfCheetah-v0, into bench-results/offline/ (or $1):
#   expert run        PPO, 1M steps (CleanRL's MuJoCo settings), the seed whose 1M-step run
#                     evaluated best in docs/benchmarks/{hopper,halfcheetah-ppo}/runs.csv (read
#                     from there, so the choice follows those reports when they are rerun)
#   medium-replay     every transition of a PPO run (same seed) trained until its last 10 episodes
#                     average a third of that expert's return; the run is kept as the medium policy
#   medium            1M transitions of the medium policy (stochastic, as D4RL's SAC data)
#   medium-expert     1M medium + 1M expert transitions
# Each step is skipped when its output exists, so an interrupted build continues. About 15 min
# on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-results/offline}
mkdir -p "$out/runs" "$out/data"
rxrl() { node bin/rxrl.js "$@"; }

# The best seed of a PPO report's runs.csv and a third of its final return: "seed medium-return".
best_seed() {
  awk -F, 'NR > 1 && $4 == "ok" && ($5 + 0 > best || !found) { best = $5 + 0; seed = $3; found = 1 }
    END { if (!found) exit 1; printf "%s %d\n", seed, best / 3 }' "$1"
}

build() { # name env PPO-report
  local name=$1 env=$2 seed medium
  read -r seed medium < <(best_seed "$3/runs.csv") || { echo "no finished run in $3/runs.csv" >&2; exit 1; }
  echo "$name: expert PPO seed $seed, medium at a return of $medium" >&2
  local expert="$out/runs/$name-expert" mediumRun="$out/runs/$name-medium"
  if [ ! -f "$expert/summary.json" ]; then
    rm -rf "$expert"
    rxrl train --algo ppo --env "$env" --seed "$seed" --quiet --out "$expert"
  fi
  if [ ! -f "$out/data/$name-medium-replay.h5" ]; then
    rm -rf "$mediumRun"
    rxrl dataset collect --recipe medium-replay --env "$env" --seed "$seed" --steps 1000000 --stop-return "$medium" \
      --run-dir "$mediumRun" --out "$out/data/$name-medium-replay.h5" --quiet
  fi
  if [ ! -f "$out/data/$name-medium.h5" ]; then
    rxrl dataset collect --recipe medium --policy "$mediumRun" --steps 1000000 --seed 1 --out "$out/data/$name-medium.h5" --quiet
  fi
  if [ ! -f "$out/data/$name-medium-expert.h5" ]; then
    rxrl dataset collect --recipe medium-expert --policy "$mediumRun" --expert-policy "$expert" --steps 2000000 --seed 2 \
      --out "$out/data/$name-medium-expert.h5" --quiet
  fi
  for recipe in medium medium-replay medium-expert; do
    rxrl dataset inspect "$out/data/$name-$recipe.h5" --no-plot | head -12
  done
}

# The two environments build side by side (each build is one process, mostly one core).
build hopper rxrl/Hopper-v0 docs/benchmarks/hopper &
build halfcheetah rxrl/HalfCheetah-v0 docs/benchmarks/halfcheetah-ppo &
wait -n && wait -n
