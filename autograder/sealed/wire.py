"""Values as plain JSON data between the grading side and the sandbox: numbers, arrays, tensors,
lists and tuples of them; anything else travels as the name of its type. Nothing is unpickled."""

from __future__ import annotations

import base64
import sys
from dataclasses import dataclass

import numpy as np

DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64"}
"""The array dtypes that travel; an array of another dtype arrives as an opaque object."""
MAX_DEPTH = 8
MAX_ITEMS = 100_000
MAX_ELEMENTS = 2**31
"""The most elements an array that travels may have (a shape beyond it is a hostile message)."""


@dataclass(frozen=True)
class Opaque:
    """A value that does not travel (a function, a generator, a custom object): its type's name."""

    type_name: str

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


class WireError(ValueError):
    """A message that is not a value this module writes."""


def encode(value, depth: int = 0):
    """``value`` as JSON-safe data; tensors and variables keep their kind so the other side can tell them apart.
    Never raises: a value that cannot be read (its conversions raise, an int no float holds) travels as opaque."""
    try:
        return _encode(value, depth)
    except Exception:  # the learner's value: its __len__, __float__ or numpy() may raise anything
        return {"kind": "opaque", "type": _type_name(value)}


def _type_name(value) -> str:
    return str(getattr(type(value), "__name__", "object"))[:100]


def _encode(value, depth: int):
    import tensorflow as tf

    if value is None or isinstance(value, (bool, str)):
        return {"kind": "plain", "value": value}
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        number = int(value)
        if abs(number) < 2**53:
            return {"kind": "int", "value": number}
        if abs(number) <= sys.float_info.max:
            return {"kind": "float", "value": float(number)}
        return {"kind": "opaque", "type": "int too large for a float"}
    if isinstance(value, (float, np.floating)):
        return {"kind": "float", "value": _float(float(value))}
    if isinstance(value, (np.ndarray, np.bool_, tf.Tensor, tf.Variable)):
        kind = "variable" if isinstance(value, tf.Variable) else "tensor" if isinstance(value, tf.Tensor) else "ndarray"
        array = np.asarray(value.numpy() if kind != "ndarray" else value)
        if array.dtype.name not in DTYPES:
            dtype = array.dtype if kind == "ndarray" else value.dtype.name
            return {"kind": "opaque", "type": f"{type(value).__name__} of dtype {dtype}"}
        return {"kind": kind, "dtype": array.dtype.name, "shape": list(array.shape),
                "data": base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")}
    if isinstance(value, (list, tuple)) and depth >= MAX_DEPTH:  # its items would be deeper than decode reads
        return {"kind": "opaque", "type": "nested too deeply"}
    if isinstance(value, (list, tuple)) and len(value) <= MAX_ITEMS:
        return {"kind": type(value).__name__ if type(value) in (list, tuple) else "list",
                "items": [encode(v, depth + 1) for v in value]}
    return {"kind": "opaque", "type": _type_name(value)}


def _float(number: float):
    return number if np.isfinite(number) else repr(number)  # JSON has no NaN or inf


def decode(data, depth: int = 0):
    """The value ``encode`` wrote; raises WireError, and nothing else, for anything else (the other side may
    be hostile)."""
    try:
        return _decode(data, depth)
    except WireError:
        raise
    except (ValueError, TypeError, OverflowError, KeyError, MemoryError) as error:
        raise WireError(f"not an encoded value ({type(error).__name__})") from None


def _decode(data, depth: int):
    if depth > MAX_DEPTH or not isinstance(data, dict):
        raise WireError("not an encoded value")
    kind = data.get("kind")
    if kind == "plain" and (data.get("value") is None or isinstance(data.get("value"), (bool, str))):
        return data.get("value")
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
    if (dtype not in DTYPES or not isinstance(shape, list) or len(shape) > 32
            or not all(type(d) is int and 0 <= d <= MAX_ELEMENTS for d in shape)):
        raise WireError("malformed array")
    raw = base64.b64decode(str(data.get("data", "")), validate=True)
    size = 1
    for d in shape:
        size *= d
    if size > MAX_ELEMENTS:
        raise WireError("array too large")
    if len(raw) != size * np.dtype(dtype).itemsize:
        raise WireError("array data does not fit its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if kind == "tensor":
        return tf.constant(array)
    if kind == "variable":
        return tf.Variable(array)
    return array
