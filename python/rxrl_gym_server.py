#!/usr/bin/env python3
"""rxrl's Gymnasium server: serves Gymnasium environments to a Node.js parent process.

rxrl (src/envs/gymnasium/) starts this script as a child process and talks to it over the
child's stdin/stdout. Nothing here is meant to be run by hand, except the three diagnostics:

    python rxrl_gym_server.py --probe      # versions of python, numpy, gymnasium, mujoco (JSON)
    python rxrl_gym_server.py --describe   # reads a make request (JSON) on stdin, prints the
                                           # spaces and spec of that env (JSON), then exits
    python rxrl_gym_server.py --list       # Gymnasium's registered ids with their limits (JSON),
                                           # without creating any env

Wire format (both directions): frames of

    u32 little-endian  body length (header + payload)
    u32 little-endian  header length
    header             UTF-8 JSON object, or nothing (length 0) when there is no metadata
    payload            raw little-endian arrays, laid out as the operation defines

so arrays cross the pipe as bytes, and JSON only carries metadata (spaces, infos, errors).

Operations (the header's "op"; the first request must be "make"):

    make    {id, kwargs, num_envs|null, max_episode_steps|null, spin_us, protocol}
            -> {protocol, observation_space, action_space, spec, versions, pid}
    reset   {seed|null, options|null}  (vector: seed may be a list, one per copy)
            -> payload: observations f32[N, D]; header {"i": infos} when there are infos
    step    no header; payload: actions (vector: the batched array rxrl uses - f32 rows for Box, i32 for
            Discrete/MultiDiscrete/MultiBinary; single: the action's flat f32 encoding)
            -> payload: observations f32[N, D], rewards f64[N], terminated u8[N], truncated
               u8[N], then one f32[D] row per finished copy (vector only: its final
               observation); header {"i": infos} when there are infos
    render  {} -> header {"frames": [{shape, dtype}] | "text": [...] | nothing}, payload: frames
    close   {} -> {} and the process exits

D is the length of rxrl's flat encoding of one observation (`Space.flattenInto` in
src/core/spaces.ts): Box values as float32, Discrete and MultiDiscrete one-hot, MultiBinary as
0/1, Dict sub-spaces in sorted key order, Tuple in order. Vector envs run inside Gymnasium's own
SyncVectorEnv with autoreset_mode=SAME_STEP (Gymnasium 1.x defaults to NEXT_STEP, which rxrl's
VectorEnv does not use): a finished copy is reset in the same step, its last observation is
sent as a final observation and its last info as infos["final_info"].

spin_us: after each answer the server polls for the next request for up to this many
microseconds before it blocks in select(). The parent usually sends the next step within
microseconds, and waking a process that sleeps in read() costs tens of microseconds on some
machines (virtual CPUs especially): more than a cheap env's step. 0 never polls.

A Python exception in an operation is answered with {"error": {type, message, traceback}} and
the server keeps serving. The server exits on "close", on end of input (the parent went away)
and, on Linux, when its parent process dies.
"""
from __future__ import annotations

import json
import os
import select
import struct
import sys
import time
import traceback

PROTOCOL = 1
_PREFIX = struct.Struct("<II")
_HAS_WRITEV = hasattr(os, "writev")
# Polling needs a non-blocking pipe and select() on it: POSIX only.
_CAN_POLL = hasattr(os, "set_blocking") and not sys.platform.startswith("win")


class SetupError(Exception):
    """A missing or unusable dependency: reported with exit code 3 so rxrl can name the fix."""


# ---------------------------------------------------------------------------------------------
# Process hygiene


def _protect_stdout() -> int:
    """Moves the protocol to a private fd and points fd 1 at stderr.

    An environment that prints (or a library warning that goes to stdout) would otherwise
    corrupt the frames.
    """
    proto = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return proto


def _die_with_parent() -> None:
    """Linux: ask the kernel to kill this process when its parent dies (a crash or SIGKILL of
    Node runs no cleanup code). Best effort: elsewhere the end of stdin ends the server."""
    import signal

    # Ctrl-C in a terminal reaches the whole process group; the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(0)
    except Exception:  # noqa: BLE001 - best effort only
        pass


