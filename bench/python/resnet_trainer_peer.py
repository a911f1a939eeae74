"""The reduced ResNet-18 training loop in Python/PyTorch: the peer that engram's C++ loop
(bench/bench_resnet_training.cpp, the same model as models/reduced-resnet18.json) is timed against.

Model: Mammoth's / Lopez-Paz & Ranzato's reduced ResNet-18 (nf = 20): 3x3 conv stem (stride 1,
no bias) + BatchNorm + ReLU, four stages of two BasicBlocks (nf, 2nf, 4nf, 8nf channels, strides
1, 2, 2, 2; 1x1 conv + BatchNorm shortcut where the shape changes), global average pooling, linear.
Loop per iteration, as engram's trainer runs it: a batch of random indices into an in-memory
[N, 3, 32, 32] float tensor (CIFAR-format images, normalised), optional random crop (4-pixel
padding) + horizontal flip as batched tensor ops, forward, masked cross-entropy over the active
units, backward, SGD step (lr 0.1, no momentum).

Usage: python resnet_trainer_peer.py [--iterations 30] [--batch-size 32] [--threads 1]
                                     [--augment none|standard] [--nf 20] [--count-parameters]
                                     [--profile trace.json]
Prints one JSON line: iterations, seconds, iterations_per_second, cpu_seconds, peak_rss_mb, and
cpu_seconds_after_first (the CPU time of iterations 2..N, which bench/python/compare_resnet.sh sets
beside engram's). With --profile, torch.profiler records the loop's ops on the CPU and writes a
Chrome trace there (bench/python/profile_resnet.py compares it with engram's).
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False),
                                          nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet18(nn.Module):
    def __init__(self, num_classes=10, nf=20):
        super().__init__()
        self.conv1 = nn.Conv2d(3, nf, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(nf)
        blocks, in_planes = [], nf
        for mult, stride in ((1, 1), (2, 2), (4, 2), (8, 2)):
            blocks += [BasicBlock(in_planes, nf * mult, stride), BasicBlock(nf * mult, nf * mult)]
            in_planes = nf * mult
        self.blocks = nn.Sequential(*blocks)
        self.linear = nn.Linear(in_planes, num_classes)

    def forward(self, x):
        out = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.linear(F.adaptive_avg_pool2d(out, 1).flatten(1))


def augment(x, gen, fill):
    b, c, h, w = x.shape
    padded = fill.view(1, c, 1, 1).expand(b, c, h + 8, w + 8).clone()
    padded[:, :, 4:4 + h, 4:4 + w] = x
    dy = torch.randint(0, 9, (b,), generator=gen)
    dx = torch.randint(0, 9, (b,), generator=gen)
    rows = (dy.view(b, 1) + torch.arange(h).view(1, h)).view(b, 1, h, 1).expand(b, c, h, w + 8)
    out = padded.gather(2, rows)
    cols = (dx.view(b, 1) + torch.arange(w).view(1, w)).view(b, 1, 1, w).expand(b, c, h, w)
    out = out.gather(3, cols)
    flip = torch.randint(0, 2, (b,), generator=gen).bool().view(b, 1, 1, 1)
    return torch.where(flip, out.flip(3), out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iterations", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--images", type=int, default=2000)
    p.add_argument("--augment", choices=["none", "standard"], default="standard")
    p.add_argument("--nf", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--count-parameters", action="store_true")
    p.add_argument("--profile", default="")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = ResNet18(10, a.nf)
    if a.count_parameters:
        print(json.dumps({"nf": a.nf, "parameters": sum(t.numel() for t in model.parameters())}))
        return
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    images = torch.randn(a.images, 3, 32, 32)
    labels = torch.randint(0, 2, (a.images,))
    fill = torch.tensor([-0.4914 / 0.2470, -0.4822 / 0.2435, -0.4465 / 0.2616])
    active = torch.zeros(10, dtype=torch.bool)
    active[:2] = True
    gen = torch.Generator().manual_seed(a.seed + 1)

    def step():
        idx = torch.randint(0, a.images, (a.batch_size,), generator=gen)
        x, y = images.index_select(0, idx), labels.index_select(0, idx)
        if a.augment == "standard":
            x = augment(x, gen, fill)
        logits = model(x).masked_fill(~active, -1e9)
        loss = F.nll_loss(F.log_softmax(logits, 1), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    model.train()
    prof = None
    if a.profile:
        prof = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU])
        prof.__enter__()
    # Timed from the first iteration, as engram's trainer times a task (task_seconds).
    start, cpu_start = time.perf_counter(), time.process_time()
    cpu_after_first = None
    for i in range(a.iterations):
        loss = step()
        if i == 0:
            cpu_after_first = time.process_time()
    loss.item()
    seconds = time.perf_counter() - start
    end = time.process_time()
    cpu_seconds = end - cpu_start
    if prof is not None:
        prof.__exit__(None, None, None)
        prof.export_chrome_trace(a.profile)
    print(json.dumps({"impl": "pytorch", "iterations": a.iterations, "batch_size": a.batch_size,
                      "seconds": seconds, "iterations_per_second": a.iterations / seconds,
                      "cpu_seconds": cpu_seconds,
                      "iterations_per_cpu_second": a.iterations / cpu_seconds,
                      "cpu_seconds_after_first": end - cpu_after_first,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                      "torch": torch.__version__, "threads": a.threads}))


if __name__ == "__main__":
    main()
