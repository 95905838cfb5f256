"""Tensor semantics: construction, dtypes, gradients and their accumulation, no_grad, in-place
updates, PyTorch's names, and errors that name the op, the shapes and the label."""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np
import pytest
from conftest import needs_torch
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Tensor, Value, no_grad, zeros

# --- construction and dtypes -------------------------------------------------------------


def test_default_dtype_is_float32_and_data_is_a_fresh_copy() -> None:
    source = np.array([[1, 2], [3, 4]])
    t = Tensor(source)
    source[0, 0] = 100
    assert t.dtype == np.float32 and t.array[0, 0] == 1.0
    assert type(t.array) is np.ndarray and t.array.flags.writeable
    assert (t.shape, t.ndim, t.grad, t.requires_grad, t.is_leaf) == ((2, 2), 2, None, False, True)


def test_float64_is_allowed_and_tensor_infers_like_torch() -> None:
    assert Tensor([1.5], dtype=np.float64).dtype == np.float64
    assert Tensor([1.5], dtype=autograd.float64).dtype == autograd.float64
    assert autograd.tensor([1, 2]).dtype == autograd.int64
    assert autograd.tensor([1.0, 2]).dtype == autograd.float32
    assert autograd.tensor([True]).dtype == np.bool_
    assert autograd.tensor(np.array([1.0])).dtype == np.float64  # arrays keep their dtype
    assert autograd.tensor([1, 2], dtype=autograd.float32).tolist() == [1.0, 2.0]


@pytest.mark.parametrize("dtype", [autograd.int64, np.int32, np.bool_])
def test_integer_tensors_cannot_require_grad(dtype) -> None:
    with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
        Tensor([1, 2], requires_grad=True, dtype=dtype)
    with pytest.raises(TypeError, match="only floating-point"):
        autograd.tensor([1, 2], dtype=dtype).requires_grad_()


@pytest.mark.parametrize(
    "data, words",
    [
        ("abc", "got str"),
        (None, "got NoneType"),
        ([[1, 2], [3]], "rows have different lengths"),
        (np.array(["a"]), "got ndarray"),
        ({"a": 1}, "got dict"),
    ],
)
def test_non_numeric_data_is_a_type_error(data, words) -> None:
    with pytest.raises(TypeError, match=words):
        Tensor(data, label="x")


def test_complex_dtypes_are_refused() -> None:
    with pytest.raises(TypeError, match="complex64 is not supported"):
        Tensor([1.0], dtype=np.complex64)


def test_item_numpy_tolist_detach() -> None:
    w = Tensor([[2.5]], requires_grad=True, label="w")
    assert w.item() == 2.5 and isinstance(w.item(), float)
    assert autograd.tensor([7]).item() == 7 and isinstance(autograd.tensor([7]).item(), int)
    with pytest.raises(RuntimeError, match=r"'w' \[1×1\] float32 requires grad; use .detach"):
        w.numpy()
    d = (w * 2).detach()
    assert d.requires_grad is False and d.parents == () and d.tolist() == [[5.0]]
    shared = w.detach()
    shared.data[0, 0] = 1.0  # detach shares the data, as in PyTorch
    assert w.data[0, 0] == 1.0
    assert shared.numpy() is shared.array
    with pytest.raises(ValueError, match=r"item: 'v' \[3\] float32 has 3 entries"):
        Tensor([1, 2, 3], label="v").item()


def test_len_iteration_size_numel() -> None:
    t = autograd.arange(6).reshape(2, 3)
    assert len(t) == 2 and [row.tolist() for row in t] == [[0, 1, 2], [3, 4, 5]]
    assert t.size() == (2, 3) and t.size(1) == 3 and t.numel() == 6 and t.dim() == 2
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))
    with pytest.raises(TypeError, match="0-d"):
        iter(Tensor(1.0)).__next__()


def test_casts_round_argmax() -> None:
    t = Tensor([[0.5, 2.7], [-1.5, 0.2]])
    assert t.long().dtype == autograd.int64 and t.long().tolist() == [[0, 2], [-1, 0]]
    assert t.double().dtype == np.float64 and t.float() is t
    assert t.round().tolist() == [[0.0, 3.0], [-2.0, 0.0]]
    assert t.argmax(1).tolist() == [1, 1] and t.argmax().item() == 1
    assert t.argmin(dim=0).tolist() == [1, 1]
    assert t.int().dtype == np.int32 and t.bool().tolist() == [[True, True], [True, True]]


