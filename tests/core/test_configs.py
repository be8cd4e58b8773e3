"""Specs in config files (``lrspec.configs``): YAML, TOML, JSON, OmegaConf and Hydra.

Every public spec round trips through every format to an equal spec; bad configs raise what
``lrspec.from_dict`` raises for the same data; YAML never builds Python objects.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hydra import compose, initialize_config_dir
from hydra.errors import InstantiationException
from hydra.utils import instantiate
from hypothesis import given
from hypothesis import strategies as st
from omegaconf import OmegaConf

import lrspec
from lrspec import configs
from lrspec.testing import (
    COMBINATOR_STRATEGIES,
    CURVE_STRATEGIES,
    SHAPE_STRATEGIES,
    TWIN_STRATEGIES,
    metric_compositions,
)

STRATEGIES = {
    **TWIN_STRATEGIES,
    **SHAPE_STRATEGIES,
    **CURVE_STRATEGIES,
    **COMBINATOR_STRATEGIES,
}
SPECS = st.one_of(*(make() for make in STRATEGIES.values()), metric_compositions())

#: (write, read) for every format; ``read`` takes what ``write`` returns.
FORMATS: dict[str, tuple[Callable[[lrspec.Schedule], Any], Callable[[Any], lrspec.Schedule]]] = {
    "json": (configs.to_json, configs.from_json),
    "yaml": (configs.to_yaml, configs.from_yaml),
    "toml": (configs.to_toml, configs.from_toml),
    "omegaconf": (configs.to_omegaconf, configs.from_omegaconf),
    "omegaconf-yaml": (
        lambda spec: OmegaConf.to_yaml(configs.to_omegaconf(spec)),
        lambda text: configs.from_omegaconf(OmegaConf.create(text)),
    ),
    "hydra": (
        lambda spec: {"_target_": "lrspec.configs.build", "spec": configs.to_omegaconf(spec)},
        instantiate,
    ),
}


def test_the_strategies_cover_every_public_spec() -> None:
    public = {
        name
        for name in lrspec.__all__
        if isinstance(obj := getattr(lrspec, name), type)
        and issubclass(obj, lrspec.Schedule)
        and attrs.has(obj)
    }
    assert public <= set(STRATEGIES), public - set(STRATEGIES)


@pytest.mark.parametrize("fmt", FORMATS)
@given(spec=SPECS)
def test_every_spec_round_trips(fmt: str, spec: lrspec.Schedule) -> None:
    write, read = FORMATS[fmt]
    loaded = read(write(spec))
    assert loaded == spec
    assert lrspec.to_dict(loaded) == lrspec.to_dict(spec)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "spec",
    [
        lrspec.StepLR(step_size="10ep"),
        lrspec.Warmup(inner=lrspec.Cosine(total_steps="0.9dur"), steps="0.1dur"),
        lrspec.LambdaLR(lr_lambda=lrspec.testing.half),
        lrspec.CyclicLR(base_lr=0.01, max_lr=0.1, scale_fn=lrspec.testing.halving_scale),
        lrspec.OneCycleLR(max_lr=0.1, total_steps=100),
    ],
    ids=repr,
)
def test_units_and_functions_round_trip(fmt: str, spec: lrspec.Schedule) -> None:
    write, read = FORMATS[fmt]
    assert read(write(spec)) == spec


def test_the_written_forms() -> None:
    spec = lrspec.Warmup(inner=lrspec.Cosine(total_steps="0.9dur"), steps="0.1dur")
    assert "steps: 0.1dur" in configs.to_yaml(spec)
    assert json.loads(configs.to_json(spec)) == lrspec.to_dict(spec)
    text = configs.to_toml(spec)
    assert 'steps = "0.1dur"' in text and "[inner]" in text
    assert tomllib.loads(text) == lrspec.to_dict(spec)
    assert OmegaConf.to_container(configs.to_omegaconf(spec)) == lrspec.to_dict(spec)


def test_toml_leaves_none_out_and_reads_the_default_back() -> None:
    spec = lrspec.OneCycleLR(max_lr=0.1, total_steps=100)
    assert spec.epochs is None
    text = configs.to_toml(spec)
    assert "epochs" not in text and "steps_per_epoch" not in text
    assert configs.from_toml(text) == spec
    function = configs.to_toml(lrspec.LambdaLR(lr_lambda=lrspec.testing.half))
    assert function == 'type = "LambdaLR"\nlr_lambda = { function = "lrspec_testing_half" }\n'


def test_toml_strings_are_escaped() -> None:
    def f(epoch: float) -> float:
        return 1.0

    lrspec.register_function("configs_tëst_fn", f)
    spec = lrspec.LambdaLR(lr_lambda=f)
    assert configs.from_toml(configs.to_toml(spec)) == spec
    assert configs._toml_string('a"b\\c\n\x7fü') == '"a\\"b\\\\c\\u000a\\u007fü"'
    assert tomllib.loads("x = " + configs._toml_string('a"b\\c\n\x7fü'))["x"] == 'a"b\\c\n\x7fü'


# --- same errors as from_dict -------------------------------------------------------------------

BAD = [
    {"type": "NoSuchLR", "T_max": 10},
    {"type": "os.system", "command": "ls"},
    {"type": "StepLR", "step": 10},
    {"type": "StepLR", "step_size": 0},
    {"type": "StepLR", "step_size": "ten"},
    {"type": "StepLR", "step_size": 10, "gamma": "0.1"},
    {"type": "CosineAnnealingLR"},
    {"type": "SequentialLR", "schedulers": [{"type": "Nope"}], "milestones": []},
    {"type": "LambdaLR", "lr_lambda": {"function": "no_such_function"}},
    {"T_max": 10},
]


def _error(load: Callable[[], object]) -> tuple[type[BaseException], str]:
    with pytest.raises((TypeError, ValueError)) as info:
        load()
    return info.type, str(info.value)


def _toml(data: dict[str, Any]) -> str:
    # flat values and lists of inline tables; json.dumps writes these as valid TOML
    def value(v: Any) -> str:
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v)

    return "".join(f"{key} = {value(v)}\n" for key, v in data.items())


@pytest.mark.parametrize("bad", BAD, ids=repr)
def test_bad_configs_raise_what_from_dict_raises(bad: dict[str, Any]) -> None:
    expected = _error(lambda: lrspec.from_dict(bad))
    assert _error(lambda: configs.from_json(json.dumps(bad))) == expected
    assert _error(lambda: configs.from_yaml(yaml.safe_dump(bad))) == expected
    assert _error(lambda: configs.from_toml(_toml(bad))) == expected
    assert _error(lambda: configs.from_omegaconf(OmegaConf.create(bad))) == expected
    # Hydra wraps what the target raises; the cause is from_dict's error (path: "spec")
    with pytest.raises(InstantiationException) as info:
        instantiate({"_target_": "lrspec.configs.build", "spec": bad})
    cause = info.value.__cause__
    assert cause is not None
    at_spec = _error(lambda: lrspec.from_dict(bad, _where="spec"))
    assert (type(cause), str(cause)) == at_spec


def test_errors_name_the_path_inside_a_bigger_config() -> None:
    text = "train:\n  lr:\n    type: SequentialLR\n    schedulers: [{type: Nope}]\n"
    with pytest.raises(ValueError, match=r"^train\.lr\.schedulers\[0\]: unknown spec type"):
        configs.from_yaml(text, key="train.lr")
    with pytest.raises(ValueError, match="has no key 'lr_schedule'"):
        configs.from_toml("[train]\nepochs = 3\n", key="train.lr_schedule")


@pytest.mark.parametrize(
    ("load", "text"),
    [
        (configs.from_json, '{"type": "StepLR",'),
        (configs.from_yaml, "type: [StepLR"),
        (configs.from_toml, "type = StepLR"),
    ],
)
def test_malformed_text_is_a_value_error(load: Callable[[str], object], text: str) -> None:
    with pytest.raises(ValueError, match="not valid"):
        load(text)


def test_not_a_mapping_or_a_source() -> None:
    assert _error(lambda: configs.from_yaml("- 1\n- 2\n")) == _error(
        lambda: lrspec.from_dict([1, 2])
    )
    with pytest.raises(TypeError, match="source must be the text"):
        configs.from_json(b'{"type": "StepLR"}')  # type: ignore[arg-type]


# --- YAML never builds Python objects ----------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "!!python/object/apply:os.system [{cmd!r}]\n",
        "type: StepLR\nstep_size: !!python/object/apply:os.system [{cmd!r}]\n",
        "type: !!python/name:os.system\n",
    ],
)
def test_yaml_python_tags_are_refused_and_nothing_runs(template: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = template.format(cmd=f"touch {marker}")
    with pytest.raises(ValueError, match=r"yaml\.safe_load"):
        configs.from_yaml(text)
    assert not marker.exists()
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match="could not determine a constructor"):
        configs.from_yaml(path)
    assert not marker.exists()


# --- files, OmegaConf and Hydra ------------------------------------------------------------------


def test_paths_are_read_as_files(tmp_path: Path) -> None:
    spec = lrspec.CosineAnnealingLR(T_max=100, eta_min=1e-5)
    for ext, write, read in [
        ("json", configs.to_json, configs.from_json),
        ("yaml", configs.to_yaml, configs.from_yaml),
        ("toml", configs.to_toml, configs.from_toml),
    ]:
        path = tmp_path / f"lr.{ext}"
        path.write_text(write(spec), encoding="utf-8")
        assert read(path) == spec


def test_omegaconf_interpolations_are_resolved() -> None:
    cfg = OmegaConf.create(
        {"epochs": 90, "lr": {"type": "StepLR", "step_size": "${epochs}", "gamma": 0.5}}
    )
    assert configs.from_omegaconf(cfg, key="lr") == lrspec.StepLR(step_size=90, gamma=0.5)
    assert configs.from_omegaconf(cfg.lr) == lrspec.StepLR(step_size=90, gamma=0.5)
    assert configs.from_omegaconf({"type": "StepLR", "step_size": 3}) == lrspec.StepLR(step_size=3)


def test_hydra_compose_and_instantiate(tmp_path: Path) -> None:
    (tmp_path / "train.yaml").write_text(
        "epochs: 90\n"
        "lr_schedule:\n"
        "  _target_: lrspec.configs.build\n"
        "  spec:\n"
        "    type: Warmup\n"
        "    steps: 5ep\n"
        "    inner: {type: Cosine, total_steps: '${epochs}'}\n"
    )
    with initialize_config_dir(config_dir=str(tmp_path), version_base=None):
        cfg = compose(config_name="train", overrides=["epochs=50"])
    spec = instantiate(cfg.lr_schedule)
    assert spec == lrspec.Warmup(inner=lrspec.Cosine(total_steps=50), steps="5ep")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.yaml"]  # no output dirs


def test_hydra_targets_the_spec_classes_directly_only_when_flat() -> None:
    # OmegaConf treats attrs classes as structured configs: flat specs instantiate, nested
    # ones do not, so `lrspec.configs.build` is the documented target
    assert instantiate({"_target_": "lrspec.StepLR", "step_size": "10ep"}) == lrspec.StepLR(
        step_size="10ep"
    )
    nested = {
        "_target_": "lrspec.SequentialLR",
        "schedulers": [{"_target_": "lrspec.LinearLR", "total_iters": 5}],
        "milestones": [],
    }
    with pytest.raises(InstantiationException):
        instantiate(nested)


def test_toml_writer_edges() -> None:
    # what to_dict never produces today, but the writer must not write wrongly if it does
    with pytest.raises(ValueError, match=r"spec\.milestones\[1\]=None to TOML"):
        configs._without_none({"type": "MultiStepLR", "milestones": [1, None]}, "spec")
    with pytest.raises(ValueError, match=r"spec\.gamma=None to TOML"):
        configs._without_none({"type": "StepLR", "step_size": 1, "gamma": None}, "spec")
    value = {"a b": [float("nan"), float("-inf"), True], "e": {}}
    text = "x = " + configs._toml_value(value)
    assert text == 'x = { "a b" = [nan, -inf, true], e = {} }'
    loaded = tomllib.loads(text)["x"]
    assert loaded["a b"][1:] == [float("-inf"), True] and loaded["e"] == {}


def test_a_missing_extra_names_the_install() -> None:
    with pytest.raises(ImportError, match=r"pip install 'lrspec\[configs\]'"):
        configs._require("lrspec_no_such_module")
