"""Plain data across the sandbox's wall, decoded without running code.

What comes back from a student's process is never unpickled: it is a JSON tree (numbers,
strings, booleans, None, tagged tuples/lists/dicts) plus raw byte buffers for numpy arrays,
numpy scalars and torch tensors of whitelisted dtypes. Decoding only reads bytes into
arrays; a malformed or hostile message raises ``CodecError``, nothing else.

Tags (a JSON object with one key): ``T`` tuple, ``L`` list, ``D`` dict (key/value pairs),
``A`` numpy array, ``S`` numpy scalar, ``X`` torch tensor, ``R`` one of the call's own
arguments (returned as is, e.g. a Q-table updated in place), ``F`` a float that JSON cannot
spell exactly (nan, ±inf are spelled by name).
"""

from __future__ import annotations

import json
import math
import struct
import sys

import numpy as np

RESULT_LIMIT = 64 * 2**20  # bytes one value may take
MAX_DEPTH = 64
NUMPY_DTYPES = {np.dtype(t).str: np.dtype(t) for t in
                (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
                 np.float16, np.float32, np.float64)}
TORCH_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64")
ACCEPTED = "numbers, strings, booleans, None, numpy arrays or torch tensors (or tuples, lists and dicts of them)"


class CodecError(ValueError):
    """A value that cannot cross the wall (for the student: what to return instead)."""


def _torch():
    return sys.modules.get("torch")


class Encoder:
    """Turns a value into (tree, buffers). ``refs`` maps id(obj) → index for objects that
    travel as references to the caller's own arguments."""

    def __init__(self, refs: dict[int, int] | None = None, limit: int = RESULT_LIMIT, what: str = "returned"):
        self.refs, self.limit, self.what = refs or {}, limit, what
        self.buffers: list[bytes] = []
        self.size = 0

    def _count(self, size: int) -> None:
        self.size += size
        if self.size > self.limit:
            raise CodecError(f"{self.what} more than {self.limit / 2**20:g} MB of data; the grader accepts at most "
                             f"{self.limit / 2**20:g} MB per call")

    def _buffer(self, data: bytes) -> int:
        self._count(len(data))
        self.buffers.append(data)
        return len(self.buffers) - 1

    def encode(self, value, depth: int = 0):
        if depth > MAX_DEPTH:
            raise CodecError(f"{self.what} a value nested more than {MAX_DEPTH} levels deep")
        if id(value) in self.refs:
            return {"R": self.refs[id(value)]}
        if value is None or type(value) in (bool, int):
            return value
        if type(value) is str:
            self._count(len(value))
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"F": repr(value)}
        if isinstance(value, np.ndarray):
            data = np.ascontiguousarray(value).tobytes()
            return {"A": [self._dtype(value.dtype), list(value.shape), self._buffer(data)]}
        if isinstance(value, np.generic):
            return {"S": [self._dtype(value.dtype), self._buffer(value.tobytes())]}
        torch = _torch()
        if torch is not None and isinstance(value, torch.Tensor):
            return {"X": self.tensor(value)}
        if isinstance(value, (tuple, list)):
            items = [self.encode(v, depth + 1) for v in value]
            return {"T" if isinstance(value, tuple) else "L": items}
        if isinstance(value, dict):
            return {"D": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()]}
        if isinstance(value, (bool, int, float, str)):  # subclasses (e.g. IntEnum) as their base type
            return self.encode(next(t for t in (bool, int, float, str) if isinstance(value, t))(value), depth)
        raise CodecError(f"{self.what} a {_type_name(value)}, which the grader cannot accept; return {ACCEPTED}")

    def _dtype(self, dtype) -> str:
        if dtype.str not in NUMPY_DTYPES:
            raise CodecError(f"{self.what} an array of dtype {dtype}, which the grader cannot accept; "
                             "use bool, integer or float arrays")
        return dtype.str

    def tensor(self, value) -> dict:
        torch = _torch()
        name = str(value.dtype).removeprefix("torch.")
        if name not in TORCH_DTYPES:
            raise CodecError(f"{self.what} a tensor of dtype {value.dtype}, which the grader cannot accept; "
                             "use bool, integer or float tensors")
        data = value.detach().to("cpu").contiguous().reshape(-1)
        raw = data.view(torch.uint8).numpy().tobytes() if data.numel() else b""
        return {"dtype": name, "shape": list(value.shape), "buf": self._buffer(raw), "device": str(value.device),
                "requires_grad": bool(value.requires_grad),
                "grad_fn": type(value.grad_fn).__name__ if value.grad_fn is not None else None}


def _type_name(value) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def encode(value, refs: dict[int, int] | None = None, limit: int = RESULT_LIMIT, what: str = "returned") -> bytes:
    """One message: [header length][JSON header][buffers]."""
    encoder = Encoder(refs, limit, what)
    return pack(encoder.encode(value), encoder)


