"""The training loop of `engram run models/mlp-2x400.json --benchmark split-fmnist --strategy naive`
written in Python/PyTorch: the peer that engram's C++ trainer (src/train/continual_trainer.cpp) is
timed against in bench/mlp_throughput.sh.

Same data, model and loop: Split Fashion-MNIST (5 tasks of 2 classes, classes in order), images as
float32 [N, 784] in [0, 1] moved to the device once; class-IL (a sample competes over the units of
the tasks seen so far, the others masked to -1e9 before log-softmax); the 2x400 ReLU MLP with a
10-unit linear head (PyTorch's default initialisation, as LibTorch's); Adam (lr 1e-3, betas 0.9,
0.999); batches of 128 drawn uniformly with replacement from the current task by a CPU generator,
the indices sent to the device without waiting for it and the batch gathered there (two
index_selects, as engram's TaskSplit::images_at); the losses of the last 10% of each task's
iterations summed on the device; after each task, every task's test set evaluated in batches of
2000 with the correct answers counted on the device.

Timing as engram's results JSON reports it: `task_seconds` covers the training of a task (not its
evaluation).

Usage: python mlp_trainer_peer.py [--data DIR] [--iterations 300] [--threads 1] [--seed 0]
                                  [--device cpu]
Prints one JSON line: iterations, train_seconds, iterations_per_second, peak_rss_mb, acc.
"""
import argparse
import gzip
import json
import os
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return torch.frombuffer(bytearray(data), dtype=torch.uint8, offset=4 + 4 * dims).reshape(shape)


def find(directory, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(directory, name)
        if os.path.exists(p):
            return p
    raise SystemExit(f"mlp_trainer_peer: {stem}[.gz] not found in {directory}")


def load(directory, device):
    def split(prefix):
        x = read_idx(find(directory, f"{prefix}-images-idx3-ubyte"))
        y = read_idx(find(directory, f"{prefix}-labels-idx1-ubyte"))
        x = x.reshape(len(x), -1).to(torch.float32) / 255.0
        return x.to(device), y.to(torch.int64).to(device)
    return split("train"), split("t10k")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("ENGRAM_FASHION_MNIST_DIR",
                                                      "/usr/share/datasets/fashion-mnist"))
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--tasks", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    (train_x, train_y), (test_x, test_y) = load(a.data, device)
    classes = 10
    per_task = classes // a.tasks

    # Tasks: the rows of each class group, and each sample's output unit (its class).
    tasks = []
    for t in range(a.tasks):
        group = list(range(t * per_task, (t + 1) * per_task))
        rows = torch.cat([torch.nonzero(train_y == c).flatten() for c in group]).sort().values
        test_rows = torch.cat([torch.nonzero(test_y == c).flatten() for c in group]).sort().values
        tasks.append((rows, train_y.index_select(0, rows), test_rows, test_y.index_select(0, test_rows)))
    # active[c]: the units a current-task sample competes over at task c (class-IL).
    active = [torch.arange(classes, device=device) < (c + 1) * per_task for c in range(a.tasks)]

    torch.manual_seed(a.seed)
    model = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 400), nn.ReLU(),
                          nn.Linear(400, classes)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    gen = torch.Generator().manual_seed(a.seed + 1)

    def evaluate(current):
        model.eval()
        counts = []
        with torch.no_grad():
            for t, (_, _, rows, targets) in enumerate(tasks):
                off = ~active[max(t, current)]
                count = torch.zeros((), dtype=torch.long, device=device)
                for start in range(0, len(rows), 2000):
                    pos = torch.arange(start, min(start + 2000, len(rows)), device=device)
                    logits = model(test_x.index_select(0, rows.index_select(0, pos)))
                    pred = logits.masked_fill(off.unsqueeze(0), -1e9).argmax(1)
                    count += pred.eq(targets.index_select(0, pos)).sum()
                counts.append(count)
        model.train()
        return (torch.stack(counts).cpu().double() / torch.tensor([len(t[2]) for t in tasks])).tolist()

    train_seconds = 0.0
    acc = []
    for t, (rows, targets, _, _) in enumerate(tasks):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        off = ~active[t]
        tail_from = a.iterations - max(1, a.iterations // 10)
        loss_sum = torch.zeros((), dtype=torch.double, device=device)
        for it in range(a.iterations):
            pos = torch.randint(len(rows), (a.batch_size,), generator=gen).to(device, non_blocking=True)
            x = train_x.index_select(0, rows.index_select(0, pos))
            y = targets.index_select(0, pos)
            opt.zero_grad()
            logits = model(x)
            loss = F.nll_loss(F.log_softmax(logits.masked_fill(off.unsqueeze(0), -1e9), 1), y)
            loss.backward()
            opt.step()
            if it >= tail_from:
                loss_sum += loss.detach().double()
        final_loss = loss_sum.item()  # the end-of-task wait, as engram's
        train_seconds += time.perf_counter() - start
        acc = evaluate(t)
    del final_loss
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    out = {"implementation": "python", "torch": torch.__version__, "device": str(device),
           "threads": a.threads, "iterations": a.iterations * a.tasks,
           "train_seconds": train_seconds,
           "iterations_per_second": a.iterations * a.tasks / train_seconds,
           "peak_rss_mb": peak, "acc": sum(acc) / len(acc)}
    if device.type == "cuda":
        out["peak_cuda_mb"] = torch.cuda.max_memory_allocated(device) / 2**20
    print(json.dumps(out))


if __name__ == "__main__":
    main()
