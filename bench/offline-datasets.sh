#!/usr/bin/env bash
# Builds the offline benchmark's datasets (docs/benchmarks/offline.md) with D4RL's recipes on
# rxrl/Hopper-v0 and rxrl/HalfCheetah-v0, into bench-results/offline/ (or $1):
#   expert run        PPO, 1M steps (CleanRL's MuJoCo settings), the seed whose 1M-step run
#                     evaluated best in docs/benchmarks/{hopper,halfcheetah-ppo}
#   medium-replay     every transition of a PPO run trained until its last 10 episodes average
#                     about a third of that expert's return; the run is kept as the medium policy
#   medium            1M transitions of the medium policy (stochastic, as D4RL's SAC data)
#   medium-expert     1M medium + 1M expert transitions
# Each step is skipped when its output exists, so an interrupted build continues. About 25 min.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-results/offline}
mkdir -p "$out/runs" "$out/data"
rxrl() { node bin/rxrl.js "$@"; }

build() { # name env expert-seed medium-return
  local name=$1 env=$2 seed=$3 medium=$4
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

build hopper rxrl/Hopper-v0 0 1000
build halfcheetah rxrl/HalfCheetah-v0 3 2500
