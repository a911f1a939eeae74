"""The engram operators (plastic_rnn, hebbian_update, gated_memory_layer) seen from Python:
torch.library.opcheck (schema, autograd registration, fake-tensor / Meta kernels, AOT dispatch
with dynamic shapes), torch.autograd.gradcheck in float64 and torch.compile of a small model
against eager.

Usage: python test_ops_opcheck.py <path to libengram.so> [unittest args]
Exit code 77 (skipped) when this Python has no torch.
"""
import itertools
import os
import sys
import unittest

try:
    import torch
except ImportError:  # the C++ build does not need this Python to have torch
    print("skipped: this Python cannot import torch")
    sys.exit(77)

LIBRARY = sys.argv.pop(1) if len(sys.argv) > 1 else os.environ.get("ENGRAM_LIBRARY", "")
if not LIBRARY or not os.path.exists(LIBRARY):
    print(f"usage: {sys.argv[0]} <libengram.so>; got {LIBRARY!r}")
    sys.exit(2)
torch.ops.load_library(LIBRARY)
torch.set_num_threads(1)

RULES = ("hebb", "oja")
# (modulation, m given instead of the modulator head)
MODULATIONS = (("none", False), ("simple", False), ("simple", True), ("retroactive", False),
               ("retroactive", True))
ALPHAS = ("matrix", "vector", "scalar")
CLIPS = (None, 0.5)


def plastic_args(rule, modulation, given_m, alpha, clip, dtype=torch.float64, seed=0, T=5, B=2,
                 I=3, N=4, requires_grad=True):
    g = torch.Generator().manual_seed(seed)

    def r(*shape, scale=1.0):
        return torch.randn(*shape, generator=g, dtype=dtype) * scale

    x, h0, H0 = r(T, B, I), r(B, N, scale=0.5), r(B, N, N, scale=0.1)
    W_in, W, b = r(N, I, scale=0.5), r(N, N, scale=0.3), r(N, scale=0.1)
    a = {"matrix": r(N, N, scale=0.2), "vector": r(N, scale=0.2), "scalar": r((), scale=0.2)}[alpha]
    eta = torch.tensor(0.3, dtype=dtype)
    E0 = r(B, N, N, scale=0.1) if modulation == "retroactive" else None
    m = w_m = b_m = None
    if modulation != "none":
        if given_m:
            m = r(T, B, scale=0.5)
        else:
            w_m, b_m = r(N, scale=0.5), r((), scale=0.1)
    args = [x, h0, H0, W_in, W, a, b, eta, E0, m, w_m, b_m]
    if requires_grad:
        args = [t.requires_grad_(True) if t is not None else None for t in args]
    kwargs = dict(rule=rule, modulation=modulation, clip=clip, chunk_size=2)
    return args, kwargs


def plastic_cases():
    return itertools.product(RULES, MODULATIONS, ALPHAS, CLIPS)


HEBBIAN_RULES = ("hebb", "oja", "covariance", "bcm")
M_KINDS = ("none", "sample", "post")


def hebbian_args(rule, shared, m_kind, clip, dtype=torch.float64, seed=0, B=3, I=4, O=5):
    g = torch.Generator().manual_seed(seed)

    def r(*shape, scale=1.0):
        return (torch.randn(*shape, generator=g, dtype=dtype) * scale).requires_grad_(True)

    H = r(I, O, scale=0.2) if shared else r(B, I, O, scale=0.2)
    pre, post, eta = r(B, I), r(B, O), torch.tensor(0.2, dtype=dtype, requires_grad=True)
    m = {"none": None, "sample": r(B), "post": r(B, O)}[m_kind]
    pre_mean = r(B, I, scale=0.3) if rule == "covariance" else None
    post_mean = r(B, O, scale=0.3) if rule == "covariance" else None
    theta = r(B, O, scale=0.3).abs().detach().requires_grad_(True) if rule == "bcm" else None
    args = [H, pre, post, eta, m, pre_mean, post_mean, theta]
    return args, dict(rule=rule, clip=clip, mean_rate=0.2)