# ---------------------------------------------------------------------------------------------
# Imports that can fail


def _import_deps():
    try:
        import numpy as np
    except ImportError as e:
        raise SetupError(f"numpy is not installed in {sys.executable} ({e})") from e
    try:
        import gymnasium as gym
    except ImportError as e:
        raise SetupError(f"gymnasium is not installed in {sys.executable} ({e})") from e
    major = int(gym.__version__.split(".")[0])
    if major < 1:
        raise SetupError(
            f"gymnasium {gym.__version__} in {sys.executable} is too old: the bridge needs gymnasium 1.x "
            "(autoreset modes of the vector envs)"
        )
    return np, gym


def versions() -> dict:
    """Versions of the interpreter and the packages the bridge uses (None where not installed)."""
    out = {"python": sys.version.split()[0], "executable": sys.executable, "protocol": PROTOCOL}
    for name in ("numpy", "gymnasium", "mujoco"):
        try:
            module = __import__(name)
            out[name] = getattr(module, "__version__", "unknown")
        except Exception as e:  # noqa: BLE001 - reported, not raised
            out[name] = None
            out[f"{name}_error"] = f"{type(e).__name__}: {e}"
    return out


# ---------------------------------------------------------------------------------------------
# Spaces: Gymnasium <-> rxrl's JSON form (src/core/spaces.ts SpaceJSON, plus Gymnasium's dtype
# and shape, which rxrl's spaces do not keep)


def _bounds(values) -> list:
    # JSON has no Infinity: rxrl reads null in `low` as -inf and in `high` as +inf.
    return [None if (v != v or v in (float("inf"), float("-inf"))) else float(v) for v in values]


def space_to_json(space) -> dict:
    """rxrl's JSON form of a Gymnasium space; raises TypeError naming unsupported spaces."""
    from gymnasium import spaces

    np = sys.modules["numpy"]
    if isinstance(space, spaces.Box):
        low = space.low.astype(np.float64).reshape(-1)
        high = space.high.astype(np.float64).reshape(-1)
        return {
            "type": "Box",
            "low": _bounds(low.tolist()),
            "high": _bounds(high.tolist()),
            "shape": [int(d) for d in space.shape],
            "dtype": str(space.dtype),
        }
    if isinstance(space, spaces.Discrete):
        return {"type": "Discrete", "n": int(space.n), "start": int(space.start), "dtype": str(space.dtype)}
    if isinstance(space, spaces.MultiDiscrete):
        return {
            "type": "MultiDiscrete",
            "nvec": [int(v) for v in space.nvec.reshape(-1)],
            "start": [int(v) for v in space.start.reshape(-1)],
            "gymShape": [int(d) for d in space.nvec.shape],
            "dtype": str(space.dtype),
        }
    if isinstance(space, spaces.MultiBinary):
        return {"type": "MultiBinary", "n": int(np.prod(space.shape)), "gymShape": [int(d) for d in space.shape]}
    if isinstance(space, spaces.Dict):
        return {"type": "Dict", "spaces": {str(k): space_to_json(s) for k, s in space.spaces.items()}}
    if isinstance(space, spaces.Tuple):
        return {"type": "Tuple", "spaces": [space_to_json(s) for s in space.spaces]}
    raise TypeError(
        f"rxrl cannot represent the Gymnasium space {space!r} ({type(space).__name__}): supported are Box, "
        "Discrete, MultiDiscrete, MultiBinary, Dict and Tuple of those. Wrap the env in a Gymnasium "
        "observation/action wrapper that maps it to one of them (for example a Box)"
    )


