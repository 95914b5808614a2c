"""Loads a diffusion checkpoint's EMA weights into the same UNet in PyTorch and checks that one guided
DDIM denoising step agrees with lucid's.

    ./build/examples/diffusion --sample-only --resume runs/diffusion/epoch_5.safetensors \\
        --dump-step runs/diffusion/step.safetensors
    /usr/bin/python3 examples/diffusion/check_in_pytorch.py runs/diffusion/epoch_5.ema.safetensors \\
        runs/diffusion/step.safetensors

Reads both files with scripts/safetensors_numpy.py (json + numpy), loads the weights into
torch_unet.UNet with load_state_dict(strict=True), recomputes the guided noise prediction
eps = eps_null + w (eps_c - eps_null) and the DDIM step from the dumped inputs in float32, and
prints the largest differences. Exits 1 unless both agree to 1e-4 relative to their largest value.
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import safetensors_numpy  # noqa: E402
from torch_unet import NULL_CLASS, UNet, cosine_alpha_bar, ddim_step  # noqa: E402


def main(weights, step_file):
    meta = safetensors_numpy.load_metadata(step_file)
    t, t_prev, w = int(meta["t"]), int(meta["t_prev"]), float(meta["guidance"])
    model = UNet(int(meta["channels"]))
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in safetensors_numpy.load(weights).items()}, strict=True)
    model.eval()
    dump = {k: torch.from_numpy(v.copy()) for k, v in safetensors_numpy.load(step_file).items()}
    x, labels = dump["x"], dump["labels"]
    b = x.shape[0]
    with torch.no_grad():
        both = model(torch.cat([x, x]), torch.full((2 * b,), t, dtype=torch.int64),
                     torch.cat([labels, torch.full((b,), NULL_CLASS, dtype=torch.int64)]))
        eps = both[b:] + w * (both[:b] - both[b:])
        ab = cosine_alpha_bar()
        x_prev = ddim_step(x, eps, ab[t], ab[t_prev] if t_prev >= 0 else 1.0)
    ok = True
    for name, ours, theirs in (("eps", dump["eps"], eps), ("x_prev", dump["x_prev"], x_prev)):
        diff = (ours - theirs).abs().max().item()
        scale = theirs.abs().max().item()
        print(f"{name}: max |lucid - PyTorch| = {diff:.3g} (max |PyTorch| = {scale:.3g}, relative {diff / scale:.3g})")
        ok = ok and diff <= 1e-4 * scale
    print("agree" if ok else "DISAGREE")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