def test_round_is_a_node_with_a_zero_gradient_like_torch() -> None:
    w = Tensor([1.4, -2.6, 0.5], requires_grad=True, label="w")
    rounded = w.round()
    assert rounded.tolist() == [1.0, -3.0, 0.0] and rounded.op is not None
    assert rounded.op.name == "round" and rounded.parents == (w,)
    loss = (rounded * 3 + w).sum()
    loss.backward()
    assert w.grad.tolist() == [1.0, 1.0, 1.0]  # only the path through + w carries a slope
    steps = [step.text for step in (rounded * 3 + w).sum().backward_steps()]
    assert any(text.startswith("dout/dw += dout/dt1 · dt1/dw") for text in steps), steps
    assert w.grad.tolist() == [2.0, 2.0, 2.0]
    assert Tensor([0.26]).round(1).requires_grad is False


def test_t_of_a_vector_is_a_new_tensor_with_the_same_numbers() -> None:
    v = Tensor([1.0, 2.0], label="v")
    vt = v.T
    vt.label = "vT"
    assert vt is not v and v.label == "v" and vt.tolist() == [1.0, 2.0]
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    (w.T * Tensor([3.0, 4.0])).sum().backward()
    assert w.T is not w and w.grad.tolist() == [3.0, 4.0]
    assert Tensor(5.0).T.item() == 5.0 and zeros(2, 3).T.shape == (3, 2)


def test_a_float_cast_passes_the_gradient_back_in_the_inputs_dtype() -> None:
    w = Tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    y = w.float() * 3
    assert y.dtype == np.float32
    y.sum().backward()
    assert w.grad.dtype == np.float64 and w.grad.tolist() == [3.0, 3.0]


# --- creation helpers --------------------------------------------------------------------


def test_creation_helpers() -> None:
    assert autograd.zeros(2, 3).tolist() == [[0.0] * 3] * 2
    assert autograd.ones((2,), dtype=np.float64).dtype == np.float64
    assert autograd.zeros_like(autograd.ones(2, dtype=autograd.int64)).dtype == autograd.int64
    assert autograd.ones_like(autograd.zeros(3)).tolist() == [1.0, 1.0, 1.0]
    assert autograd.arange(3).dtype == autograd.int64
    assert autograd.arange(1, 2, 0.5).tolist() == [1.0, 1.5]
    assert autograd.arange(1.0, 3).dtype == autograd.float32
    w = autograd.zeros(2, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    with pytest.raises(ValueError, match="a shape is sizes >= 0"):
        autograd.zeros(2, -1)


def test_random_helpers_take_a_numpy_generator() -> None:
    a = autograd.randn(3, 4, generator=np.random.default_rng(5))
    b = autograd.randn(3, 4, generator=np.random.default_rng(5))
    expected = np.random.default_rng(5).standard_normal((3, 4), dtype=np.float32)
    assert a.dtype == np.float32 and np.array_equal(a.data, b.data)
    assert np.array_equal(a.data, expected)
    u = autograd.rand(1000, generator=np.random.default_rng(1), dtype=np.float64)
    assert u.dtype == np.float64 and u.data.min() >= 0.0 and u.data.max() < 1.0
    autograd.manual_seed(3)
    first = autograd.randn(5)
    autograd.manual_seed(3)
    assert np.array_equal(first.data, autograd.randn(5).data)


# --- gradients ---------------------------------------------------------------------------


def test_grad_is_none_until_backward_and_then_a_tensor_of_the_leaf() -> None:
    w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = Tensor([1.0, -1.0])
    assert w.grad is None
    (w @ x).sum().backward()
    assert type(w.grad) is Tensor and w.grad.dtype == np.float32 and not w.grad.requires_grad
    assert w.grad.tolist() == [[1.0, -1.0], [1.0, -1.0]]
    assert x.grad is None  # it does not require grad


def test_leaves_accumulate_intermediates_start_again() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = w * w
    loss = y.sum()
    loss.backward()
    first_w, first_y = w.grad.numpy().copy(), y.grad.numpy().copy()
    loss.backward()
    assert np.array_equal(w.grad, 2 * first_w) and np.array_equal(y.grad, first_y)
    w.grad = None  # what an optimizer's zero_grad does
    loss.backward()
    assert np.array_equal(w.grad, first_w)


def test_a_leaf_root_accumulates_like_pytorch() -> None:
    a = Tensor(2.0, requires_grad=True)
    a.backward()
    a.backward()
    assert a.grad.item() == 2.0


@pytest.mark.parametrize(
    "build",
    [
        lambda a: a * a,  # two contributions to one leaf
        lambda a: (a * 3).exp() + a,
        lambda a: a.reshape(1).sum() * a,
        lambda a: a,  # a leaf root, whose own grad is added to
    ],
    ids=["square", "two paths", "reshape", "leaf root"],
)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=str)
def test_a_0d_tensors_grad_is_a_0d_tensor_like_the_tensor_never_a_numpy_scalar(
    build, dtype
) -> None:
    a = Tensor(0.5, requires_grad=True, dtype=dtype)
    out = build(a)
    for _ in range(2):  # the second backward adds to the grads the first left
        out.backward()
        assert type(a.grad) is Tensor and a.grad.shape == () and a.grad.dtype == dtype
        for node in (out, *out.parents):
            assert node.grad is None or type(node.grad.array) is np.ndarray


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda a: a * a, [6.0, -2.0]),
        (lambda a: (a + a) + (a + a), [4.0, 4.0]),
        (lambda a: (a * 2) * (a + 1), [14.0, -2.0]),  # d(2a(a+1))/da = 4a + 2
    ],
)
def test_tensors_used_more_than_once_sum_their_paths(build, expected) -> None:
    a = Tensor([3.0, -1.0], requires_grad=True)
    build(a).sum().backward()
    assert a.grad.tolist() == expected