def space_from_json(j: dict):
    """The Gymnasium space of rxrl's JSON form (the inverse of space_to_json)."""
    from gymnasium import spaces

    np = sys.modules["numpy"]
    kind = j["type"]
    if kind == "Box":
        shape = tuple(j["shape"])
        dtype = np.dtype(j.get("dtype", "float32"))
        low = np.array([-np.inf if v is None else v for v in j["low"]], dtype=np.float64).reshape(shape).astype(dtype)
        high = np.array([np.inf if v is None else v for v in j["high"]], dtype=np.float64).reshape(shape).astype(dtype)
        return spaces.Box(low, high, shape=shape, dtype=dtype)
    if kind == "Discrete":
        return spaces.Discrete(j["n"], start=j.get("start", 0), dtype=np.dtype(j.get("dtype", "int64")))
    if kind == "MultiDiscrete":
        shape = tuple(j.get("gymShape", [len(j["nvec"])]))
        nvec = np.array(j["nvec"], dtype=np.int64).reshape(shape)
        start = np.array(j.get("start", [0] * len(j["nvec"])), dtype=np.int64).reshape(shape)
        return spaces.MultiDiscrete(nvec, start=start, dtype=np.dtype(j.get("dtype", "int64")))
    if kind == "MultiBinary":
        shape = j.get("gymShape", [j["n"]])
        return spaces.MultiBinary(shape[0] if len(shape) == 1 else shape)
    if kind == "Dict":
        return spaces.Dict({k: space_from_json(v) for k, v in j["spaces"].items()})
    if kind == "Tuple":
        return spaces.Tuple([space_from_json(v) for v in j["spaces"]])
    raise ValueError(f"unknown space type {kind!r}")


class Flat:
    """rxrl's flat float32 encoding of one space's elements (Space.flattenInto / unflatten)."""

    def __init__(self, space) -> None:
        from gymnasium import spaces

        np = sys.modules["numpy"]
        self.space = space
        self.children: list = []
        if isinstance(space, spaces.Box):
            self.kind, self.dim = "Box", int(np.prod(space.shape))
        elif isinstance(space, spaces.Discrete):
            self.kind, self.dim = "Discrete", int(space.n)
            self.start, self.n = int(space.start), int(space.n)
        elif isinstance(space, spaces.MultiDiscrete):
            self.kind = "MultiDiscrete"
            self.nvec = space.nvec.reshape(-1).astype(np.int64)
            self.start = space.start.reshape(-1).astype(np.int64)
            self.offsets = np.concatenate([[0], np.cumsum(self.nvec)[:-1]]).astype(np.int64)
            self.dim = int(self.nvec.sum())
        elif isinstance(space, spaces.MultiBinary):
            self.kind, self.dim = "MultiBinary", int(np.prod(space.shape))
        elif isinstance(space, spaces.Dict):
            # rxrl sorts Dict keys; Gymnasium keeps an OrderedDict's order.
            self.kind = "Dict"
            self.keys = sorted(space.spaces.keys(), key=str)
            self.children = [Flat(space.spaces[k]) for k in self.keys]
            self.dim = sum(c.dim for c in self.children)
        elif isinstance(space, spaces.Tuple):
            self.kind = "Tuple"
            self.children = [Flat(s) for s in space.spaces]
            self.dim = sum(c.dim for c in self.children)
        else:
            space_to_json(space)  # raises the TypeError that names the space
            raise TypeError(space)

    def _parts(self, x):
        if self.kind == "Dict":
            return zip(self.children, (x[k] for k in self.keys))
        return zip(self.children, x)

    def write_batch(self, x, out) -> None:
        """Writes N batched elements (Gymnasium's batched form) into out[N, dim]."""
        np = sys.modules["numpy"]
        n = out.shape[0]
        if self.kind in ("Box", "MultiBinary"):
            out[...] = np.asarray(x).reshape(n, self.dim)
        elif self.kind == "Discrete":
            v = np.asarray(x).reshape(n).astype(np.int64) - self.start
            self._check_range(v, self.n)
            out[...] = 0
            out[np.arange(n), v] = 1
        elif self.kind == "MultiDiscrete":
            v = np.asarray(x).reshape(n, -1).astype(np.int64) - self.start
            self._check_range(v, self.nvec)
            out[...] = 0
            rows = np.repeat(np.arange(n), len(self.nvec))
            out[rows, (v + self.offsets).reshape(-1)] = 1
        else:
            at = 0
            for child, part in self._parts(x):
                child.write_batch(part, out[:, at : at + child.dim])
                at += child.dim

    def write_one(self, x, out) -> None:
        """Writes one element into out[dim]."""
        np = sys.modules["numpy"]
        if self.kind in ("Box", "MultiBinary"):
            out[...] = np.asarray(x).reshape(self.dim)
        elif self.kind in ("Discrete", "MultiDiscrete"):
            self.write_batch(np.asarray(x)[None, ...], out.reshape(1, self.dim))
        else:
            at = 0
            for child, part in self._parts(x):
                child.write_one(part, out[at : at + child.dim])
                at += child.dim

    def read_one(self, flat):
        """The element whose flat encoding is `flat` (a float32 vector of dim entries)."""
        np = sys.modules["numpy"]
        s = self.space
        if self.kind == "Box":
            return flat.reshape(s.shape).astype(s.dtype)
        if self.kind == "Discrete":
            return s.dtype.type(self.start + int(np.argmax(flat)))
        if self.kind == "MultiDiscrete":
            values = [self.start[i] + int(np.argmax(flat[o : o + k])) for i, (o, k) in enumerate(zip(self.offsets, self.nvec))]
            return np.array(values, dtype=s.dtype).reshape(s.shape)
        if self.kind == "MultiBinary":
            return (flat != 0).astype(np.int8).reshape(s.shape)
        at, parts = 0, []
        for child in self.children:
            parts.append(child.read_one(flat[at : at + child.dim]))
            at += child.dim
        if self.kind == "Dict":
            return dict(zip(self.keys, parts))
        return tuple(parts)

    @staticmethod
    def _check_range(v, n) -> None:
        # A value outside the space would silently set the wrong one-hot entry (negative indices wrap).
        if (v < 0).any() or (v >= n).any():
            raise ValueError(f"observation {v.tolist()} (minus start) is outside the space's range [0, {n})")


