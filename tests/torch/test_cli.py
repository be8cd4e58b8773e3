"""``lrspec compare``: the tutorial's figures, output files, one-line errors, the progress bar.

The command-line pieces that need no torch (parser, ``lrspec plot``, rendering, files) are
tested under ``tests/core``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch

import lrspec_torch._progress as progress
import lrspec_torch._regression as regression
import lrspec_torch._tutorial as tutorial
from lrspec_torch import cli

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TUTORIAL_FINAL_LR = {
    "StepLR": "6.640349721896886e-06",
    "CosineAnnealingLR": "0.0",
    "ExponentialLR": "0.0014801323050834992",
    "ReduceLROnPlateau": "2.5000000000000012e-08",
}


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command in a fresh interpreter, as ``python -m lrspec_torch.cli`` does."""
    code = "import runpy\nrunpy.run_module('lrspec_torch.cli', run_name='__main__')"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _check_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000
    import matplotlib.image

    image = matplotlib.image.imread(path)
    assert image.ndim == 3
    assert image.shape[0] > 200
    assert image.shape[1] > 200


def _row(out: str, label: str) -> list[str]:
    rows = [line.split() for line in out.splitlines() if line.split()[:1] == [label]]
    assert len(rows) == 1, out
    return rows[0]


# --- subprocess: the real command ---------------------------------------------------------------


