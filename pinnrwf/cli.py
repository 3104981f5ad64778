"""The ``pinnrwf`` command: ``run`` a problem, ``bench`` a paper table or the engine, ``generate`` data.

Every failure prints one line, ``pinnrwf: error: …``, and exits non-zero (2 for a usage error,
1 for a failure at run time); ``--debug`` shows the Python traceback instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import functools
import importlib
import os
import shlex
import socket
import sys
import threading
from pathlib import Path

from pinnrwf import _validation as check
from pinnrwf._atomic import disk_full_message
from pinnrwf._cli_types import (  # noqa: F401 - re-exported for scripts that import them from here
    coordinator_arg,
    int_list_arg,
    nonnegative_int_arg,
    positive_int_arg,
    process_id_arg,
    seed_arg,
)
from pinnrwf._version import __version__
from pinnrwf.nn import PARAMETERIZATION_NAMES
from pinnrwf.problem import command_line_options


def add_log_arguments(p: argparse.ArgumentParser) -> None:
    from pinnrwf.loggers import LOGGER_NAMES

    p.add_argument(
        "--log",
        metavar="LOGGERS",
        default="",
        help=f"watch the run: a comma list of {', '.join(LOGGER_NAMES)}, written under OUT "
        "(tensorboard/, wandb/, logs/); tensorboard and wandb need pip install 'pinnrwf[log]'",
    )
    p.add_argument(
        "--log-every",
        type=positive_int_arg,
        metavar="N",
        help="record every N-th step's loss, terms and diagnostics in the history, the figures and the "
        "loggers (default: the last step of each chunk; independent of --chunk)",
    )


def loggers_from_args(args: argparse.Namespace, out: Path, group: str):
    from pinnrwf.loggers import parse_loggers

    return parse_loggers(args.log, out, group=group)


def add_debug_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--debug", action="store_true", help="show the Python traceback of a failure")


# ------------------------------------------------------------------------------------------ run
def add_run_arguments(p: argparse.ArgumentParser, problem) -> None:
    """Options shared by every ``pinnrwf run PROBLEM``, then the problem's own."""
    p.add_argument(
        "--param",
        default=problem.default_parameterizations,
        help=f"'all' or a comma list of {', '.join(PARAMETERIZATION_NAMES)} (default: %(default)s)",
    )
    p.add_argument(
        "--preset",
        default="quick",
        choices=tuple(problem.presets),
        help="smoke: seconds; quick: minutes on a CPU; paper: the paper's settings (default: %(default)s)",
    )
    p.add_argument(
        "--seeds", type=positive_int_arg, help="ensemble size, trained in one compiled program (overrides the preset)"
    )
    p.add_argument("--seed", type=seed_arg, default=0, help="base seed; member i uses seed+i (default: %(default)s)")
    p.add_argument("--steps", type=positive_int_arg, help="training steps (overrides the preset)")
    p.add_argument("--chunk", type=positive_int_arg, help="steps per compiled lax.scan chunk (overrides the preset)")
    p.add_argument(
        "--precision",
        choices=("default", "high", "highest"),
        default="highest",
        help="matmul precision (default: %(default)s = full float32)",
    )
    p.add_argument("--out", type=Path, help=f"output directory (default: runs/{problem.name})")
    p.add_argument(
        "--eval-every",
        type=positive_int_arg,
        metavar="N",
        help="evaluate the test metrics (errors, PSNR, ...) every N steps, a multiple of the chunk; "
        "lower --chunk for finer error curves (default: the preset's, else every chunk)",
    )
    p.add_argument(
        "--checkpoint-every",
        type=positive_int_arg,
        metavar="N",
        help="save an atomic checkpoint every N steps under OUT/checkpoints and resume from it if present "
        "(N a multiple of the chunk)",
    )
    p.add_argument(
        "--lbfgs-steps",
        type=nonnegative_int_arg,
        default=0,
        metavar="N",
        help="after the preset's optimizer, N L-BFGS steps (optax.lbfgs, zoom line search) on a fixed set of "
        "points drawn once per seed; the total is --steps + N (default: %(default)s, no L-BFGS stage)",
    )
    p.add_argument(
        "--lbfgs-points",
        type=positive_int_arg,
        metavar="N",
        help="size of the L-BFGS fixed set in interior residual points, a multiple of one training batch's "
        "(PINN problems; default: one training batch)",
    )
    p.add_argument(
        "--optimizer",
        choices=("preset", "adam", "soap"),
        default="preset",
        help="preset: the preset's optimizer; adam, soap: Adam or SOAP (Adam in the eigenbasis of Shampoo's "
        "preconditioner) with the preset's learning-rate schedule, or their defaults when the preset's "
        "optimizer has none (default: %(default)s)",
    )
    p.add_argument(
        "--grad-norm-every",
        type=positive_int_arg,
        metavar="N",
        help="balance the loss terms by gradient norms, updated every N steps (GradNormWeighting)",
    )
    p.add_argument(
        "--ntk-every",
        type=positive_int_arg,
        metavar="N",
        help="balance the loss terms by the traces of their neural tangent kernels, updated every N steps "
        "(NTKWeighting; PINN problems)",
    )
    add_collocation_arguments(p)
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    add_log_arguments(p)
    p.add_argument(
        "--distributed",
        action="store_true",
        help="run as one process of JAX's distributed runtime (jax.distributed.initialize): the ensemble is "
        "sharded over the devices of all processes, process 0 writes. Coordinator, process count and id "
        "come from the options below, else from the environment (SLURM, Open MPI, JAX_COORDINATOR_ADDRESS)",
    )
    p.add_argument(
        "--coordinator",
        type=coordinator_arg,
        metavar="HOST:PORT",
        help="address of process 0, which runs the coordinator (implies --distributed)",
    )
    p.add_argument(
        "--num-processes", type=positive_int_arg, metavar="N", help="number of processes (implies --distributed)"
    )
    p.add_argument(
        "--process-id", type=process_id_arg, metavar="I", help="this process's id, in [0, N) (implies --distributed)"
    )
    p.add_argument(
        "--coordinator-timeout",
        type=positive_int_arg,
        default=300,
        metavar="SECONDS",
        help="with --distributed, fail if the processes have not all connected within this time (default: %(default)s)",
    )
    add_debug_argument(p)
    if problem.studies:
        p.add_argument(
            "--study",
            choices=("compare", *problem.studies),
            default="compare",
            help="compare: the --param list; otherwise a named set of parameterizations "
            "that replaces --param (default: %(default)s)",
        )
    quick = problem.presets["quick"].config
    for option in command_line_options(problem):
        dest = f"option_{option.field}"
        if option.is_switch:
            p.add_argument(option.option_string, dest=dest, action="store_const", const=option.const, help=option.help)
            continue
        value = getattr(quick, option.field)
        kind = option.type or type(value)
        kwargs = (
            {"nargs": "+", "type": type(value[0])}
            if isinstance(value, tuple) and option.type is None
            else {"type": kind}
        )
        p.add_argument(option.option_string, dest=dest, choices=option.choices, help=option.help, **kwargs)


