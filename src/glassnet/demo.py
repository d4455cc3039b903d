"""``python -m glassnet.demo``: the WildML tutorial's moons network, its numbers and pictures.

Trains the 2-3-2 tanh/softmax network for 20 000 full-batch passes exactly as the tutorial
does, prints its ``Loss after iteration …`` lines and the final training accuracy, and writes
the decision boundary and the loss curve as PNG files.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import experiments, plot


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m glassnet.demo", description=__doc__)
    parser.add_argument("--plot", default="out", help="folder for the pictures (default: out)")
    parser.add_argument("--hidden", type=int, default=3, help="hidden units (default: 3)")
    parser.add_argument("--passes", type=int, default=20000, help="gradient-descent passes")
    args = parser.parse_args(argv)

    print(f"Training the tutorial's 2-{args.hidden}-2 tanh/softmax network on make_moons(200, "
          f"noise=0.20) for {args.passes} full-batch passes (learning rate 0.01, L2 0.01)")  # fmt: skip
    start = time.perf_counter()
    result = experiments.moons(hidden=args.hidden, passes=args.passes, print_every=1000)
    elapsed = time.perf_counter() - start
    print(f"Final loss: {result.losses[-1]:.6f}")
    print(f"Training accuracy: {result.train_accuracy:.3f} "
          f"({round(result.train_accuracy * len(result.y))}/{len(result.y)} points)")  # fmt: skip
    print(f"Time: {elapsed:.2f} s ({elapsed / args.passes * 1e6:.0f} µs per pass)")

    baseline = experiments.logistic_baseline(passes=args.passes)
    print(f"Logistic-regression baseline (no hidden layer): training accuracy "
          f"{baseline.train_accuracy:.3f}")  # fmt: skip

    out = Path(args.plot)
    boundary = out / "moons_decision_boundary.png"
    curve = out / "moons_loss.png"
    line = out / "moons_logistic_regression.png"
    plot.decision_boundary(result.network, result.X, result.y, path=boundary,
                           title=f"Decision Boundary for hidden layer size {args.hidden}")  # fmt: skip
    plot.loss_curve(result.losses, path=curve, log=True,
                    title="Loss after each gradient-descent pass")  # fmt: skip
    plot.decision_boundary(baseline.network, baseline.X, baseline.y, path=line,
                           title="Logistic Regression")  # fmt: skip
    print("Pictures written:")
    for p in (boundary, curve, line):
        print(f"  {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
