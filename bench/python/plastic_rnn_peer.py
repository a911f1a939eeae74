#!/usr/bin/env python3
"""plastic_rnn against the loop a PyTorch user would write, side by side in one run.

The peer is plain PyTorch: a Python loop over the steps, one einsum per step for the plastic
recurrent product, autograd through every step. The op is torch.ops.engram.plastic_rnn from
libengram (torch.ops.load_library). Both compute the same thing (Hebbian rule, no modulation,
alpha per connection, no clip) and are checked to agree before they are timed.

Every measurement runs in a fresh child process (this script with --child), so that peak memory
is the child's peak resident set size (VmHWM) minus its resident set size just before the
measured forward+backward (after inputs and a small warm-up run): it counts every tensor, the
autograd graph and the allocator's slack, which tracemalloc would not see.

On --device cuda, time is taken between torch.cuda.synchronize() calls and peak memory is
torch.cuda.max_memory_allocated() above what was allocated before the measured pass.
--graph-check (CUDA) also captures one no-grad forward of the op in a CUDA graph, replays it and
compares it with the eager result.

Usage: plastic_rnn_peer.py --library build/libengram.so [--B 32 --N 128 --T 200]
       [--threads 1 2] [--repeats 5] [--device cpu|cuda] [--graph-check] [--json out.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def read_status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def make_inputs(torch, B, N, T, dtype, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s, scale: (torch.randn(*s, generator=g, dtype=dtype) * scale).to(device)
    x = r(T, B, N, scale=1.0)
    h0 = r(B, N, scale=0.5)
    H0 = r(B, N, N, scale=0.01)
    W_in = r(N, N, scale=N ** -0.5).requires_grad_(True)
    W = r(N, N, scale=N ** -0.5).requires_grad_(True)
    alpha = r(N, N, scale=0.01).requires_grad_(True)
    b = r(N, scale=0.1).requires_grad_(True)
    eta = torch.tensor(0.05, dtype=dtype).requires_grad_(True)
    return x, h0, H0, W_in, W, alpha, b, eta


def peer_forward(torch, x, h0, H0, W_in, W, alpha, b, eta):
    """The unrolled loop, written the way the plastic-RNN papers' PyTorch code does it."""
    h, H = h0, H0
    outputs = []
    for t in range(x.shape[0]):
        # W_eff[b] = W + alpha ⊙ H[b]ᵀ (post × pre); one einsum for the recurrent product
        W_eff = W + alpha * H.transpose(1, 2)
        h_new = torch.tanh(x[t] @ W_in.t() + b + torch.einsum("bji,bi->bj", W_eff, h))
        H = (1 - eta) * H + eta * (h.unsqueeze(2) * h_new.unsqueeze(1))
        h = h_new
        outputs.append(h)
    return torch.stack(outputs), h, H


def op_forward(torch, x, h0, H0, W_in, W, alpha, b, eta):
    outputs, h, H, _, _ = torch.ops.engram.plastic_rnn(x, h0, H0, W_in, W, alpha, b, eta,
                                                       rule="hebb", modulation="none")
    return outputs, h, H


def loss_of(outputs, H):
    return outputs.square().mean() + H.square().mean()


def forward_backward(torch, impl, inputs):
    outputs, _, H = impl(torch, *inputs)
    params = inputs[3:]
    return outputs, H, torch.autograd.grad(loss_of(outputs, H), params)


def child(args):
    import torch
    torch.set_num_threads(args.threads)
    torch.ops.load_library(args.library)
    impl = peer_forward if args.impl == "peer" else op_forward
    dtype = torch.float32
    cuda = args.device == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    # warm-up on a short sequence: lazy initialisation outside the measured window
    forward_backward(torch, impl, make_inputs(torch, args.B, args.N, 3, dtype, device=args.device))
    inputs = make_inputs(torch, args.B, args.N, args.T, dtype, device=args.device)
    sync()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated() / 1024.0
    else:
        before = read_status_kib("VmRSS")
    forward_backward(torch, impl, inputs)
    sync()
    peak = torch.cuda.max_memory_allocated() / 1024.0 if cuda else read_status_kib("VmHWM")
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        forward_backward(torch, impl, inputs)
        sync()
        times.append(time.perf_counter() - start)
    json.dump({"impl": args.impl, "threads": args.threads, "device": args.device,
               "peak_memory_delta_mib": max(0, peak - before) / 1024.0,
               "memory_measure": "cuda max_memory_allocated" if cuda else "VmHWM - VmRSS",
               "times_s": times}, sys.stdout)