class BatchedActions:
    """Decodes rxrl's batched action arrays (vector envs) into Gymnasium's batched actions."""

    def __init__(self, space, num_envs: int) -> None:
        from gymnasium import spaces

        np = sys.modules["numpy"]
        self.space, self.n = space, num_envs
        if isinstance(space, spaces.Box):
            self.wire, self.shape, self.dtype = np.dtype("<f4"), (num_envs, *space.shape), space.dtype
        elif isinstance(space, spaces.Discrete):
            self.wire, self.shape, self.dtype = np.dtype("<i4"), (num_envs,), space.dtype
        elif isinstance(space, (spaces.MultiDiscrete, spaces.MultiBinary)):
            self.wire, self.shape, self.dtype = np.dtype("<i4"), (num_envs, *space.shape), space.dtype
        else:
            raise TypeError(f"vector envs need a Box, Discrete, MultiDiscrete or MultiBinary action space, got {space!r}")
        self.nbytes = int(np.prod(self.shape)) * 4

    def decode(self, payload: bytes):
        np = sys.modules["numpy"]
        if len(payload) != self.nbytes:
            raise ValueError(f"expected {self.nbytes} bytes of actions, got {len(payload)}")
        return np.frombuffer(payload, dtype=self.wire).reshape(self.shape).astype(self.dtype)


# ---------------------------------------------------------------------------------------------
# Infos


def _json_default(o):
    np = sys.modules["numpy"]
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, bytes):
        return o.decode("utf-8", "replace")
    return repr(o)


