"""``python -m benchmarks``: time glassnet beside its references, interleaved in one process.

For each round, for each contender: build its state (untimed), sleep 0.2 s, run, record.
Each table gives the median time per unit, the median over rounds of the ratio to the
workload's reference in the same round, and that ratio's min–max over the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from . import dense, estimators, gpu, lbfgs, playground, plotting, predict, reading, wildml
from .harness import (
    OTHERS_NOTE,
    REPO,
    Contender,
    Disturbance,
    as_json,
    describe,
    environment,
    measure,
    rate_table,
    reruns_note,
    time_table,
)

WORKLOADS = ("W1", "W2", "W3", "PRED", "EST", "GPU", "READ", "PLOT", "PLAY", "LBFGS")
W3_STEPS = 10


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="rounds per workload (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS/torch threads (default 2)")
    parser.add_argument(
        "--only",
        default=",".join(WORKLOADS),
        help="comma-separated workloads out of W1,W2,W3,PRED,EST,GPU,READ,PLOT,PLAY,LBFGS (default all)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke-run sizes: W1 and PLOT's tutorial run 2000 passes, 10 000 rows for W2/W3/PRED, 20 000 for READ",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the raw timings to FILE")
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="run a run disturbed by other processes again, at most N times (default 2; 0: never)",
    )
    parser.add_argument(
        "--disturbed",
        type=float,
        default=0.25,
        metavar="CORES",
        help="a run is disturbed when other processes used more CPUs than this (default 0.25)",
    )
    args = parser.parse_args(argv)
    args.only = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    unknown = sorted(set(args.only) - set(WORKLOADS))
    if unknown:
        parser.error(
            f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}"
        )
    if args.rounds < 1 or args.threads < 1 or args.retries < 0:
        parser.error("--rounds and --threads must be at least 1, --retries at least 0")
    args.passes = 2000 if args.quick else 20000
    args.rows = 10_000 if args.quick else dense.N_ROWS
    args.policy = Disturbance(retries=args.retries, cores=args.disturbed)
    return args


def say(text: str = "") -> None:
    print(text, flush=True)


def skip_note(skipped: list[str]) -> None:
    for item in skipped:
        say(f"skipped: {item}")


# -- W1 ---------------------------------------------------------------------------------------
def run_w1(args: argparse.Namespace, torch: Any) -> dict[str, Any]:
    say(
        f"\n== W1: WildML moons 2-3-2 tanh/softmax, summed CE + L2 0.01, full-batch GD lr 0.01, "
        f"{args.passes} passes (float64; time per pass) =="
    )
    found, skipped = wildml.factories(torch)
    timings = measure(wildml.contenders(args.passes, found), args.rounds, args.passes, args.policy)
    say(time_table(timings, "pass"))
    say(reruns_note(timings))
    skip_note(skipped)
    check, losses = wildml.loss_check(timings, args.passes, found)
    say(check)
    return {
        **as_json(timings, "pass"),
        "passes": args.passes,
        "final_losses": losses,
        "skipped": skipped,
    }


# -- W2 and W3 --------------------------------------------------------------------------------
def dense_contenders(
    X: np.ndarray, y: np.ndarray, torch: Any, batch: int | None, epochs: int, with_sklearn: bool
) -> tuple[list[Contender], list[str]]:
    found = [
        Contender(
            "GEMM bound (ref)",
            lambda: dense.gemm_bound(X, batch, epochs),
            "the 8 matmuls per step only",
        )
    ]
    skipped = []
    for opt in ("sgd", "adam") if with_sklearn else ("sgd",):
        label = "SGD" if opt == "sgd" else "Adam"

        def bind(factory: Any, opt: str = opt) -> Any:
            return lambda: factory(X, y, opt, batch, epochs)

        found.append(Contender(f"hand-tight NumPy {label}", bind(dense.handtight)))
        found.append(Contender(f"glassnet fit {label}", bind(dense.glassnet_fit)))
        if torch is None:
            skipped.append(f"PyTorch {label} (torch not installed)")
        else:
            note = "eps added to √v̂" if opt == "adam" else ""
            found.append(
                Contender(f"PyTorch {label}", bind(lambda *a: dense.torch_fit(torch, *a)), note)
            )
        if with_sklearn:
            found.append(
                Contender(
                    f"scikit-learn {label}",
                    bind(dense.sklearn_fit),
                    "partial_fit, float32, weights copied",
                )
            )
    return found, skipped


def dense_check(timings: list[Any], X: np.ndarray, y: np.ndarray) -> tuple[str, dict[str, float]]:
    """Mean loss on all rows after training, beside hand-tight NumPy's with the same optimizer."""
    losses = {t.name: dense.mean_loss(t.output, X, y) for t in timings if t.output is not None}
    lines = [
        "mean cross-entropy on all rows after training (same math ⇒ same loss, up to "
        "float32 rounding):"
    ]
    for name, value in losses.items():
        ref_name = "hand-tight NumPy " + name.rsplit(" ", 1)[-1]
        rel = abs(value - losses[ref_name]) / abs(losses[ref_name])
        lines.append(f"  {name:<24}{value:.7f}   rel. diff. to {ref_name}: {rel:.1e}")
    return "\n".join(lines), losses


