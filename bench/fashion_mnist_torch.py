"""One epoch of the Fashion-MNIST example's training in PyTorch (the peer of lucid's example), for
bench/fashion_mnist_epoch.sh: same model, AdamW lr 2e-3 with per-batch cosine decay, batch 128,
shuffled, the same threads.

    /usr/bin/python3 bench/fashion_mnist_torch.py --threads 2 [--epochs 1] [--limit 0]

Prints one line per epoch: "torch epoch E: S s, test accuracy A".
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "fashion_mnist"))
from torch_model import load_fashion_mnist, make_model, predict  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x, y = load_fashion_mnist(train=True, limit=args.limit)
    test_x, test_y = load_fashion_mnist(train=False)
    model = make_model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    steps_per_epoch = (len(x) + args.batch_size - 1) // args.batch_size
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, max(steps_per_epoch * args.epochs, 1)) \
        if args.schedule == "cosine" else None
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(x))
        for i in range(0, len(x), args.batch_size):
            index = order[i:i + args.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
            if schedule:
                schedule.step()
        seconds = time.perf_counter() - start
        accuracy = (predict(model, test_x) == test_y).float().mean().item()
        print(f"torch epoch {epoch}: {seconds:.1f} s, test accuracy {accuracy:.4f}", flush=True)


if __name__ == "__main__":
    main()
