"""Golden values for tests/modules/optim_test.cc and lr_scheduler_test.cc, computed with PyTorch.

optim_steps.json: each case runs one torch.optim optimizer (SGD, Adam, AdamW with various settings)
for STEPS steps on two float64 parameters, w (3, 2) and b (4,), with gradients drawn per step and
stored; b has no gradient (grad = None) at step SKIP, so the optimizer must skip it there. Stored:
w0, b0 (initial values), grad_w_<k>, grad_b_<k> (k = 1..STEPS, grad_b_<SKIP> absent) and w_<k>,
b_<k> (the parameters after step k).

optim_param_groups.json: each case runs one optimizer over two parameter groups, [w (3, 2)] from the
constructor and [b (4,), c (2, 2)] added by add_param_group with the group's own options (the options
it does not name take the constructor's, PyTorch's rule), for STEPS steps with a scheduler (or none)
stepped after every step. Stored: w0, b0, c0, grad_<p>_<k> (b has none at step SKIP), <p>_<k> after
step k, lr_<k> (the two groups' lrs after step k and the scheduler's step), and at the end the
optimizer's per-element state as state_<i>_<name> (i: PyTorch's index across groups) and its
state_dict's param_groups[g]["params"] in attrs.

lr_scheduler.json: the lr after each of EPOCHS scheduler steps (index 0: at construction) for
StepLR and CosineAnnealingLR, driven by an SGD optimizer.

Run with /usr/bin/python3 (torch 1.13): /usr/bin/python3 tests/golden/make_optim_golden.py
"""
import torch

import golden

STEPS = 6
SKIP = 3
EPOCHS = 30