def run_w2(args: argparse.Namespace, torch: Any, X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    say(
        f"\n== W2: {X.shape[0]} x 784 float32, 784-256-128-10 ReLU, softmax CE (mean), batch "
        f"{dense.BATCH}, one epoch in order; SGD lr {dense.SGD_LR}, Adam lr {dense.ADAM_LR} "
        "(time per epoch) =="
    )
    found, skipped = dense_contenders(X, y, torch, dense.BATCH, 1, with_sklearn=True)
    timings = measure(found, args.rounds, 1, args.policy)
    say(time_table(timings, "epoch"))
    say(reruns_note(timings))
    skip_note(skipped)
    check, losses = dense_check(timings, X, y)
    say(check)
    memory = run_memory(args, torch)
    return {
        **as_json(timings, "epoch"),
        "rows": X.shape[0],
        "final_losses": losses,
        "skipped": skipped,
        "memory": memory,
    }


def run_memory(args: argparse.Namespace, torch: Any) -> list[dict[str, Any]]:
    names = ["numpy", "glassnet", *(["torch"] if torch is not None else []), "sklearn"]
    results = []
    for opt in ("sgd", "adam"):
        for name in names:
            cmd = [
                sys.executable,
                "-m",
                "benchmarks.memory",
                name,
                "--optimizer",
                opt,
                "--rows",
                str(args.rows),
                "--threads",
                str(args.threads),
            ]
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(REPO), os.environ.get("PYTHONPATH")])
                ),
            }
            done = subprocess.run(
                cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False
            )
            try:
                results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            except (IndexError, json.JSONDecodeError):
                error = (done.stderr.strip().splitlines() or ["no output"])[-1]
                results.append({"contender": name, "optimizer": opt, "error": error})
    say(memory_table(results))
    return results


def memory_table(results: list[dict[str, Any]]) -> str:
    labels = {
        "numpy": "hand-tight NumPy",
        "glassnet": "glassnet fit",
        "torch": "PyTorch",
        "sklearn": "scikit-learn",
    }
    data = next((r["data_mib"] for r in results if "data_mib" in r), float("nan"))
    lines = [
        f"peak RSS above the data during one epoch, fresh process each "
        f"(python -m benchmarks.memory; the data is {data:.1f} MiB):",
        f"  {'contender':<20}{'SGD':>12}{'Adam':>12}{'baseline (SGD)':>18}",
    ]
    for name, label in labels.items():
        rows = {r["optimizer"]: r for r in results if r["contender"] == name}
        if not rows:
            continue
        cells = [
            f"{rows[o]['above_mib']:.1f} MiB"
            if "above_mib" in rows.get(o, {})
            else f"error: {rows.get(o, {}).get('error', '-')}"
            for o in ("sgd", "adam")
        ]
        base = rows.get("sgd", {}).get("baseline_mib")
        base_text = f"{base:.1f} MiB" if base is not None else "-"
        lines.append(f"  {label:<20}{cells[0]:>12}{cells[1]:>12}{base_text:>18}")
    methods = sorted({r["method"] for r in results if "method" in r})
    lines.append(f"  method: {', '.join(methods) or '-'}")
    return "\n".join(lines)