def graph_check(torch, B, N, T):
    """Captures one no-grad forward of the op in a CUDA graph, replays it on new input values and
    compares it with eager. Returns the max abs difference (raises when capture fails)."""
    inputs = [t.detach() for t in make_inputs(torch, B, N, T, torch.float32, device="cuda")]
    static = [t.clone() for t in inputs]
    with torch.no_grad():
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):  # warm-up outside the capture, as torch.cuda.graphs asks
            op_forward(torch, *static)
        torch.cuda.current_stream().wait_stream(s)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            captured = op_forward(torch, *static)
        fresh = [t.detach() for t in make_inputs(torch, B, N, T, torch.float32, seed=1,
                                                 device="cuda")]
        for dst, src in zip(static, fresh):
            dst.copy_(src)
        graph.replay()
        eager = op_forward(torch, *fresh)
        torch.cuda.synchronize()
    return max((a - b).abs().max().item() for a, b in zip(captured, eager))


def check_agreement(torch, library, B, N, T, device="cpu"):
    """Max |op − peer| over outputs, H and the parameter gradients, float32 and float64."""
    torch.ops.load_library(library)
    errors = {}
    for dtype in (torch.float32, torch.float64):
        inputs = make_inputs(torch, B, N, T, dtype, device=device)
        a_out, a_H, a_g = forward_backward(torch, peer_forward, inputs)
        b_out, b_H, b_g = forward_backward(torch, op_forward, inputs)
        err = 0.0
        for a, b in [(a_out, b_out), (a_H, b_H)] + list(zip(a_g, b_g)):
            scale = max(1.0, a.abs().max().item())
            err = max(err, (a - b).abs().max().item() / scale)
        errors[str(dtype).replace("torch.", "")] = err
    return errors


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--library", required=True, help="path to libengram.so")
    p.add_argument("--B", type=int, default=32)
    p.add_argument("--N", type=int, default=128)
    p.add_argument("--T", type=int, default=200)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--graph-check", action="store_true",
                   help="also capture the op in a CUDA graph and replay it (needs --device cuda)")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--impl", choices=["peer", "op"], help=argparse.SUPPRESS)
    args = p.parse_args()
    for name in ("B", "N", "T", "repeats"):
        if getattr(args, name) < 1:
            p.error(f"--{name} expected >= 1, got {getattr(args, name)}")
    if not os.path.exists(args.library):
        p.error(f"--library expected an existing file, got {args.library}")
    if args.child:
        args.threads = args.threads[0]
        return child(args)

    import torch
    torch.set_num_threads(1)
    if args.device == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda expected a visible CUDA device, got none")
    if args.graph_check and args.device != "cuda":
        p.error("--graph-check expected --device cuda, got --device cpu")
    agreement = check_agreement(torch, args.library, 4, 16, 20, device=args.device)
    print(f"agreement (max relative |op - peer|, B=4 N=16 T=20): {agreement}")
    graph = None
    if args.graph_check:
        graph = graph_check(torch, 4, 16, 20)
        print(f"CUDA graph capture + replay: max |replay - eager| = {graph:.3g}", flush=True)
    rows = []
    for threads in args.threads:
        row = {"threads": threads}
        for impl in ("op", "peer"):
            cmd = [sys.executable, os.path.abspath(__file__), "--child", "--impl", impl,
                   "--library", args.library, "--B", str(args.B), "--N", str(args.N),
                   "--T", str(args.T), "--threads", str(threads), "--repeats", str(args.repeats),
                   "--device", args.device]
            env = dict(os.environ, OMP_NUM_THREADS=str(threads))
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
            row[impl] = json.loads(out)
        op_t = statistics.median(row["op"]["times_s"])
        peer_t = statistics.median(row["peer"]["times_s"])
        row["time_ratio"] = peer_t / op_t
        row["memory_ratio"] = row["peer"]["peak_memory_delta_mib"] / max(
            row["op"]["peak_memory_delta_mib"], 1e-9)
        rows.append(row)
        print(f"threads {threads}: op {op_t * 1e3:.1f} ms, peer {peer_t * 1e3:.1f} ms "
              f"(median of {args.repeats}), time ratio {row['time_ratio']:.1f}x; peak memory "
              f"delta op {row['op']['peak_memory_delta_mib']:.1f} MiB, peer "
              f"{row['peer']['peak_memory_delta_mib']:.1f} MiB, ratio {row['memory_ratio']:.1f}x",
              flush=True)
    result = {"B": args.B, "N": args.N, "T": args.T, "device": args.device,
              "torch": torch.__version__, "agreement": agreement, "cuda_graph_max_diff": graph,
              "rows": rows}
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(result, f, indent=1)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    sys.exit(main())
