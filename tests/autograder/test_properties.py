"""Property-based: whatever a learner's function returns or raises, every check (visible and
hidden cases, in this process and through the sealed wire) ends in a CheckResult that fails with
a message; and every value crosses the wire intact or as the name of its type, never as a crash."""

from __future__ import annotations

import io
import json
import types

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.compare import describe, matches
from autograder.exercises import load
from autograder.result import CheckResult
from autograder.sealed import harness
from autograder.sealed.decide import RemoteTarget
from autograder.sealed.wire import DTYPES, Opaque, WireError, decode, encode

from . import solutions

registry = load()
KEYS = sorted(registry.EXERCISES)
SOLUTIONS = {"tape_cost": solutions.cost, "hand_derivative": solutions.dcost_dw, "tape_loop": solutions.gradient_descent,
             "train_step": solutions.train_step,
             "cofi_cost": solutions.cofi_cost_func, "cofi_cost_v": solutions.cofi_cost_func_v,
             "grad_X": solutions.grad_X, "grad_W": solutions.grad_W, "grad_b": solutions.grad_b,
             "train_cofi": solutions.train_cofi, "squared_distance": solutions.squared_distance,
             "closest_movies": solutions.closest_movies}

SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                max_examples=12, derandomize=True, database=None)


# ----- what a learner's function may return ----------------------------------------------------

class Hostile:
    """An object whose conversions raise: float(), np.asarray, len(), iteration, bool, equality."""

    def __init__(self, error: type[Exception]):
        self.error = error

    def _raise(self, *args, **kwargs):
        raise self.error("refuses")

    __float__ = __int__ = __index__ = __array__ = __len__ = __iter__ = __bool__ = __getitem__ = _raise
    __eq__ = __lt__ = __abs__ = __neg__ = __add__ = __sub__ = __mul__ = __pow__ = _raise
    __hash__ = object.__hash__


class HostileList(list):
    """A list whose length and iteration raise."""

    def __len__(self):
        raise RuntimeError("no length")

    def __iter__(self):
        raise RuntimeError("no items")


class HostileFloat(float):
    def __float__(self):
        raise ValueError("no float")


def _generator():
    yield 1.0


ERRORS = st.sampled_from([ValueError, TypeError, RuntimeError, ZeroDivisionError, OverflowError, AttributeError])
NUMBERS = st.one_of(st.integers(), st.integers(min_value=10**300, max_value=10**400),
                    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(), st.booleans())
ARRAY_DTYPES = st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(),
                         hnp.boolean_dtypes(), hnp.complex_number_dtypes(), hnp.unicode_string_dtypes(max_len=3),
                         hnp.datetime64_dtypes())
ARRAYS = hnp.arrays(ARRAY_DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
TENSORABLE = hnp.arrays(st.sampled_from([np.float16, np.float32, np.float64, np.int32, np.int64, np.bool_, np.str_]),
                        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
TENSORS = st.one_of(TENSORABLE.map(tf.constant),
                    TENSORABLE.filter(lambda a: a.dtype.kind in "fi").map(tf.Variable))
ODD_OBJECTS = st.one_of(
    st.just(None), st.text(max_size=5), st.binary(max_size=5), st.just(lambda: 1.0), st.just(print),
    st.builds(_generator), st.just(types.SimpleNamespace(shape=(2, 2))), st.just(Ellipsis), st.just(NotImplemented),
    st.just(np.float64), st.just(tf.float32), ERRORS.map(Hostile), st.just(HostileList([1.0])),
    st.just(HostileFloat(1.0)), st.dictionaries(st.text(max_size=2), st.floats(), max_size=2),
    st.sets(st.integers(), max_size=3), st.just(tf.RaggedTensor.from_row_lengths([1.0, 2.0, 3.0], [1, 2])),
    st.just(tf.SparseTensor([[0, 0]], [1.0], [2, 2])),
)
LEAVES = st.one_of(NUMBERS, ARRAYS, TENSORS, ODD_OBJECTS)
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=5), st.tuples(inner),
                                                      st.tuples(inner, inner, inner, inner, inner),
                                                      st.lists(inner, max_size=4).map(tuple)), max_leaves=12)


def _recursive_list():
    loop = [1.0]
    loop.append(loop)
    return loop


VALUES = st.one_of(VALUES, st.builds(_recursive_list), st.just([[1.0, 2.0], [3.0]]))

TRANSFORMS = {
    "as float16": lambda v: np.asarray(v, dtype=np.float16), "as int": lambda v: np.asarray(v).astype(int),
    "as complex": lambda v: np.asarray(v) * (1 + 1j), "as text": lambda v: str(v),
    "as a list": lambda v: np.asarray(v).tolist(), "transposed": lambda v: np.asarray(v).T,
    "negated": lambda v: -np.asarray(v), "times 1e300": lambda v: np.asarray(v) * 1e300,
    "NaN": lambda v: np.asarray(v) * np.nan, "inf": lambda v: np.asarray(v) * np.inf,
    "flattened": lambda v: np.ravel(v), "in a list": lambda v: [v], "a tensor of strings": lambda v: tf.constant(str(v)),
    "a variable": lambda v: tf.Variable(np.asarray(v, dtype=np.float32)),
}
"""Near misses: the right answer, then changed; these reach the value stages and the diagnoses."""


