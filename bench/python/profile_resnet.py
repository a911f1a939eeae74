"""Where one training iteration of the reduced ResNet-18 spends its time, engram against the PyTorch
peer, from the Chrome traces that `bench_resnet_training --profile` and
`resnet_trainer_peer.py --profile` write (LibTorch's Kineto CPU profiler on both sides).

The trace's top-level ops (those not inside another op) are cut into iterations at the batch's
index draw (an `aten::randint` followed by `aten::index_select`); the first iteration (warm-up) and
the last (which runs into engram's evaluation) are dropped. Each iteration is split into phases by
the order of its ops, with the same rules for both traces:

  batch      the index draw and the gathers (randint, to, index_select, full) before anything else
  augment    from there to the first convolution (random crop and flip)
  forward    the model, from the first convolution to its last linear layer
  loss       masking, log-softmax and NLL loss
  backward   autograd (ones_like and every autograd::engine::evaluate_function event)
  optimizer  everything after the last backward event (the SGD step)
  between ops  the iteration's wall time that no top-level op covers (the host code of the loop:
             C++ or the Python interpreter)

Usage: python profile_resnet.py --engram TRACE... --pytorch TRACE... [--ops 25]
The iterations of all traces of a side are pooled. Prints two Markdown tables: the phases (median
ms per iteration), then ops by name (mean total ms and calls per iteration, top-level ops and
autograd nodes). Durations are wall time: on a loaded machine they carry its noise.
"""
import argparse
import collections
import json
import statistics

BATCH_OPS = {"aten::randint", "aten::to", "aten::index_select", "aten::full"}


def top_level(path):
    events = [e for e in json.load(open(path))["traceEvents"]
              if e.get("ph") == "X" and e.get("cat") in ("cpu_op", "user_annotation")]
    events.sort(key=lambda e: (e["ts"], -e["dur"]))
    stack, top = [], []
    for e in events:
        while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
            stack.pop()
        if not stack:
            top.append(e)
        stack.append(e)
    return top


def iterations(top):
    starts = [i for i in range(len(top) - 1) if top[i]["name"] == "aten::randint" and
              top[i + 1]["name"] in ("aten::index_select", "aten::to") and
              any(e["name"] == "aten::index_select" for e in top[i + 1:i + 3])]
    # Iterations bounded by two starts, less the first (warm-up).
    return [top[a:b] for a, b in zip(starts[1:-1], starts[2:])], starts


def is_backward(name):
    return name == "aten::ones_like" or name.startswith("autograd::engine::evaluate_function")


def phases(it, next_start_ts):
    out = collections.OrderedDict((k, 0.0) for k in
                                  ("batch", "augment", "forward", "loss", "backward", "optimizer"))
    first_conv = next(i for i, e in enumerate(it) if e["name"] in ("aten::conv2d",
                                                                   "aten::convolution"))
    first_bwd = next(i for i, e in enumerate(it) if is_backward(e["name"]))
    last_bwd = max(i for i, e in enumerate(it) if is_backward(e["name"]))
    last_linear = max(i for i, e in enumerate(it[:first_bwd])
                      if e["name"] in ("aten::linear", "aten::addmm"))
    i = 0
    while i < first_conv and it[i]["name"] in BATCH_OPS:
        i += 1
    end_batch = i
    for k, e in enumerate(it):
        if k < end_batch:
            p = "batch"
        elif k < first_conv:
            p = "augment"
        elif k <= last_linear:
            p = "forward"
        elif k < first_bwd:
            p = "loss"
        elif k <= last_bwd:
            p = "backward"
        else:
            p = "optimizer"
        out[p] += e["dur"] / 1000.0
    wall = (next_start_ts - it[0]["ts"]) / 1000.0
    out["between ops"] = wall - sum(out.values())
    out["iteration (wall)"] = wall
    return out


def ops_per_iteration(its):
    total, calls = collections.Counter(), collections.Counter()
    for it in its:
        for e in it:
            name = e["name"].replace("autograd::engine::evaluate_function: ", "bwd: ")
            total[name] += e["dur"] / 1000.0
            calls[name] += 1
    n = len(its)
    return {k: (total[k] / n, calls[k] / n) for k in total}


def summarise(paths):
    all_its, ph = [], []
    for path in paths:
        top = top_level(path)
        its, starts = iterations(top)
        ph += [phases(it, top[starts[k + 2]]["ts"]) for k, it in enumerate(its)]
        all_its += its
    med = collections.OrderedDict((k, statistics.median(p[k] for p in ph)) for k in ph[0])
    return med, ops_per_iteration(all_its), len(all_its)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--engram", nargs="+", required=True)
    p.add_argument("--pytorch", nargs="+", required=True)
    p.add_argument("--ops", type=int, default=25)
    a = p.parse_args()
    (e_ph, e_ops, e_n), (p_ph, p_ops, p_n) = summarise(a.engram), summarise(a.pytorch)
    print(f"Phases, median ms per iteration (engram: {e_n} iterations, PyTorch: {p_n}):\n")
    print("| phase | engram | PyTorch | engram − PyTorch |")
    print("|---|---|---|---|")
    for k in e_ph:
        print(f"| {k} | {e_ph[k]:.2f} | {p_ph[k]:.2f} | {e_ph[k] - p_ph[k]:+.2f} |")
    print("\nOps by name, mean ms and calls per iteration (ordered by engram's time):\n")
    print("| op | engram ms | PyTorch ms | engram calls | PyTorch calls |")
    print("|---|---|---|---|---|")
    names = sorted(set(e_ops) | set(p_ops), key=lambda k: -max(e_ops.get(k, (0, 0))[0],
                                                               p_ops.get(k, (0, 0))[0]))
    shown = names[:a.ops]
    # Ops called a different number of times on the two sides are always shown.
    shown += [k for k in names[a.ops:] if e_ops.get(k, (0, 0))[1] != p_ops.get(k, (0, 0))[1]]
    for k in shown:
        em, ec = e_ops.get(k, (0.0, 0.0))
        pm, pc = p_ops.get(k, (0.0, 0.0))
        print(f"| `{k}` | {em:.2f} | {pm:.2f} | {ec:g} | {pc:g} |")


if __name__ == "__main__":
    main()