OPTIMIZER_CASES = [
    ("sgd_plain", "SGD", dict(lr=0.1)),
    ("sgd_weight_decay", "SGD", dict(lr=0.1, weight_decay=0.05)),
    ("sgd_momentum", "SGD", dict(lr=0.1, momentum=0.9)),
    ("sgd_dampening", "SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    ("sgd_nesterov", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.02)),
    ("adam", "Adam", dict(lr=0.01)),
    ("adam_weight_decay", "Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("adamw", "AdamW", dict(lr=0.01)),
    ("adamw_custom", "AdamW", dict(lr=0.03, betas=(0.85, 0.995), eps=1e-7, weight_decay=0.2)),
]

GROUP_CASES = [
    ("groups_sgd", "SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01), dict(lr=0.02, weight_decay=0.1), None),
    ("groups_sgd_nesterov_step_lr", "SGD", dict(lr=0.05, momentum=0.8, nesterov=True), dict(lr=0.2, momentum=0.5),
     ("StepLR", dict(step_size=2, gamma=0.5))),
    ("groups_adam_step_lr", "Adam", dict(lr=0.01), dict(lr=0.003, weight_decay=0.05, betas=(0.8, 0.99)),
     ("StepLR", dict(step_size=2, gamma=0.5))),
    ("groups_adamw_cosine", "AdamW", dict(lr=0.01, weight_decay=0.1), dict(lr=0.02, weight_decay=0.0),
     ("CosineAnnealingLR", dict(T_max=4, eta_min=0.001))),
]

SCHEDULER_CASES = [
    ("step_lr", "StepLR", 0.1, dict(step_size=3)),
    ("step_lr_half", "StepLR", 2e-3, dict(step_size=4, gamma=0.5)),
    ("cosine", "CosineAnnealingLR", 0.1, dict(T_max=10)),
    ("cosine_eta_min", "CosineAnnealingLR", 2e-3, dict(T_max=7, eta_min=1e-4)),
    ("cosine_one", "CosineAnnealingLR", 1.0, dict(T_max=1, eta_min=0.25)),
]


def optimizer_case(name, kind, options):
    gen = torch.Generator().manual_seed(sum(map(ord, name)))
    w = torch.randn(3, 2, dtype=torch.float64, generator=gen).requires_grad_()
    b = torch.randn(4, dtype=torch.float64, generator=gen).requires_grad_()
    tensors = {"w0": w.detach().clone(), "b0": b.detach().clone()}
    opt = getattr(torch.optim, kind)([w, b], **options)
    for k in range(1, STEPS + 1):
        w.grad = torch.randn(3, 2, dtype=torch.float64, generator=gen)
        b.grad = None if k == SKIP else torch.randn(4, dtype=torch.float64, generator=gen)
        tensors[f"grad_w_{k}"] = w.grad.clone()
        if b.grad is not None:
            tensors[f"grad_b_{k}"] = b.grad.clone()
        opt.step()
        tensors[f"w_{k}"] = w.detach().clone()
        tensors[f"b_{k}"] = b.detach().clone()
    attrs = dict(options, optimizer=kind, steps=STEPS, skip=SKIP)
    if "betas" in attrs:
        attrs["betas"] = list(attrs["betas"])
    return golden.case(name, attrs, **tensors)


def json_options(options):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}


def param_group_case(name, kind, options, group_options, scheduler):
    gen = torch.Generator().manual_seed(sum(map(ord, name)))
    params = {"w": torch.randn(3, 2, dtype=torch.float64, generator=gen).requires_grad_(),
              "b": torch.randn(4, dtype=torch.float64, generator=gen).requires_grad_(),
              "c": torch.randn(2, 2, dtype=torch.float64, generator=gen).requires_grad_()}
    tensors = {f"{k}0": p.detach().clone() for k, p in params.items()}
    opt = getattr(torch.optim, kind)([params["w"]], **options)
    opt.add_param_group(dict(params=[params["b"], params["c"]], **group_options))
    schedule = getattr(torch.optim.lr_scheduler, scheduler[0])(opt, **scheduler[1]) if scheduler else None
    for k in range(1, STEPS + 1):
        for key, p in params.items():
            p.grad = None if (key == "b" and k == SKIP) else torch.randn(p.shape, dtype=torch.float64, generator=gen)
            if p.grad is not None:
                tensors[f"grad_{key}_{k}"] = p.grad.clone()
        opt.step()
        if schedule:
            schedule.step()
        for key, p in params.items():
            tensors[f"{key}_{k}"] = p.detach().clone()
        tensors[f"lr_{k}"] = torch.tensor([g["lr"] for g in opt.param_groups], dtype=torch.float64)
    state = opt.state_dict()
    for index, slots in state["state"].items():
        for slot, value in slots.items():
            if value.dim() > 0:
                tensors[f"state_{index}_{slot}"] = value
    attrs = dict(optimizer=kind, options=json_options(options), group_options=json_options(group_options),
                 steps=STEPS, skip=SKIP, params=[g["params"] for g in state["param_groups"]])
    if scheduler:
        attrs["scheduler"] = scheduler[0]
        attrs["scheduler_options"] = scheduler[1]
    return golden.case(name, attrs, **tensors)


def scheduler_case(name, kind, base_lr, options):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    scheduler = getattr(torch.optim.lr_scheduler, kind)(opt, **options)
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(EPOCHS):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
        assert lrs[-1] == opt.param_groups[0]["lr"]
    return golden.case(name, dict(options, scheduler=kind, base_lr=base_lr, epochs=EPOCHS),
                       lr=torch.tensor(lrs, dtype=torch.float64))


if __name__ == "__main__":
    golden.write("optim_steps.json", [optimizer_case(*c) for c in OPTIMIZER_CASES],
                 "tests/golden/make_optim_golden.py")
    golden.write("optim_param_groups.json", [param_group_case(*c) for c in GROUP_CASES],
                 "tests/golden/make_optim_golden.py")
    golden.write("lr_scheduler.json", [scheduler_case(*c) for c in SCHEDULER_CASES],
                 "tests/golden/make_optim_golden.py")
