"""Student code in a separate process; the checks call it through a pipe.

The out-of-kernel grader runs the submission's answer cells in a child process and hands
the checks a ``StudentFunction`` that forwards each call there. The student's code never
shares a process with the checks or the reference, so it cannot tamper with them; a crash,
a hang or megabytes of output cost that call, never the grader.

Arguments are pickled to the child and the results back. Arrays (also the arrays of a dict
argument) and random generators that the student's function changed in place are copied back
into the caller's objects, so an in-place update behaves as it would in one process. Torch
tensors travel through torch's shared memory, so their in-place changes are seen as they
happen; a torch module argument gets back the state the call left it in (values, tensors that
autograd tracked, tensors that became another argument's: aliasing). A result that autograd
tracks comes back with its gradients: its backward reaches the caller's arguments.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import traceback

import numpy as np

MEMORY_LIMIT = 8 * 2**30


class StudentCodeError(Exception):
    """The student's code raised, hung or crashed; the message says which, for the student."""


def strip_magics(source: str) -> str:
    """Drop IPython-only lines (``%magic``, ``!shell``) so a cell runs as plain Python."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))


def _describe(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = next((f for f in reversed(frames) if f.filename.startswith("<cell")), None)
    place = f" ({where.filename[1:-1]}, line {where.lineno}: {where.line})" if where else ""
    return f"{type(error).__name__}: {error}{place}"


def _is_module(value) -> bool:
    return hasattr(value, "state_dict") and hasattr(value, "load_state_dict") and hasattr(value, "get_parameter")


def _module_states(args: tuple) -> dict:
    """Each torch module argument's state (detached tensors) as the call left it, with the tensors
    that autograd tracked and those sharing memory with another argument's (aliasing)."""
    tensors = {i: arg.state_dict(keep_vars=True) for i, arg in enumerate(args) if _is_module(arg)}
    owners = {}
    for i, state in tensors.items():
        for name, tensor in state.items():
            if tensor.untyped_storage().data_ptr():
                owners.setdefault(tensor.untyped_storage().data_ptr(), []).append((i, name))
    states = {}
    for i, state in tensors.items():
        aliases = {}
        for name, tensor in state.items():
            others = [o for o in owners.get(tensor.untyped_storage().data_ptr(), []) if o[0] != i]
            if others:
                aliases[name] = others[0]
        tracked = [name for name, t in state.items() if t.grad_fn is not None]
        states[i] = ("module", {name: t.detach() for name, t in state.items()}, tracked, aliases)
    return states


def _restore_module(original, args: tuple, state: dict, tracked: list, aliases: dict) -> None:
    """Give ``original`` the state the student's call left in the child: values, tracked tensors, aliases."""
    try:
        original.load_state_dict(state, strict=False)
    except Exception:  # noqa: BLE001 - a module the student reshaped keeps its old values
        return
    for name in tracked:
        tensor = original.state_dict(keep_vars=True).get(name)
        if tensor is not None and tensor.is_floating_point():
            tensor.requires_grad_(True)
    for name, (j, other) in aliases.items():
        source = args[j].state_dict(keep_vars=True).get(other)
        target = original.state_dict(keep_vars=True).get(name)
        if source is not None and target is not None and source.shape == target.shape:
            target.data = source.data


def _changed_arguments(args: tuple) -> dict:
    updates = _module_states(args)
    for i, arg in enumerate(args):
        if isinstance(arg, np.ndarray):
            updates[i] = arg
        elif isinstance(arg, dict) and any(isinstance(v, np.ndarray) for v in arg.values()):
            updates[i] = {k: v for k, v in arg.items() if isinstance(v, np.ndarray)}
        elif isinstance(arg, np.random.Generator):
            updates[i] = arg.bit_generator.state
    return updates


def _portable(result, args: tuple) -> tuple:
    """A result that autograd tracks cannot be pickled: send its value and its Jacobian with respect
    to each argument that requires grad, from which the caller rebuilds it (see ``_rebuild``)."""
    if not (getattr(result, "requires_grad", False) and hasattr(result, "detach")):
        return ("value", result)
    import torch

    inputs = {i: a for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.requires_grad}
    flat = result.reshape(-1)
    jacobians = {i: torch.zeros(flat.numel(), *a.shape, dtype=a.dtype, device=a.device) for i, a in inputs.items()}
    for k in range(flat.numel() if inputs else 0):
        grads = torch.autograd.grad(flat[k], list(inputs.values()), retain_graph=True, allow_unused=True)
        for i, grad in zip(inputs, grads):
            if grad is not None:
                jacobians[i][k] = grad
    shape = tuple(result.shape)
    return ("tracked", (result.detach(), {i: j.reshape(*shape, *args[i].shape) for i, j in jacobians.items()}))


def _rebuild(args: tuple, value, jacobians: dict):
    """The child's tracked result, as a tensor whose backward gives each argument its gradient."""
    import torch

    if not jacobians:
        return value.clone().requires_grad_(value.is_floating_point())
    inputs = [args[i] for i in jacobians]

    class Tracked(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *tensors):
            return value.clone()

        @staticmethod
        def backward(ctx, grad):
            return tuple(torch.tensordot(grad, j, dims=grad.dim()) for j in jacobians.values())

    return Tracked.apply(*inputs)


