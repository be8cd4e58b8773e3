"""The ``lrspec`` command: compare and plot, output files, one-line errors, missing torch."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import torch

import lrspec_torch._regression as regression
from lrspec_torch import cli

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
INSTALL_HINT = "pip install 'lrspec[torch]'"
TUTORIAL_FINAL_LR = {
    "StepLR": "6.640349721896886e-06",
    "CosineAnnealingLR": "0.0",
    "ExponentialLR": "0.0014801323050834992",
    "ReduceLROnPlateau": "2.5000000000000012e-08",
}


def _cli(*args: str, cwd: Path, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """Run the command in a fresh interpreter, as ``python -m lrspec_torch.cli`` does."""
    code = (
        f"{prelude}\nimport runpy, sys\nrunpy.run_module('lrspec_torch.cli', run_name='__main__')"
    )
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
    assert list(runs) == list(cli.TUTORIAL_RUNS)
    for name, final_lr in TUTORIAL_FINAL_LR.items():
        assert runs[name]["final_lr"] == float(final_lr)
        assert runs[name]["weight"] == pytest.approx(data["w_true"], abs=0.1)
        assert len(runs[name]["lrs"]) == len(runs[name]["losses"]) == 100
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
        "lrspec compare: error: argument --epochs: must be an integer > 0"
    )
    assert list(tmp_path.iterdir()) == []


BLOCK_TORCH = "import sys; sys.modules['torch'] = None"


def test_missing_torch_message_from_main(tmp_path: Path) -> None:
    # Load cli.py on its own (not through the package, whose __init__ imports torch).
    code = textwrap.dedent(f"""
        {BLOCK_TORCH}
        import runpy
        runpy.run_path({cli.__file__!r}, run_name="__main__")
    """)
    for args in (["--help"], ["compare"], ["plot", "StepLR(step_size=2)"]):
        proc = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == ""
        assert proc.stderr.count("\n") == 1
        assert INSTALL_HINT in proc.stderr


def test_missing_torch_message_from_the_console_script(tmp_path: Path) -> None:
    proc = _cli("--help", cwd=tmp_path, prelude=BLOCK_TORCH)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert INSTALL_HINT in proc.stderr


# --- in process: main(argv) --------------------------------------------------------------------


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


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


def test_compare_shows_a_progress_bar_on_a_terminal_only_for_big_jobs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli._progress(10**12) is None  # stderr is not a terminal here
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli._progress(cli.PROGRESS_WORK - 1) is None
    monkeypatch.setattr(cli, "PROGRESS_WORK", 0)
    code, out, _ = _main(capsys, "compare", "--epochs", "3", "--schedulers", "none", "StepLR")
    assert code == 0
    assert _row(out, "StepLR")[1] == repr(0.25 * 0.9**3)


BAD_COMPARE = [
    (["--schedulers", "FooLR"], "unknown scheduler 'FooLR'"),
    (["--schedulers", "StepLR(step_size="], "cannot parse spec text"),
    (["--schedulers", "StepLR(step_size=0)"], "step_size must be >= 1, got 0"),
    (["--schedulers", "StepLR(size=2)"], "unknown argument(s) size for StepLR"),
    (["--schedulers", "__import__('os')"], "takes keyword arguments only"),
    (["--schedulers", "os.system('ls')"], "is not allowed"),
    (["--schedulers", "SWALR"], "SWALR needs argument(s) swa_lr"),
    (["--epochs", "ten"], "argument --epochs: must be an integer > 0, got 'ten'"),
    (["--seed", "-1"], "argument --seed: must be an integer >= 0, got '-1'"),
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


def test_plot_without_matplotlib(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, _, err = _main(capsys, "compare", "--plot", str(tmp_path / "r.png"))
    assert code == 2
    assert "pip install 'lrspec[plot]'" in err
    assert list(tmp_path.iterdir()) == []


# --- lrspec plot -------------------------------------------------------------------------------


def test_plot_terminal_preview(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(
        capsys, "plot", "StepLR(step_size=5, gamma=0.5)", "--steps", "20", "--base-lr", "1"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "StepLR(step_size=5, gamma=0.5)  base_lr=1.0  steps=20"
    assert lines[1].startswith("lr  ")
    assert len(lines[1]) == 4 + 21
    spark = lines[1][4:]
    assert spark[0] == "█"
    assert spark[-1] == "▁"
    table = {int(step): value for step, value in (line.split() for line in lines[5:])}
    assert table[0] == "1.0"
    assert table[20] == "0.0625"
    assert len(table) == 11


def test_plot_constant_and_long_schedules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "plot", "none", "--steps", "3")
    assert code == 0
    assert "0.25" in out
    code, out, _ = _main(capsys, "plot", "CosineAnnealingLR(T_max=1000)", "--steps", "1000")
    assert code == 0
    assert len(out.splitlines()[1]) == 4 + 64


def test_sparkline_falls_back_to_ascii(monkeypatch: pytest.MonkeyPatch) -> None:
    class Ascii:
        encoding = "ascii"

    monkeypatch.setattr(sys, "stdout", Ascii())
    assert cli.sparkline([3.0, 2.0, 1.0]) == "#=_"


def test_plot_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "cosine.png"
    code, out, err = _main(capsys, "plot", "CosineAnnealingLR(T_max=100)", "-o", str(target))
    assert (code, err) == (0, "")
    assert str(target) in out
    _check_png(target)
    assert list(tmp_path.iterdir()) == [target]


BAD_PLOT = [
    (["ReduceLROnPlateau"], "ReduceLROnPlateau is metric-driven"),
    (["ReduceLROnPlateau(patience=3)"], "is metric-driven"),
    (["OneCycleLR(max_lr=0.1, total_steps=10)", "--steps", "20"], "total_steps"),
    (["CyclicLR"], "CyclicLR needs argument(s) base_lr, max_lr"),
    (["StepLR(step_size=2)", "--steps", "0"], "argument --steps: must be an integer > 0"),
    (["StepLR(step_size=2)", "--base-lr", "-1"], "argument --base-lr"),
    (["NotASpec(x=1)"], "unknown spec type 'NotASpec'"),
    ([], "the following arguments are required: SPEC"),
]


@pytest.mark.parametrize(("args", "message"), BAD_PLOT, ids=[" ".join(a) for a, _ in BAD_PLOT])
def test_bad_plot_input(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _main(capsys, "plot", *args, "-o", str(tmp_path / "s.png"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("lrspec plot: error: ")
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_plot_to_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _main(capsys, "plot", "StepLR(step_size=2)", "-o", str(tmp_path / "x" / "s.png"))
    assert code == 2
    assert "does not exist" in err


# --- the parser ---------------------------------------------------------------------------------


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "--help")
    assert code == 0
    assert "compare" in out
    assert "plot" in out
    code, out, _ = _main(capsys, "compare", "--help")
    assert code == 0
    assert "--schedulers" in out
    code, out, _ = _main(capsys, "--version")
    assert code == 0
    assert out.startswith("lrspec ")


def test_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(capsys)
    assert (code, out) == (2, "")
    assert err.startswith("lrspec: error: the following arguments are required: COMMAND")
    assert err.count("\n") == 1


def test_default_runs_are_the_tutorial_runs() -> None:
    assert tuple(regression.tutorial_specs()) == cli.TUTORIAL_RUNS
