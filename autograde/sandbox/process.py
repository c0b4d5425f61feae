"""Student code in a separate, confined process; the checks call it through a pipe.

The out-of-kernel grader runs the submission's cells in a child process
(``autograde.sandbox.worker``, under bubblewrap where it works: see ``autograde.sandbox.isolation``)
and hands the checks a ``StudentFunction`` that forwards each call there. The student's code
never shares a process with the checks or the reference, and what comes back is plain data
decoded without running code (``autograde.sandbox.codec``).

Arguments go to the child as pickles; functions the checks pass (a reference backup, a
stand-in) stay here and are called back. Arrays, generators, tensors, modules and optimizers
the student's function changed in place are written back into the caller's objects (for a
module, all a check can inspect: see ``autograde.sandbox.transport``), so are the entries it rebound
in the caller's lists and dicts, and a returned tensor keeps its gradient with respect to the
caller's tensors and modules.

The cells run in a fresh folder holding a copy of the data files beside the notebook
(``folder_files``), so a cell that reads one works as it does in the student's kernel.

Time: each cell and each call has a fixed limit, timed after the child has started and
imported what it needs. A cell that hangs or kills the process is left out and the child
restarted with the other cells; a function that hung or crashed the process ``max_failures``
times, or used up ``rule_budget`` seconds, gets its remaining calls refused at once.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
import warnings
from pathlib import Path

from autograde.sandbox import cgroup, codec, isolation, transport
from autograde.registry import REPO

MEMORY_LIMIT = 8 * 2**30
FOLDER_LIMIT, FOLDER_FILES = 64 * 2**20, 200  # what of the notebook's folder its cells see: bytes, files
CALLBACK_ALLOWANCE = 10  # the checks' functions a call uses may add this many call limits to it


class StudentCodeError(Exception):
    """The student's code raised, hung or crashed; the message says which, for the student."""


class IsolationWarning(UserWarning):
    """The student's code runs without bubblewrap: it can read and write what the grader can."""


NOT_ISOLATED = ("bubblewrap (bwrap) is not available here: the student's code ran WITHOUT isolation "
                "(it could read the hidden checks and other files); install Debian's 'bubblewrap' package")


class _Lost(Exception):
    """The child hung, died or broke the protocol; the message says which."""


