"""What the ``glassnet`` subcommands share: the click group, the training options, tables."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..activations import ACTIVATIONS
from ..data.features import FEATURES, parse_features
from ..data.reading import MISSING_VALUES
from ..data.tabular import HANDLE_UNKNOWN, MISSING_STRATEGIES
from ..errors import ValidationError
from ..losses import LOSSES
from ..optimizers import OPTIMIZERS
from .workflow import schedule_names

F = Callable[..., Any]

#: the choices come from the registries: a new activation, loss or optimizer is offered here
ACTIVATION_NAMES = list(ACTIVATIONS)
#: and SciPy's L-BFGS (glassnet.lbfgs), which is no Optimizer: it runs its own iterations
OPTIMIZER_NAMES = [*OPTIMIZERS, "lbfgs"]
LOSS_NAMES = list(LOSSES)


def int_list(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> Any:
    """Parse ``3`` or ``64,32`` into a tuple of positive ints."""
    if value is None:
        return None
    try:
        sizes = tuple(int(v) for v in str(value).split(",") if v.strip())
    except ValueError:
        raise click.BadParameter(f"expected integers separated by commas, got {value!r}") from None
    if not sizes or any(s < 1 for s in sizes):
        raise click.BadParameter(f"sizes must be positive integers, got {value!r}")
    return sizes


def feature_list(
    ctx: click.Context | None, param: click.Parameter | None, value: str | None
) -> Any:
    """Parse ``x1,x2,x1^2`` into a tuple of feature names (:data:`glassnet.data.FEATURES`)."""
    if value is None:
        return ()
    try:
        return tuple(parse_features(value))
    except ValidationError as exc:
        raise click.BadParameter(str(exc)) from None


def batch_size(ctx: click.Context | None, param: click.Parameter | None, value: str) -> Any:
    if value in ("auto", "full"):
        return value
    try:
        size = int(value)
    except ValueError:
        raise click.BadParameter(
            f"expected a positive integer, 'auto' or 'full', got {value!r}"
        ) from None
    if size < 1:
        raise click.BadParameter(f"batch size must be at least 1, got {size}")
    return size


def column_list(
    ctx: click.Context | None, param: click.Parameter | None, value: tuple[str, ...]
) -> tuple[str, ...]:
    """Column names from ``--drop a,b --drop c``, in order, without repeats."""
    names = [name.strip() for item in value for name in item.split(",") if name.strip()]
    return tuple(dict.fromkeys(names))


MISSING_HELP = (
    "What a missing cell of a CSV file means: error names its column and row; drop drops "
    "the rows that have one (in training only: predict and evaluate never drop a row); mean "
    "and median fill a numeric column's cells with the training rows' mean or median (a text "
    "column's with its most frequent value); most-frequent fills any column with its most "
    "frequent value. The filling is saved with the model and applied by predict and "
    "evaluate. A cell is missing when it is empty or one of: "
    + " ".join(v for v in MISSING_VALUES if v)
    + " (after stripping spaces)."
)


def training_options(func: F) -> F:
    """The options shared by ``train`` and ``sweep``: architecture, optimisation, data split."""
    options = [
        click.option(
            "--hidden",
            default="16",
            show_default=True,
            callback=int_list,
            help="Hidden layer widths: 3 for one layer, 64,32 for two.",
        ),
        click.option(
            "--activation",
            type=click.Choice(ACTIVATION_NAMES),
            default="relu",
            show_default=True,
            help="Hidden activation.",
        ),
        click.option(
            "--output",
            type=click.Choice(["softmax", "sigmoid", "identity", "exp"]),
            default=None,
            help="Output function [default: softmax for classes, identity for values, exp "
            "with --loss poisson].",
        ),
        click.option(
            "--loss",
            type=click.Choice(LOSS_NAMES),
            default=None,
            help="Loss [default: what the output needs].",
        ),
        click.option(
            "--optimizer",
            type=click.Choice(OPTIMIZER_NAMES),
            default="adam",
            show_default=True,
            help="lbfgs: SciPy's L-BFGS on the full batch, --epochs iterations at most, "
            "converged when the gradient is within --tol.",
        ),
        click.option(
            "--learning-rate",
            type=click.FloatRange(min=0, min_open=True),
            default=0.01,
            show_default=True,
            help="Step size.",
        ),
        click.option(
            "--momentum",
            type=click.FloatRange(0, 1, max_open=True),
            default=0.0,
            help="Momentum for gd/sgd.",
        ),
        click.option("--nesterov", is_flag=True, help="Nesterov momentum for gd/sgd."),
        click.option(
            "--schedule",
            type=click.Choice(schedule_names()),
            default="constant",
            show_default=True,
            help="Learning-rate schedule.",
        ),
        click.option(
            "--epochs",
            type=click.IntRange(min=1),
            default=10_000,
            show_default=True,
            help="The most epochs: training stops sooner once the loss stops falling "
            "(see --tol, --patience), unless --fixed-epochs.",
        ),
        click.option(
            "--tol",
            type=click.FloatRange(min=0),
            default=1e-4,
            show_default=True,
            help="Converged when the loss (the validation loss if there is a split) has not "
            "fallen by more than this for --patience epochs.",
        ),
        click.option(
            "--fixed-epochs",
            is_flag=True,
            help="Train all --epochs epochs, as the tutorials do (no convergence check).",
        ),
        click.option(
            "--batch-size",
            default="auto",
            show_default=True,
            callback=batch_size,
            help="Rows per update: an integer, 'auto' (min(200, n)) or 'full'.",
        ),
        click.option(
            "--l2",
            type=click.FloatRange(min=0),
            default=0.0,
            show_default=True,
            help="L2 penalty λ (λ/2·ΣW²).",
        ),
        click.option(
            "--l1",
            type=click.FloatRange(min=0),
            default=0.0,
            show_default=True,
            help="L1 penalty λ (λ·Σ|W|).",
        ),
        click.option(
            "--dropout",
            type=click.FloatRange(0, 1, max_open=True),
            default=0.0,
            show_default=True,
            help="Dropout rate after each hidden layer.",
        ),
        click.option(
            "--seed",
            type=int,
            default=0,
            show_default=True,
            help="Random seed for the split, the weights and the shuffling.",
        ),
        click.option(
            "--test-size",
            type=click.FloatRange(0, 1, max_open=True),
            default=0.25,
            show_default=True,
            help="Fraction of rows held out for testing (0: none).",
        ),
        click.option(
            "--validation-fraction",
            type=click.FloatRange(0, 1, min_open=True, max_open=True),
            default=None,
            help="Fraction of the training rows held out to validate each epoch (training "
            "then stops on the validation loss).",
        ),
        click.option(
            "--early-stopping",
            is_flag=True,
            help="Watch the loss on a validation split (--validation-fraction, default 0.1 of "
            "the training rows) and keep the best epoch's weights.",
        ),
        click.option(
            "--patience",
            type=click.IntRange(min=1),
            default=20,
            show_default=True,
            help="Epochs without improvement (by more than --tol) before training stops.",
        ),
        click.option("--no-standardize", is_flag=True, help="Do not standardise the inputs."),
        click.option(
            "--target", default=None, help="The label column of a CSV (default: the last)."
        ),
        click.option(
            "--task",
            type=click.Choice(["classification", "regression"]),
            default=None,
            help="Override the task inferred from a CSV's label column.",
        ),
        click.option(
            "--n-samples",
            type=click.IntRange(min=2),
            default=None,
            help="Rows of a generated dataset (moons, circles, blobs, spiral, noisy_xor, "
            "plane, multi_gaussian) [default: its own].",
        ),
        click.option(
            "--noise",
            type=click.FloatRange(min=0),
            default=None,
            help="Noise of a generated dataset [default: its own].",
        ),
        click.option(
            "--features",
            metavar="LIST",
            default=None,
            callback=feature_list,
            help="Inputs computed from 2-D data's two columns, among "
            + ",".join(FEATURES)
            + " (e.g. x1,x2,x1^2,x2^2); saved with the model [default: the columns as they are].",
        ),
        click.option(
            "--drop",
            "drop",
            metavar="COL[,COL…]",
            multiple=True,
            callback=column_list,
            help="Leave these CSV columns out (repeatable).",
        ),
        click.option(
            "--missing",
            type=click.Choice(MISSING_STRATEGIES),
            default="error",
            show_default=True,
            help=MISSING_HELP,
        ),
        click.option(
            "--handle-unknown",
            type=click.Choice(HANDLE_UNKNOWN),
            default="error",
            show_default=True,
            help="A text value at predict or evaluate that no training row had: an error, or "
            "(ignore) none of the known categories. Text columns are one-hot encoded; their "
            "categories come from the training rows.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def config_from(options: dict[str, Any]) -> Any:
    """A :class:`~glassnet.cli.workflow.TrainConfig` from the parsed options."""
    from .workflow import TrainConfig

    return TrainConfig(
        hidden=options["hidden"],
        activation=options["activation"],
        output=options["output"],
        loss=options["loss"],
        optimizer=options["optimizer"],
        learning_rate=options["learning_rate"],
        momentum=options["momentum"],
        nesterov=options["nesterov"],
        schedule=options["schedule"],
        epochs=options["epochs"],
        batch_size=options["batch_size"],
        l2=options["l2"],
        l1=options["l1"],
        dropout=options["dropout"],
        random_state=options["seed"],
        test_size=options["test_size"],
        validation_fraction=options["validation_fraction"],
        early_stopping=options["early_stopping"],
        patience=options["patience"],
        tol=options["tol"],
        fixed_epochs=options["fixed_epochs"],
        standardize=not options["no_standardize"],
        device=options.get("device", "cpu"),
        features=options["features"],
    )


def data_options(options: dict[str, Any]) -> dict[str, Any]:
    """The arguments of :func:`~glassnet.cli.workflow.load_data` among the parsed
    :func:`training_options`: the target, the task, how a CSV file's columns are encoded and
    the size and noise of generated data."""
    names = ("target", "task", "drop", "missing", "handle_unknown", "n_samples", "noise")
    return {name: options[name] for name in names}


def echo_notes(dataset: Any) -> Any:
    """Say on standard error what loading did to the rows (``dataset.notes``); the dataset."""
    for note in dataset.notes:
        click.echo(f"glassnet: {note}", err=True)
    return dataset


def plot_dir(func: F) -> F:
    return click.option(
        "--plot",
        "plot",
        type=click.Path(file_okay=False),
        default=None,
        help="Write pictures (PNG) into this folder.",
    )(func)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Run `glassnet COMMAND --help` for each command's options and examples.",
)
@click.option("--debug", is_flag=True, help="Show a traceback instead of a one-line error.")
@click.version_option(__version__, prog_name="glassnet")
def cli(debug: bool) -> None:
    """glassnet — see-through neural networks: data in, trained model and pictures out.

    \b
    Examples:
      glassnet datasets
      glassnet train moons --hidden 3 --activation tanh --out moons.glassnet --plot out/
      glassnet train data.csv --target species --hidden 64,32 --epochs 100 --out model.glassnet
      glassnet evaluate model.glassnet data.csv
      glassnet predict model.glassnet new.csv --proba --out predictions.csv
      glassnet sweep moons --hidden 1,2,3,4,5,20,50 --plot out/
      glassnet reproduce moons --plot out/
    """


def _numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return cell == "-"
    return True


def echo_table(rows: list[list[str]], header: list[str]) -> None:
    """Print a table: numeric columns right-aligned, text columns left-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    right = [all(_numeric(str(r[i])) for r in rows) and i > 0 for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            f"{c:>{w}}" if r else f"{c:<{w}}" for c, w, r in zip(cells, widths, right, strict=True)
        ).rstrip()

    click.echo(line(header))
    for row in rows:
        click.echo(line([str(c) for c in row]))


def is_terminal() -> bool:
    return sys.stderr.isatty()


def ensure_dir(path: str | None) -> Path | None:
    if path is None:
        return None
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    return out
