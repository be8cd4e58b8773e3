"""``lrspec plot`` in process: the terminal preview, images, and one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lrspec_torch import cli

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _check_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000
    import matplotlib.image

    image = matplotlib.image.imread(path)
    assert image.ndim == 3
    assert image.shape[0] > 200
    assert image.shape[1] > 200


def test_plot_terminal_preview(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(
        capsys, "plot", "StepLR(step_size=5, gamma=0.5)", "--steps", "20", "--base-lr", "1"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "StepLR(step_size=5, gamma=0.5)  base_lr=1.0  steps=20"
    assert lines[1] == "step decay ×0.5 every 5 steps"  # the spec's describe() line
    assert lines[2].startswith("lr  ")
    assert len(lines[2]) == 4 + 21
    spark = lines[2][4:]
    assert spark[0] == "█"
    assert spark[-1] == "▁"
    table = {int(step): value for step, value in (line.split() for line in lines[6:])}
    assert table[0] == "1.0"
    assert table[20] == "0.0625"
    assert len(table) == 11


def test_plot_constant_and_long_schedules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "plot", "none", "--steps", "3")
    assert code == 0
    assert "0.25" in out
    assert out.splitlines()[1].startswith("lr  ")  # no spec, no description line
    code, out, _ = _main(capsys, "plot", "CosineAnnealingLR(T_max=1000)", "--steps", "1000")
    assert code == 0
    assert len(out.splitlines()[2]) == 4 + 64


def test_plot_a_tutorial_run_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(capsys, "plot", "exponentiallr", "--steps", "10", "--base-lr", "1")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "ExponentialLR  base_lr=1.0  steps=10"
    assert lines[1] == "exponential ×0.95 per step"
    values = [1.0]
    for _ in range(10):
        values.append(values[-1] * 0.95)  # torch's recursive form, not 0.95**10
    assert lines[-1].split() == ["10", repr(values[-1])]


def test_plot_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "cosine.png"
    code, out, err = _main(capsys, "plot", "CosineAnnealingLR(T_max=100)", "-o", str(target))
    assert (code, err) == (0, "")
    assert str(target) in out
    _check_png(target)
    assert list(tmp_path.iterdir()) == [target]


def test_plot_describes_a_composed_spec(capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "SequentialLR(schedulers=[LinearLR(start_factor=0.01, total_iters=5), "
        "Cosine(total_steps=15, end_factor=0.1)], milestones=[5])"
    )
    code, out, err = _main(capsys, "plot", text, "--steps", "20")
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == (
        "linear from 0.01× to 1.0× over 5 steps, then cosine over 15 steps to 0.1×"
    )


def test_the_figure_is_titled_with_the_description() -> None:
    pytest.importorskip("matplotlib")
    from lrspec_torch._render import schedule_figure

    fig = schedule_figure("StepLR(step_size=2)", [1.0, 1.0, 0.1], 1.0, description="step decay")
    assert fig.get_suptitle() == "step decay"
    assert fig.axes[0].get_title() == "StepLR(step_size=2)"
    assert schedule_figure("none", [1.0], 1.0).get_suptitle() == ""


BAD_PLOT = [
    (["ReduceLROnPlateau"], "ReduceLROnPlateau is metric-driven"),
    (["ReduceLROnPlateau(patience=3)"], "is metric-driven"),
    (["OneCycleLR(max_lr=0.1, total_steps=10)", "--steps", "20"], "total_steps"),
    (["CyclicLR"], "CyclicLR needs argument(s) base_lr, max_lr"),
    (["StepLR(step_size=2)", "--steps", "0"], "argument --steps: must be an integer in [1, "),
    (["StepLR(step_size=2)", "--steps", "10000001"], "must be an integer in [1, 10000000]"),
    (["StepLR(step_size=3, gamma=1e999)"], "gamma must be finite, got inf"),
    (["not " * 2000 + "1"], "is not allowed"),
    (["StepLR(step_size=2)", "--base-lr", "-1"], "argument --base-lr"),
    (["NotASpec(x=1)"], "unknown spec type 'NotASpec'"),
    (["FooLR"], "argument SPEC: unknown scheduler 'FooLR'"),
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


@pytest.mark.parametrize("spec", ["CyclicLR", "NotASpec(x=1)", "FooLR", "StepLR(step_size="])
def test_bad_spec_text_names_the_argument(spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(capsys, "plot", spec)
    assert (code, out) == (2, "")
    assert err.startswith("lrspec plot: error: argument SPEC: ")
    assert err.rstrip("\n").endswith("(see lrspec plot --help)")


def test_unwritable_plot_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "a_dir.png").mkdir()
    bad = [
        (tmp_path / "missing" / "out.png", "does not exist"),
        (tmp_path / "a_file" / "out.png", "does not exist"),
        (tmp_path / "a_dir.png", "it is a directory"),
        (tmp_path / "out.xyz", "unknown image format 'xyz'"),
        (tmp_path / "out", "unknown image format ''"),
    ]
    for target, message in bad:
        before = sorted(tmp_path.rglob("*"))
        code, out, err = _main(capsys, "plot", "StepLR(step_size=2)", "-o", str(target))
        assert (code, out) == (2, "")
        assert err.count("\n") == 1
        assert err.startswith("lrspec plot: error: ")
        assert message in err
        assert sorted(tmp_path.rglob("*")) == before


def test_plot_image_without_matplotlib(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, out, err = _main(capsys, "plot", "StepLR(step_size=2)", "-o", str(tmp_path / "s.png"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "pip install 'lrspec[plot]'" in err
    assert list(tmp_path.iterdir()) == []
    code, out, _ = _main(capsys, "plot", "StepLR(step_size=2)")  # the preview needs none
    assert code == 0
    assert out.startswith("StepLR(step_size=2, gamma=0.1)")


def test_plot_of_a_schedule_that_overflows_to_inf(capsys: pytest.CaptureFixture[str]) -> None:
    """An lr past a float's range is inf: the preview shows it (top row), it does not crash."""
    code, out, err = _main(capsys, "plot", "ExponentialLR(gamma=2.0)", "--steps", "2000")
    assert (code, err) == (0, "")
    assert "max inf" in out