def _finite(o):
    """A copy of a JSON-ready value with NaN and ±inf replaced by None (as JSON.stringify does)."""
    if isinstance(o, float):
        return o if o == o and o not in (float("inf"), float("-inf")) else None
    if isinstance(o, dict):
        return {str(k): _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    return o


def to_json(obj) -> bytes:
    try:
        return json.dumps(obj, default=_json_default, allow_nan=False, separators=(",", ":")).encode()
    except ValueError:  # a NaN or an infinity somewhere
        plain = json.loads(json.dumps(obj, default=_json_default, allow_nan=True))
        return json.dumps(_finite(plain), allow_nan=False, separators=(",", ":")).encode()


# ---------------------------------------------------------------------------------------------
# Environments


def build_env(gym, env_id: str, kwargs: dict, max_episode_steps):
    """gymnasium.make(id, **kwargs), or for `module:Name` where Name is an attribute of module
    (an Env class or a factory), that attribute called with kwargs."""
    if ":" in env_id:
        import importlib

        module_name, _, name = env_id.partition(":")
        module = importlib.import_module(module_name)
        target = getattr(module, name, None) if name.isidentifier() else None
        if target is not None and callable(target):
            env = target(**kwargs)
            if not isinstance(env, gym.Env):
                raise TypeError(f"{env_id} returned {type(env).__name__}, not a gymnasium.Env")
            if max_episode_steps is not None:
                env = gym.wrappers.TimeLimit(env, max_episode_steps)
            return env
    extra = {} if max_episode_steps is None else {"max_episode_steps": max_episode_steps}
    return gym.make(env_id, **kwargs, **extra)


def _spec_json(env) -> dict:
    spec = getattr(env, "spec", None)
    if spec is None:
        return {}
    out = {"id": spec.id}
    if spec.max_episode_steps is not None:
        out["maxEpisodeSteps"] = int(spec.max_episode_steps)
    if spec.reward_threshold is not None:
        out["rewardThreshold"] = float(spec.reward_threshold)
    return out


class Server:
    def __init__(self, np, gym, request: dict) -> None:
        self.np, self.gym = np, gym
        env_id = request["id"]
        kwargs = request.get("kwargs") or {}
        mes = request.get("max_episode_steps")
        self.num_envs = request.get("num_envs")
        first = build_env(gym, env_id, kwargs, mes)
        self.single_obs_space, self.single_act_space = first.observation_space, first.action_space
        self.spec = _spec_json(first)
        self.flat = Flat(self.single_obs_space)
        if self.num_envs is None:
            self.env, self.vector = first, False
            n = 1
            self.act_flat = Flat(self.single_act_space)
        else:
            fns = [lambda e=first: e] + [lambda: build_env(gym, env_id, kwargs, mes) for _ in range(self.num_envs - 1)]
            self.env = gym.vector.SyncVectorEnv(fns, copy=False, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
            self.vector = True
            n = self.num_envs
            self.actions = BatchedActions(self.single_act_space, n)
        # One buffer holds the step answer's fixed part (observations, rewards, terminated,
        # truncated), so it goes out as one piece; the arrays are views into it.
        d = self.flat.dim
        self.out = np.zeros(4 * n * d + 8 * n + 2 * n, dtype=np.uint8)
        self.obs = self.out[: 4 * n * d].view("<f4").reshape(n, d)
        self.rewards = self.out[4 * n * d : 4 * n * d + 8 * n].view("<f8")
        self.terminated = self.out[4 * n * d + 8 * n : 4 * n * d + 9 * n]
        self.truncated = self.out[4 * n * d + 9 * n :]
        self.finals = np.zeros((n, d), dtype="<f4")

    def describe(self) -> dict:
        return {
            "protocol": PROTOCOL,
            "observation_space": space_to_json(self.single_obs_space),
            "action_space": space_to_json(self.single_act_space),
            "spec": self.spec,
            "versions": versions_light(),
            "pid": os.getpid(),
        }

    def reset(self, header: dict):
        seed, options = header.get("seed"), header.get("options")
        obs, info = self.env.reset(seed=seed, options=options)
        if self.vector:
            self.flat.write_batch(obs, self.obs)
        else:
            self.flat.write_one(obs, self.obs[0])
        return ({"i": info} if info else None), [self.obs]

    def step(self, payload: bytes):
        np = self.np
        if self.vector:
            obs, rew, term, trunc, infos = self.env.step(self.actions.decode(payload))
            self.flat.write_batch(obs, self.obs)
            self.rewards[:] = rew
            self.terminated[:] = term
            self.truncated[:] = trunc
            # SAME_STEP puts "final_obs" into the infos exactly when some copy finished.
            finals = infos.pop("final_obs", None)
            if finals is None:
                return ({"i": infos} if infos else None), (self.out,)
            infos.pop("_final_obs", None)
            if not infos.get("final_info", True):  # nothing in any final info: send no header for it
                del infos["final_info"]
                infos.pop("_final_info", None)
            done = np.flatnonzero(self.terminated | self.truncated)
            for k, i in enumerate(done):
                self.flat.write_one(finals[i], self.finals[k])
            return ({"i": infos} if infos else None), (self.out, self.finals[: len(done)])
        flat = np.frombuffer(payload, dtype="<f4")
        if flat.shape[0] != self.act_flat.dim:
            raise ValueError(f"expected {self.act_flat.dim} float32 action entries, got {flat.shape[0]}")
        obs, rew, term, trunc, info = self.env.step(self.act_flat.read_one(flat))
        self.flat.write_one(obs, self.obs[0])
        self.rewards[0], self.terminated[0], self.truncated[0] = rew, bool(term), bool(trunc)
        return ({"i": info} if info else None), (self.out,)

    def render(self):
        np = self.np
        frames = self.env.render()
        if frames is None:
            return {}, []
        many = frames if self.vector else [frames]
        if all(isinstance(f, str) for f in many):
            return {"text": list(many)}, []
        arrays = [np.ascontiguousarray(f) for f in many]
        meta = [{"shape": list(a.shape), "dtype": str(a.dtype), "nbytes": int(a.nbytes)} for a in arrays]
        return {"frames": meta}, arrays

    def close(self) -> None:
        self.env.close()


def versions_light() -> dict:
    gym = sys.modules["gymnasium"]
    np = sys.modules["numpy"]
    return {"python": sys.version.split()[0], "gymnasium": gym.__version__, "numpy": np.__version__}


# ---------------------------------------------------------------------------------------------
# Framing


class Channel:
    """Frames over two file descriptors. With `spin_s` > 0 (POSIX), read() polls the
    non-blocking input for that long before it sleeps in select()."""

    def __init__(self, fd_in: int, fd_out: int) -> None:
        self.fd_in, self.fd_out = fd_in, fd_out
        self.spin_s = 0.0
        self.buffer = bytearray()
        if _CAN_POLL:
            os.set_blocking(fd_in, False)
        else:
            self.inp = os.fdopen(fd_in, "rb", buffering=1 << 16)

    def read(self):
        """(header dict, payload bytes), or None at the end of input."""
        if not self._fill(8):
            return None
        body_len, header_len = _PREFIX.unpack_from(self.buffer)
        if not self._fill(8 + body_len):
            return None
        body = bytes(self.buffer[8 : 8 + body_len])
        del self.buffer[: 8 + body_len]
        header = json.loads(body[:header_len]) if header_len else {}
        return header, body[header_len:]

    def _fill(self, n: int) -> bool:
        """Reads until the buffer holds n bytes; False at the end of input."""
        while len(self.buffer) < n:
            chunk = self._read_some(n - len(self.buffer))
            if not chunk:
                return False
            self.buffer += chunk
        return True

    def _read_some(self, n: int) -> bytes:
        if not _CAN_POLL:
            return self.inp.read(n)
        deadline = time.perf_counter() + self.spin_s
        while True:
            try:
                return os.read(self.fd_in, max(n, 1 << 16))
            except BlockingIOError:
                if time.perf_counter() >= deadline:
                    select.select([self.fd_in], [], [])

    def write(self, header, arrays=()) -> None:
        head = b"" if header is None else to_json(header)
        views = [a.data if a.flags.c_contiguous and a.dtype.itemsize == 1 and a.ndim == 1 else memoryview(a).cast("B") for a in arrays]
        body_len = len(head) + sum(v.nbytes for v in views)
        chunks = [_PREFIX.pack(body_len, len(head)), head, *views]
        total = 8 + body_len
        written = os.writev(self.fd_out, chunks) if _HAS_WRITEV else 0
        if written < total:  # a partial write (or no writev, on Windows): send the rest
            rest = memoryview(b"".join(bytes(c) for c in chunks))[written:]
            while rest:
                rest = rest[os.write(self.fd_out, rest) :]


def error_header(e: BaseException) -> dict:
    return {
        "error": {
            "type": type(e).__name__,
            "module": type(e).__module__,
            "message": str(e),
            "traceback": "".join(traceback.format_exception(type(e), e, e.__traceback__)),
        }
    }


def serve() -> int:
    proto = _protect_stdout()
    _die_with_parent()
    channel = Channel(0, proto)
    try:
        np, gym = _import_deps()
    except SetupError as e:
        # The parent sends "make" first; answer it with the setup error and stop.
        channel.write({"error": {"type": "SetupError", "module": "rxrl", "message": str(e), "traceback": "", "versions": versions()}})
        return 3
    message = channel.read()
    if message is None:
        return 0
    header, _ = message
    if header.get("op") != "make":
        channel.write({"error": {"type": "ProtocolError", "module": "rxrl", "message": f"expected a make request first, got {header.get('op')!r}", "traceback": ""}})
        return 2
    if header.get("protocol") != PROTOCOL:
        channel.write({"error": {"type": "ProtocolError", "module": "rxrl", "message": f"rxrl speaks protocol {header.get('protocol')}, this server {PROTOCOL}: the server script and rxrl come from different versions", "traceback": ""}})
        return 2
    channel.spin_s = max(0.0, float(header.get("spin_us") or 0)) * 1e-6
    try:
        server = Server(np, gym, header)
        channel.write(server.describe())
    except BaseException as e:  # noqa: BLE001 - reported to the parent
        channel.write(error_header(e))
        return 1
    while True:
        message = channel.read()
        if message is None:
            server.close()
            return 0
        header, payload = message
        # The step request has no header (it is the hot path): no JSON to parse.
        op = header.get("op", "step")
        try:
            if op == "step":
                meta, arrays = server.step(payload)
            elif op == "reset":
                meta, arrays = server.reset(header)
            elif op == "render":
                meta, arrays = server.render()
            elif op == "close":
                server.close()
                channel.write({})
                return 0
            else:
                raise ValueError(f"unknown operation {op!r}")
        except Exception as e:  # noqa: BLE001 - reported to the parent, which decides
            channel.write(error_header(e))
            continue
        channel.write(meta, arrays)


def describe() -> int:
    """--describe: one make request on stdin (JSON), its answer on stdout (JSON)."""
    request = json.loads(sys.stdin.read())
    out = sys.stdout
    sys.stdout = sys.stderr
    try:
        np, gym = _import_deps()
    except SetupError as e:
        out.write(json.dumps({"error": {"type": "SetupError", "module": "rxrl", "message": str(e), "traceback": "", "versions": versions()}}))
        return 3
    try:
        server = Server(np, gym, {**request, "num_envs": None})
        answer = server.describe()
        server.close()
    except BaseException as e:  # noqa: BLE001 - reported to the parent
        answer = error_header(e)
    out.write(to_json(answer).decode())
    out.flush()
    return 0


def list_envs() -> int:
    """--list: every id in Gymnasium's registry with its entry point, time limit and threshold."""
    out = sys.stdout
    sys.stdout = sys.stderr
    try:
        _import_deps()
    except SetupError as e:
        out.write(json.dumps({"error": {"type": "SetupError", "module": "rxrl", "message": str(e), "traceback": "", "versions": versions()}}))
        return 3
    from gymnasium.envs.registration import registry

    def entry(spec) -> str:
        ep = spec.entry_point
        return ep if isinstance(ep, str) else f"{getattr(ep, '__module__', '?')}:{getattr(ep, '__qualname__', repr(ep))}"

    envs = [
        {"id": env_id, "entry_point": entry(spec), "max_episode_steps": spec.max_episode_steps, "reward_threshold": spec.reward_threshold}
        for env_id, spec in sorted(registry.items())
    ]
    out.write(to_json({"envs": envs}).decode())
    out.flush()
    return 0


def main(argv: list) -> int:
    if "--list" in argv:
        return list_envs()
    if "--probe" in argv:
        print(json.dumps(versions()))
        return 0
    if "--describe" in argv:
        return describe()
    return serve()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