COLLOCATIONS = ("uniform", "rad", "rar-d")


def add_collocation_arguments(p: argparse.ArgumentParser) -> None:
    """``--collocation`` and its settings (the interior residual points of PINN problems)."""
    p.add_argument(
        "--collocation",
        choices=COLLOCATIONS,
        default="uniform",
        help="interior residual points: uniform (fresh uniform points every step), rad (the whole set "
        "redrawn every N steps with density ∝ ε^k/E[ε^k] + c, ε the residual's size), rar-d (a uniform set "
        "that grows by m such points every N steps); Wu et al. 2023 (default: %(default)s)",
    )
    p.add_argument(
        "--resample-every",
        type=positive_int_arg,
        metavar="N",
        help="with --collocation rad/rar-d: redraw (rad) or add to (rar-d) the points every N steps (default: 1000)",
    )
    p.add_argument(
        "--collocation-pool",
        type=positive_int_arg,
        metavar="M",
        help="with --collocation rad/rar-d: the dense pool of uniform candidates drawn from (default: 100000)",
    )
    p.add_argument(
        "--collocation-k",
        type=float,
        metavar="K",
        help="with --collocation rad/rar-d: the residual's power k ≥ 0 (default: 1 for rad, 2 for rar-d)",
    )
    p.add_argument(
        "--collocation-c",
        type=float,
        metavar="C",
        help="with --collocation rad/rar-d: the uniform share c ≥ 0 (default: 1 for rad, 0 for rar-d)",
    )
    p.add_argument(
        "--collocation-added",
        type=positive_int_arg,
        metavar="M",
        help="with --collocation rar-d: points added every N steps (default: 10)",
    )
    p.add_argument(
        "--collocation-capacity",
        type=positive_int_arg,
        metavar="N",
        help="with --collocation rar-d: the points' buffer size per residual term (default: what the run's "
        "steps need; set it to resume a checkpoint with more steps)",
    )


