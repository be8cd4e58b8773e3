"""SpecLR.step() against the native torch scheduler's step(), measured in the same run.

Run: ``.venv/bin/python benchmarks/bench_speclr.py [--quick]``. For each spec, one optimizer
drives SpecLR and an identical one drives the scheduler ``lrspec_torch.to_torch`` builds; only
the scheduler's ``step()`` is timed (``optimizer.step()`` runs once before timing, outside
the timed region, so torch does not warn). Prints µs per step and the ratio SpecLR / torch
against DESIGN.md's target (<= 0.5x), for float and tensor lrs. Nothing fails on timing.
"""

from __future__ import annotations

import argparse
import platform
import timeit
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import torch

import lrspec
import lrspec_torch

#: DESIGN.md: <= 0.5x torch with float lrs, never slower (<= 1x) with tensor lrs.
TARGET = {"float": 0.5, "tensor": 1.0}

SPECS: list[tuple[str, lrspec.Schedule]] = [
    ("StepLR", lrspec.StepLR(step_size=30, gamma=0.1)),
    ("CosineAnnealingLR", lrspec.CosineAnnealingLR(T_max=10**7, eta_min=1e-5)),
    ("OneCycleLR", lrspec.OneCycleLR(max_lr=0.1, total_steps=10**7)),
    (
        "SequentialLR(Linear->Cosine)",
        lrspec.SequentialLR(
            schedulers=[
                lrspec.LinearLR(start_factor=0.01, total_iters=100),
                lrspec.CosineAnnealingLR(T_max=10**7),
            ],
            milestones=[100],
        ),
    ),
    ("ReduceLROnPlateau", lrspec.ReduceLROnPlateau(patience=5)),
]


def make_optimizer(tensor_lr: bool) -> torch.optim.Optimizer:
    model = torch.nn.Linear(3, 1)
    lr = torch.tensor(0.1) if tensor_lr else 0.1
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    return opt


def stepper(sched: Any, metric_driven: bool) -> Callable[[], None]:
    """One scheduler step; a metric-driven one gets a slowly improving metric."""
    if not metric_driven:
        step: Callable[[], None] = sched.step
        return step
    state = {"m": 1e6}

    def step_with_metric() -> None:
        state["m"] *= 0.999999
        sched.step(state["m"])

    return step_with_metric


def speclr(spec: lrspec.Schedule, opt: torch.optim.Optimizer) -> lrspec_torch.SpecLR:
    return lrspec_torch.SpecLR(opt, spec)


def per_step_us(
    make: Callable[[torch.optim.Optimizer], Any],
    spec: lrspec.Schedule,
    tensor_lr: bool,
    steps: int,
    repeat: int,
) -> float:
    """Best (least disturbed) µs per scheduler step, after a warm-up of ``steps`` steps."""
    opt = make_optimizer(tensor_lr)
    sched = make(opt)
    opt.step()  # outside the timed region: keeps torch from warning about the step order
    step = stepper(sched, spec.metric_driven)
    for _ in range(steps):  # warm-up
        step()
    best = min(timeit.repeat(step, number=steps, repeat=repeat))
    return best / steps * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps (a smoke run)")
    args = parser.parse_args()
    steps, repeat = (500, 3) if args.quick else (5000, 7)
    warnings.simplefilter("ignore")  # torch's step-order warning for composites

    print(
        f"SpecLR.step() vs torch scheduler step() -- torch {torch.__version__}, "
        f"lrspec {lrspec.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}, {torch.get_num_threads()} torch threads"
    )
    print(
        f"{steps} steps per timing, best of {repeat}; target SpecLR <= "
        f"{TARGET['float']}x torch (float lr), <= {TARGET['tensor']}x (tensor lr)\n"
    )
    header = (
        f"{'spec':<30} {'lr':<6} {'torch µs/step':>14} {'SpecLR µs/step':>15} {'ratio':>7}  target"
    )
    print(header)
    print("-" * len(header))
    ratios: list[float] = []
    passed: list[bool] = []
    for name, spec in SPECS:
        for tensor_lr in (False, True):
            native = per_step_us(
                partial(lrspec_torch.to_torch, spec), spec, tensor_lr, steps, repeat
            )
            ours = per_step_us(partial(speclr, spec), spec, tensor_lr, steps, repeat)
            ratio = ours / native
            ratios.append(ratio)
            kind = "tensor" if tensor_lr else "float"
            target = TARGET[kind]
            passed.append(ratio <= target)
            flag = f"  <= {target}x {'PASS' if passed[-1] else 'MISS'}"
            print(
                f"{name:<30} {'tensor' if tensor_lr else 'float':<6} {native:>14.2f} "
                f"{ours:>15.2f} {ratio:>6.2f}x{flag}"
            )
    print(
        f"\nworst ratio {max(ratios):.2f}x, best {min(ratios):.2f}x; "
        f"{sum(passed)}/{len(passed)} targets met"
    )


if __name__ == "__main__":
    main()
