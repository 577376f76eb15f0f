"""It keeps working and loses nothing: interrupts, kills and two runs into one folder.

The subprocess tests run the command line as a user would (the installed ``police-mtfs``
command, or the same ``main`` through :data:`LAUNCHER`, which reports the end of start-up
or stubs the slow PDF report) and signal it at a known point: during the simulation, or
while it writes its outputs (as soon as its first hidden ``.partial`` file exists). The in-process tests
fault-inject :class:`model.io.atomic.AtomicOutputs` to check what happens when an interrupt
or an error arrives while a set of outputs is being published.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

import model.io.atomic as atomic
import model.run.summaries as summaries
from model.cli.exit_codes import EXIT_INTERRUPTED, EXIT_OUTPUT
from model.cli.main import main as cli_main
from model.io.atomic import (
    STALE_AFTER_SECONDS,
    AtomicOutputs,
    InterruptedAfterPublish,
    OutputError,
    Terminated,
    _host_tag,
    raise_terminated,
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and flock: POSIX only")

OUTPUTS = ("summary.csv", "flags.csv", "plan.csv", "report.pdf", "run.json")
"""Outputs every run writes (it may write more: the tests compare whole folders)."""
COMMAND = Path(sys.executable).parent / "police-mtfs"
CENTRAL = SCENARIOS / "central.yaml"
SIMULATION_PATHS = "400000"
"""Enough paths that simulating central.yaml takes about 5 s on a 2-core machine (the test stops it after ~0.5 s)."""
WRITE_PATHS = "2000"
"""Few paths: the simulation is quick and the run spends most of its time writing the outputs (the PDF report)."""

# Runs the real command line, but says (by creating the file argv[1]) when start-up is over and the
# command has begun loading the scenario: an interrupt during Python's own imports is not what these
# tests are about.
# With argv[2] == "stub" the reports (PDF, workbook) are stubs: the real ones take several seconds.
LAUNCHER = """\
import importlib, os, pathlib, sys
from model.cli.main import main
if sys.argv[2] in ("stub", "slow-publish"):
    def stub(path, result, *args, **kwargs):
        pathlib.Path(path).write_text(f"stub report, seed {result.info.seed}, process {os.getpid()}")
    for module, function in (("model.report.pdf", "build_report_pdf"), ("model.report.workbook", "write_workbook")):
        try:
            setattr(importlib.import_module(module), function, stub)
        except ImportError:
            pass
if sys.argv[2] == "slow-publish":  # each file takes 0.2 s to move into place: a window to signal into
    import time
    import model.io.atomic as atomic
    real_replace, marker = os.replace, pathlib.Path(sys.argv[1] + ".publishing")
    def slow_replace(source, destination, *args, **kwargs):
        if str(source).endswith(".partial") and ".backup." not in str(source):
            marker.touch()
            time.sleep(0.2)
        return real_replace(source, destination, *args, **kwargs)
    atomic.os.replace = slow_replace
# "Ready" once the command has begun: it is loading the scenario (its interrupt handling is in place).
import model.pipeline as pipeline
real_load, ready = pipeline.load, pathlib.Path(sys.argv[1])
def load(*args, **kwargs):
    ready.touch()
    return real_load(*args, **kwargs)
pipeline.load = load
sys.argv[:3] = ["police-mtfs"]
sys.exit(main())
"""
SMALL = """\
title: Interruption test scenario
description: Two forces, a few hundred paths.
forces: [staffordshire, hertfordshire]
simulation: {paths: 300, seed: 11, chunk_size: 128}
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in a folder, hidden ones included, by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name) if folder.exists() else []


def stub_report(monkeypatch) -> None:
    """A stub PDF instead of the real report (slow, and tested in test_report.py)."""
    import model.report.pdf

    def build_report_pdf(path, result, *args, **kwargs):
        Path(path).write_bytes(b"%PDF-1.4\n% stub report, seed " + str(result.info.seed).encode() + b"\n%%EOF\n")

    monkeypatch.setattr(model.report.pdf, "build_report_pdf", build_report_pdf)


