"""Values as plain JSON data between the grading side and the sandbox: numbers, arrays, tensors,
lists and tuples of them; anything else travels as the name of its type. Nothing is unpickled."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np

DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64"}
"""The array dtypes that travel; an array of another dtype arrives as an opaque object."""
MAX_DEPTH = 8
MAX_ITEMS = 100_000


@dataclass(frozen=True)
class Opaque:
    """A value that does not travel (a function, a generator, a custom object): its type's name."""

    type_name: str

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


class WireError(ValueError):
    """A message that is not a value this module writes."""


def encode(value, depth: int = 0):
    """``value`` as JSON-safe data; tensors and variables keep their kind so the other side can tell them apart."""
    import tensorflow as tf

    if depth > MAX_DEPTH:
        return {"kind": "opaque", "type": "nested too deeply"}
    if value is None or isinstance(value, (bool, str)):
        return {"kind": "plain", "value": value}
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return {"kind": "int", "value": int(value)} if abs(int(value)) < 2**53 else {"kind": "float", "value": float(value)}
    if isinstance(value, (float, np.floating)):
        return {"kind": "float", "value": _float(float(value))}
    if isinstance(value, (np.ndarray, np.bool_, tf.Tensor, tf.Variable)):
        kind = "variable" if isinstance(value, tf.Variable) else "tensor" if isinstance(value, tf.Tensor) else "ndarray"
        array = np.asarray(value.numpy() if kind != "ndarray" else value)
        if array.dtype.name not in DTYPES:
            return {"kind": "opaque", "type": f"{type(value).__name__} of dtype {array.dtype}"}
        return {"kind": kind, "dtype": array.dtype.name, "shape": list(array.shape),
                "data": base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")}
    if isinstance(value, (list, tuple)) and len(value) <= MAX_ITEMS:
        return {"kind": type(value).__name__ if type(value) in (list, tuple) else "list",
                "items": [encode(v, depth + 1) for v in value]}
    return {"kind": "opaque", "type": type(value).__name__}


def _float(number: float):
    return number if np.isfinite(number) else repr(number)  # JSON has no NaN or inf


def decode(data, depth: int = 0):
    """The value ``encode`` wrote; raises WireError for anything else (the other side may be hostile)."""
    if depth > MAX_DEPTH or not isinstance(data, dict):
        raise WireError("not an encoded value")
    kind = data.get("kind")
    if kind == "plain" and (data.get("value") is None or isinstance(data.get("value"), (bool, str))):
        return data["value"]
    if kind == "int" and isinstance(data.get("value"), int):
        return data["value"]
    if kind == "float" and isinstance(data.get("value"), (int, float, str)):
        return float(data["value"])
    if kind in ("ndarray", "tensor", "variable"):
        return _array(data, kind)
    if kind in ("list", "tuple") and isinstance(data.get("items"), list) and len(data["items"]) <= MAX_ITEMS:
        items = [decode(v, depth + 1) for v in data["items"]]
        return items if kind == "list" else tuple(items)
    if kind == "opaque":
        return Opaque(str(data.get("type", "object"))[:100])
    raise WireError(f"unknown kind {str(kind)[:40]!r}")


def _array(data, kind):
    import tensorflow as tf

    dtype, shape = data.get("dtype"), data.get("shape")
    if dtype not in DTYPES or not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise WireError("malformed array")
    raw = base64.b64decode(str(data.get("data", "")), validate=True)
    size = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if len(raw) != size * np.dtype(dtype).itemsize:
        raise WireError("array data does not fit its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if kind == "tensor":
        return tf.constant(array)
    if kind == "variable":
        return tf.Variable(array)
    return array
