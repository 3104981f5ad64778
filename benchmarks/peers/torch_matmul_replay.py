"""The advection step's matrix products replayed in PyTorch (DeepXDE's backend), for comparison
with XLA's rate on the same list (``benchmarks/peers/advection_matmul_ceiling.py``).

Standalone: runs in DeepXDE's environment (torch only, no JAX, no pinnrwf). Reads the product list
(operand shapes and contracted dimensions, no batch dimensions) from the ``results.json`` that
``advection_matmul_ceiling.py`` wrote, runs all of them ``--steps`` times on ``--threads``
threads, and with the same contraction and output order as ``lax.dot_general`` without batch
dimensions: a matrix product ``torch.mm`` of (transposed) views, as PyTorch's own backward
passes call it (``torch.tensordot`` copies a transposed operand first: 157 against 236 GFLOP/s here),
other ranks ``torch.tensordot``; and prints one JSON line: steps/s and GFLOP/s, best of
``--reps`` after one warm-up repetition. As in the XLA replay, each product's left operand gets a
running scalar added, so the work is the products plus one elementwise add each.

    DDE_BACKEND=pytorch /work/venv-dxde/bin/python benchmarks/peers/torch_matmul_replay.py \\
        benchmarks/results/advection-matmul-ceiling/cpu-xeon-2c/default/results.json --steps 300
"""

from __future__ import annotations

import argparse
import json
import time

import torch


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("products", help="results.json of advection_matmul_ceiling.py")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    products = json.load(open(args.products))["products"]
    if any(q["dimension_numbers"][1] != [[], []] for q in products):
        raise SystemExit("products: batch dimensions are not supported by this replay")
    g = torch.Generator().manual_seed(0)
    operands = [
        (
            torch.randn(q["lhs"], generator=g),
            torch.randn(q["rhs"], generator=g),
            tuple(q["dimension_numbers"][0][0]),
            tuple(q["dimension_numbers"][0][1]),
        )
        for q in products
    ]
    gflop = sum(q["flops"] for q in products) / 1e9

    def product(a, b, ca, cb):
        if a.dim() == 2 and b.dim() == 2:
            return torch.mm(a if ca == (1,) else a.t(), b if cb == (0,) else b.t())
        return torch.tensordot(a, b, dims=(ca, cb))

    @torch.no_grad()
    def run():
        carry = torch.zeros(())
        for _ in range(args.steps):
            total = carry
            for a, b, ca, cb in operands:
                out = product(a + carry, b, ca, cb)
                total = total + 1e-12 * out.reshape(-1)[0]
            carry = total
        return float(carry)

    run()
    rates = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        run()
        rates.append(args.steps / (time.perf_counter() - t0))
    best = max(rates)
    print(
        json.dumps(
            {
                "library": "torch",
                "version": torch.__version__,
                "threads": args.threads,
                "steps": args.steps,
                "steps_per_second_runs": [round(r, 2) for r in rates],
                "steps_per_second": round(best, 2),
                "gflop_per_second": round(best * gflop, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
