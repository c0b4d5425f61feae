"""The student's process: runs the notebook's cells and answers the grader's calls.

    python -m autograde.sandbox.worker CONFIG_JSON

Started by ``autograde.sandbox.process`` (under bubblewrap where it is installed). It talks to the
grader on the stdin/stdout it was started with, then points its own stdin, stdout and stderr
at /dev/null so the student's prints go nowhere. The grader's messages are pickles (the
grader is trusted); what goes back is plain data (``autograde.sandbox.codec``), never a pickle.

Before any student code runs it drops privileges (a uid of its own when started as root),
sets its resource limits, imports what the calls will need (so no call pays an import),
and replaces qlab's reference answers of the graded rules with stubs that say they are off
limits.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import linecache
import os
import pickle
import resource
import signal
import sys
import time
import traceback

import numpy as np

from autograde.sandbox import codec, transport

CHANNEL = {}
OFF_LIMITS = ("graded answers must be your own code: {path} is the course's reference and is not "
              "available while grading")


def send(message: dict, limit: int = codec.RESULT_LIMIT, refs=None) -> None:
    transport.write_message(CHANNEL["out"], codec.encode(message, refs=refs, limit=limit))


def receive():
    return pickle.loads(transport.read_message(CHANNEL["in"]))


def describe(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = next((f for f in reversed(frames) if f.filename.startswith("<cell")), None)
    place = f" ({where.filename[1:-1]}, line {where.lineno}: {where.line})" if where else ""
    if isinstance(error, SyntaxError) and error.filename and error.filename.startswith("<cell"):
        place = f" ({error.filename[1:-1]}, line {error.lineno}: {(error.text or '').strip()})"
        return f"SyntaxError: {error.msg}{place}"
    return f"{type(error).__name__}: {error}{place}"


def strip_magics(source: str) -> str:
    """Drop IPython-only lines (``%magic``, ``!shell``) so a cell runs as plain Python."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))


def confine(config: dict) -> None:
    """Own uid (so the process limit counts this sandbox only), then the resource limits."""
    uid = config.get("uid")
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    # CUDA reserves far more address space than it uses: there, limit the writable memory instead
    memory = resource.RLIMIT_DATA if os.path.exists("/dev/nvidiactl") else resource.RLIMIT_AS
    limits = {memory: config.get("memory"), resource.RLIMIT_CPU: config.get("cpu"),
              resource.RLIMIT_FSIZE: config.get("file_size"), resource.RLIMIT_CORE: 0}
    if uid is not None:
        limits[resource.RLIMIT_NPROC] = config.get("processes")
    for kind, value in limits.items():
        if value is not None:
            _, hard = resource.getrlimit(kind)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(kind, (value, value))


def stub_references(paths: list[str]) -> None:
    """Replace each reference function, wherever qlab's loaded modules hold it, by a stub."""
    originals = {}
    for path in paths:
        module_name, _, attribute = path.rpartition(".")
        try:
            originals[id(getattr(importlib.import_module(module_name), attribute))] = path
        except (ImportError, AttributeError):
            continue
    stubs = {}
    for ident, path in originals.items():
        def stub(*args, _path=path, **kwargs):
            raise PermissionError(OFF_LIMITS.format(path=_path))
        stub.__name__ = path.rpartition(".")[2]
        stub.__qlab_reference__ = path
        stubs[ident] = stub
    for name, module in list(sys.modules.items()):
        if name == "qlab" or name.startswith("qlab."):
            for attribute, value in list(vars(module).items()):
                if id(value) in stubs:
                    setattr(module, attribute, stubs[id(value)])


def qlab_origin(function) -> str | None:
    """The qlab path of ``function`` if it is a reference stub or one of qlab's own functions."""
    path = getattr(function, "__qlab_reference__", None)
    if path:
        return path
    module = getattr(function, "__module__", None) or ""
    if module == "qlab" or module.startswith("qlab."):
        return f"{module}.{getattr(function, '__qualname__', '?')}"
    return None


