"""Reference for bench/envs.ts and bench/bridge.ts: steps/s of Gymnasium itself, random actions.

usage: python gymnasium_sync_vector.py ENV_ID NUM_ENVS SECONDS RUNS [MODE]  -> JSON {"median", "runs"}

MODE: NextStep (default: SyncVectorEnv as Gymnasium 1.x makes it), SameStep (SyncVectorEnv with
autoreset_mode=SAME_STEP and copy=False: exactly what rxrl's bridge server runs, so the bridge's
overhead is the difference), or single (one env, `env.step` in a loop, reset at episode ends;
NUM_ENVS must be 1). Steps/s counts env steps: NUM_ENVS per vector step.
"""
import json
import statistics
import sys
import time

import gymnasium as gym


def measure_vector(env_id: str, num_envs: int, seconds: float, mode: str) -> float:
    kwargs = {"autoreset_mode": gym.vector.AutoresetMode.SAME_STEP, "copy": False} if mode == "SameStep" else {}
    envs = gym.vector.SyncVectorEnv([lambda: gym.make(env_id) for _ in range(num_envs)], **kwargs)
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


def measure_single(env_id: str, seconds: float) -> float:
    env = gym.make(env_id)
    env.reset(seed=0)
    env.action_space.seed(0)
    steps = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            if terminated or truncated:
                env.reset()
        steps += 100
    elapsed = time.perf_counter() - start
    env.close()
    return steps / elapsed


def main() -> None:
    env_id, num_envs, seconds, runs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    mode = sys.argv[5] if len(sys.argv) > 5 else "NextStep"
    if mode not in ("NextStep", "SameStep", "single"):
        raise SystemExit(f"MODE must be NextStep, SameStep or single, got {mode!r}")
    if mode == "single" and num_envs != 1:
        raise SystemExit("MODE single needs NUM_ENVS 1")

    def measure(s: float) -> float:
        return measure_single(env_id, s) if mode == "single" else measure_vector(env_id, num_envs, s, mode)

    measure(seconds / 4)  # warm-up
    rates = [measure(seconds) for _ in range(runs)]
    print(json.dumps({"median": statistics.median(rates), "runs": rates}))


if __name__ == "__main__":
    main()