def run_w3(args: argparse.Namespace, torch: Any, X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    say(
        f"\n== W3: the same data and network, full-batch gradient descent lr {dense.SGD_LR}, "
        f"{W3_STEPS} steps of {X.shape[0]} rows (time per step) =="
    )
    found, skipped = dense_contenders(X, y, torch, None, W3_STEPS, with_sklearn=False)
    timings = measure(found, args.rounds, W3_STEPS, args.policy)
    say(time_table(timings, "step"))
    say(reruns_note(timings))
    skip_note(skipped)
    check, losses = dense_check(timings, X, y)
    say(check)
    return {
        **as_json(timings, "step"),
        "rows": X.shape[0],
        "steps": W3_STEPS,
        "final_losses": losses,
        "skipped": skipped,
    }


# -- EST --------------------------------------------------------------------------------------
def run_est(args: argparse.Namespace, X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    say(
        f"\n== EST: GlassClassifier.fit against MLPClassifier.fit, {X.shape[0]} rows, hidden "
        f"(256, 128), batch 128, one epoch (time per fit; reference: scikit-learn) =="
    )
    out: dict[str, Any] = {}
    for solver in ("sgd", "adam"):
        timings = measure(estimators.contenders(X, y, solver), args.rounds, 1, args.policy)
        say(time_table(timings, "fit"))
        say(reruns_note(timings))
        out[solver] = as_json(timings, "fit")
    return out


# -- PRED -------------------------------------------------------------------------------------
def run_pred(args: argparse.Namespace, torch: Any, X: np.ndarray) -> dict[str, Any]:
    n = X.shape[0]
    say(
        f"\n== PRED: predict with a saved and reloaded glassnet model (io.save, io.load), "
        f"{n} rows in batches of {predict.PRED_BATCH} (rows per second) =="
    )
    skipped = []
    with predict.temporary_directory() as tmp:
        path = predict.saved_model(Path(tmp))
        found = [
            Contender(
                "forward GEMM bound (ref)",
                lambda: predict.forward_bound(X),
                "the 3 forward matmuls only",
            ),
            Contender(
                "glassnet predict",
                lambda: predict.glassnet_predict(X, path),
                "io.load then predict (argmax)",
            ),
        ]
        if torch is None:
            skipped.append("PyTorch inference (torch not installed)")
        else:
            found.append(
                Contender(
                    "PyTorch inference",
                    lambda: predict.torch_predict(torch, X),
                    "inference_mode, argmax",
                )
            )
        timings = measure(found, args.rounds, 1, args.policy)
    say(rate_table(timings, n, predict.PRED_BATCH))
    say(reruns_note(timings))
    skip_note(skipped)
    if torch is not None:
        agree = float(np.mean(timings[1].output == timings[2].output))
        say(f"glassnet and PyTorch predict the same class on {agree:.2%} of the rows")
    return {
        **as_json(timings, "all rows"),
        "rows": n,
        "batch": predict.PRED_BATCH,
        "rows_per_s": {t.name: n / float(np.median(t.times)) for t in timings},
        "skipped": skipped,
    }


# -- READ -------------------------------------------------------------------------------------
def run_read(args: argparse.Namespace) -> dict[str, Any]:
    rows = 20_000 if args.quick else reading.N_ROWS
    with reading.temporary_directory() as tmp:
        path = reading.write_file(Path(tmp), rows)
        size = path.stat().st_size / 2**20
        say(
            f"\n== READ: a CSV file of {rows} rows x {reading.N_COLUMNS} numeric columns "
            f"({size:.1f} MiB), glassnet's loader against pandas.read_csv (time per read) =="
        )
        timings = measure(reading.contenders(path), args.rounds, 1, args.policy)
        say(time_table(timings, "read"))
        say(reruns_note(timings))
        memory = reading.memory_runs(path)
        say(reading.memory_table(memory))
    return {**as_json(timings, "read"), "rows": rows, "file_mib": size, "memory": memory}


# -- GPU --------------------------------------------------------------------------------------
def run_gpu(args: argparse.Namespace, X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    say(
        f"\n== GPU: W2 on a CUDA device, float32, SGD lr {dense.SGD_LR}, one epoch of full "
        f"batches at batch {', '.join(map(str, gpu.BATCHES))} (time per epoch; reference: "
        "PyTorch CUDA eager) =="
    )
    cupy, torch, reason = gpu.gpu_status()
    if reason:
        say(f"skipped: the GPU workload: {reason}; no GPU figures are printed or estimated")
        return {"skipped": reason}
    say(
        f"device: {gpu.device_name(cupy)}; CuPy {cupy.__version__}, PyTorch {torch.__version__} "
        f"(CUDA {torch.version.cuda})"
    )
    out: dict[str, Any] = {"device": gpu.device_name(cupy)}
    for batch in gpu.BATCHES:
        found, Xh, yh = gpu.contenders(cupy, torch, X, y, batch)
        say(f"-- batch {batch}: {Xh.shape[0]} rows, {Xh.shape[0] // batch} steps")
        timings = measure(found, args.rounds, 1, args.policy)
        say(time_table(timings, "epoch"))
        say(reruns_note(timings))
        losses = {t.name: dense.mean_loss(t.output, Xh, yh) for t in timings}
        ref = losses[timings[0].name]
        for name, value in losses.items():
            verdict = ""
            if name.startswith("glassnet"):
                verdict = "   ≤ 1e-3: " + ("ok" if abs(value - ref) <= 1e-3 else "FAIL")
            say(f"  {name:<28}final mean loss {value:.6f}   diff. {value - ref:+.1e}{verdict}")
        out[str(batch)] = {**as_json(timings, "epoch"), "final_losses": losses}
    return out


# -- PLOT -------------------------------------------------------------------------------------
def run_plot(args: argparse.Namespace) -> dict[str, Any]:
    command = " ".join(plotting.COMMAND)
    say(
        f"\n== PLOT: glassnet train {command} --plot DIR, phase by phase: training without and "
        f"with the recorder --plot adds ({plotting.TRAININGS} trainings per run; time per "
        "training), then drawing all its pictures (time per drawing) =="
    )
    training = measure(plotting.training_contenders(), args.rounds, plotting.TRAININGS, args.policy)
    say(time_table(training, "training"))
    say(reruns_note(training))
    with plotting.temporary_directory() as tmp:
        drawing = measure(plotting.drawing_contenders(Path(tmp)), args.rounds, 1, args.policy)
    say(time_table(drawing, "drawing"))
    say(reruns_note(drawing))
    draw = drawing[0]
    cold = plotting.pyplot_import_seconds()
    say(
        f"training with --plot / without: {np.median(training[1].ratios):.2f} (median over "
        f"rounds; min–max {min(training[1].ratios):.2f}–{max(training[1].ratios):.2f}); "
        f"drawing all pictures: {np.median(draw.times):.2f} s (median), plus {cold:.2f} s "
        "to import matplotlib.pyplot in a fresh process"
    )
    say(
        f"\n-- the recorder on the tutorial's run: experiments.moons(3), {args.passes} "
        "full-batch passes (time per pass)"
    )
    tutorial = measure(
        plotting.tutorial_contenders(args.passes), args.rounds, args.passes, args.policy
    )
    say(time_table(tutorial, "pass"))
    say(reruns_note(tutorial))
    share = plotting.recorder_share(args.passes)
    say(
        f"inside the recorder's hooks: {share['hooks_s'] * 1e3:.1f} ms of a "
        f"{share['run_s']:.2f} s run ({share['hooks_s'] / share['run_s']:.1%}), "
        f"{share['copies']:.0f} copies kept"
    )
    return {
        "command": f"glassnet train {command} --plot DIR",
        "training": as_json(training, "training"),
        "drawing": as_json(drawing, "drawing"),
        "tutorial": {**as_json(tutorial, "pass"), "passes": args.passes},
        "training_ratio": float(np.median(training[1].ratios)),
        "drawing_s": float(np.median(draw.times)),
        "pyplot_import_s": cold,
        "recorder_share": share,
    }


# -- PLAY -------------------------------------------------------------------------------------
def run_play(args: argparse.Namespace) -> dict[str, Any]:
    try:
        import starlette  # noqa: F401  (the playground extra)
    except ImportError:
        reason = 'the playground extra is not installed (pip install "glassnet[playground]")'
        say(f"\nskipped: PLAY: {reason}")
        return {"skipped": reason}
    return playground.run(seconds=2.0 if args.quick else 5.0, rounds=args.rounds, say=say)


# -- LBFGS ------------------------------------------------------------------------------------
def run_lbfgs(args: argparse.Namespace) -> dict[str, Any]:
    say(
        "\n== LBFGS: solver='lbfgs' in glassnet's estimators and scikit-learn's, same initial "
        "weights, small data (best of rounds per fit) =="
    )
    return {"cases": lbfgs.run(rounds=args.rounds, say=say)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import torch
    except ImportError:
        torch = None
    else:
        torch.set_num_threads(args.threads)
    report: dict[str, Any] = {
        "args": {k: v for k, v in vars(args).items() if k not in ("json", "policy")}
    }
    with threadpool_limits(limits=args.threads):
        report["environment"] = environment(torch, args.threads)
        say(describe(report["environment"]))
        say(
            f"rounds: {args.rounds}{' (quick sizes)' if args.quick else ''}; workloads: "
            f"{', '.join(args.only)}"
        )
        say(OTHERS_NOTE)
        results: dict[str, Any] = {}
        if "W1" in args.only:
            results["W1"] = run_w1(args, torch)
        if "READ" in args.only:
            results["READ"] = run_read(args)
        if {"W2", "W3", "PRED", "EST", "GPU"} & set(args.only):
            X, y = dense.make_data(args.rows)
            if "W2" in args.only:
                results["W2"] = run_w2(args, torch, X, y)
            if "W3" in args.only:
                results["W3"] = run_w3(args, torch, X, y)
            if "PRED" in args.only:
                results["PRED"] = run_pred(args, torch, X)
            if "EST" in args.only:
                results["EST"] = run_est(args, X, y)
            if "GPU" in args.only:
                results["GPU"] = run_gpu(args, X, y)
        if "PLOT" in args.only:
            results["PLOT"] = run_plot(args)
        if "PLAY" in args.only:
            results["PLAY"] = run_play(args)
        if "LBFGS" in args.only:
            results["LBFGS"] = run_lbfgs(args)
    report["workloads"] = results
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str) + "\n", "utf-8")
        say(f"\nraw timings written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