class Callback:
    """Stands in for a function the grader passed (e.g. the reference backup): calling it
    asks the grader to run it. Valid only during the call it was passed to."""

    active = None

    def __init__(self, index: int, call: int):
        self.index, self.call = index, call

    def __call__(self, *args, **kwargs):
        if Callback.active != self.call:
            raise RuntimeError("a function the grader passed to your code can only be called during that call")
        send({"kind": "callback", "index": self.index, "args": args, "kwargs": kwargs})
        status, value = receive()
        if status != "ok":
            raise RuntimeError(value)
        return value

    def __getattr__(self, name: str):
        raise AttributeError(f"a function the grader passed to your code can only be called; "
                             f"it has no attribute {name!r}")


class Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, call: int):
        super().__init__(io.BytesIO(data))
        self.call = call

    def persistent_load(self, pid):
        return Callback(int(pid), self.call)


class ResultEncoder(codec.Encoder):
    """Adds to each returned tensor that carries a gradient its Jacobian with respect to the
    caller's differentiable inputs (small ones only), so gradients flow on the grader's side."""

    JACOBIAN_LIMIT = 4_000_000

    def __init__(self, refs, limit, inputs):
        super().__init__(refs, limit)
        self.inputs = inputs

    def tensor(self, value) -> dict:
        body = super().tensor(value)
        if value.grad_fn is not None and self.inputs and value.is_floating_point():
            body["jac"] = self.jacobian(value)
        return body

    def jacobian(self, value):
        import torch

        size = sum(x.numel() for x in self.inputs)
        if value.numel() > 1024 or value.numel() * size > self.JACOBIAN_LIMIT:
            return None
        rows = [[None] * value.numel() for _ in self.inputs]
        flat = value.reshape(-1)
        for i in range(value.numel()):
            grads = torch.autograd.grad(flat[i], self.inputs, retain_graph=True, allow_unused=True)
            for j, grad in enumerate(grads):
                rows[j][i] = grad
        out = []
        for j, (x, column) in enumerate(zip(self.inputs, rows)):
            if all(g is None for g in column):
                continue
            matrix = torch.stack([torch.zeros_like(x) if g is None else g for g in column]).reshape(value.numel(), -1)
            out.append([j, self._buffer(matrix.detach().to("cpu", torch.float64).numpy().tobytes())])
        return out or None


def fingerprint(leaf, given: dict):
    """Something that changes when the argument's state changes (``given``: its tensors when
    the call began, see ``transport.state_of``)."""
    if isinstance(leaf, np.ndarray):
        return leaf.shape, leaf.dtype.str, hashlib.blake2b(leaf.tobytes(), digest_size=16).digest()
    if isinstance(leaf, np.random.Generator):
        return repr(leaf.bit_generator.state)
    try:
        return hashlib.blake2b(codec.encode(transport.state_of(leaf, given), limit=1 << 62), digest_size=16).digest()
    except Exception:  # noqa: BLE001 - a state that cannot be sent: never "unchanged"; sending it says why
        return object()