def invoke(*args):
    return CliRunner().invoke(cli_main, [str(a) for a in args])


def assert_clean(stderr: str, *fragments: str) -> None:
    """One error line on stderr (after any warning lines the run printed first), no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert all(line.startswith("warning:") for line in lines[:-1]), stderr
    assert lines[-1].startswith("error:"), stderr
    for fragment in fragments:
        assert fragment in stderr, f"{fragment!r} not in {stderr!r}"


def wait_for(condition, proc: subprocess.Popen, timeout: float = 60.0, what: str = "") -> None:
    """Poll ``condition`` every 10 ms while ``proc`` runs."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the run ended (exit {proc.returncode}) before {what}: {err[-2000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def finish(proc: subprocess.Popen, timeout: float = 60.0) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"the run did not stop: {err[-2000:]}")
    return proc.returncode, out, err


@pytest.fixture(scope="module")
def good_report(tmp_path_factory) -> Path:
    """An earlier, complete report of central.yaml (with a stub PDF), to copy into each test's folder."""
    out = tmp_path_factory.mktemp("earlier")
    with pytest.MonkeyPatch.context() as patch:
        stub_report(patch)
        result = invoke("run", CENTRAL, "--out", out, "--paths", "300", "--seed", "5")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (out / "central").iterdir())
    assert set(OUTPUTS) <= set(names) and not partials(out / "central"), names
    return out / "central"


@pytest.fixture
def earlier(tmp_path, good_report) -> tuple[Path, dict[str, bytes]]:
    """``tmp_path/reports``, whose ``central/`` folder holds the earlier good report."""
    out = tmp_path / "reports"
    shutil.copytree(good_report, out / "central")
    return out, snapshot(out / "central")


@pytest.fixture
def processes():
    """Started subprocesses; any still running at the end of the test are killed."""
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def start(processes, args, cwd: Path, ready: Path | None = None, stub: bool | str = False) -> subprocess.Popen:
    """Start the installed command, or with ``ready`` (a file to create) or ``stub`` the :data:`LAUNCHER`
    (``stub="slow-publish"``: stub reports, and each file takes 0.2 s to move into place)."""
    if ready is None and not stub:
        command = [str(COMMAND), *map(str, args)]
    else:
        ready = ready or cwd / f"ready-{time.monotonic_ns()}"
        mode = stub if isinstance(stub, str) else "stub" if stub else "real"
        command = [sys.executable, "-c", LAUNCHER, str(ready), mode, *map(str, args)]
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    processes.append(proc)
    return proc


def writing_started(folder: Path):
    """True once the run has started writing its outputs (its first temporary file exists)."""
    return lambda: bool(partials(folder))


# --------------------------------------------------------------------------------------
# Signals to the real command: nothing half-written, nothing lost
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_the_simulation(tmp_path, earlier, processes, signum):
    out, before = earlier
    ready = tmp_path / "started"
    proc = start(processes, ["run", CENTRAL, "--out", out, "--paths", SIMULATION_PATHS], tmp_path, ready)
    wait_for(ready.exists, proc, what="start-up")
    time.sleep(0.5)
    assert proc.poll() is None, "the simulation finished before the signal: raise SIMULATION_PATHS"
    proc.send_signal(signum)
    code, stdout, stderr = finish(proc)
    if signum == signal.SIGINT:
        assert code == EXIT_INTERRUPTED == 130, stderr
        assert_clean(stderr, "interrupted", "no output was written")
    else:
        # Before any output is written SIGTERM keeps its default action (the process ends at
        # once, nothing to tidy up); 130 with a message once `run` installs a handler itself.
        assert code in (-signal.SIGTERM, 130), stderr
        assert "Traceback" not in stderr
    assert "Traceback" not in stdout
    assert snapshot(out / "central") == before
    assert partials(out / "central") == []


