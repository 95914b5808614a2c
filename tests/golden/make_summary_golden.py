"""Writes summary.json: what torchinfo-style model summaries count in PyTorch 1.13, for
tests/modules/summary_test.cc. For each model, one row per leaf module (no children) in registration
order: dotted name, class name, the output shape of its forward in one call on the example input
(collected with forward hooks), and its own parameter count; then the totals over model.parameters()
(each tensor once): all, trainable (requires_grad), non-trainable, and the bytes of parameters and of
buffers (float32). Run with /usr/bin/python3 (which has torch).
"""
import torch
from torch import nn

from golden import write

torch.manual_seed(0)


def example_model():
    """examples/fashion_mnist/model.cc (the same layers as examples/fashion_mnist/torch_model.py)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.GroupNorm(8, 32), nn.SiLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.GroupNorm(8, 64), nn.SiLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 10))


def nested_model():
    """Nested Sequentials, a frozen Linear (non-trainable parameters), a BatchNorm (buffers)."""
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.GroupNorm(2, 8), nn.SiLU(),
        nn.Sequential(nn.Conv2d(8, 16, 3, stride=2), nn.BatchNorm2d(16), nn.ReLU()),
        nn.Flatten(),
        nn.Sequential(nn.Linear(16 * 3 * 3, 12), nn.Tanh(), nn.Linear(12, 4, bias=False)))
    for p in model[5][0].parameters():
        p.requires_grad_(False)
    return model


def summarize(name, model, input_shape):
    leaves = [(n, m) for n, m in model.named_modules() if n and not list(m.children())]
    shapes = {}
    def record(name):
        def hook(module, inputs, output):
            shapes.setdefault(name, list(output.shape))  # returns None: the output stays as it is
        return hook
    handles = [m.register_forward_hook(record(n)) for n, m in leaves]
    with torch.no_grad():
        model.eval()(torch.zeros(input_shape))
    for h in handles:
        h.remove()
    rows = [{"name": n, "type": type(m).__name__, "output_shape": shapes[n],
             "parameters": sum(p.numel() for p in m.parameters(recurse=False))} for n, m in leaves]
    params = list(model.parameters())
    return {"name": name, "attrs": {
        "input_shape": list(input_shape), "rows": rows,
        "total": sum(p.numel() for p in params),
        "trainable": sum(p.numel() for p in params if p.requires_grad),
        "non_trainable": sum(p.numel() for p in params if not p.requires_grad),
        "parameter_bytes": sum(p.numel() * p.element_size() for p in params),
        "buffer_bytes": sum(b.numel() * b.element_size() for b in model.buffers())}, "tensors": {}}


cases = [summarize("fashion_mnist_example", example_model(), (1, 1, 28, 28)),
         summarize("nested", nested_model(), (2, 3, 8, 8))]
write("summary.json", cases, "tests/golden/make_summary_golden.py: leaf rows and parameter totals of two models")
