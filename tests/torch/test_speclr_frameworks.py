"""What frameworks see of a SpecLR: the plateau class they detect, and a spec they cannot save.

Lightning and the HF Trainer decide whether ``step`` gets the monitored metric by
``isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)``; both save a scheduler
with ``state_dict()`` at their first checkpoint. The runs inside the real frameworks are in
``test_lightning*.py`` and ``test_hf_trainer*.py``.
"""

from __future__ import annotations

import copy
import io
import pickle
import warnings

import pytest
import torch
from _torch_helpers import make_optimizer
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

import lrspec
from lrspec import testing as lt
from lrspec_torch import MetricSpecLR, SpecLR, UncheckpointableWarning

PLATEAU = lrspec.ReduceLROnPlateau(patience=1, factor=0.5)
WARM_PLATEAU = lrspec.Warmup(inner=PLATEAU, steps=3)
COSINE = lrspec.CosineAnnealingLR(T_max=10)


@pytest.mark.parametrize("spec", [PLATEAU, WARM_PLATEAU, [PLATEAU, WARM_PLATEAU]], ids=str)
def test_a_metric_driven_speclr_is_a_torch_plateau_scheduler(spec) -> None:
    opt = make_optimizer(kind="sgd", groups=2) if isinstance(spec, list) else make_optimizer()
    sched = SpecLR(opt, spec)
    assert type(sched) is MetricSpecLR
    assert isinstance(sched, ReduceLROnPlateau)
    assert isinstance(sched, SpecLR) and isinstance(sched, LRScheduler)
    for loss in [1.0, 1.0, 1.0, 1.0, 1.0]:
        opt.step()
        sched.step(loss)
    assert sched.metric_driven and sched.last_epoch == 5


@pytest.mark.parametrize("spec", [COSINE, lrspec.Warmup(inner=COSINE, steps=3)], ids=str)
def test_a_time_based_speclr_is_not(spec: lrspec.Schedule) -> None:
    sched = SpecLR(make_optimizer(), spec)
    assert type(sched) is SpecLR
    assert not isinstance(sched, ReduceLROnPlateau)


def test_metric_speclr_refuses_a_time_based_spec() -> None:
    with pytest.raises(TypeError, match=r"MetricSpecLR is for metric-driven specs.*SpecLR\("):
        MetricSpecLR(make_optimizer(), COSINE)


def test_stepping_without_the_metric_names_the_framework_fix() -> None:
    sched = SpecLR(make_optimizer(), WARM_PLATEAU)
    with pytest.raises(TypeError, match=r"step\(metric\).*'monitor'.*metric_for_best_model"):
        sched.step()


def test_the_class_survives_pickle_and_deepcopy() -> None:
    opt = make_optimizer()
    sched = SpecLR(opt, WARM_PLATEAU)
    for loss in [3.0, 2.0, 2.0, 2.0]:
        opt.step()
        sched.step(loss)
    for other in (copy.deepcopy(sched), pickle.loads(pickle.dumps(sched))):
        assert type(other) is MetricSpecLR
        assert other.state_dict() == sched.state_dict()


def test_a_metric_speclr_state_loads_with_weights_only() -> None:
    opt = make_optimizer()
    sched = SpecLR(opt, WARM_PLATEAU)
    for loss in [3.0, 2.0, 2.0, 2.0, 2.0]:
        opt.step()
        sched.step(loss)
    buffer = io.BytesIO()
    torch.save(sched.state_dict(), buffer)
    buffer.seek(0)
    fresh = SpecLR(make_optimizer(), WARM_PLATEAU)
    fresh.load_state_dict(torch.load(buffer, weights_only=True))
    assert fresh.state_dict() == sched.state_dict()


def _unregistered(epoch: float) -> float:
    return 0.9**epoch


@pytest.mark.parametrize(
    "spec",
    [
        lrspec.LambdaLR(lr_lambda=_unregistered),
        lrspec.Warmup(inner=lrspec.LambdaLR(lr_lambda=_unregistered), steps=2),
        [COSINE, lrspec.LambdaLR(lr_lambda=_unregistered)],
    ],
    ids=["leaf", "nested", "second_group"],
)
def test_an_unsaveable_spec_warns_when_the_scheduler_is_built(spec) -> None:
    opt = make_optimizer(kind="sgd", groups=2) if isinstance(spec, list) else make_optimizer()
    with pytest.warns(UncheckpointableWarning) as record:
        sched = SpecLR(opt, spec)
    assert len(record) == 1
    message = str(record[0].message)
    assert "_unregistered" in message and "lrspec.register_function(name, fn)" in message
    assert record[0].filename == __file__  # pointed at the line that built it
    opt.step()
    sched.step()  # it runs; only saving fails
    with pytest.raises(ValueError, match="not registered"):
        sched.state_dict()


def test_a_registered_function_builds_silently_and_saves() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched = SpecLR(make_optimizer(), lrspec.LambdaLR(lr_lambda=lt.decay95))
    assert lrspec.from_dict(sched.state_dict()["specs"][0]) == sched.spec


@pytest.mark.parametrize("module", ["lrspec_torch.lightning", "lrspec_torch.hf"])
def test_the_integration_modules_import_no_framework(module: str, run_python) -> None:
    # lrspec[lightning] / lrspec[hf] are extras: the helpers read the trainer by attribute.
    code = (
        f"import importlib, json, sys; importlib.import_module({module!r}); "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'lightning', 'pytorch_lightning', 'transformers', 'accelerate', 'torch'})))"
    )
    assert run_python("-c", code).strip() == "[]"
