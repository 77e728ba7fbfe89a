"""N closed-loop environments in worker processes, one per slot, stepped together.

The design is gymnasium's AsyncVectorEnv: one pipe per worker; the parent sends a command to
every busy slot, then reads the replies, so the simulators step in parallel while the adapter
(in the parent) sees one batch per step. Unlike a gymnasium vector env, slots are not tied to
one another: each runs its own episode and takes a new one when it finishes
(`magma_bench.run.rollout.run_episodes_vector` drives them).

Workers start with `spawn`, never `fork`: a forked child would inherit the parent's GL contexts,
browser and simulator threads. Each builds its own environment from an `EnvFactory` (registry
name + the run's benchmark args), so no environment is ever pickled: only episodes, actions,
observations and error strings cross the pipes. A worker turns every exception of `reset` or
`step` into an error string (formatted as the in-process rollout formats it), so one episode's
failure never takes the pool down; a worker that dies (a simulator segfault) fails its episode
with the exit code and is replaced before its slot runs the next one.
"""

from __future__ import annotations

import multiprocessing as mp
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from magma_bench.errors import UserError

START_TIMEOUT_S = 600.0  # building a simulator (LIBERO, SimplerEnv) can take minutes on a busy machine


def error_text(e: BaseException) -> str:
    """An episode's error as records hold it (the in-process rollout formats it the same way)."""
    return f"{type(e).__name__}: {e}"[:500]


@dataclass(frozen=True)
class EnvFactory:
    """A picklable recipe for one environment: a registered benchmark name and its arguments,
    built in the worker with `make_benchmark`, exactly as the run's own instance was."""

    benchmark: str
    args: dict[str, Any] = field(default_factory=dict)

    def __call__(self) -> Any:
        from magma_bench.registry import make_benchmark

        return make_benchmark(self.benchmark, **self.args)


def _worker(conn: Connection, factory: Any) -> None:
    """Serve ("reset", episode) -> (observation, action_spec) and ("step", action) ->
    (observation, done, info) until ("close", None) or the parent goes away."""
    try:
        env = factory()
    except Exception as e:  # noqa: BLE001 - reported to the parent as one line
        conn.send(("fatal", error_text(e)))
        conn.close()
        return
    conn.send(("ok", None))
    try:
        while True:
            try:
                cmd, arg = conn.recv()
            except EOFError:  # the parent is gone
                break
            if cmd == "close":
                break
            try:
                if cmd == "reset":
                    obs = env.reset(arg)
                    reply: tuple[str, Any] = ("ok", (obs, getattr(env, "action_spec", None)))
                elif cmd == "step":
                    res = env.step(arg)
                    reply = ("ok", (res.observation, res.done, res.info))
                else:
                    reply = ("err", f"RuntimeError: unknown env worker command {cmd!r}")
            except Exception as e:  # noqa: BLE001 - the episode fails, the worker goes on
                reply = ("err", error_text(e))
            try:
                conn.send(reply)
            except Exception as e:  # noqa: BLE001 - pickling fails before anything is written
                conn.send(("err", f"observation cannot be sent to the parent process: {error_text(e)}"))
    finally:
        try:
            env.close()
        finally:
            conn.close()


class EnvPool:
    """`n` environments, slot i served by worker process i. Use as a context manager.

    `submit(slot, cmd, arg)` then `result(slot)` -> (payload, None) or (None, error string);
    submit to every slot first, then read, so the environments work at the same time."""

    def __init__(self, factory: Any, n: int) -> None:
        if n < 1:
            raise UserError(f"number of environments must be >= 1, got {n}")
        self.factory, self.n = factory, n
        self._ctx = mp.get_context("spawn")
        self._procs: list[Any] = [None] * n
        self._conns: list[Connection | None] = [None] * n
        self._failed: list[str | None] = [None] * n  # a submit that could not reach its worker
        try:
            for i in range(n):  # start them all, then wait: workers build their envs in parallel
                self._start(i)
            for i in range(n):
                self._wait_ready(i)
        except BaseException:
            self.close()
            raise

    def _start(self, i: int) -> None:
        parent, child = self._ctx.Pipe()
        p = self._ctx.Process(target=_worker, args=(child, self.factory), name=f"magma-bench-env-{i}",
                              daemon=True)
        try:
            p.start()
        except Exception as e:  # the factory could not be pickled for spawn
            parent.close()
            raise UserError(f"cannot start environment workers for {self._what()}: {error_text(e)}") from None
        finally:
            child.close()
        self._procs[i], self._conns[i] = p, parent

    def _wait_ready(self, i: int) -> None:
        conn = self._conns[i]
        assert conn is not None
        if not conn.poll(START_TIMEOUT_S):
            raise UserError(f"environment worker {i} for {self._what()} did not start in {START_TIMEOUT_S:.0f}s")
        try:
            status, msg = conn.recv()
        except EOFError:
            self._procs[i].join(5)
            raise UserError(f"environment worker {i} for {self._what()} died while starting "
                            f"(exit code {self._procs[i].exitcode})") from None
        if status != "ok":
            raise UserError(f"environment worker {i} could not build {self._what()}: {msg}")

    def _what(self) -> str:
        return getattr(self.factory, "benchmark", None) or repr(self.factory)

    def _restart(self, i: int) -> None:
        self._stop(i)
        self._start(i)
        self._wait_ready(i)

    def alive(self, i: int) -> bool:
        return self._procs[i] is not None and self._procs[i].is_alive()

    def submit(self, slot: int, cmd: str, arg: Any) -> None:
        """Send one command; a dead worker is replaced first (its last episode has already failed)."""
        if not self.alive(slot):
            self._restart(slot)
        self._failed[slot] = None
        try:
            self._conns[slot].send((cmd, arg))  # type: ignore[union-attr]
        except Exception as e:  # noqa: BLE001 - an unpicklable action or a broken pipe fails this episode
            self._failed[slot] = f"cannot send {cmd} to environment worker {slot}: {error_text(e)}"

    def result(self, slot: int) -> tuple[Any, str | None]:
        """The reply to the last `submit` on `slot`: (payload, None) or (None, error)."""
        if self._failed[slot] is not None:
            return None, self._failed[slot]
        try:
            status, payload = self._conns[slot].recv()  # type: ignore[union-attr]
        except (EOFError, OSError):
            p = self._procs[slot]
            p.join(5)
            return None, f"EnvWorkerDied: environment worker {slot} exited (exit code {p.exitcode})"
        return (payload, None) if status == "ok" else (None, payload)

    def _ask_close(self, i: int) -> None:
        if self._conns[i] is not None:
            try:
                self._conns[i].send(("close", None))  # type: ignore[union-attr]
            except Exception:  # noqa: BLE001, S110 - the worker may already be gone
                pass

    def _reap(self, i: int) -> None:
        p, conn = self._procs[i], self._conns[i]
        if p is not None:
            p.join(30)
            if p.is_alive():
                p.terminate()
                p.join(5)
        if conn is not None:
            conn.close()
        self._procs[i], self._conns[i] = None, None

    def _stop(self, i: int) -> None:
        self._ask_close(i)
        self._reap(i)

    def close(self) -> None:
        """Ask every worker to close its environment (all at once), then wait for them; terminate
        those that do not exit."""
        for i in range(self.n):
            self._ask_close(i)
        for i in range(self.n):
            self._reap(i)

    def __enter__(self) -> EnvPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