def hebbian_cases():
    return itertools.product(HEBBIAN_RULES, (False, True), M_KINDS, CLIPS)


# opcheck's fast checks run on every combination; the AOT-dispatch check (a full fake-tensor trace
# of forward and backward with dynamic shapes, ~1 s each) on a subset that covers every rule ×
# modulation pair (plastic_rnn) or every rule × trace layout (hebbian_update), with the other
# options rotating.
FAST_UTILS = ("test_schema", "test_autograd_registration", "test_faketensor")


def differentiable_outputs(outs):
    return tuple(o for o in outs if o.numel() > 0)


class PlasticRnnOpcheck(unittest.TestCase):
    def test_opcheck_every_option(self):
        op = torch.ops.engram.plastic_rnn.default
        traced = set()
        for rule, (modulation, given_m), alpha, clip in plastic_cases():
            with self.subTest(rule=rule, modulation=modulation, given_m=given_m, alpha=alpha,
                              clip=clip):
                args, kwargs = plastic_args(rule, modulation, given_m, alpha, clip,
                                            dtype=torch.float32)
                key = (rule, modulation, given_m)
                i = RULES.index(rule) * len(MODULATIONS) + MODULATIONS.index((modulation, given_m))
                trace = (alpha, clip) == (ALPHAS[i % 3], CLIPS[(i // 3) % 2])
                utils = FAST_UTILS + (("test_aot_dispatch_dynamic",) if trace else ())
                if trace:
                    traced.add(key)
                torch.library.opcheck(op, args, kwargs, test_utils=utils)
        self.assertEqual(len(traced), len(RULES) * len(MODULATIONS))

    def test_gradcheck_float64(self):
        for rule, (modulation, given_m), alpha, clip in plastic_cases():
            if alpha == "vector" and clip is not None:
                continue  # covered by the matrix and scalar alphas; keeps the test short
            with self.subTest(rule=rule, modulation=modulation, given_m=given_m, alpha=alpha,
                              clip=clip):
                args, kwargs = plastic_args(rule, modulation, given_m, alpha, clip, T=4, N=3)
                slots = [k for k, t in enumerate(args) if t is not None]

                def fn(*leaves):
                    full = list(args)
                    for k, t in zip(slots, leaves):
                        full[k] = t
                    return differentiable_outputs(torch.ops.engram.plastic_rnn(*full, **kwargs))

                self.assertTrue(torch.autograd.gradcheck(fn, [args[k] for k in slots],
                                                         eps=1e-6, atol=1e-7, rtol=1e-5))


class HebbianUpdateOpcheck(unittest.TestCase):
    def test_opcheck_every_option(self):
        op = torch.ops.engram.hebbian_update.default
        traced = set()
        for rule, shared, m_kind, clip in hebbian_cases():
            with self.subTest(rule=rule, shared=shared, m=m_kind, clip=clip):
                args, kwargs = hebbian_args(rule, shared, m_kind, clip, dtype=torch.float32)
                i = 2 * HEBBIAN_RULES.index(rule) + int(shared)
                trace = (m_kind, clip) == (M_KINDS[i % 3], CLIPS[(i // 3) % 2])
                utils = FAST_UTILS + (("test_aot_dispatch_dynamic",) if trace else ())
                if trace:
                    traced.add((rule, shared))
                torch.library.opcheck(op, args, kwargs, test_utils=utils)
        self.assertEqual(len(traced), 8)

    def test_gradcheck_float64(self):
        for rule, shared, m_kind, clip in hebbian_cases():
            with self.subTest(rule=rule, shared=shared, m=m_kind, clip=clip):
                args, kwargs = hebbian_args(rule, shared, m_kind, clip)
                slots = [k for k, t in enumerate(args) if t is not None]

                def fn(*leaves):
                    full = list(args)
                    for k, t in zip(slots, leaves):
                        full[k] = t
                    return differentiable_outputs(torch.ops.engram.hebbian_update(*full, **kwargs))

                self.assertTrue(torch.autograd.gradcheck(fn, [args[k] for k in slots],
                                                         eps=1e-6, atol=1e-7, rtol=1e-5))


def gated_memory_args(bias, peephole, dtype=torch.float64, seed=0, T=4, B=2, I=3, H=3):
    g = torch.Generator().manual_seed(seed)

    def r(*shape, scale=0.5):
        return (torch.randn(*shape, generator=g, dtype=dtype) * scale).requires_grad_(True)

    args = [r(T, B, I, scale=1.0), r(B, H), r(B, H), r(4 * H, I), r(4 * H, H)]
    return args, dict(bias=r(4 * H) if bias else None, peephole=r(3, H) if peephole else None)


class GatedMemoryLayerOpcheck(unittest.TestCase):
    # Every bias × peephole combination gets every opcheck utility, the AOT-dispatch trace with
    # dynamic shapes included.
    def test_opcheck_bias_and_peephole(self):
        op = torch.ops.engram.gated_memory_layer.default
        for bias, peephole in itertools.product((False, True), (False, True)):
            with self.subTest(bias=bias, peephole=peephole):
                args, kwargs = gated_memory_args(bias, peephole, dtype=torch.float32)
                torch.library.opcheck(op, args, kwargs,
                                      test_utils=FAST_UTILS + ("test_aot_dispatch_dynamic",))

    def test_gradcheck_float64(self):
        for bias, peephole in itertools.product((False, True), (False, True)):
            with self.subTest(bias=bias, peephole=peephole):
                args, kwargs = gated_memory_args(bias, peephole)
                names = [k for k, t in kwargs.items() if t is not None]

                def fn(*leaves):
                    given = dict(zip(names, leaves[len(args):]))
                    return torch.ops.engram.gated_memory_layer(*leaves[:len(args)], **given)

                inputs = args + [kwargs[k] for k in names]
                self.assertTrue(torch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-7,
                                                         rtol=1e-5))


class PlasticModel(torch.nn.Module):
    """A plastic RNN cell run over a sequence, with a linear read-out."""

    def __init__(self, I=3, N=8, O=2):
        super().__init__()
        g = torch.Generator().manual_seed(1)
        self.W_in = torch.nn.Parameter(torch.randn(N, I, generator=g) * 0.5)
        self.W = torch.nn.Parameter(torch.randn(N, N, generator=g) * 0.2)
        self.alpha = torch.nn.Parameter(torch.full((N,), 0.1))
        self.b = torch.nn.Parameter(torch.zeros(N))
        self.eta = torch.nn.Parameter(torch.tensor(0.2))
        self.w_m = torch.nn.Parameter(torch.randn(N, generator=g) * 0.3)
        self.read = torch.nn.Linear(N, O)

    def forward(self, x):
        B, N = x.shape[1], self.W.shape[0]
        h0 = x.new_zeros(B, N)
        H0 = x.new_zeros(B, N, N)
        outputs, h, H, E, m = torch.ops.engram.plastic_rnn(
            x, h0, H0, self.W_in, self.W, self.alpha, self.b, self.eta, w_m=self.w_m,
            rule="oja", modulation="retroactive", clip=1.0)
        return self.read(torch.tanh(outputs)).sum() + H.square().mean()


class TorchCompile(unittest.TestCase):
    # backend="aot_eager": AOTAutograd traces forward and backward with fake tensors (the Meta
    # kernels) and runs the captured graphs eagerly; it needs no C++ compiler or Triton, which
    # the inductor backend would add on top of the same trace.
    def test_compiled_model_matches_eager(self):
        torch._dynamo.reset()
        model = PlasticModel()
        x = torch.randn(6, 4, 3, generator=torch.Generator().manual_seed(2))
        eager = model(x)
        eager_grads = torch.autograd.grad(eager, list(model.parameters()))
        compiled = torch.compile(model, backend="aot_eager", fullgraph=True)
        out = compiled(x)
        grads = torch.autograd.grad(out, list(model.parameters()))
        torch.testing.assert_close(out, eager, rtol=0, atol=0)
        for (name, _), g, e in zip(model.named_parameters(), grads, eager_grads):
            torch.testing.assert_close(g, e, rtol=0, atol=0, msg=name)


if __name__ == "__main__":
    unittest.main(verbosity=1)
