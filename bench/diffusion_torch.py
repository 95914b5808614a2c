"""One epoch of the diffusion example's training in PyTorch (the peer of lucid's example), for
bench/diffusion_epoch.sh: the same UNet (examples/diffusion/torch_unet.py), ε-prediction loss with
10 % label dropout on the cosine schedule, AdamW lr 2e-3 with warm-up and cosine decay, an EMA of
the weights updated after every step, batch 128, shuffled, the same threads.

    /usr/bin/python3 bench/diffusion_torch.py --threads 2 [--epochs 1] [--limit 0]

Prints one line per epoch: "torch epoch E: S s, loss L".
"""
import argparse
import copy
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples", "diffusion"))
sys.path.insert(0, os.path.join(HERE, "..", "examples", "fashion_mnist"))
from torch_model import MEAN, STD, load_fashion_mnist  # noqa: E402
from torch_unet import NULL_CLASS, UNet, cosine_alpha_bar  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--channels", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x, y = load_fashion_mnist(train=True, limit=args.limit)
    x = ((x * STD + MEAN) - 0.5) / 0.5  # the example's [-1, 1] images
    model = UNet(args.channels)
    ema = copy.deepcopy(model).requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    alpha_bar = torch.tensor(cosine_alpha_bar(), dtype=torch.float32)
    steps_per_epoch = (len(x) + args.batch_size - 1) // args.batch_size
    total = steps_per_epoch * args.epochs
    warmup = min(args.warmup, total // 5)
    step = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(x))
        losses = []
        for i in range(0, len(x), args.batch_size):
            index = order[i:i + args.batch_size]
            images, labels = x[index], y[index].clone()
            b = len(index)
            for group in optimizer.param_groups:
                ramp = min(1.0, (step + 1) / warmup) if warmup > 0 else 1.0
                group["lr"] = args.lr * ramp * (1 + math.cos(math.pi * min(step / total, 1.0))) / 2
            t = torch.randint(0, len(alpha_bar), (b,))
            labels[torch.rand(b) < 0.1] = NULL_CLASS
            noise = torch.randn_like(images)
            ab = alpha_bar[t].view(b, 1, 1, 1)
            optimizer.zero_grad(set_to_none=True)
            loss = F.mse_loss(model(ab.sqrt() * images + (1 - ab).sqrt() * noise, t, labels), noise)
            loss.backward()
            optimizer.step()
            d = min(0.999, (1 + step) / (10 + step))
            with torch.no_grad():
                for e, p in zip(ema.parameters(), model.parameters()):
                    e.mul_(d).add_(p, alpha=1 - d)
            losses.append(loss.item())
            step += 1
        seconds = time.perf_counter() - start
        print(f"torch epoch {epoch}: {seconds:.1f} s, loss {sum(losses) / len(losses):.4f}", flush=True)


if __name__ == "__main__":
    main()