def test_leaf_grads_hold_arrays_of_their_own() -> None:
    # a + b hands the same upstream array to both inputs: each leaf must get its own copy
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    c = a + b
    c.backward(np.array([1.0, 1.0]))
    a.grad *= 10  # an optimizer may change a grad in place
    assert b.grad.tolist() == [1.0, 1.0] and c.grad.tolist() == [1.0, 1.0]
    w = Tensor([[1.0, 2.0]], requires_grad=True)
    w.reshape(2).sum().backward()  # a reshaped (view) gradient is copied, and writeable
    assert w.grad.array.base is None and w.grad.array.flags.writeable


def test_gradients_come_in_their_tensors_memory_layout() -> None:
    # nn.Linear's x @ W.T: W's gradient is row-major like W, so an in-place update is fast
    source = np.arange(12.0).reshape(4, 3).T  # a column-major array
    W = Tensor(source, requires_grad=True)
    assert W.array.flags.c_contiguous and W.tolist() == source.tolist()
    x = Tensor(np.arange(8.0).reshape(2, 4))
    (x @ W.T).sum().backward()
    assert W.grad.array.flags.c_contiguous and W.grad.shape == (3, 4)
    assert W.grad.tolist() == [[4.0, 6.0, 8.0, 10.0]] * 3  # column sums of x, per row of W


def test_broadcast_gradients_are_summed_back_to_each_input_shape() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    c = Tensor([[1.0], [2.0]], requires_grad=True)
    s = Tensor(2.0, requires_grad=True)
    (x * b + c * s).sum().backward()
    assert b.grad.tolist() == [3.0, 5.0, 7.0]  # column sums of x
    assert c.grad.tolist() == [[6.0], [6.0]]  # s times the 3 columns
    assert s.grad.item() == 9.0 and s.grad.shape == ()  # 3·1 + 3·2
    assert x.grad.tolist() == [[10.0, 20.0, 30.0]] * 2


def test_backward_needs_a_gradient_for_a_non_scalar_like_pytorch() -> None:
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="x")
    y = x * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        y.backward()
    y.backward(np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert x.grad.tolist() == [[2.0, 0.0], [0.0, 2.0]]
    y.backward(grad=autograd.ones(2, 2))
    assert x.grad.tolist() == [[4.0, 2.0], [2.0, 4.0]]
    with pytest.raises(ValueError, match=r"the gradient has shape \[3\], but .* \[2×2\]"):
        y.backward(np.ones(3))


def test_backward_of_something_that_needs_no_grad_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor([1.0]) * 2).sum().backward()


def test_a_deep_chain_at_the_default_recursion_limit() -> None:
    assert sys.getrecursionlimit() <= 1000 or pytest.skip("someone raised the recursion limit")
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0 + x
    y.sum().backward()
    assert x.grad.tolist() == [5001.0, 5001.0]


def test_max_along_a_dim_returns_values_and_indices_and_its_gradient_picks_one() -> None:
    x = Tensor([[1.0, 5.0, 5.0], [7.0, 2.0, 7.0]], requires_grad=True)
    values, indices = x.max(1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert indices.dtype == autograd.int64 and not indices.requires_grad
    values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]  # the returned index only
    x.grad = None
    x.amax(1).sum().backward()  # amax shares between ties, as PyTorch's
    assert x.grad.tolist() == [[0.0, 0.5, 0.5], [0.5, 0.0, 0.5]]
    assert x.max(dim=1, keepdim=True).values.shape == (2, 1)
    assert x.min(0).values.tolist() == [1.0, 2.0, 5.0]
    assert x.max().item() == 7.0


