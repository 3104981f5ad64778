"""Multi-process training, for real, on one machine: two processes of JAX's distributed runtime
on 127.0.0.1 (CPU, gloo collectives, 2 simulated devices each), started through the command line
(``pinnrwf.cli.main``, what the ``pinnrwf`` script runs) with ``run regression1d ... --distributed``.

Checked: the 4-seed ensemble, sharded over the 4 devices of both processes, ends with final
metrics and a history bit-identical to the same ensemble trained in one process on 4 devices (the
same mesh, so the same per-device programs); only process 0 writes results.json, table.md, the
figure and the checkpoints (an audit hook logs every file each process writes); and after both
processes are killed mid-run (process 0 by SIGKILL between writing a checkpoint and committing
it), a restart resumes from the last committed checkpoint and ends bit-identical as well.
Every process runs under a timeout; the coordinator listens on 127.0.0.1 only.
"""

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pinnrwf.benchmarks.studies.multiprocess.multiprocess import environment, free_port
from pinnrwf.cli import main

TIMEOUT = 300  # seconds for one process (about 30-60 s each on 2 busy cores)

# ``python -c AUDITED LOG KILL_AT ARGS...``: pinnrwf's command line with every file write logged
# to LOG; with KILL_AT = k > 0 the process kills itself (SIGKILL) at its k-th commit of a
# checkpoint.json, after writing that checkpoint's .eqx and before the rename that commits it.
AUDITED = r"""
import os, signal, sys

log = open(sys.argv[1], "w", buffering=1)
kill_at, argv = int(sys.argv[2]), sys.argv[3:]
commits = 0
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def audit(event, args):
    global commits
    if event == "open" and isinstance(args[0], (str, os.PathLike)):
        mode, flags = args[1], args[2]
        if any(c in mode for c in "wax+") if isinstance(mode, str) else flags & WRITE:
            log.write(f"write {os.path.abspath(args[0])}\n")
    elif event in ("os.rename", "os.remove"):
        target = os.path.abspath(args[1] if event == "os.rename" else args[0])
        log.write(f"{event} {target}\n")
        if event == "os.rename" and target.endswith("checkpoint.json"):
            commits += 1
            if commits == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)


sys.addaudithook(audit)
from pinnrwf.cli import main

sys.exit(main(argv))
"""

RUN = [
    "run",
    "regression1d",
    "--preset",
    "smoke",
    "--param",
    "rwf",
    "--seeds",
    "4",
    "--steps",
    "300",
    "--chunk",
    "50",
    "--checkpoint-every",
    "50",
    "--no-progress",
]


