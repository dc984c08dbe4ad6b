"""Reference for bench/envs.ts: steps/s of Gymnasium's SyncVectorEnv with random actions.

usage: python gymnasium_sync_vector.py ENV_ID NUM_ENVS SECONDS RUNS  -> JSON {"median", "runs"}
"""
import json
import statistics
import sys
import time

import gymnasium as gym


def measure(env_id: str, num_envs: int, seconds: float) -> float:
    envs = gym.vector.SyncVectorEnv([lambda: gym.make(env_id) for _ in range(num_envs)])
    envs.reset(seed=0)
    envs.action_space.seed(0)
    calls = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            envs.step(envs.action_space.sample())
        calls += 100
    elapsed = time.perf_counter() - start
    envs.close()
    return calls * num_envs / elapsed


def main() -> None:
    env_id, num_envs, seconds, runs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    measure(env_id, num_envs, seconds / 4)  # warm-up
    rates = [measure(env_id, num_envs, seconds) for _ in range(runs)]
    print(json.dumps({"median": statistics.median(rates), "runs": rates}))


if __name__ == "__main__":
    main()