@pytest.mark.parametrize("signum, message", [(signal.SIGINT, "interrupted:"),
                                             (signal.SIGTERM, "interrupted by SIGTERM")], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_the_outputs_are_written(tmp_path, earlier, processes, signum, message):
    out, before = earlier
    proc = start(processes, ["run", CENTRAL, "--out", out, "--paths", WRITE_PATHS, "--seed", "9"], tmp_path)
    wait_for(writing_started(out / "central"), proc, what="the outputs to be started")
    proc.send_signal(signum)
    code, _, stderr = finish(proc)
    assert code == 130, stderr
    assert_clean(stderr, message, "no output was written", "unchanged")
    assert snapshot(out / "central") == before
    assert partials(out / "central") == []


SIGNAL_PAIRS = [(signal.SIGINT, signal.SIGINT), (signal.SIGTERM, signal.SIGTERM), (signal.SIGINT, signal.SIGTERM)]


@pytest.mark.parametrize("moment", ["start", "simulation", "writing", "publishing"])
@pytest.mark.parametrize("first, second", SIGNAL_PAIRS, ids=["INT-INT", "TERM-TERM", "INT-TERM"])
def test_two_signals_in_quick_succession_leave_one_complete_set_and_no_debris(tmp_path, earlier, processes, moment,
                                                                              first, second):
    out, before = earlier
    ready = tmp_path / "started"
    paths = SIMULATION_PATHS if moment == "simulation" else WRITE_PATHS
    proc = start(processes, ["run", CENTRAL, "--out", out, "--paths", paths, "--seed", "9"], tmp_path, ready,
                 stub="slow-publish" if moment == "publishing" else False)
    wait_for(ready.exists, proc, what="start-up")
    if moment == "simulation":
        time.sleep(0.5)
    elif moment == "writing":
        wait_for(writing_started(out / "central"), proc, what="the outputs to be started")
    elif moment == "publishing":
        wait_for(Path(f"{ready}.publishing").exists, proc, what="the first file to be moved into place")
    proc.send_signal(first)
    time.sleep(0.005)
    if proc.poll() is None:
        proc.send_signal(second)
    code, stdout, stderr = finish(proc)
    assert "Traceback" not in stderr + stdout
    assert code in (130, -signal.SIGTERM), stderr
    after = snapshot(out / "central")
    assert partials(out / "central") == []
    if after != before:  # only once publishing began: then the new set is complete
        assert moment == "publishing", stderr
        assert sorted(after) == sorted(before)
        assert json.loads(after["run.json"])["seed"] == 9 and b"seed 9" in after["report.pdf"]
        assert re.search(r"interrupted( by SIGTERM)? after the outputs were written", stderr), stderr


def test_an_interrupted_run_into_a_new_folder_leaves_no_folder(tmp_path, processes):
    out = tmp_path / "new" / "reports"
    proc = start(processes, ["run", CENTRAL, "--out", out, "--paths", WRITE_PATHS], tmp_path)
    wait_for(writing_started(out / "central"), proc, what="the outputs to be started")
    proc.send_signal(signal.SIGINT)
    code, _, stderr = finish(proc)
    assert code == 130, stderr
    assert not (tmp_path / "new").exists(), sorted(p.name for p in tmp_path.rglob("*"))


def test_a_hard_kill_keeps_the_earlier_report_and_the_next_run_cleans_up(tmp_path, earlier, processes, monkeypatch):
    out, before = earlier
    proc = start(processes, ["run", CENTRAL, "--out", out, "--paths", WRITE_PATHS, "--seed", "9"], tmp_path)
    wait_for(writing_started(out / "central"), proc, what="the outputs to be started")
    proc.send_signal(signal.SIGKILL)
    code, _, _ = finish(proc)
    assert code == -signal.SIGKILL
    left = partials(out / "central")
    assert any(name.startswith(".summary.csv.") for name in left), left
    assert {name: content for name, content in snapshot(out / "central").items() if ".partial" not in name} == before

    stub_report(monkeypatch)
    result = invoke("run", CENTRAL, "--out", out, "--paths", "300", "--seed", "6")
    assert result.exit_code == 0, result.output
    after = snapshot(out / "central")
    assert sorted(after) == sorted(before), "the killed run's temporary files are removed"
    assert after["summary.csv"] != before["summary.csv"]


def test_two_runs_into_one_folder_leave_one_complete_set(tmp_path, processes, monkeypatch):
    """Both runs are held at the folder lock until both have written every output, then race to publish.

    The PDF reports are stubs (each names its run) so that the test takes seconds, not tens of seconds.
    """
    out = tmp_path / "reports"
    folder = out / "central"
    folder.mkdir(parents=True)
    lock = os.open(folder, os.O_RDONLY)
    try:
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_EX)
        runs = {seed: start(processes, ["run", CENTRAL, "--out", out, "--paths", WRITE_PATHS, "--seed", seed],
                            tmp_path, stub=True) for seed in ("1", "2")}
        pids = {str(proc.pid): seed for seed, proc in runs.items()}

        def both_ready():
            return len([name for name in partials(folder) if name.startswith(".run.json.")]) == 2

        for proc in runs.values():
            wait_for(both_ready, proc, what="both runs to write every output")
        time.sleep(0.3)
        assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [], "nothing published yet"
        written = {seed: {} for seed in runs}
        for path in folder.iterdir():
            name, tag = path.name[1:].split(".partial")[0].rsplit(".", 1)
            written[pids[tag.split("-")[-2]]][name] = path.read_bytes()
        assert written["1"].keys() == written["2"].keys() >= set(OUTPUTS), {k: list(v) for k, v in written.items()}
    finally:
        os.close(lock)
    for proc in runs.values():
        code, _, stderr = finish(proc)
        assert code == 0, stderr
    final = snapshot(folder)
    assert final.keys() == written["1"].keys(), "one set of outputs, no temporary files"
    winner = json.loads(final["run.json"])["seed"]
    assert final == written[str(winner)], "every file comes from the run that published last"

    # The winner's tables are that seed's numbers: the same as a run of that seed on its own.
    stub_report(monkeypatch)
    alone = tmp_path / "alone"
    assert invoke("run", CENTRAL, "--out", alone, "--paths", WRITE_PATHS, "--seed", winner).exit_code == 0
    for name in ("summary.csv", "flags.csv", "plan.csv"):
        assert final[name] == (alone / "central" / name).read_bytes(), name


