"""The ``lrspec`` command without torch: the parser, one-line errors, and a core-only install.

``lrspec plot`` and ``--help`` must run where torch cannot be imported; ``lrspec compare``
must say how to install it. The subprocess tests block torch with a meta-path finder (so
``'torch' not in sys.modules`` stays checkable) and call the real entry point.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lrspec_torch import cli
from lrspec_torch._tutorial import TUTORIAL_RUNS

INSTALL_HINT = "pip install 'lrspec[torch]'"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TORCH_LOADED = "torch loaded:"

# A core-only install: importing torch fails, as when it is not installed.
NO_TORCH = textwrap.dedent("""
    import importlib.abc, sys

    class _NoTorch(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "torch" or name.startswith("torch."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, _NoTorch())
""")


def _without_torch(*args: str, cwd: Path) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``lrspec ARGS`` where torch cannot be imported.

    stdout's last line reports whether torch got into ``sys.modules``; it is checked here
    and removed.
    """
    code = NO_TORCH + textwrap.dedent(f"""
        from lrspec_torch.cli import main
        code = main(sys.argv[1:])
        print({TORCH_LOADED!r}, "torch" in sys.modules)
        sys.exit(code)
    """)
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out, _, last = proc.stdout.rstrip("\n").rpartition("\n")
    assert last == f"{TORCH_LOADED} False", proc.stdout + proc.stderr
    return proc.returncode, out + "\n" if out else "", proc.stderr


def test_plot_preview_without_torch(tmp_path: Path) -> None:
    code, out, err = _without_torch(
        "plot", "CosineAnnealingLR(T_max=10)", "--steps", "10", "--base-lr", "1", cwd=tmp_path
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "CosineAnnealingLR(T_max=10, eta_min=0.0)  base_lr=1.0  steps=10"
    assert lines[1] == "cosine annealing over 10 steps to lr 0.0, periodic"  # describe()
    assert lines[2].startswith("lr  ")
    assert len(lines[2]) == 4 + 11
    assert lines[6].split() == ["0", "1.0"]
    assert lines[11].split() == ["5", "0.5"]
    assert lines[-1].split() == ["10", "0.0"]


def test_plot_image_without_torch(tmp_path: Path) -> None:
    code, out, err = _without_torch("plot", "LambdaLR", "-o", "lambda.png", cwd=tmp_path)
    assert (code, err) == (0, "")
    assert out == "wrote the plot of LambdaLR (100 steps) to lambda.png\n"
    assert (tmp_path / "lambda.png").read_bytes().startswith(PNG_SIGNATURE)
    assert [p.name for p in tmp_path.iterdir()] == ["lambda.png"]


def test_help_without_torch(tmp_path: Path) -> None:
    code, out, err = _without_torch("--help", cwd=tmp_path)
    assert (code, err) == (0, "")
    assert "compare" in out
    assert "plot" in out


def test_compare_without_torch_names_the_install(tmp_path: Path) -> None:
    for args in (["compare"], ["compare", "--epochs", "2", "--json", "out.json"]):
        code, out, err = _without_torch(*args, cwd=tmp_path)
        assert (code, out) == (2, "")
        assert err.count("\n") == 1
        assert err.startswith("lrspec compare: error: this command needs PyTorch")
        assert INSTALL_HINT in err
        assert list(tmp_path.iterdir()) == []


def test_compare_without_torch_from_python_m(tmp_path: Path) -> None:
    # `python -m lrspec_torch.cli`: the module run as __main__, as the console script would.
    code = NO_TORCH + "import runpy\nrunpy.run_module('lrspec_torch.cli', run_name='__main__')"
    proc = subprocess.run(
        [sys.executable, "-c", code, "compare"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.count("\n") == 1
    assert INSTALL_HINT in proc.stderr


# --- the parser, in process ---------------------------------------------------------------------


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _main(capsys, "--help")
    assert code == 0
    assert "compare" in out
    assert "plot" in out
    code, out, _ = _main(capsys, "compare", "--help")
    assert code == 0
    assert "--schedulers" in out
    assert ", ".join(TUTORIAL_RUNS) in " ".join(out.split())
    code, out, _ = _main(capsys, "--version")
    assert code == 0
    assert out.startswith("lrspec ")


def test_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(capsys)
    assert (code, out) == (2, "")
    assert err.startswith("lrspec: error: the following arguments are required: COMMAND")
    assert err.count("\n") == 1


def test_compare_runs_the_tutorial_by_default() -> None:
    args = cli.build_parser().parse_args(["compare"])
    assert args.schedulers == list(TUTORIAL_RUNS.items())


@pytest.mark.parametrize(
    ("text", "label", "spec_text"),
    [
        ("none", "none", "None"),
        (" STEPLR ", "StepLR", "StepLR(step_size=1, gamma=0.9)"),
        ("lambdalr", "LambdaLR", "LambdaLR(lr_lambda=fn('tutorial_lambda'))"),
        ("ExponentialLR(gamma=0.5)", "ExponentialLR(gamma=0.5)", "ExponentialLR(gamma=0.5)"),
        (
            "LinearLR",
            "LinearLR(start_factor=0.3333333333333333, end_factor=1.0, total_iters=5)",
            "LinearLR(start_factor=0.3333333333333333, end_factor=1.0, total_iters=5)",
        ),
    ],
)
def test_resolve_spec(text: str, label: str, spec_text: str) -> None:
    got_label, spec = cli.resolve_spec(text)
    assert (got_label, repr(spec)) == (label, spec_text)