def returns(value):
    def learner(*args):
        return value
    return learner


def raises(error: BaseException):
    def learner(*args):
        raise error
    return learner


def transformed(key: str, name: str):
    solution, change = SOLUTIONS[key], TRANSFORMS[name]

    def learner(*args):
        value = solution(*args)
        if key == "train_cofi":
            return (*value[:3], change(value[3]))
        return change(value)
    return learner


class SilentError(ValueError):
    def __str__(self):
        raise RuntimeError("no text")


RAISED = st.one_of(ERRORS.map(lambda e: e("wrong")), st.just(NotImplementedError()), st.just(StopIteration()),
                   st.just(RecursionError("too deep")), st.just(MemoryError()), st.just(AssertionError("no")),
                   st.just(tf.errors.InvalidArgumentError(None, None, "Incompatible shapes: [2] vs. [3]")),
                   st.just(KeyError("k")), st.just(SilentError()))
LEARNERS = st.one_of(VALUES.map(returns), RAISED.map(raises))


# ----- checks ------------------------------------------------------------------------------------

def assert_fails_with_a_message(result):
    assert isinstance(result, CheckResult)
    assert result.cases and not result.passed, str(result)
    failed = [case for case in result.cases if not case.passed]
    assert all(case.message for case in failed), str(result)
    str(result), result._repr_html_(), json.dumps(result.to_dict())


@pytest.mark.parametrize("key", KEYS)
@SLOW
@given(learner=LEARNERS, hidden=st.booleans())
def test_no_returned_value_or_raised_exception_crashes_a_check(key, learner, hidden):
    assert_fails_with_a_message(registry.evaluate(key, learner, hidden=hidden, seed=7))


@pytest.mark.parametrize("key", KEYS)
@settings(SLOW, max_examples=len(TRANSFORMS))
@given(name=st.sampled_from(sorted(TRANSFORMS)), hidden=st.booleans())
def test_a_changed_right_answer_gets_a_result_not_a_crash(key, name, hidden):
    result = registry.evaluate(key, transformed(key, name), hidden=hidden, seed=7)
    assert isinstance(result, CheckResult)
    assert all(case.message for case in result.cases if not case.passed), str(result)


# ----- the sealed path: the same checks, with values crossing the wire as JSON -------------------

class Shell:
    def __init__(self, fn):
        self.user_ns = {"fn": fn}


class InProcessHarness:
    """The harness's own request handling (harness.serve) with the learner's function, answering
    over JSON text as the pipe would, without a second process."""

    def __init__(self, fn):
        self.shell = Shell(fn)

    def request(self, message: dict, timeout: float) -> dict:
        replies = io.StringIO()
        harness.serve(self.shell, [json.dumps(message)], replies)
        return json.loads(replies.getvalue())


def sealed(key: str, learner) -> CheckResult:
    return registry.evaluate(key, None, hidden=True, seed=7,
                             reach=lambda guards: RemoteTarget(InProcessHarness(learner), "fn", guards))


@pytest.mark.parametrize("key", KEYS)
@settings(SLOW, max_examples=8)
@given(learner=LEARNERS)
def test_no_returned_value_or_raised_exception_crashes_a_sealed_check(key, learner):
    assert_fails_with_a_message(sealed(key, learner))


@pytest.mark.parametrize("key", KEYS)
def test_the_in_process_harness_passes_a_right_answer(key):
    # the control for the sealed properties: the wire carries a right answer through
    assert sealed(key, SOLUTIONS[key]).passed


# ----- the wire itself ---------------------------------------------------------------------------

TRAVELLING_ARRAYS = hnp.arrays(st.sampled_from(sorted(DTYPES)), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                                                   max_side=4))
TRAVELLING = st.recursive(
    st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.integers(-(2**53) + 1, 2**53 - 1),
              st.floats(allow_nan=True, allow_infinity=True), TRAVELLING_ARRAYS,
              TRAVELLING_ARRAYS.map(tf.constant),
              TRAVELLING_ARRAYS.filter(lambda a: a.dtype.kind in "fi" and a.dtype.name != "float16").map(tf.Variable)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple)), max_leaves=10)


def across(value):
    """The value as it arrives on the other side of the pipe."""
    return decode(json.loads(json.dumps(encode(value))))


def same(a, b) -> bool:
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (np.ndarray, tf.Tensor, tf.Variable)):
        x, y = np.asarray(a), np.asarray(b)
        return (type(a) is type(b) or isinstance(a, tf.Tensor) and isinstance(b, tf.Tensor)) and x.dtype == y.dtype \
            and x.shape == y.shape and x.tobytes() == y.tobytes()
    if isinstance(a, float):
        return isinstance(b, float) and (a == b or np.isnan(a) and np.isnan(b))
    return type(a) is type(b) and a == b