def collocation_from_args(args: argparse.Namespace):
    """``--collocation`` and its settings as ``TrainConfig.collocation`` (None: uniform)."""
    settings = {
        "every": args.resample_every,
        "pool": args.collocation_pool,
        "k": args.collocation_k,
        "c": args.collocation_c,
        "added": args.collocation_added,
        "capacity": args.collocation_capacity,
    }
    flags = {
        "every": "--resample-every",
        "pool": "--collocation-pool",
        "k": "--collocation-k",
        "c": "--collocation-c",
        "added": "--collocation-added",
        "capacity": "--collocation-capacity",
    }
    given = {name: value for name, value in settings.items() if value is not None}
    if args.collocation == "uniform":
        if given:
            raise ValueError(f"{flags[next(iter(given))]} needs --collocation rad or rar-d")
        return None
    from pinnrwf import pde

    if args.collocation == "rad":
        extra = [name for name in ("added", "capacity") if name in given]
        if extra:
            raise ValueError(
                f"{flags[extra[0]]} applies to --collocation rar-d (rad replaces the points, it adds none)"
            )
        return pde.RAD(**given)
    return pde.RARD(**given)


def _multiple_of_chunk(flag: str, value: int, chunk: int) -> int:
    """``value`` if it is a whole number of chunks (work is recorded and saved between chunks)."""
    if value % chunk:
        raise ValueError(f"{flag} must be a multiple of the chunk ({chunk} steps; set --chunk), got {value}")
    return value


def train_config_from_args(args: argparse.Namespace, preset, out: Path):
    """Apply the command-line overrides to a preset's ``TrainConfig``."""
    changes = {"seed": args.seed, "precision": args.precision, "progress": not args.no_progress}
    if args.seeds is not None:
        changes["seeds"] = args.seeds
    if args.steps is not None:
        changes["steps"] = args.steps
    steps = changes.get("steps", preset.steps)
    chunk = args.chunk if args.chunk is not None else preset.chunk_steps
    changes["chunk_steps"] = min(chunk, steps)
    if preset.eval_every is not None and (args.chunk is not None or args.steps is not None):
        changes["eval_every"] = None if preset.eval_every % changes["chunk_steps"] else preset.eval_every
    if getattr(args, "eval_every", None) is not None:
        changes["eval_every"] = _multiple_of_chunk("--eval-every", args.eval_every, changes["chunk_steps"])
    if args.log_every is not None:
        changes["log_every"] = args.log_every
    if args.grad_norm_every is not None:
        from pinnrwf.train import GradNormWeighting

        changes["loss_weighting"] = GradNormWeighting(update_every=args.grad_norm_every)
    if getattr(args, "ntk_every", None) is not None:
        if args.grad_norm_every is not None:
            raise ValueError("--ntk-every and --grad-norm-every are two loss weightings: give one of them")
        from pinnrwf.train import NTKWeighting

        changes["loss_weighting"] = NTKWeighting(update_every=args.ntk_every)
    collocation = collocation_from_args(args)
    if collocation is not None:
        changes["collocation"] = collocation
    if args.checkpoint_every is not None:
        changes["checkpoint_every"] = _multiple_of_chunk(
            "--checkpoint-every", args.checkpoint_every, changes["chunk_steps"]
        )
        changes["checkpoint_dir"] = out / "checkpoints"
    return dataclasses.replace(preset, **changes)


def optimizer_from_args(choice: str, preset_optimizer):
    """``--optimizer``: the preset's optimizer, or Adam / SOAP with its learning-rate schedule."""
    if choice == "preset":
        return preset_optimizer
    from pinnrwf.train import Adam, Soap

    return {"adam": Adam, "soap": Soap}[choice].with_schedule_of(preset_optimizer)


def problem_config_from_args(problem, args: argparse.Namespace, preset_config):
    changes = {}
    for option in command_line_options(problem):
        value = getattr(args, f"option_{option.field}")
        if value is not None:
            changes[option.field] = tuple(value) if isinstance(value, list) else value
    return dataclasses.replace(preset_config, **changes)


def run_problem(problem, args: argparse.Namespace) -> int:
    from pinnrwf import runner
    from pinnrwf.nn import parse_parameterizations

    preset = problem.presets[args.preset]
    study = getattr(args, "study", "compare")
    if study != "compare":
        if args.param != problem.default_parameterizations:
            raise ValueError(f"--param does not apply to --study {study} (the study sets the parameterizations)")
        parameterizations = problem.studies[study]()
    else:
        parameterizations = parse_parameterizations(args.param, rwf=problem.rwf)
    out = check.output_directory("--out", args.out or Path("runs") / problem.name)  # before any work
    config = problem_config_from_args(problem, args, preset.config)
    train = train_config_from_args(args, preset.train, out)
    lbfgs = None
    if args.lbfgs_steps > 0 or args.lbfgs_points is not None:
        from pinnrwf.train import LBFGS

        lbfgs = LBFGS(steps=args.lbfgs_steps)
    runner.run(
        problem,
        out_dir=out,
        preset=args.preset,
        config=config,
        train=train,
        optimizer=optimizer_from_args(args.optimizer, preset.optimizer),
        parameterizations=parameterizations,
        lbfgs=lbfgs,
        lbfgs_points=args.lbfgs_points,
        command=shlex.join(["pinnrwf", *args.argv]),
        loggers=loggers_from_args(args, out, problem.name),
    )
    return 0