def call(namespace: dict, name: str, payload: bytes, number: int, limit: int,
         times: int | None = None, seconds: float = 0.0) -> None:
    """Call ``name`` once (``times`` None: the reply's "value" is its result), or up to ``times``
    times with the same argument objects, starting no new call after ``seconds`` (the reply's
    "values" are the results in order, each read when its call returned, and "error" what the
    call after them raised, if one did)."""
    args, kwargs = Unpickler(payload, number).load()
    leaves, containers = transport.mutable_arguments(args, kwargs), transport.containers(args, kwargs)
    given = [transport.tensors(leaf) for leaf in leaves]
    before = [fingerprint(leaf, tensors) for leaf, tensors in zip(leaves, given)]
    entries = [transport.entries(container) for container in containers]
    refs = {id(value): index for index, value in enumerate(leaves + containers)}
    encoder = ResultEncoder(refs, limit, transport.gradient_inputs(leaves))
    values, failure, started = [], None, time.monotonic()
    for _ in range(times or 1):
        Callback.active = number
        try:
            result = namespace[name](*args, **kwargs)
        except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
            failure = f"{name} raised {describe(error)}"
        Callback.active = None
        if os.getpid() != CHANNEL["pid"]:  # a process the student's function forked
            os._exit(0)
        if failure is None:
            try:
                values.append(encoder.encode(result))
            except codec.CodecError as error:
                failure = f"{name} {error}"
            except Exception as error:  # noqa: BLE001 - e.g. a Jacobian that could not be computed
                failure = f"{name}'s result could not be read ({describe(error)})"
        if failure is not None or time.monotonic() - started > seconds:
            break
    if failure is not None and times is None:
        send({"kind": "error", "message": failure})
        return
    updates = {}
    shared = transport.shared_memory(leaves)
    for index, leaf in enumerate(leaves):
        if fingerprint(leaf, given[index]) != before[index] or index in shared:
            updates[index] = transport.state_of(leaf, given[index])
            if index in shared:
                updates[index]["aliases"] = shared[index]
    rebound = [[index, dict(container) if isinstance(container, dict) else list(container)]
               for index, container in enumerate(containers)
               if transport.entries(container) != entries[index]]
    fields = [["value", values[0]]] if times is None else [["values", {"L": values}], ["error", failure]]
    try:
        contents = encoder.encode(rebound)  # entries that are the call's own arguments go as references
        encoder.refs = {}  # the states sent back are copies, never references
        changed = encoder.encode([[index, state] for index, state in updates.items()])
    except codec.CodecError as error:
        send({"kind": "error", "message": f"{name} {error}"})
        return
    transport.write_message(CHANNEL["out"], codec.pack({"D": [["kind", "ok"], *fields, ["updates", changed],
                                                              ["containers", contents]]}, encoder))


def inspect(namespace: dict, names: list[str]) -> dict:
    info = {"": sorted(k for k, v in namespace.items() if callable(v))}
    for name in names:
        value = namespace.get(name)
        info[name] = {"defined": name in namespace, "callable": callable(value),
                      "type": type(value).__name__, "qlab": qlab_origin(value) if callable(value) else None}
    return info


def reap(contained: bool) -> None:
    """End the processes the student's code left behind (a fork bomb), where this process has
    a process namespace of its own, and collect those that ended (they count towards the
    process limit until then)."""
    for _ in range(1000 if contained else 0):  # until none is left: some fork while they are killed
        try:
            os.kill(-1, signal.SIGKILL)  # every process of this sandbox but itself and its init
        except ProcessLookupError:
            break
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def serve(config: dict) -> None:
    namespace = {"__name__": "__main__", "display": lambda *args, **kwargs: None}
    number = 0
    while True:
        if os.getpid() != CHANNEL["pid"]:  # a process the student's code forked: it never answers
            os._exit(0)
        reap(config.get("contained", False))
        try:
            message = receive()
        except transport.ChannelClosed:
            return
        kind = message[0]
        if kind == "cell":
            _, index, source = message
            error = None
            try:
                code = strip_magics(source)
                name = f"<cell {index + 1}>"
                linecache.cache[name] = (len(code), None, code.splitlines(keepends=True), name)  # for the error's line
                exec(compile(code, name, "exec"), namespace)
            except BaseException as caught:  # noqa: BLE001
                error = describe(caught)
            if os.getpid() != CHANNEL["pid"]:
                os._exit(0)
            send({"kind": "cell", "error": error})
        elif kind == "inspect":
            send({"kind": "inspect", "info": inspect(namespace, message[1])})
        elif kind in ("call", "repeat"):
            number += 1
            times, seconds = message[3:5] if kind == "repeat" else (None, 0.0)
            call(namespace, message[1], message[2], number, config.get("result_limit", codec.RESULT_LIMIT),
                 times, seconds)


def main() -> None:
    config = json.loads(sys.argv[1])
    CHANNEL["in"], CHANNEL["out"], CHANNEL["pid"] = os.dup(0), os.dup(1), os.getpid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.environ["MPLBACKEND"] = "Agg"
    confine(config)
    for module in ["numpy", *config.get("warm", [])]:
        try:
            importlib.import_module(module)
        except BaseException:  # noqa: BLE001 - a missing library, or one that exits on import: the cells' problem
            pass
    stub_references(config.get("references", []))
    send({"kind": "ready"})
    serve(config)


if __name__ == "__main__":
    main()