@settings(SLOW, max_examples=150)
@given(value=TRAVELLING)
def test_numbers_arrays_tensors_and_lists_of_them_cross_the_wire_unchanged(value):
    assert same(value, across(value))


@settings(SLOW, max_examples=100)
@given(value=VALUES)
def test_any_returned_value_crosses_the_wire_or_arrives_as_its_type_name(value):
    arrived = across(value)
    if isinstance(arrived, Opaque):
        assert arrived.type_name


@pytest.mark.parametrize("value, type_name", [(10**400, "int too large for a float"), (Hostile(ValueError), "Hostile"),
                                              (HostileList([1.0]), "HostileList"),
                                              (np.array([1 + 2j]), "ndarray of dtype complex128"),
                                              (tf.constant("text"), "EagerTensor of dtype string")])
def test_a_value_that_cannot_travel_arrives_as_its_type_name(value, type_name):
    assert across(value) == Opaque(type_name)


JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
                    lambda inner: st.one_of(st.lists(inner, max_size=4),
                                            st.dictionaries(st.sampled_from(["kind", "value", "items", "dtype", "shape",
                                                                             "data", "type"]), inner, max_size=5)),
                    max_leaves=15)
KINDS = st.sampled_from(["plain", "int", "float", "ndarray", "tensor", "variable", "list", "tuple", "opaque", "?"])
MESSAGES = st.one_of(JSON, st.fixed_dictionaries({"kind": KINDS}, optional={
    "value": JSON, "items": st.lists(JSON, max_size=3), "dtype": st.sampled_from(sorted(DTYPES) + ["object", "V8"]),
    "shape": st.lists(st.one_of(st.integers(), st.integers(2**62, 2**70), st.floats()), max_size=3),
    "data": st.one_of(st.text(max_size=8), st.binary(max_size=8).map(lambda b: __import__("base64").b64encode(b).decode())),
    "type": JSON}))


@settings(SLOW, max_examples=300)
@given(message=MESSAGES)
def test_a_hostile_message_decodes_to_a_value_or_raises_wire_error_only(message):
    try:
        decode(message)
    except WireError:
        pass


@pytest.mark.parametrize("message", [{"kind": "float", "value": 10**400}, {"kind": "float", "value": "many"},
                                     {"kind": "ndarray", "dtype": "float64", "shape": [2**70], "data": ""},
                                     {"kind": "ndarray", "dtype": "float64", "shape": [2**31, 2**31], "data": ""}])
def test_messages_that_once_raised_other_errors_raise_wire_error(message):
    with pytest.raises(WireError):
        decode(message)


# ----- raised by the learner's function beyond Exception: its answer all the same -----------------

class BeyondException(BaseException):
    """Raised by a learner's code that derives from BaseException (as a few libraries' errors do)."""


BEYOND_EXCEPTION = [
    # Only KeyboardInterrupt passes through runner.call (the person at the keyboard stopping a check);
    # everything else the learner's function raises is its answer, SystemExit (sys.exit() in the
    # answer) included, which would otherwise end the sealed harness.
    pytest.param(GeneratorExit(), id="GeneratorExit"),
    pytest.param(BeyondException("beyond"), id="a BaseException subclass"),
    pytest.param(SystemExit(1), id="SystemExit"),
]


@pytest.mark.parametrize("error", BEYOND_EXCEPTION)
@pytest.mark.parametrize("key", ["hand_derivative", "tape_cost"])
def test_an_exception_beyond_exception_fails_the_check_with_a_message(key, error):
    assert_fails_with_a_message(registry.evaluate(key, raises(error)))


# ----- reading a learner's value: compare.matches and compare.describe never raise ---------------

@settings(SLOW, max_examples=150)
@given(value=VALUES, expected=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)))
def test_any_value_is_described_and_compared_without_raising(value, expected):
    assert isinstance(matches(value, expected), bool)
    assert describe(value)


@pytest.mark.parametrize("value, expected, agrees", [
    (np.array([1 + 0j, 2 + 0j]), np.array([1.0, 2.0]), True), (np.array([1 + 1j, 2]), np.array([1.0, 2.0]), False),
    ([[1.0, 2.0], [3.0]], np.ones((2, 2)), False), (Hostile(ValueError), np.array(1.0), False),
    (np.array(np.inf), np.array(-1e308), False), (np.array([-1e308, 1e308]), np.array([1e308, -1e308]), False),
    (tf.constant("1.0"), np.array(1.0), False), (np.array(["1.0"]), np.array([1.0]), False),
])
def test_matches_reads_complex_text_ragged_and_hostile_values_as_a_mismatch_not_an_error(value, expected, agrees):
    assert matches(value, expected) is agrees


@pytest.mark.parametrize("value, words", [(Opaque("generator"), "generator"),
                                          (tf.constant("text"), "EagerTensor of shape () and dtype string"),
                                          (np.array([1, 2]), "ndarray of shape (2,) and dtype int64"),
                                          ((1.0, 2.0), "tuple of 2 items"), ([None], "list of 1 item"),
                                          (HostileList([1.0]), "HostileList")])
def test_describe_names_what_came_back(value, words):
    assert describe(value) == words
