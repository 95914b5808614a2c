"""Loads a lucid checkpoint into the same model in PyTorch and compares test-set predictions.

    ./build/examples/fashion_mnist --eval-only --resume runs/fashion_mnist/epoch_2.safetensors
    /usr/bin/python3 examples/fashion_mnist/check_in_pytorch.py runs/fashion_mnist/epoch_2.safetensors \\
        runs/fashion_mnist/predictions.csv [group|batch|layer|instance]

The last argument is the model's --norm (default group); with batch the checkpoint's running
statistics (running_mean, running_var, num_batches_tracked) load into BatchNorm2d's buffers and
PyTorch predicts in eval mode with them, as lucid's --eval-only does.

Reads the checkpoint with scripts/safetensors_numpy.py (json + numpy), loads it with
load_state_dict(strict=True), predicts the 10,000 test images and prints how many predictions agree
with lucid's (predictions.csv from --eval-only) and both accuracies. Exits 1 unless all agree.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import safetensors_numpy  # noqa: E402
from torch_model import load_fashion_mnist, make_model, predict  # noqa: E402


def main(checkpoint, predictions_csv, norm="group"):
    model = make_model(norm)
    state = {k: torch.from_numpy(v.copy()) for k, v in safetensors_numpy.load(checkpoint).items()}
    model.load_state_dict(state, strict=True)
    images, labels = load_fashion_mnist(train=False)
    torch_pred = predict(model, images).numpy()
    lucid_pred = np.loadtxt(predictions_csv, delimiter=",", skiprows=1, dtype=np.int64)[:, 1]
    if len(lucid_pred) != len(torch_pred):
        sys.exit(f"{predictions_csv} has {len(lucid_pred)} predictions, the test set {len(torch_pred)}")
    agree = int((lucid_pred == torch_pred).sum())
    print(f"predictions agreeing: {agree}/{len(torch_pred)} ({agree / len(torch_pred):.4%})")
    print(f"test accuracy: PyTorch {(torch_pred == labels.numpy()).mean():.4f}, "
          f"lucid {(lucid_pred == labels.numpy()).mean():.4f}")
    return 0 if agree == len(torch_pred) else 1


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
