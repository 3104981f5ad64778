"""Time exponax's 1D Burgers stepper (ETDRK4) on a batch of initial conditions; run from its own venv.

Called by ``pinnrwf bench burgers-fft-workers --exponax-python PATH`` with the interpreter of a
venv that has exponax (never the project's venv; it does not import pinnrwf):

    /work/venv-exponax/bin/python benchmarks/peers/exponax_burgers.py --input u0.npz --output u.npz \\
        --steps 1000 --dt 1e-4 --nu 1e-3 [--precision float64|float32] [--form fourier|physical]

Equation: u_t + ½ (u²)_x = ν u_xx on [0, 1), ``Burgers(1, 1.0, N, dt, diffusivity=ν,
conservative=True, order=4)`` (2/3 dealiasing, like ours), vmapped over the batch ``(B, N)``.
Forms of the loop (``lax.fori_loop`` under ``jax.jit``):

* ``fourier``: the state stays in Fourier space (``step_fourier``), one rfft before and one irfft
  after the loop, as our solver does;
* ``physical``: ``stepper(u)`` each step (an rfft and an irfft per step more).

Writes the final u ``(B, N)`` (float64) to ``--output`` and prints one JSON line: wall and process
CPU seconds of each of ``--repeats`` timed runs (compilation excluded: one untimed run first, reported as
``compile_and_first_run_s``), their min and median, and the versions.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--input", required=True, help="npz with u0 (B, N)")
    p.add_argument("--output", required=True, help="npz to write the final u (B, N) to")
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--dt", type=float, required=True)
    p.add_argument("--nu", type=float, required=True)
    p.add_argument("--precision", choices=("float64", "float32"), default="float64")
    p.add_argument("--form", choices=("fourier", "physical"), default="fourier")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    if args.steps < 1 or args.repeats < 1 or args.dt <= 0 or args.nu <= 0:
        p.error("--steps and --repeats must be >= 1, --dt and --nu > 0")
    return args


def build_run(args, n: int):
    """A jitted function u0 (B, N) -> u after ``args.steps`` ETDRK4 steps."""
    import exponax as ex
    import jax
    import jax.numpy as jnp

    stepper = ex.stepper.Burgers(1, 1.0, n, args.dt, diffusivity=args.nu, conservative=True, order=4)
    steps = args.steps
    if args.form == "fourier":
        step = jax.vmap(stepper.step_fourier)

        def run(u0):
            v = jnp.fft.rfft(u0, axis=-1)
            v = jax.lax.fori_loop(0, steps, lambda _, v: step(v), v)
            return jnp.fft.irfft(v, n=n, axis=-1)
    else:
        step = jax.vmap(stepper)

        def run(u0):
            return jax.lax.fori_loop(0, steps, lambda _, u: step(u), u0)

    return jax.jit(run)


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    import jax

    if args.precision == "float64":
        jax.config.update("jax_enable_x64", True)
    import exponax
    import jax.numpy as jnp
    import numpy as np

    u0_np = np.load(args.input)["u0"]
    u0 = jnp.asarray(u0_np[:, None, :], dtype=jnp.dtype(args.precision))  # (B, 1 channel, N)
    run = build_run(args, u0_np.shape[-1])
    t0 = time.perf_counter()
    u = run(u0).block_until_ready()
    compile_s = time.perf_counter() - t0
    seconds, cpu = [], []
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        u = run(u0).block_until_ready()
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    np.savez(args.output, u=np.asarray(u[:, 0, :], dtype=np.float64))
    versions = {"exponax": getattr(exponax, "__version__", "unknown"), "jax": jax.__version__}
    print(
        json.dumps(
            {
                "seconds": seconds,
                "seconds_min": min(seconds),
                "seconds_median": statistics.median(seconds),
                "cpu_seconds": cpu,
                "cpu_seconds_min": min(cpu),
                "compile_and_first_run_s": compile_s,
                "versions": versions,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