def test_compare_prints_the_tutorial_figures_and_writes_json_and_png(tmp_path: Path) -> None:
    proc = _cli("compare", "--json", "out.json", "--plot", "out.png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    for name, final_lr in TUTORIAL_FINAL_LR.items():
        row = _row(proc.stdout, name)
        assert row[1] == final_lr
        assert row[-1] == "cpu"
    header = _row(proc.stdout, "scheduler")
    assert header[:3] == ["scheduler", "final", "lr"]

    data = json.loads((tmp_path / "out.json").read_text())
    runs = {run["label"]: run for run in data["runs"]}
    assert list(runs) == list(tutorial.TUTORIAL_RUNS)
    for name, final_lr in TUTORIAL_FINAL_LR.items():
        assert runs[name]["final_lr"] == float(final_lr)
        assert runs[name]["weight"] == pytest.approx(data["w_true"], abs=0.1)
        assert len(runs[name]["lrs"]) == len(runs[name]["losses"]) == 100
        assert runs[name]["p"] == tutorial.FEATURES
    assert runs["none"]["spec"] is None
    assert runs["LambdaLR"]["spec"] == "LambdaLR(lr_lambda=fn('tutorial_lambda'))"
    assert data["torch_version"] == torch.__version__

    _check_png(tmp_path / "out.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "out.png"]


def test_bad_input_exits_2_with_one_line_and_no_file(tmp_path: Path) -> None:
    proc = _cli("compare", "--epochs", "0", "--json", "out.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(
        "lrspec compare: error: argument --epochs: must be an integer in [1, 1000000]"
    )
    assert list(tmp_path.iterdir()) == []


# --- in process: main(argv) --------------------------------------------------------------------


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_tutorial_runs_have_one_source() -> None:
    # _regression re-exports the torch-free definitions; compare runs them by default.
    assert regression.tutorial_specs is tutorial.tutorial_specs
    assert regression.tutorial_lambda is tutorial.tutorial_lambda
    assert regression.tutorial_specs() == dict(tutorial.TUTORIAL_RUNS)


def test_compare_subset_and_spec_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(
        capsys, "compare", "--epochs", "10", "--schedulers", "steplr", "CosineAnnealingLR(T_max=50)"
    )
    assert (code, err) == (0, "")
    expected = regression.fit_regression(
        regression.tutorial_specs()["StepLR"], epochs=10, device="cpu"
    )
    assert _row(out, "StepLR")[1] == repr(expected.final_lr)
    assert "CosineAnnealingLR(T_max=50, eta_min=0.0)" in out
    assert "10 epochs" in out
    assert len(out.splitlines()) == 5  # settings line, blank, header, two runs


def test_compare_bare_class_name_uses_its_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "compare", "--epochs", "3", "--schedulers", "ConstantLR")
    assert code == 0
    assert "ConstantLR(factor=0.3333333333333333, total_iters=5)" in out


def test_compare_json_is_valid_even_when_training_diverges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "runs.json"
    code, out, _ = _main(
        capsys, "compare", "--lr", "5", "--schedulers", "none", "--json", str(target)
    )
    assert code == 0
    assert f"wrote the results to {target}" in out
    data = json.loads(target.read_text())
    assert data["runs"][0]["final_loss"] is None
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not left private by mkstemp


def test_compare_draws_a_progress_bar_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(progress, "PROGRESS_WORK", 0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = _main(capsys, "compare", "--epochs", "3", "--schedulers", "none", "StepLR")
    assert code == 0
    assert _row(out, "StepLR")[1] == repr(0.25 * 0.9**3)
    frames = err.split("\r")
    assert frames[0] == ""  # every frame is drawn over the previous one
    assert [frame.rstrip() for frame in frames[1:]] == [
        "[------------------------] 0/2 training none",
        "[############------------] 1/2 training none",
        "[############------------] 1/2 training StepLR",
        "[########################] 2/2 training StepLR",
        "[########################] 2/2 done",
    ]
    assert err.endswith("\n")
    assert err.count("\n") == 1


def test_progress_bar_only_on_a_terminal_and_for_big_jobs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["compare", "--n", "10", "--epochs", "3", "--schedulers", "none", "StepLR"]
    work = 10 * tutorial.FEATURES * 3 * 2  # samples x features x epochs x runs
    monkeypatch.setattr(progress, "PROGRESS_WORK", 0)
    code, out, err = _main(capsys, *argv)
    assert (code, err) == (0, "")  # stderr is not a terminal here
    assert f"n=10, p={tutorial.FEATURES}," in out

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(progress, "PROGRESS_WORK", work + 1)
    code, _, err = _main(capsys, *argv)
    assert (code, err) == (0, "")
    monkeypatch.setattr(progress, "PROGRESS_WORK", work)
    code, _, err = _main(capsys, *argv)
    assert code == 0
    assert "2/2 done" in err


BAD_COMPARE = [
    (["--schedulers", "FooLR"], "argument --schedulers: unknown scheduler 'FooLR'"),
    (["--schedulers", "StepLR(step_size="], "cannot parse spec text"),
    (["--schedulers", "StepLR(step_size=0)"], "step_size must be >= 1, got 0"),
    (["--schedulers", "StepLR(size=2)"], "unknown argument(s) size for StepLR"),
    (["--schedulers", "__import__('os')"], "takes keyword arguments only"),
    (["--schedulers", "os.system('ls')"], "is not allowed"),
    (["--schedulers", "SWALR"], "SWALR needs argument(s) swa_lr"),
    (["--epochs", "ten"], "argument --epochs: must be an integer in [1, 1000000], got 'ten'"),
    (["--epochs", "1000001"], "argument --epochs: must be an integer in [1, 1000000]"),
    (["--n", "10000000000000000"], "argument --n: must be an integer in [1, 10000000]"),
    (["--nproc", "0"], "argument --nproc: must be an integer in [1, 64], got '0'"),
    (["--nproc", "65"], "argument --nproc: must be an integer in [1, 64], got '65'"),
    (["--seed", "-1"], "argument --seed: must be an integer in [0, 9223372036854775807]"),
    (["--schedulers", "StepLR(step_size=3, gamma=1e999)"], "gamma must be finite, got inf"),
    (["--schedulers", f"StepLR(step_size={10**30})"], "step_size must be <= 2**53"),
    (["--schedulers", f"StepLR(step_size=1, gamma={hex(10**400)})"], "(401 digits)"),
    (
        ["--schedulers", "Join(schedules=[" * 60 + "Constant()" + "], boundaries=[])" * 60],
        "limit of 50 levels",
    ),
    (["--schedulers", "1+" * 3000 + "1"], "nested too deeply"),
    (["--lr", "nan"], "argument --lr: must be a finite number > 0"),
    (["--dtype", "int8"], "argument --dtype: invalid choice: 'int8'"),
    (["--device", "tpu"], "device 'tpu' is not a device name"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    *(
        []
        if torch.cuda.is_available()
        else [(["--device", "cuda"], "device 'cuda' is not available here (available: cpu")]
    ),
    *([] if torch.backends.mps.is_available() else [(["--device", "mps"], "device 'mps'")]),
]


@pytest.mark.parametrize(
    ("args", "message"), BAD_COMPARE, ids=[" ".join(a) for a, _ in BAD_COMPARE]
)
def test_bad_compare_input(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = ["--json", str(tmp_path / "r.json"), "--plot", str(tmp_path / "r.png")]
    code, out, err = _main(capsys, "compare", "--epochs", "2", *args, *outputs)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("lrspec compare: error: ")
    assert message in err
    assert list(tmp_path.iterdir()) == []


def _unwritable(tmp_path: Path) -> list[tuple[str, str]]:
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "a_dir.png").mkdir()
    return [
        (str(tmp_path / "missing" / "out.png"), "does not exist"),
        (str(tmp_path / "a_file" / "out.png"), "does not exist"),
        (str(tmp_path / "a_dir.png"), "it is a directory"),
        (str(tmp_path / "out.xyz"), "unknown image format 'xyz'"),
        (str(tmp_path / "out"), "unknown image format ''"),
    ]


@pytest.mark.parametrize("option", ["--plot", "--json"])
def test_unwritable_output_path(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for target, message in _unwritable(tmp_path):
        if option == "--json" and "image format" in message:
            continue
        before = sorted(tmp_path.rglob("*"))
        code, out, err = _main(capsys, "compare", "--epochs", "2", option, target)
        assert (code, out) == (2, "")
        assert err.count("\n") == 1
        assert message in err
        assert sorted(tmp_path.rglob("*")) == before


def test_failure_during_training_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("simulated failure")

    monkeypatch.setattr(regression, "fit_regression", boom)
    code, out, err = _main(
        capsys, "compare", "--json", str(tmp_path / "r.json"), "--plot", str(tmp_path / "r.png")
    )
    assert (code, out) == (2, "")
    assert "simulated failure" in err
    assert list(tmp_path.iterdir()) == []


def test_failure_on_a_terminal_ends_the_progress_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("simulated failure")

    monkeypatch.setattr(regression, "fit_regression", boom)
    monkeypatch.setattr(progress, "PROGRESS_WORK", 0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = _main(capsys, "compare", "--json", str(tmp_path / "r.json"))
    assert (code, out) == (2, "")
    bar, message = err.split("\n", 1)
    assert bar.rstrip().endswith("0/7 training none")
    assert message.startswith("lrspec compare: error: simulated failure")
    assert list(tmp_path.iterdir()) == []


def test_compare_plot_without_matplotlib(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, _, err = _main(capsys, "compare", "--plot", str(tmp_path / "r.png"))
    assert code == 2
    assert "pip install 'lrspec[plot]'" in err
    assert list(tmp_path.iterdir()) == []