# ---------------------------------------------------------------------------------------- bench
def _bench_parser(sub) -> None:
    from pinnrwf.benchmarks import BENCHMARKS

    p = sub.add_parser("bench", help="run a benchmark (paper tables, engine speed); writes JSON + Markdown")
    bsub = p.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
    for name, (module_name, help_text) in BENCHMARKS.items():
        bp = bsub.add_parser(name, help=help_text)
        module = importlib.import_module(module_name)
        bp.set_defaults(handler=module.main_from_args)
        module.configure_parser(bp)
        add_debug_argument(bp)


# ------------------------------------------------------------------------------------- generate
def _generate_parser(sub) -> None:
    """``pinnrwf generate NAME``: the reference data of the registered problem NAME (the dataset config
    class it declares, ``problem.dataset``); the dataset's own name (``diffusion-reaction`` for ``dr``,
    ``burgers`` for ``burgers-operator``) stays an alias. Datasets no problem declares keep their name."""
    from pinnrwf.datasets.cli import add_generate_command
    from pinnrwf.datasets.generate import CONFIGS
    from pinnrwf.registry import registry

    datasets = {name: problem.dataset for name, problem in registry().items() if problem.dataset is not None}
    declared = set(datasets.values())
    datasets.update({c.problem: c for c in CONFIGS.values() if c not in declared and c.problem not in datasets})
    fem = {name: problem.fem_reference for name, problem in registry().items() if problem.fem_reference is not None}
    add_generate_command(sub, datasets, fem)


def build_parser(problem_files: dict | None = None) -> argparse.ArgumentParser:
    """The ``pinnrwf`` parser: every registered problem under ``run``, plus ``problem_files``
    (``{spec as typed: problem}``, loaded by :func:`pinnrwf.registry.load_problem_file`)."""
    from pinnrwf.registry import registry

    parser = argparse.ArgumentParser(
        prog="pinnrwf",
        description="PINNs and DeepONets in JAX with pluggable weight parameterizations "
        "(random weight factorization, weight normalization, adaptive activations, weight conditioning).",
    )
    parser.add_argument("--version", action="version", version=f"pinnrwf {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="train a problem with one or more parameterizations and compare them",
        description="Train a problem with one or more parameterizations and compare them. PROBLEM is "
        "a registered name (below; installed packages add theirs through the entry-point group "
        "'pinnrwf.problems') or a problem file, path/to/problem.py[:ClassName].",
    )
    rsub = run.add_subparsers(dest="problem", required=True, metavar="PROBLEM")
    for name, problem in {**registry(), **(problem_files or {})}.items():
        rp = rsub.add_parser(name, help=problem.description, description=problem.description)
        add_run_arguments(rp, problem)
        rp.set_defaults(handler=functools.partial(run_problem, problem))
    _bench_parser(sub)
    _generate_parser(sub)
    return parser


def problem_files(argv: list[str]) -> dict:
    """``{spec: problem}`` for ``pinnrwf run path/to/problem.py[:ClassName] ...`` (else ``{}``)."""
    from pinnrwf.registry import is_problem_file, load_problem_file

    if len(argv) >= 2 and argv[0] == "run" and is_problem_file(argv[1]):
        return {argv[1]: load_problem_file(argv[1])}
    return {}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:  # a problem file that does not load, or an installed problem package that fails: one line
        parser = build_parser(problem_files(argv))
    except Exception as e:  # noqa: BLE001 - the command line reports every failure in one line
        if "--debug" in argv:
            raise
        code, kind = (2, "") if isinstance(e, ValueError) else (1, f"{type(e).__name__}: ")
        argparse.ArgumentParser(prog="pinnrwf").exit(code, f"pinnrwf: error: {kind}{_one_line(e)}\n")
    args = parser.parse_args(argv)  # usage errors: one line and exit 2 (argparse)
    args.argv = argv
    debug = getattr(args, "debug", False)
    try:
        settings = distributed_settings(args)
        if settings is not None:
            initialize_distributed(**settings)
        return int(args.handler(args) or 0)
    except (ValueError, FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError) as e:
        if debug:
            raise
        parser.exit(2, f"pinnrwf: error: {_one_line(e)}\n")
    except KeyboardInterrupt:
        parser.exit(130, "pinnrwf: interrupted\n")
    except Exception as e:  # noqa: BLE001 - the command line reports every failure in one line
        if debug:
            raise
        message = disk_full_message(e) or f"{type(e).__name__}: {_one_line(e)} (run with --debug for the traceback)"
        parser.exit(1, f"pinnrwf: error: {message}\n")