class Processes:
    """Started processes, each killed at the end of the ``with`` block if still running."""

    def __init__(self, folder: Path):
        self.folder, self.running = folder, {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for p in self.running.values():
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)

    def start(self, name: str, argv: list[str], env: dict[str, str], kill_at: int = 0) -> str:
        log = open(self.folder / f"{name}.log", "w")
        self.running[name] = subprocess.Popen(
            [sys.executable, "-c", AUDITED, str(self.folder / f"{name}.audit"), str(kill_at), *argv],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        return name

    def start_pair(self, name: str, out: Path, kill_at: int = 0) -> list[str]:
        port = free_port()
        return [
            self.start(
                f"{name}{i}",
                [
                    *RUN,
                    "--out",
                    str(out),
                    "--distributed",
                    "--coordinator",
                    f"127.0.0.1:{port}",
                    "--num-processes",
                    "2",
                    "--process-id",
                    str(i),
                ],
                environment(2, port),
                kill_at,
            )
            for i in range(2)
        ]

    def wait(self, name: str) -> int:
        try:
            return self.running[name].wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{name} still running after {TIMEOUT} s:\n{self.output(name)}")

    def output(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text()[-3000:]

    def writes(self, name: str, under: Path) -> set[tuple[str, str]]:
        """(event, path relative to ``under``) of the files process ``name`` wrote ("write"),
        renamed into place ("os.rename") or removed ("os.remove") inside ``under``."""
        lines = (line.split(" ", 1) for line in (self.folder / f"{name}.audit").read_text().splitlines())
        return {(event, os.path.relpath(p, under)) for event, p in lines if p.startswith(f"{under}{os.sep}")}


def committed_checkpoints(writes: set[tuple[str, str]]) -> set[int]:
    """Steps of the checkpoint-<step>.eqx files renamed into place."""
    return {
        int(Path(p).stem.split("-")[1])
        for event, p in writes
        if event == "os.rename" and Path(p).name.startswith("checkpoint-")
    }


@pytest.mark.slow
def test_two_processes_train_like_one_write_once_and_resume_after_a_kill(tmp_path):
    out, reference = (tmp_path / "two_processes").resolve(), (tmp_path / "one_process").resolve()
    with Processes(tmp_path) as procs:
        one = procs.start("one", [*RUN, "--out", str(reference)], environment(4))
        killed = procs.start_pair("killed", out, kill_at=3)  # dies at the commit of step 150
        assert procs.wait(killed[0]) == -signal.SIGKILL, procs.output(killed[0])
        procs.running[killed[1]].kill()  # left waiting for process 0 in a collective
        procs.wait(killed[1])
        committed = json.loads((out / "checkpoints" / "rwf" / "checkpoint.json").read_text())
        assert committed["step"] == 100 and (out / "checkpoints" / "rwf" / "checkpoint-150.eqx").exists()
        assert not (out / "results.json").exists()

        resumed = procs.start_pair("resumed", out)
        for name in (*resumed, one):
            assert procs.wait(name) == 0, procs.output(name)

    two, single = (json.loads((d / "results.json").read_text()) for d in (out, reference))
    assert two["processes"] == 2 and two["device"]["device_count"] == 4 and single["device"]["device_count"] == 4
    assert two["runs"]["rwf"]["final_metrics"] == single["runs"]["rwf"]["final_metrics"]  # bit-identical
    assert two["runs"]["rwf"]["history"] == single["runs"]["rwf"]["history"]
    assert two["report"]["ntk_eigenvalues_seed0"] == single["report"]["ntk_eigenvalues_seed0"]

    # process 1 never wrote into the output folder; process 0 wrote everything, and resumed
    assert procs.writes(killed[1], out) == set() and procs.writes(resumed[1], out) == set()
    before, after = procs.writes(killed[0], out), procs.writes(resumed[0], out)
    assert committed_checkpoints(before) == {50, 100, 150} and committed_checkpoints(after) == {150, 200, 250, 300}
    assert {("os.rename", "results.json"), ("os.rename", "table.md"), ("os.rename", "regression1d.png")} <= after
    assert "results:" in procs.output(resumed[0]) and "results:" not in procs.output(resumed[1])  # one speaks
    assert sorted(p.name for p in (out / "checkpoints" / "rwf").iterdir()) == ["checkpoint-300.eqx", "checkpoint.json"]


CASES = [
    (["--process-id", "2", "--num-processes", "2"], "--process-id must be in [0, 2) with --num-processes 2, got 2"),
    (["--process-id", "-1"], "argument --process-id: expected an integer ≥ 0, got '-1'"),
    (["--num-processes", "0"], "argument --num-processes: expected a positive integer, got '0'"),
    (["--coordinator", "localhost"], "argument --coordinator: expected HOST:PORT with a port in [1, 65535]"),
    (["--coordinator", "localhost:70000"], "argument --coordinator: expected HOST:PORT with a port in [1, 65535]"),
    (["--coordinator", ":1234"], "argument --coordinator: expected HOST:PORT"),
    (["--distributed", "--coordinator-timeout", "0"], "argument --coordinator-timeout: expected a positive integer"),
]


@pytest.mark.parametrize("options, fragment", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_distributed_options_fail_at_parse_time(options, fragment, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["run", "regression1d", "--preset", "smoke", "--out", str(tmp_path / "out"), *options])
    err = capsys.readouterr().err
    assert e.value.code == 2 and fragment in err.strip().splitlines()[-1], err
    assert not (tmp_path / "out" / "results.json").exists()


def run_cli(argv: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pinnrwf.cli", *argv], env=env, capture_output=True, text=True, timeout=timeout
    )


def test_missing_distributed_settings_fail_in_one_line(tmp_path):
    proc = run_cli(
        ["run", "regression1d", "--preset", "smoke", "--out", str(tmp_path), "--distributed"], environment(1)
    )
    assert proc.returncode == 2, proc.stderr
    assert (
        proc.stderr.strip()
        .splitlines()[-1]
        .startswith("pinnrwf: error: --distributed: coordinator_address should be defined")
    )
    assert not (tmp_path / "results.json").exists()


def test_unreachable_coordinator_fails_in_one_line_after_the_timeout(tmp_path):
    port = free_port()  # nothing listens there
    proc = run_cli(
        [
            "run",
            "regression1d",
            "--preset",
            "smoke",
            "--out",
            str(tmp_path),
            "--coordinator",
            f"127.0.0.1:{port}",
            "--num-processes",
            "2",
            "--process-id",
            "1",
            "--coordinator-timeout",
            "2",
        ],
        environment(1),
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"pinnrwf: error: --distributed: the 2 processes did not all connect to the coordinator 127.0.0.1:{port} "
        "within 2 s (this is process 1); check that every process was started, with the same --coordinator and "
        "--num-processes and its own --process-id, and that process 0 is reachable (--coordinator-timeout to wait "
        "longer)"
    ]


def test_coordinator_port_in_use_fails_in_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run_cli(
            [
                "run",
                "regression1d",
                "--preset",
                "smoke",
                "--out",
                str(tmp_path),
                "--coordinator",
                f"127.0.0.1:{port}",
                "--num-processes",
                "2",
                "--process-id",
                "0",
            ],
            environment(1, port),
        )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"pinnrwf: error: ConnectionError: --distributed: process 0 cannot start the coordinator on 127.0.0.1:{port}: "
        "the port is in use (choose another --coordinator port) (run with --debug for the traceback)"
    ]