@pytest.mark.parametrize(
    "data, kind, axis, expected",
    [
        ([1.0, math.nan, 3.0], "max", None, [0.0, 1.0, 0.0]),
        ([math.nan, 1.0, math.nan], "max", None, [0.5, 0.0, 0.5]),
        ([1.0, math.nan, 3.0], "min", None, [0.0, 1.0, 0.0]),
        ([[1.0, math.nan], [2.0, 2.0]], "amax", 1, [[0.0, 1.0], [0.5, 0.5]]),
        ([[1.0, math.nan], [2.0, 2.0]], "amin", 0, [[1.0, 1.0], [0.0, 0.0]]),
        ([3.0, 1.0, 3.0], "max", None, [0.5, 0.0, 0.5]),
    ],
)
def test_a_nan_is_the_extreme_and_takes_the_gradient(data, kind, axis, expected) -> None:
    x = Tensor(data, requires_grad=True, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(x, kind)() if axis is None else getattr(x, kind)(axis)
        out.sum().backward()
    assert x.grad.tolist() == expected


def test_a_gather_with_repeated_indices_adds_up() -> None:
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[np.array([0, 2, 0, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
    m = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    picked = m[autograd.arange(2), autograd.tensor([1, 0])]  # Tensor indices work too
    assert picked.tolist() == [2.0, 3.0]
    picked.sum().backward()
    assert m.grad.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    m.grad = None
    m[m.data > 2].sum().backward()
    assert m.grad.tolist() == [[0.0, 0.0], [1.0, 1.0]]


def test_cross_entropy_from_log_softmax_and_a_gather_by_hand() -> None:
    logits = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True, dtype=np.float64)
    labels = autograd.tensor([0, 1])
    loss = -logits.log_softmax(1)[autograd.arange(2), labels].mean()
    z = logits.array
    probs = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    assert loss.item() == pytest.approx(-np.mean(np.log(probs[[0, 1], [0, 1]])), rel=1e-12)
    loss.backward()
    expected = probs.copy()
    expected[[0, 1], [0, 1]] -= 1
    assert np.allclose(logits.grad, expected / 2, rtol=1e-12)


def test_softmax_and_log_softmax_are_stable() -> None:
    big = Tensor([[1e4, 0.0, -1e4], [3.0, 3.0, 3.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = big.softmax(1)
        ls = big.log_softmax(axis=-1)
        (ls * Tensor([[1.0, 2.0, 3.0]])).sum().backward()
    assert np.allclose(s.data.sum(1), 1.0) and s.data[0].tolist() == [1.0, 0.0, 0.0]
    assert np.all(np.isfinite(ls.array)) and ls.array[0, 2] == pytest.approx(-2e4)
    assert np.all(np.isfinite(big.grad.array))


@pytest.mark.parametrize("x", [1e4, -1e4, 80.0, -80.0, 0.0])
def test_sigmoid_and_tanh_are_stable_without_warnings(x, recwarn) -> None:
    t = Tensor([x], requires_grad=True)
    s, h = t.sigmoid(), t.tanh()
    (s + h).sum().backward()
    assert 0.0 <= s.item() <= 1.0 and -1.0 <= h.item() <= 1.0
    assert s.item() == pytest.approx(1 / (1 + math.exp(-x)) if x > -700 else 0.0, rel=1e-6)
    assert np.all(np.isfinite(t.grad.array)) and len(recwarn) == 0


def test_clip_passes_gradient_only_inside_its_bounds() -> None:
    x = Tensor([-2.0, -1.0, 0.5, 1.0, 3.0], requires_grad=True)
    y = x.clamp(-1.0, 1.0)
    assert y.tolist() == [-1.0, -1.0, 0.5, 1.0, 1.0]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]  # PyTorch: 1 at the bounds
    assert Tensor([-1.0, 2.0]).clip(min=0).tolist() == [0.0, 2.0]
    with pytest.raises(ValueError, match="clip needs min, max or both"):
        x.clip()


def test_shapes_reshape_transpose_permute_flatten() -> None:
    x = autograd.arange(24).reshape(2, 3, 4)
    assert x.reshape(-1, 4).shape == (6, 4) and x.view(6, 4).shape == (6, 4)
    assert x.transpose(0, 2).shape == (4, 3, 2) and x.T.shape == (4, 3, 2)
    assert x.permute(1, 2, 0).shape == (3, 4, 2) and x.flatten(1).shape == (2, 12)
    assert x.transpose(0, 2).tolist() == np.arange(24).reshape(2, 3, 4).transpose(2, 1, 0).tolist()
    m = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    (m.T * Tensor([[1.0], [10.0], [100.0]])).sum().backward()
    assert m.grad.tolist() == [[1.0, 10.0, 100.0]]


def test_concatenate_and_stack() -> None:
    a, b = Tensor([[1.0, 2.0]], requires_grad=True), Tensor([[3.0, 4.0], [5.0, 6.0]])
    c = autograd.concatenate([a, b])
    assert c.shape == (3, 2) and autograd.cat([a, b], dim=0).tolist() == c.tolist()
    (c * Tensor([[1.0], [2.0], [3.0]])).sum().backward()
    assert a.grad.tolist() == [[1.0, 1.0]] and b.grad is None
    s = autograd.stack([a[0], Tensor([7.0, 8.0])], axis=1)
    assert s.tolist() == [[1.0, 7.0], [2.0, 8.0]]


# --- dtypes through ops (numpy 2 promotes with NEP 50) ------------------------------------


def test_float32_stays_float32_with_numbers_and_numpy_scalars() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    results = [
        x * 0.1,
        0.1 * x,
        x + np.float64(0.5),
        np.float64(2.0) * x,
        x / 3,
        2**x,
        x**0.5,
        -x,
        x.mean(),
        x.sigmoid(),
    ]
    assert all(r.dtype == np.float32 for r in results)
    sum(r.sum() for r in results).backward()
    assert x.grad.dtype == np.float32


def test_integers_with_floats_give_float32_as_in_pytorch() -> None:
    i = autograd.tensor([1, 2])
    assert (i * 2.5).dtype == np.float32 and (i * 2.5).tolist() == [2.5, 5.0]
    assert (i / autograd.tensor([2, 4])).dtype == np.float32
    assert (i * 2).dtype == autograd.int64
    assert i.mean().dtype == np.float32 and i.exp().dtype == np.float32
    assert (i**-1.0).tolist() == [1.0, 0.5] and (i**-1.0).dtype == np.float32  # i**-1 raises


def test_mixed_float_dtypes_promote_but_grads_keep_each_leafs_dtype() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True, dtype=np.float64)
    c = a * b
    assert c.dtype == np.float64
    c.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    assert a.grad.tolist() == [3.0, 4.0] and b.grad.tolist() == [1.0, 2.0]


def test_numpy_arrays_and_scalars_on_the_left_defer_to_tensor() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x
    assert isinstance(y, Tensor) and y.tolist() == [3.0, 8.0]
    z = np.eye(2, dtype=np.float32) @ x
    assert isinstance(z, Tensor) and z.tolist() == [1.0, 2.0]
    assert np.asarray(x.detach()).tolist() == [1.0, 2.0]


# --- no_grad and in-place updates --------------------------------------------------------


def test_no_grad_records_nothing_and_restores_recording() -> None:
    w = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = w * 2
        assert not autograd.is_grad_enabled()
        with autograd.enable_grad():
            inner = w * 2
    assert autograd.is_grad_enabled()
    assert y.requires_grad is False and y.parents == () and inner.parents == (w, inner.parents[1])

    @no_grad()
    def evaluate(t: Tensor) -> Tensor:
        return t * 3

    assert evaluate(w).requires_grad is False and autograd.is_grad_enabled()
    with pytest.raises(KeyError), no_grad():
        raise KeyError("boom")
    assert autograd.is_grad_enabled()


def test_no_grad_and_enable_grad_decorate_with_or_without_parentheses() -> None:
    w = Tensor([1.0], requires_grad=True)

    @no_grad
    def evaluate(t: Tensor) -> Tensor:
        return t * 3

    @autograd.enable_grad
    def train(t: Tensor) -> Tensor:
        return t * 3

    assert evaluate.__name__ == "evaluate"
    assert evaluate(w).requires_grad is False and evaluate(w).tolist() == [3.0]
    with no_grad():
        assert train(w).requires_grad is True and not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()


def test_results_of_tensors_without_grad_record_nothing() -> None:
    x = Tensor([1.0, 2.0])
    y = (x * 2).exp()
    assert y.requires_grad is False and y.parents == () and y.is_leaf


def test_sgd_updates_in_place_inside_no_grad_keep_identity_and_dtype() -> None:
    w = Tensor([[1.0, 2.0]], requires_grad=True)
    data = w.array
    (w * w).sum().backward()
    with no_grad():
        w -= 0.1 * w.grad
    assert w.array is data and w.dtype == np.float32 and w.requires_grad
    assert np.allclose(w.array, [[0.8, 1.6]])
    w.data -= 0.1 * w.grad  # makemore's way: through .data, outside the graph
    assert np.allclose(w.array, [[0.6, 1.2]]) and w.array is data


def test_in_place_on_a_tensor_the_graph_needs_is_refused() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    with pytest.raises(RuntimeError, match=r"-= on 'w' .*no_grad"):
        w -= 1
    with pytest.raises(RuntimeError, match="no_grad"):
        w[0] = 5.0
    plain = Tensor([1.0, 2.0])
    plain += 1
    plain *= 2
    plain /= 4
    plain[1] = 0.0
    assert plain.tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match=r"\[3\] cannot be applied in place"):
        plain += np.ones(3)


def test_training_a_tiny_network_matches_torch_step_by_step() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3)).astype(np.float32)
    y = rng.integers(0, 2, 8)
    arrays = [rng.standard_normal(s).astype(np.float32) * 0.5 for s in ((3, 4), (4,), (4, 2), (2,))]
    params = [Tensor(a, requires_grad=True) for a in arrays]
    losses = []
    for _ in range(20):
        h = (Tensor(x) @ params[0] + params[1]).tanh()
        loss = -(h @ params[2] + params[3]).log_softmax(1)[autograd.arange(8), y].mean()
        for p in params:
            p.grad = None
        loss.backward()
        with no_grad():
            for p in params:
                p -= 0.5 * p.grad
        losses.append(loss.item())
    assert losses[-1] < losses[0] * 0.8
    torch = pytest.importorskip("torch")
    tp = [torch.tensor(a, requires_grad=True) for a in arrays]
    for step in range(20):
        h = (torch.tensor(x) @ tp[0] + tp[1]).tanh()
        loss = torch.nn.functional.cross_entropy(h @ tp[2] + tp[3], torch.tensor(y))
        for p in tp:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in tp:
                p -= 0.5 * p.grad
        assert loss.item() == pytest.approx(losses[step], rel=1e-5)
    for ours, theirs in zip(params, tp):
        assert np.allclose(ours.data, theirs.detach().numpy(), rtol=1e-5, atol=1e-6)


# --- comparisons and Python protocols ----------------------------------------------------


def test_comparisons_give_boolean_tensors_without_a_gradient() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert (x > 1.5).tolist() == [False, True, True] and (x == 2).tolist() == [False, True, False]
    assert (x <= Tensor([1.0, 1.0, 5.0])).tolist() == [True, False, True]
    assert (x != 3).dtype == np.bool_ and not (x >= 2).requires_grad
    assert (x < 2).sum().item() == 1
    correct = (autograd.tensor([1, 2, 3]) == autograd.tensor([1, 0, 3])).sum().item()
    assert correct == 2
    assert len({x, x, Tensor([1.0])}) == 2  # hashable by identity, as PyTorch's
    assert bool(Tensor([1.0]) > 0) and float(Tensor([[2.5]])) == 2.5 and int(Tensor(3.7)) == 3
    with pytest.raises(ValueError, match="ambiguous"):
        bool(x > 0)
    assert (x > 0).all().item() and (x > 2).any().item()


def test_repr_shows_numbers_and_how_the_tensor_was_made() -> None:
    w = Tensor([1.0, 2.5], requires_grad=True, label="w")
    assert repr(w) == "tensor([1. , 2.5], label='w', requires_grad=True)"
    assert repr(w * 2) == "tensor([2., 5.], op=mul)"
    assert repr(autograd.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(Tensor(0.5, dtype=np.float64)) == "tensor(0.5, dtype=float64)"
    assert f"{Tensor([[2.25]]):.1f}" == "2.2" and f"{w}" == repr(w)
    # a 0-d tensor formats as its number, as PyTorch's does: makemore prints f"{nll/n}"
    assert f"{Tensor(0.5) * 3}" == "1.5" and f"{Tensor([1.5])}" == "tensor([1.5])"


# --- errors ------------------------------------------------------------------------------


def test_a_shape_mismatch_names_the_op_and_both_shapes() -> None:
    x, y = Tensor(np.ones((2, 3)), label="x"), Tensor(np.ones(4), label="y")
    with pytest.raises(ValueError, match=r"add: shapes \[2×3\] and \[4\] do not broadcast"):
        x + y
    with pytest.raises(ValueError, match=r"mul: shapes \[4\] and \[2×3\] .*constant \[4\] and 'x'"):
        y.array * x  # the array on the left keeps its place
    with pytest.raises(ValueError, match=r"matmul: cannot multiply 'x' \[2×3\] .* by 'y' \[4\]"):
        x @ y
    with pytest.raises(ValueError, match="inner sizes 3 and 4 differ"):
        x @ y
    with pytest.raises(ValueError, match=r"cat: cannot join shapes \[2×3\], \[4\]"):
        autograd.cat([x, y])
    with pytest.raises(
        ValueError, match=r"reshape: cannot reshape 'x' \[2×3\] float32 \(6 entries\) into \[4\]"
    ):
        x.reshape(4)
    with pytest.raises(ValueError, match=r"stack: cannot join shapes \[2×3\], \[4\]"):
        autograd.stack([x, y])


@given(
    shape=st.lists(st.integers(0, 4), max_size=3),
    wanted=st.lists(st.integers(-2, 8), max_size=4),
)
def test_reshape_takes_the_shapes_numpy_takes_and_refuses_the_rest(
    shape: list[int], wanted: list[int]
) -> None:
    # reshape works out its -1 by hand (cheaper than numpy's own call at every .view): it
    # must agree with numpy on every shape, the refusals included
    x = Tensor(np.zeros(shape, np.float32), label="x")
    try:
        if any(n < -1 for n in wanted):  # numpy reads -2 as -1; PyTorch refuses it, as we do
            raise ValueError
        expected = np.zeros(shape).reshape(wanted).shape
    except ValueError:
        with pytest.raises(ValueError, match="reshape: cannot reshape 'x'"):
            x.reshape(*wanted)
        return
    assert x.reshape(*wanted).shape == expected == x.view(tuple(wanted)).shape


def test_mixing_a_value_and_a_tensor_is_a_clear_type_error() -> None:
    x, v = Tensor([1.0, 2.0], label="x"), Value(2.0, "v")
    with pytest.raises(TypeError, match="a Value and a Tensor do not mix"):
        x + v
    with pytest.raises(TypeError, match="a scalar Value and a Tensor do not mix"):
        v * x
    with pytest.raises(TypeError, match="scalar Value"):
        Tensor(v)
    with pytest.raises(TypeError, match=r"mul: cannot combine str 'a' with 'x' \[2\] float32"):
        x * "a"


@pytest.mark.parametrize(
    "build, error, words",
    [
        (lambda x: (x - 2).log(), ValueError, r"log\(.*\): log is only defined for x > 0"),
        (lambda x: x / (x - 1), ZeroDivisionError, r"div\('x' .*division by zero"),
        (lambda x: (x * 100).exp(), OverflowError, "exp.* too large for float32"),
        (lambda x: (x - 2) ** 0.5, ValueError, "negative base to the power 0.5"),
        (lambda x: (x - 1) ** -1, ZeroDivisionError, "0 to a negative power"),
        (lambda x: x[5], IndexError, r"index: 'x' \[2×3\] float32: index 5 is out of bounds"),
        (lambda x: x.sum(3), ValueError, r"sum: axis 3 does not exist in 'x' \[2×3\]"),
        (lambda x: x.softmax(2), ValueError, "softmax: axis 2 does not exist"),
        (lambda x: x.permute(0, 0), ValueError, r"permute: \(0, 0\) is not an order"),
    ],
)
def test_domain_and_index_errors_name_the_op_and_the_tensor(build, error, words) -> None:
    x = Tensor(np.ones((2, 3)), requires_grad=True, label="x")
    with pytest.raises(error, match=words):
        build(x)


def test_a_tensor_power_follows_the_scalar_rule_at_a_zero_base() -> None:
    bases, exponents = [0.0, 0.0, 0.0, 0.0, 2.0], [0.0, 0.5, 1.0, 2.0, 0.0]
    a = Tensor(bases, dtype=np.float64, requires_grad=True)
    b = Tensor(exponents, dtype=np.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (a**b).sum().backward()
    assert a.grad.tolist() == [0.0, math.inf, 1.0, 0.0, 0.0]
    assert b.grad.tolist() == [0.0, 0.0, 0.0, 0.0, math.log(2.0)]
    for i, (base, exponent) in enumerate(zip(bases, exponents)):
        x, k = Value(base), Value(exponent)
        (x**k).backward()
        assert (a.grad[i], b.grad[i]) == (x.grad, k.grad)


@pytest.mark.parametrize(
    "exponent, expected, dtype",
    [
        (0, [1, 1, 1], autograd.int64),
        (1, [1, 2, 3], autograd.int64),
        (2, [1, 4, 9], autograd.int64),
        (3, [1, 8, 27], autograd.int64),
        (3.0, [1.0, 8.0, 27.0], autograd.float32),
        (np.int64(3), [1, 8, 27], autograd.int64),
        (0.5, [1.0, 2.0**0.5, 3.0**0.5], autograd.float32),
        (1.5, [1.0, 2.0**1.5, 3.0**1.5], autograd.float32),
    ],
)
def test_integer_tensors_keep_their_dtype_under_whole_powers_like_torch(
    exponent, expected, dtype
) -> None:
    out = autograd.tensor([1, 2, 3]) ** exponent
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, np.array(expected, dtype=dtype), rtol=1e-7)
    assert (autograd.tensor([True, False]) ** 2).tolist() == [1, 0]
    assert (autograd.tensor([True, False]) ** 2).dtype == autograd.int64


def test_integers_to_negative_integer_powers_are_refused_like_torch() -> None:
    x = autograd.tensor([1, 2], label="n")
    with pytest.raises(ValueError, match=r"pow-1\(.n. \[2\] int64\): integers to negative"):
        x**-1
    with pytest.raises(ValueError, match=r"pow\('n' .*integers to negative integer powers"):
        x ** autograd.tensor([-1, 2])
    assert (x.float() ** -1).tolist() == (x**-1.0).tolist() == [1.0, 0.5]
    assert (x ** autograd.tensor([2, 3])).tolist() == [1, 8]


@pytest.mark.parametrize("kind", ["sum", "mean", "amax", "amin", "max", "min"])
def test_numpy_integer_axes_reduce_like_python_ints_forward_and_backward(kind) -> None:
    data = np.array([[1.0, 2.0, 9.0], [4.0, 3.0, 5.0]])
    expected = Tensor(data, requires_grad=True)
    given = Tensor(data, requires_grad=True)
    for axis in (np.int64(1), (np.int32(0), np.int64(1)), [np.int64(-1)]):
        plain = tuple(int(a) for a in axis) if isinstance(axis, (tuple, list)) else int(axis)
        out, reference = getattr(given, kind)(axis), getattr(expected, kind)(plain)
        if isinstance(out, tuple):  # max(dim) and min(dim): values and indices
            assert out.indices.tolist() == reference.indices.tolist()
            out, reference = out.values, reference.values
        assert out.tolist() == reference.tolist()
        out.sum().backward()
        reference.sum().backward()
        np.testing.assert_array_equal(given.grad, expected.grad)
    assert given.softmax(np.int64(0)).tolist() == expected.softmax(0).tolist()
    assert given.argmax(np.int64(1)).tolist() == [2, 2]


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda t: t.sum(1.0), r"sum: an axis is a whole number .*got float 1\.0"),
        (lambda t: t.mean(axis=(0, 0.5)), r"mean: an axis is a whole number .*got float 0\.5"),
        (lambda t: t.amax("0"), r"amax: an axis is a whole number .*got str '0'"),
        (lambda t: t.max(dim=True), r"max: an axis is a whole number .*got bool True"),
        (lambda t: t.softmax(dim=1.0), r"softmax: an axis is a whole number"),
        (lambda t: t.argmax(np.float64(1)), r"argmax: an axis is a whole number"),
    ],
)
def test_an_axis_that_is_not_a_whole_number_is_a_clear_type_error(call, words) -> None:
    with pytest.raises(TypeError, match=words):
        call(Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="t"))


@needs_torch
def test_pytorch_names_agree_with_torch() -> None:
    import torch

    data = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], dtype=np.float32)
    ours, theirs = Tensor(data), torch.tensor(data)
    for name in ("relu", "sigmoid", "tanh", "exp", "float", "long", "round", "argmax", "T"):
        a, b = getattr(ours, name), getattr(theirs, name)
        a, b = (a(), b()) if callable(a) else (a, b)
        assert np.allclose(a.data, b.numpy()), name
    assert ours.sum(dim=1, keepdim=True).tolist() == theirs.sum(dim=1, keepdim=True).tolist()
    assert ours.max(1).indices.tolist() == theirs.max(1).indices.tolist()
    assert ours.transpose(0, 1).tolist() == theirs.transpose(0, 1).tolist()
    assert ours.flatten().tolist() == theirs.flatten().tolist()
    assert ours.size(1) == theirs.size(1) and ours.numel() == theirs.numel()