# ------------------------------------------------------------------------------- distributed
def distributed_settings(args: argparse.Namespace) -> dict | None:
    """The arguments of :func:`initialize_distributed` from the command line (``None``: one process).

    Raises:
        ValueError: ``--process-id`` not below ``--num-processes``.
    """
    explicit = {name: getattr(args, name, None) for name in ("coordinator", "num_processes", "process_id")}
    if not getattr(args, "distributed", False) and all(v is None for v in explicit.values()):
        return None
    n, i = explicit["num_processes"], explicit["process_id"]
    if n is not None and i is not None and i >= n:
        raise ValueError(f"--process-id must be in [0, {n}) with --num-processes {n}, got {i}")
    return {**explicit, "timeout": args.coordinator_timeout}


def initialize_distributed(
    coordinator: str | None, num_processes: int | None, process_id: int | None, timeout: int
) -> None:
    """``jax.distributed.initialize``, failing in one line instead of hanging or aborting.

    Settings left ``None`` come from the environment (JAX's cluster detection: SLURM, Open MPI,
    ``JAX_COORDINATOR_ADDRESS``, ...). If the processes have not all connected (and exchanged
    their devices) within ``timeout`` seconds, the process prints one line and exits with 1:
    JAX itself would abort with a C++ stack trace a little later.

    Raises:
        ValueError: a setting is missing from both the command line and the environment, or
            ``--num-processes`` disagrees with the coordinator's.
        ConnectionError: the coordinator could not be started (e.g. its port is in use).
    """
    import jax

    if process_id == 0 and coordinator is not None:
        _check_port_free(os.environ.get("JAX_COORDINATOR_BIND_ADDRESS", "[::]:" + coordinator.rpartition(":")[2]))
    if jax.config.jax_cpu_collectives_implementation is None:  # older jax: no CPU collectives by default
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
    count = "the" if num_processes is None else f"the {num_processes}"
    this = "" if process_id is None else f" (this is process {process_id})"
    connected = threading.Event()

    def give_up() -> None:  # a thread: the main one is blocked inside JAX's connect
        if not connected.is_set():
            sys.stderr.write(
                f"pinnrwf: error: --distributed: {count} processes did not all connect to the coordinator "
                f"{coordinator or '(from the environment)'} within {timeout} s{this}; check that every process was "
                "started, with the same --coordinator and --num-processes and its own --process-id, and that process "
                "0 is reachable (--coordinator-timeout to wait longer)\n"
            )
            sys.stderr.flush()
            os._exit(1)

    watchdog = threading.Timer(timeout, give_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        # JAX's own deadline a little later than the watchdog's, which reports in one line first
        jax.distributed.initialize(coordinator, num_processes, process_id, initialization_timeout=timeout + 30)
        jax.devices()  # the first use of the backend exchanges the device lists of all processes
    except ValueError as e:
        raise ValueError(
            f"--distributed: {_one_line(e)} (pass --coordinator HOST:PORT --num-processes N --process-id I, or "
            "launch under a cluster manager that JAX detects, e.g. srun under SLURM)"
        ) from None
    except RuntimeError as e:  # jax's JaxRuntimeError: e.g. the coordinator's port is in use
        raise ConnectionError(f"--distributed: coordinator {coordinator}{this}: {_one_line(e)}") from e
    finally:
        connected.set()
        watchdog.cancel()
    if num_processes is not None and jax.process_count() != num_processes:
        raise ValueError(
            f"--num-processes is {num_processes} but the coordinator {coordinator} runs {jax.process_count()} processes"
        )


def _check_port_free(bind: str) -> None:
    """Fail in one line if process 0 cannot listen on ``bind`` because the port is taken (JAX
    0.10 then sometimes crashes with a segmentation fault instead of raising)."""
    host, _, port = bind.rpartition(":")
    host = host.strip("[]")
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((host, int(port)))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise ConnectionError(
                f"--distributed: process 0 cannot start the coordinator on {bind}: the port is in "
                "use (choose another --coordinator port)"
            ) from None


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


if __name__ == "__main__":
    sys.exit(main())