# --------------------------------------------------------------------------------------
# In process: interrupts and errors while publishing, and after
# --------------------------------------------------------------------------------------

@pytest.fixture
def small_run(tmp_path, monkeypatch):
    """A small scenario with an earlier report in ``reports/small``; returns (scenario, out, before)."""
    stub_report(monkeypatch)
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "reports"
    assert invoke("run", scenario, "--out", out, "--seed", "1").exit_code == 0
    before = snapshot(out / "small")
    assert set(OUTPUTS) <= set(before) and not partials(out / "small")
    return scenario, out, before


def replace_calling(monkeypatch, on_move):
    """Patch ``os.replace`` so that ``on_move(count)`` runs before the count-th move of a temporary file."""
    real = os.replace
    moves = []

    def replace(source, destination, *args, **kwargs):
        if str(source).endswith(".partial") and ".backup." not in str(source):
            moves.append(destination)
            on_move(len(moves))
        return real(source, destination, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return moves


def test_an_interrupt_midway_through_publishing_rolls_back(monkeypatch, small_run):
    scenario, out, before = small_run

    def on_move(count):
        if count == 3:
            raise KeyboardInterrupt

    moves = replace_calling(monkeypatch, on_move)
    result = invoke("run", scenario, "--out", out, "--seed", "2")
    assert len(moves) == 3, "two files were already in place when the interrupt came"
    assert result.exit_code == 130, result.output
    assert_clean(result.stderr, "interrupted", "no output was written")
    assert snapshot(out / "small") == before


def test_an_error_midway_through_publishing_rolls_back(monkeypatch, small_run):
    scenario, out, before = small_run

    def on_move(count):
        if count == 4:
            raise PermissionError(13, "Permission denied", str(out / "small" / "x"))

    replace_calling(monkeypatch, on_move)
    result = invoke("run", scenario, "--out", out, "--seed", "2")
    assert result.exit_code == EXIT_OUTPUT, result.output
    assert_clean(result.stderr, "cannot publish the outputs", "Permission denied", "the earlier report is unchanged")
    assert snapshot(out / "small") == before


def test_a_rollback_in_a_new_folder_leaves_it_empty(monkeypatch, tmp_path):
    def on_move(count):
        if count == 2:
            raise KeyboardInterrupt

    replace_calling(monkeypatch, on_move)
    with pytest.raises(KeyboardInterrupt), AtomicOutputs(tmp_path / "new") as writing:
        for name in OUTPUTS:
            writing.write(name, lambda path: path.write_text("new"))
        writing.publish()
    assert snapshot(tmp_path / "new") == {}


def test_ctrl_c_during_publishing_waits_for_the_whole_set(monkeypatch, small_run):
    """A real SIGINT, sent when the first file moves, is held until every file is in place."""
    scenario, out, before = small_run

    def on_move(count):
        if count == 1:
            os.kill(os.getpid(), signal.SIGINT)

    moves = replace_calling(monkeypatch, on_move)
    result = invoke("run", scenario, "--out", out, "--seed", "2")
    assert len(moves) == len(before)
    assert result.exit_code == 130, result.output
    assert_clean(result.stderr, "interrupted after the outputs were written", str(out / "small"))
    after = snapshot(out / "small")
    assert sorted(after) == sorted(before)
    assert all(after[name] != before[name] for name in ("summary.csv", "run.json", "report.pdf"))
    assert json.loads(after["run.json"])["seed"] == 2


def test_an_interrupt_just_after_publishing_says_the_report_was_written(monkeypatch, small_run):
    scenario, out, before = small_run
    publish = AtomicOutputs.publish

    def publish_then_interrupt(self):
        publish(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(AtomicOutputs, "publish", publish_then_interrupt)
    result = invoke("run", scenario, "--out", out, "--seed", "2")
    assert result.exit_code == 130, result.output
    assert_clean(result.stderr, "interrupted after the outputs were written")
    assert "no output was written" not in result.stderr
    assert json.loads((out / "small" / "run.json").read_text(encoding="utf-8"))["seed"] == 2


def test_an_interrupt_while_printing_the_headlines_keeps_the_report(monkeypatch, small_run):
    scenario, out, before = small_run

    def headline_table(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(summaries, "headline_table", headline_table)
    result = invoke("run", scenario, "--out", out, "--seed", "2")
    assert result.exit_code == 130, result.output
    assert_clean(result.stderr, "interrupted after the outputs were written", str(out / "small"))
    assert "no output was written" not in result.stderr
    after = snapshot(out / "small")
    assert sorted(after) == sorted(before) and after["summary.csv"] != before["summary.csv"]


# --------------------------------------------------------------------------------------
# AtomicOutputs: the folder lock, SIGTERM, abandoned temporary files
# --------------------------------------------------------------------------------------

WRITERS = {"slow": (0.0, 0.06), "fast": (0.02, 0.002)}
"""Per writer: seconds before it publishes, and after each file it moves. Without a lock the
slow writer moves its first file, the fast one then moves all of its files, and the slow one
the rest of its files: a mixed set."""


def publish_from_threads(monkeypatch, folder: Path) -> dict[str, str]:
    """Two writers (threads) publish a set of files each at the same moment; which wrote each file?"""
    real = os.replace

    def slow_replace(source, destination, *args, **kwargs):
        real(source, destination, *args, **kwargs)
        time.sleep(WRITERS.get(threading.current_thread().name, (0, 0))[1])

    monkeypatch.setattr(os, "replace", slow_replace)
    barrier = threading.Barrier(len(WRITERS))
    errors = []

    def writer():
        try:
            with AtomicOutputs(folder) as writing:
                for name in OUTPUTS:
                    writing.write(name, lambda path: path.write_text(threading.current_thread().name))
                barrier.wait()
                time.sleep(WRITERS[threading.current_thread().name][0])
                writing.publish()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, name=name) for name in WRITERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert partials(folder) == []
    return {name: (folder / name).read_text() for name in OUTPUTS}


def test_the_folder_lock_publishes_whole_sets(monkeypatch, tmp_path):
    final = publish_from_threads(monkeypatch, tmp_path / "out")
    assert len(set(final.values())) == 1, final  # the slow writer's set, then the whole fast one over it


def test_without_the_lock_the_same_race_mixes_the_sets(monkeypatch, tmp_path):
    """The test above can fail: with the lock disabled, the race leaves files of both writers."""
    import contextlib

    monkeypatch.setattr(atomic, "_folder_lock", lambda folder: contextlib.nullcontext())
    final = publish_from_threads(monkeypatch, tmp_path / "out")
    assert set(final.values()) == {"slow", "fast"}, final


def test_a_folder_locked_for_too_long_is_an_output_error(monkeypatch, tmp_path):
    import fcntl

    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.setattr(atomic, "LOCK_TIMEOUT_SECONDS", 0.2)
    lock = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(OutputError, match="another run has been publishing"), AtomicOutputs(folder) as writing:
            writing.write("summary.csv", lambda path: path.write_text("x"))
            writing.publish()
    finally:
        os.close(lock)
    assert snapshot(folder) == {}


def test_sigterm_while_writing_removes_the_temporary_files(tmp_path):
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    with pytest.raises(Terminated), AtomicOutputs(tmp_path) as writing:
        writing.write("summary.csv", lambda path: path.write_text("x"))
        assert signal.getsignal(signal.SIGTERM) is raise_terminated  # else the kill below ends pytest
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)
        pytest.fail("SIGTERM was not raised")
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, "the handler is removed again"
    assert snapshot(tmp_path) == {}


def test_an_interrupt_after_publishing_is_reported_as_such(tmp_path):
    with pytest.raises(InterruptedAfterPublish) as info, AtomicOutputs(tmp_path) as writing:
        writing.write("summary.csv", lambda path: path.write_text("x"))
        writing.publish()
        raise KeyboardInterrupt
    assert info.value.folder == tmp_path and info.value.published == [tmp_path / "summary.csv"]
    assert (tmp_path / "summary.csv").read_text() == "x"


def test_abandoned_temporary_files_are_removed(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(done.stdout)  # a process of this machine that has ended
    host = _host_tag()
    old = time.time() - STALE_AFTER_SECONDS - 60
    files = {
        f".summary.csv.{host}-{dead}-0123abcd.partial": True,              # killed run on this machine
        f".report.pdf.{host}-{dead}-0123abcd.backup.partial": True,        # ... and its backup of the earlier report
        f".summary.csv.{host}-{os.getppid()}-0123abcd.partial": False,     # a run still going
        f".summary.csv.{host}-{os.getpid()}-0123abcd.partial": False,      # this process
        ".summary.csv.otherhost-12345-0123abcd.partial": False,           # another machine, recent
        ".flags.csv.otherhost-12345-0123abcd.partial": "old",              # another machine, a day old
        ".plan.csv.0123abcd.partial": "old",                               # an older naming scheme, a day old
        ".plan.csv.4567abcd.partial": False,                               # ... and recent
        "summary.csv": False,
        ".hidden-notes": False,
    }
    for name, remove in files.items():
        (tmp_path / name).write_text("x")
        if remove == "old":
            os.utime(tmp_path / name, (old, old))
    with AtomicOutputs(tmp_path):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(name for name, remove in files.items() if not remove)
