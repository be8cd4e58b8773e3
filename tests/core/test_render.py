"""The command's building blocks, without torch: text rendering, atomic files, the progress bar."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import lrspec_torch._progress as progress
from lrspec_torch._errors import UsageError
from lrspec_torch._files import PendingFile, pending
from lrspec_torch._progress import ProgressBar
from lrspec_torch._render import figure_format, format_table, preview, sparkline

# --- text ---------------------------------------------------------------------------------------


def test_sparkline_spans_the_blocks_and_samples_long_input() -> None:
    assert sparkline([float(v) for v in range(8)]) == "▁▂▃▄▅▆▇█"
    assert sparkline([2.0, 2.0, 2.0]) == "▅▅▅"  # flat: the middle block
    long = sparkline([float(v) for v in range(1000)], width=10)
    assert len(long) == 10
    assert (long[0], long[-1]) == ("▁", "█")


def test_sparkline_falls_back_to_ascii(monkeypatch: pytest.MonkeyPatch) -> None:
    class Ascii:
        encoding = "ascii"

    monkeypatch.setattr(sys, "stdout", Ascii())
    assert sparkline([3.0, 2.0, 1.0]) == "#=_"


def test_preview_lists_evenly_spaced_steps() -> None:
    lines = preview("label", [1.0, 0.5, 0.25], base_lr=1.0, rows=11).splitlines()
    assert lines[0] == "label  base_lr=1.0  steps=2"
    assert lines[2] == "    min 0.25  max 1.0"
    assert lines[4:] == ["step  lr", "   0  1.0", "   1  0.5", "   2  0.25"]


def _result(weight: list[float]) -> SimpleNamespace:
    return SimpleNamespace(final_lr=0.1, final_loss=1e-3, weight=weight, bias=-0.5, device="cpu")


def test_format_table_aligns_columns_and_shortens_long_weights() -> None:
    table = format_table(["none", "a longer label"], [_result([1.0, 2.0]), _result([0.0] * 9)])
    header, first, second = table.splitlines()
    assert header.startswith("scheduler".ljust(len("a longer label")) + "  final lr")
    assert first.split() == ["none", "0.1", "0.001", "[1.0000,", "2.0000]", "-0.5", "cpu"]
    assert "[0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000, ...]" in second
    for column, cell in (("final lr", "0.1"), ("final loss", "0.001"), ("weights", "[")):
        assert header.index(column) == first.index(cell) == second.index(cell)
    assert all(line == line.rstrip() for line in (header, first, second))


def test_figure_format_from_the_suffix() -> None:
    assert figure_format("a/b.PNG") == "png"
    assert figure_format("b.svg") == "svg"
    with pytest.raises(UsageError, match=r"unknown image format 'txt' \(use \.png"):
        figure_format("b.txt")


# --- files --------------------------------------------------------------------------------------


def test_pending_file_appears_only_on_commit(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    out = PendingFile(str(target), "text")
    reserved = list(tmp_path.iterdir())
    assert len(reserved) == 1
    assert reserved[0].name.startswith(".out.txt.")  # a hidden temp file beside the target
    out.write(lambda path: path.write_text("hello"))
    assert not target.exists()
    out.commit()
    assert target.read_text() == "hello"
    assert list(tmp_path.iterdir()) == [target]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600
    with pytest.raises(RuntimeError, match="already committed"):
        out.commit()


def test_pending_discards_what_was_not_committed(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(ValueError, match="midway"), pending([]) as outputs:
        outputs.append(PendingFile(str(target), "text"))
        outputs[0].write(lambda path: path.write_text("half"))
        raise ValueError("midway")
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_text() == "old"


def test_pending_file_reports_write_errors_on_one_line(tmp_path: Path) -> None:
    out = PendingFile(str(tmp_path / "out.txt"), "JSON")

    def fail(path: Path) -> None:
        raise PermissionError(13, "Permission denied")

    with pytest.raises(UsageError) as info:
        out.write(fail)
    assert str(info.value) == f"cannot write the JSON to {str(tmp_path / 'out.txt')!r}: " + (
        "Permission denied"
    )
    out.discard()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing/out.txt", "does not exist"), (".", "it is a directory")],
)
def test_pending_file_checks_the_target_first(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        PendingFile(str(tmp_path / name), "text")
    assert list(tmp_path.iterdir()) == []


# --- the progress bar ---------------------------------------------------------------------------


def test_progress_bar_redraws_in_place_and_ends_the_line() -> None:
    stream = io.StringIO()
    with ProgressBar(4, stream=stream, enabled=True, width=8) as bar:
        bar.show("training a long label")
        bar.advance()
        bar.show("short")
    text = stream.getvalue()
    frames = text.split("\r")[1:]
    assert [f.rstrip() for f in frames] == [
        "[--------] 0/4 training a long label",
        "[##------] 1/4 training a long label",
        "[##------] 1/4 short",
    ]
    assert len(frames[2].rstrip("\n")) == len(frames[1])  # padded over the longer line
    assert text.endswith("\n")
    assert text.count("\n") == 1
    bar.close()  # closing twice ends the line once
    assert stream.getvalue() == text


def test_progress_bar_draws_nothing_when_disabled() -> None:
    stream = io.StringIO()
    with ProgressBar(2, stream=stream) as bar:  # a StringIO is no terminal
        assert not bar.enabled
        bar.show("x")
        bar.advance()
    assert stream.getvalue() == ""


def test_progress_bar_for_work_needs_a_terminal_and_enough_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not ProgressBar.for_work(10**12, 3).enabled  # not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert not ProgressBar.for_work(progress.PROGRESS_WORK - 1, 3).enabled
    assert ProgressBar.for_work(progress.PROGRESS_WORK, 3).enabled