def _serve(conn, cells: list[str]) -> None:
    """The child: run the cells, then answer calls until the pipe closes."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.environ["MPLBACKEND"] = "Agg"
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > MEMORY_LIMIT:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, hard))
    namespace = {"__name__": "__main__", "display": lambda *args, **kwargs: None}
    cell_errors = []
    for index, source in enumerate(cells):
        try:
            exec(compile(strip_magics(source), f"<cell {index + 1}>", "exec"), namespace)
        except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
            cell_errors.append(_describe(error))
    conn.send(("ready", cell_errors, sorted(k for k, v in namespace.items() if callable(v))))
    while True:
        try:
            name, args, kwargs = conn.recv()
        except EOFError:
            return
        try:
            result = namespace[name](*args, **kwargs)
        except BaseException as error:  # noqa: BLE001
            conn.send(("error", _describe(error), {}))
            continue
        same = next((i for i, arg in enumerate(args) if result is arg), None)
        try:
            conn.send(("ok", ("argument", same) if same is not None else _portable(result, args), _changed_arguments(args)))
        except Exception as error:
            conn.send(("error", f"a result that could not be sent back to the grader ({error})", {}))


def _copy_back(original: np.ndarray, new: np.ndarray) -> None:
    if original.shape == new.shape and original.flags.writeable:
        np.copyto(original, new, casting="unsafe")


class Sandbox:
    """A child process holding the student's namespace."""

    def __init__(self, cells: list[str], call_timeout: float = 20.0, start_timeout: float = 300.0, max_restarts: int = 10):
        self.cells = cells
        self.call_timeout, self.start_timeout = call_timeout, start_timeout
        self.restarts_left = max_restarts
        self.process = None
        self.conn = None
        self.hung: set[str] = set()  # functions that timed out once: later calls get 1 s
        self.cell_errors: list[str] = []
        self.names: list[str] = []

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_end, self.cells), daemon=True)
        self.process.start()
        child_end.close()
        if not self.conn.poll(self.start_timeout):
            self.stop()
            raise StudentCodeError(f"your notebook's cells did not finish within {self.start_timeout:g} s")
        try:
            _, self.cell_errors, self.names = self.conn.recv()
        except EOFError:
            code = self.process.exitcode
            self.stop()
            raise StudentCodeError(f"your notebook's cells crashed the Python process (exit code {code})") from None

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def function(self, name: str) -> "StudentFunction":
        return StudentFunction(self, name)

    def call(self, name: str, args: tuple, kwargs: dict):
        if self.process is None:
            if self.restarts_left <= 0:
                raise StudentCodeError("your code crashed or hung too often; the remaining checks were skipped")
            self.restarts_left -= 1
            self.start()
        self.conn.send((name, args, kwargs))
        allowed = 1.0 if name in self.hung else self.call_timeout
        if not self.conn.poll(allowed):
            self.stop()
            self.hung.add(name)
            raise StudentCodeError(f"{name} did not return within {allowed:g} s (an endless loop?)")
        try:
            status, payload, updates = self.conn.recv()
        except EOFError:
            self.process.join(5)
            code = self.process.exitcode
            self.stop()
            reason = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            raise StudentCodeError(f"{name} crashed the Python process running it ({reason})") from None
        if status == "error":
            raise StudentCodeError(f"{name} raised {payload}")
        for index, new in updates.items():
            original = args[index]
            if isinstance(original, np.ndarray):
                _copy_back(original, new)
            elif isinstance(original, dict):
                for key, array in new.items():
                    if isinstance(original.get(key), np.ndarray):
                        _copy_back(original[key], array)
            elif isinstance(original, np.random.Generator):
                original.bit_generator.state = new
            elif _is_module(original) and isinstance(new, tuple) and new[0] == "module":
                _restore_module(original, args, *new[1:])
        kind, value = payload
        if kind == "tracked":
            return _rebuild(args, *value)
        return args[value] if kind == "argument" else value


class StudentFunction:
    """Calls the student's function of this name in the sandbox."""

    def __init__(self, sandbox: Sandbox, name: str):
        self.sandbox, self.__name__ = sandbox, name

    def __call__(self, *args, **kwargs):
        return self.sandbox.call(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<student's {self.__name__} (in a sandbox)>"


def with_time_limit(function, seconds: float, after_a_hang: float = 1.0):
    """In-kernel guard: raise StudentCodeError if one call runs longer than ``seconds``.
    Once a call has hung, later calls get only ``after_a_hang`` seconds, so a function that
    always hangs costs little time while one that hangs on some inputs passes the others.

    Uses SIGALRM, so it only works in the main thread (where a kernel runs cells).
    """
    name = getattr(function, "__name__", "function")
    limit = [seconds]

    def guarded(*args, **kwargs):
        allowed = limit[0]

        def on_alarm(signum, frame):
            limit[0] = min(limit[0], after_a_hang)
            raise StudentCodeError(f"{name} did not return within {allowed:g} s (an endless loop?)")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, allowed)
        try:
            return function(*args, **kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    guarded.__name__ = name
    return guarded