class _ArgumentPickler(pickle.Pickler):
    """Pickles a call's arguments; functions the child cannot or must not import (the
    checks' own, qlab's references) become callbacks that run here."""

    def __init__(self, file, callbacks: list, hidden: set[int]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.callbacks, self.hidden = callbacks, hidden

    def persistent_id(self, obj):
        if type(obj) not in (types.FunctionType, types.MethodType, functools.partial):
            if callable(obj) and not isinstance(obj, type) and not self._is_module(obj) \
                    and not self._importable(type(obj)):
                self.callbacks.append(obj)  # e.g. a check's own callable object, such as a traced backup
                return str(len(self.callbacks) - 1)
            return None
        function = getattr(obj, "__func__", obj)
        module = sys.modules.get(getattr(function, "__module__", None) or "")
        file = getattr(module, "__file__", None)
        if (isinstance(obj, functools.partial) or id(function) in self.hidden or file is None
                or "<" in getattr(function, "__qualname__", "<") or not isolation.is_visible(file)):
            self.callbacks.append(obj)
            return str(len(self.callbacks) - 1)
        return None

    @staticmethod
    def _is_module(obj) -> bool:
        torch = sys.modules.get("torch")
        return torch is not None and isinstance(obj, torch.nn.Module)

    @staticmethod
    def _importable(cls: type) -> bool:
        """Whether the child can import ``cls`` (its module is visible inside the sandbox)."""
        file = getattr(sys.modules.get(cls.__module__), "__file__", None)
        return file is None or isolation.is_visible(file)


def imported_modules(cells: list[str]) -> list[str]:
    """The modules the cells import, to import before any cell or call is timed."""
    found = []
    for source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
    return list(dict.fromkeys(found))


def folder_files(folder: Path | None) -> list[str]:
    """The files of the notebook's ``folder`` its cells may read, as paths relative to it: regular
    files there and in its subfolders, no links, hidden files or notebooks (a folder of several
    students' notebooks must not show them to each other), at most ``FOLDER_FILES`` files and
    ``FOLDER_LIMIT`` bytes in all; none for the repository itself, a folder holding it, or its
    ``autograde/`` and ``solutions/`` (the checks, the catalogues and the answers)."""
    if folder is None:
        return []
    folder = folder.resolve()
    secret = [REPO / "autograde", REPO / "solutions"]
    if folder == REPO or folder in REPO.parents or any(folder == s or s in folder.parents for s in secret):
        return []
    found, total = [], 0
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            path = Path(root, name)
            if name.startswith(".") or name.endswith(".ipynb") or path.is_symlink() or not path.is_file():
                continue
            size = path.stat().st_size
            if len(found) == FOLDER_FILES or total + size > FOLDER_LIMIT:
                return found
            found.append(str(path.relative_to(folder)))
            total += size
    return found


def data_files(folder: Path | None) -> dict[str, bytes]:
    """The contents of the files ``folder_files`` chooses, by path relative to ``folder``."""
    return {path: (folder / path).read_bytes() for path in folder_files(folder)}


class Sandbox:
    """A child process holding the student's namespace; ``folder``: the notebook's, whose data
    files its cells see (see ``folder_files``)."""

    def __init__(self, cells: list[str], call_timeout: float = 10.0, cell_timeout: float = 60.0,
                 start_timeout: float = 120.0, max_failures: int = 3, rule_budget: float = 300.0,
                 max_restarts: int = 20, memory_limit: int = MEMORY_LIMIT, cpu_limit: int = 1800,
                 result_limit: int = codec.RESULT_LIMIT, references: tuple[str, ...] = (),
                 warm: tuple[str, ...] = (), isolate: bool | None = None, folder: Path | None = None):
        self.cells = list(cells)
        self.folder, self.files = folder, folder_files(folder)
        self.call_timeout, self.cell_timeout, self.start_timeout = call_timeout, cell_timeout, start_timeout
        self.max_failures, self.rule_budget, self.restarts_left = max_failures, rule_budget, max_restarts
        self.result_limit, self.references = result_limit, tuple(references)
        if isolate is None:
            isolate = isolation.bwrap_works()
            if not isolate:
                warnings.warn(NOT_ISOLATED, IsolationWarning, stacklevel=2)
        elif isolate and not isolation.bwrap_works():
            raise RuntimeError("isolate=True but bubblewrap (bwrap) does not work here: " + NOT_ISOLATED)
        self.isolated = isolate
        self.config = {"memory": memory_limit, "cpu": cpu_limit, "file_size": 64 * 2**20, "processes": 256,
                       "result_limit": result_limit, "references": list(self.references),
                       "warm": ["qlab", *warm, *imported_modules(self.cells)]}
        self.warm_base = ["qlab", *warm]
        self.hidden = self._reference_ids()
        self.process = None
        self.group = None
        self.tmp = None
        self.bad_cells: dict[int, str] = {}
        self.raised: dict[int, str] = {}
        self.names: list[str] = []
        self.failures: dict[str, int] = {}
        self.spent: dict[str, float] = {}

    def _reference_ids(self) -> set[int]:
        import importlib

        ids = set()
        for path in self.references:
            module, _, attribute = path.rpartition(".")
            try:
                ids.add(id(getattr(importlib.import_module(module), attribute)))
            except (ImportError, AttributeError):
                pass
        return ids

    @property
    def cell_errors(self) -> list[str]:
        errors = {**self.raised, **self.bad_cells}
        return [errors[i] for i in sorted(errors)]

    # -- the child process ------------------------------------------------------------------

    def _spawn(self) -> None:
        argv = [isolation.worker_python(), "-m", "autograde.sandbox.worker"]
        if self.isolated:
            as_root = os.geteuid() == 0
            config = {**self.config, "uid": isolation.new_uid() if as_root else None,
                      "contained": True}
            with contextlib.ExitStack() as opened:
                files = [(opened.enter_context(open(self.folder / path, "rb")).fileno(), path) for path in self.files]
                command, cwd, env = isolation.bwrap_command(argv, as_root, files=files), None, isolation.environment()
                self._launch(command + [json.dumps(config)], cwd, env, [fd for fd, _ in files])
        else:
            self.tmp = tempfile.mkdtemp(prefix="qlab-student-")
            for path in self.files:
                os.makedirs(os.path.join(self.tmp, os.path.dirname(path)), exist_ok=True)
                shutil.copyfile(self.folder / path, os.path.join(self.tmp, path))
            config = {**self.config, "uid": None, "contained": False}
            self._launch(argv + [json.dumps(config)], self.tmp, isolation.environment(self.tmp), [])

    def _launch(self, command: list[str], cwd, env: dict, files: list[int]) -> None:
        """Start the child (``files``: descriptors bubblewrap copies from) and wait until it is ready."""
        self.group = cgroup.create("sandbox") if self.isolated else None
        with tempfile.TemporaryFile() as errors:  # bwrap's or Python's own complaints, before the worker silences them
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                                            cwd=cwd, env=env, start_new_session=True, pass_fds=files,
                                            preexec_fn=self.group.join if self.group else None)
            self.to_child, self.from_child = self.process.stdin.fileno(), self.process.stdout.fileno()
            try:
                self._receive(time.monotonic() + self.start_timeout, "ready")
            except _Lost as lost:
                errors.seek(0)
                raise _Lost(f"{lost}: {errors.read()[-600:].decode(errors='replace').strip()}") from None

    def _kill(self) -> str:
        """Stop the child; say how it ended if it ended by itself."""
        if self.process is None:
            return ""
        code = self.process.poll()
        if code is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.process = None
        if self.group:
            self.group.remove()
            self.group = None
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        if code is None:
            return ""
        if code < 0 or (self.isolated and code > 128):  # bwrap reports a signal as 128 + its number
            return f"signal {-code if code < 0 else code - 128}"
        return f"exit code {code}"

    def _send(self, message, deadline: float) -> None:
        try:
            transport.write_message(self.to_child, pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL), deadline)
        except (transport.ChannelTimeout, transport.ChannelClosed):
            raise _Lost("stopped reading") from None

    def _receive(self, deadline: float, kind: str, refs=None, inputs=None, callbacks=()):
        """The child's next message of ``kind``, answering its callbacks meanwhile; the time
        they take here is added to the deadline, up to ``CALLBACK_ALLOWANCE`` call limits."""
        allowance = CALLBACK_ALLOWANCE * self.call_timeout
        while True:
            try:
                data = transport.read_message(self.from_child, deadline, self.result_limit + 2**20)
                message = codec.decode(data, refs, inputs)
            except transport.ChannelTimeout:
                raise _Lost("timeout") from None
            except transport.ChannelClosed:
                if self.process is not None:
                    try:
                        self.process.wait(5)
                    except subprocess.TimeoutExpired:
                        pass
                raise _Lost(f"crashed the Python process running it ({self._kill() or 'killed'})") from None
            except transport.ChannelOverflow as overflow:
                raise _Lost(f"sent back {overflow.args[0] / 2**20:.0f} MB; the grader accepts at most "
                            f"{self.result_limit / 2**20:g} MB per call") from None
            except codec.CodecError as error:
                raise _Lost(f"sent the grader {error}") from None
            if not isinstance(message, dict) or message.get("kind") not in ("ready", "cell", "inspect", "ok",
                                                                               "error", "callback"):
                raise _Lost("sent the grader a malformed message")
            if message["kind"] != "callback":
                if message["kind"] == kind or (kind == "ok" and message["kind"] == "error"):
                    return message
                raise _Lost("sent the grader a message out of turn")
            took = min(self._callback(message, callbacks, deadline), allowance)
            deadline, allowance = deadline + took, allowance - took

    def _callback(self, message: dict, callbacks, deadline: float) -> float:
        """Run a function the checks passed, for the child; returns the seconds it took. It runs
        on arguments the student chose, so it gets one call limit (by SIGALRM: in the main
        thread, unless an alarm of someone else's is already set)."""
        started = time.monotonic()
        index, args, kwargs = message.get("index"), message.get("args"), message.get("kwargs")
        if type(index) is not int or not 0 <= index < len(callbacks) or not isinstance(args, tuple) \
                or not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
            raise _Lost("sent the grader a malformed callback")

        def out_of_time(signum, frame):
            raise TimeoutError(f"a function the grader passed to your code ran longer than {self.call_timeout:g} s "
                               "on the arguments your code gave it")

        timed = threading.current_thread() is threading.main_thread() and not signal.getitimer(signal.ITIMER_REAL)[0]
        try:
            if timed:
                previous = signal.signal(signal.SIGALRM, out_of_time)
                signal.setitimer(signal.ITIMER_REAL, self.call_timeout)
            try:
                reply = ("ok", callbacks[index](*args, **kwargs))
            finally:
                if timed:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, previous)
        except Exception as error:  # noqa: BLE001 - the student passed it bad arguments
            reply = ("error", f"{type(error).__name__}: {error}")
        try:
            self._send(reply, deadline + 30)
        except (pickle.PicklingError, TypeError, AttributeError):
            self._send(("error", "the result could not be passed back"), deadline + 30)
        return time.monotonic() - started

    # -- cells ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the child and run the cells; a cell that hangs or kills it is left out.

        Raises RuntimeError if the child cannot start at all (before any student code runs:
        a broken installation, not a student's mistake, so it is never turned into points).
        """
        while True:
            try:
                self._spawn()
            except _Lost as lost:
                self._kill()
                if self.config["warm"] != self.warm_base:  # a module the cells import ended the process
                    self.config["warm"] = self.warm_base
                    continue
                # no student code has run yet: the grader's machine is at fault
                raise RuntimeError(f"the grader could not start the process for the student's code ({lost})") from None
            for index, source in enumerate(self.cells):
                if index in self.bad_cells:
                    continue
                try:
                    self._send(("cell", index, source), time.monotonic() + self.cell_timeout)
                    reply = self._receive(time.monotonic() + self.cell_timeout, "cell")
                except _Lost as lost:
                    self._kill()
                    why = (f"did not finish within {self.cell_timeout:g} s" if str(lost) == "timeout" else str(lost))
                    self.bad_cells[index] = f"cell {index + 1} {why}; it was left out"
                    break
                if isinstance(reply.get("error"), str):
                    self.raised[index] = reply["error"][:2000]
            else:
                break
        info = self.inspect([])
        self.names = [n for n in info.get("", []) if isinstance(n, str)]

    def inspect(self, names: list[str]) -> dict:
        """What the student's namespace holds under ``names`` (defined, callable, type, and the
        qlab path if it is one of qlab's functions)."""
        self._ensure_running()
        try:
            self._send(("inspect", list(names)), time.monotonic() + 30)
            reply = self._receive(time.monotonic() + 30, "inspect")
        except _Lost as lost:
            self._kill()
            raise StudentCodeError(f"your code broke the grader's connection ({lost})") from None
        info = reply.get("info")
        return info if isinstance(info, dict) else {}

    def _ensure_running(self) -> None:
        if self.process is None:
            if self.restarts_left <= 0:
                raise StudentCodeError("your code crashed or hung too often; the remaining checks were skipped")
            self.restarts_left -= 1
            self.start()

    def stop(self) -> None:
        self._kill()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- calls ------------------------------------------------------------------------------

    def function(self, name: str) -> "StudentFunction":
        return StudentFunction(self, name)

    def call(self, name: str, args: tuple, kwargs: dict):
        return self._run(name, args, kwargs, ("call",)).get("value")

    def repeat(self, name: str, times: int, args: tuple, kwargs: dict) -> tuple[list, StudentCodeError | None]:
        """Call ``name`` ``times`` times with the same argument objects, as consecutive calls
        would (what one call changes in them, the next sees): the results in order, and the
        error the call after the last result raised, if one did. Runs in batches that start no
        call after half a call limit and may take one and a half, so every call still gets a
        whole limit; a batch that hangs or crashes loses its results. The results kept may
        take ``result_limit`` bytes in all, as one call's: past that the calls stop with an error."""
        values: list = []
        counted: set[int] = set()
        kept = 0
        while len(values) < times:
            try:
                reply = self._run(name, args, kwargs, ("repeat", times - len(values), self.call_timeout / 2),
                                  self.call_timeout * 1.5)
            except StudentCodeError as error:
                return values, error
            batch = reply.get("values")
            values += batch if isinstance(batch, list) else []
            kept += _size(batch, counted)
            if kept > self.result_limit:
                return [], StudentCodeError(
                    f"{name}'s results over {len(values)} calls took more than {self.result_limit / 2**20:g} MB; "
                    f"the grader keeps at most {self.result_limit / 2**20:g} MB of results, as for one call")
            if reply.get("error") is not None:
                return values, StudentCodeError(str(reply["error"])[:4000])
            if not batch:
                return values, StudentCodeError(f"{name}: the grader received no results")
        return values[:times], None

    def _run(self, name: str, args: tuple, kwargs: dict, request: tuple, limit: float | None = None) -> dict:
        if self.failures.get(name, 0) >= self.max_failures:
            raise StudentCodeError(f"skipped: {name} hung or crashed {self.failures[name]} times already "
                                   f"({self.call_timeout:g} s per call)")
        if self.spent.get(name, 0.0) >= self.rule_budget:
            raise StudentCodeError(f"skipped: {name} used up its {self.rule_budget:g} s of grading time")
        self._ensure_running()
        callbacks: list = []
        buffer = io.BytesIO()
        _ArgumentPickler(buffer, callbacks, self.hidden).dump((args, kwargs))
        leaves, containers = transport.mutable_arguments(args, kwargs), transport.containers(args, kwargs)
        started = time.monotonic()
        deadline = started + (limit or self.call_timeout)
        try:
            self._send((request[0], name, buffer.getvalue(), *request[1:]), deadline)
            reply = self._receive(deadline, "ok", leaves + containers, transport.gradient_inputs(leaves), callbacks)
        except _Lost as lost:
            self._kill()
            self.failures[name] = self.failures.get(name, 0) + 1
            if str(lost) == "timeout":
                raise StudentCodeError(f"{name} did not return within {self.call_timeout:g} s "
                                       "(an endless loop?)") from None
            raise StudentCodeError(f"{name} {lost}") from None
        finally:
            self.spent[name] = self.spent.get(name, 0.0) + time.monotonic() - started
        if reply["kind"] == "error":
            raise StudentCodeError(str(reply.get("message"))[:4000])
        updates, rebound = reply.get("updates"), reply.get("containers")
        try:
            for index, state in updates if isinstance(updates, list) else []:
                if type(index) is int and 0 <= index < len(leaves):
                    transport.restore(leaves[index], state, leaves)
            for index, contents in rebound if isinstance(rebound, list) else []:
                if type(index) is int and 0 <= index < len(containers):
                    transport.restore_entries(containers[index], contents)
        except Exception as error:  # noqa: BLE001 - a state the caller's object cannot take
            raise StudentCodeError(f"{name} left an argument in a state the grader cannot read back "
                                   f"({type(error).__name__}: {error})") from None
        return reply


def _size(value, counted: set[int]) -> int:
    """About how many bytes a decoded result holds: its arrays, tensors and strings, 64 for any
    other item; an object in ``counted`` (by id: e.g. an argument returned again) counts once."""
    if id(value) in counted:
        return 0
    counted.add(id(value))
    if isinstance(value, (list, tuple)):
        return 64 + sum(_size(item, counted) for item in value)
    if isinstance(value, dict):
        return 64 + sum(_size(k, counted) + _size(v, counted) for k, v in value.items())
    if isinstance(value, (str, bytes)):
        return 64 + len(value)
    nbytes = getattr(value, "nbytes", None)  # numpy arrays and tensors
    return 64 + (nbytes if isinstance(nbytes, int) else 0)


class StudentFunction:
    """Calls the student's function of this name in the sandbox."""

    def __init__(self, sandbox: Sandbox, name: str):
        self.sandbox, self.__name__ = sandbox, name

    def __call__(self, *args, **kwargs):
        return self.sandbox.call(self.__name__, args, kwargs)

    def repeat(self, times: int, *args, **kwargs) -> tuple[list, StudentCodeError | None]:
        """``times`` calls with the same arguments in one round trip: see ``Sandbox.repeat``."""
        return self.sandbox.repeat(self.__name__, times, args, kwargs)

    def __repr__(self) -> str:
        return f"<student's {self.__name__} (in a sandbox)>"


def with_time_limit(function, seconds: float, max_timeouts: int = 3):
    """In-kernel guard: raise StudentCodeError if one call runs longer than ``seconds``.

    Every call gets the same ``seconds``; after ``max_timeouts`` calls ran out of time the
    later ones are refused at once, so a function that always hangs costs bounded time and a
    slow first call never shortens the limit of the next ones.

    Uses SIGALRM, so it only works in the main thread (where a kernel runs cells).
    """
    name = getattr(function, "__name__", "function")
    timeouts = [0]

    def guarded(*args, **kwargs):
        if timeouts[0] >= max_timeouts:
            raise StudentCodeError(f"skipped: {name} ran out of time {timeouts[0]} times already "
                                   f"({seconds:g} s per call)")

        def on_alarm(signum, frame):
            timeouts[0] += 1
            raise StudentCodeError(f"{name} did not return within {seconds:g} s (an endless loop?)")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return function(*args, **kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    guarded.__name__ = name
    return guarded