def pack(tree, encoder: Encoder) -> bytes:
    """The message for a tree already encoded by ``encoder`` (whose buffers it references)."""
    header = json.dumps({"v": tree, "b": [len(b) for b in encoder.buffers]}, allow_nan=False).encode()
    return struct.pack("<I", len(header)) + header + b"".join(encoder.buffers)


class Decoder:
    def __init__(self, message: bytes, refs: list | None = None, grad_inputs: list | None = None):
        if len(message) < 4:
            raise CodecError("a truncated message")
        (length,) = struct.unpack_from("<I", message)
        try:
            header = json.loads(message[4:4 + length])
        except (ValueError, RecursionError) as error:
            raise CodecError(f"an unreadable message ({type(error).__name__})") from None
        if not isinstance(header, dict) or not isinstance(header.get("b"), list):
            raise CodecError("a malformed message")
        self.buffers, offset = [], 4 + length
        for size in header["b"]:
            if type(size) is not int or size < 0 or offset + size > len(message):
                raise CodecError("a malformed message (buffer sizes)")
            self.buffers.append(memoryview(message)[offset:offset + size])
            offset += size
        self.tree, self.refs, self.grad_inputs = header.get("v"), refs or [], grad_inputs or []

    def value(self):
        return self.decode(self.tree)

    def buffer(self, index):
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise CodecError("a malformed message (buffer index)")
        return self.buffers[index]

    def decode(self, node, depth: int = 0):
        if depth > MAX_DEPTH:
            raise CodecError("a value nested too deeply")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is not dict or len(node) != 1:
            raise CodecError("a malformed message (node)")
        (tag, body), = node.items()
        if tag in ("T", "L") and type(body) is list:
            items = [self.decode(v, depth + 1) for v in body]
            return tuple(items) if tag == "T" else items
        if tag == "D" and type(body) is list:
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise CodecError("a malformed message (dict)")
                key = self.decode(pair[0], depth + 1)
                try:
                    out[key] = self.decode(pair[1], depth + 1)
                except TypeError:
                    raise CodecError(f"a dict with an unhashable key ({type(key).__name__})") from None
            return out
        if tag == "F" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "A" and type(body) is list and len(body) == 3:
            dtype, shape, index = body
            return self.array(dtype, shape, index).copy()
        if tag == "S" and type(body) is list and len(body) == 2:
            return self.array(body[0], [], body[1])[()]
        if tag == "X" and type(body) is dict:
            return self.tensor(body)
        if tag == "R" and type(body) is int and 0 <= body < len(self.refs):
            return self.refs[body]
        raise CodecError(f"a malformed message (tag {tag!r})")

    def array(self, dtype, shape, index) -> np.ndarray:
        if dtype not in NUMPY_DTYPES or type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
            raise CodecError("a malformed array")
        data = self.buffer(index)
        dtype = NUMPY_DTYPES[dtype]
        if int(np.prod(shape, dtype=object)) * dtype.itemsize != len(data):
            raise CodecError("a malformed array (size)")
        return np.frombuffer(data, dtype=dtype).reshape(shape)

    def tensor(self, body: dict):
        import torch

        name, shape = body.get("dtype"), body.get("shape")
        if name not in TORCH_DTYPES or type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
            raise CodecError("a malformed tensor")
        dtype = getattr(torch, name)
        data = self.buffer(body.get("buf"))
        if int(np.prod(shape, dtype=object)) * dtype.itemsize != len(data):
            raise CodecError("a malformed tensor (size)")
        flat = torch.frombuffer(bytearray(data), dtype=torch.uint8) if len(data) else torch.empty(0, dtype=torch.uint8)
        tensor = flat.view(dtype).reshape(shape) if len(data) else torch.empty(shape, dtype=dtype)
        device = body.get("device")
        if isinstance(device, str) and device.startswith("cuda") and torch.cuda.is_available():
            tensor = tensor.to(device)
        if body.get("requires_grad") is True and tensor.is_floating_point():
            tensor = self.differentiable(tensor, body.get("jac"))
        return tensor

    def differentiable(self, value, jacobians):
        """``value`` plus a zero whose gradient with respect to each of the caller's inputs is
        the Jacobian the student's process computed: ``.backward()`` here fills the same
        ``.grad`` as it would have there, and ``grad_fn`` is set as it was there."""
        import torch

        if type(jacobians) is not list or not jacobians:
            return value.requires_grad_(True)
        total = value.detach()
        for entry in jacobians:
            if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not int \
                    or not 0 <= entry[0] < len(self.grad_inputs):
                raise CodecError("a malformed message (jacobian)")
            x = self.grad_inputs[entry[0]]
            rows = self.array("<f8", [value.numel(), x.numel()], entry[1])
            jacobian = torch.from_numpy(rows.copy()).to(device=x.device, dtype=x.dtype)
            total = total + (jacobian @ (x - x.detach()).reshape(-1)).reshape(value.shape).to(value.dtype)
        return total


def decode(message: bytes, refs: list | None = None, grad_inputs: list | None = None):
    return Decoder(message, refs, grad_inputs).value()
