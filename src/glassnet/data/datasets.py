r"""The built-in datasets: generated and bundled ones, by name.

Everything here works offline. The generated datasets come from scikit-learn's generators or
from a few lines of NumPy (spiral, XOR); the bundled ones are scikit-learn's copies of iris,
wine, breast cancer, digits and diabetes, and the Pima Indians diabetes table that ships
inside glassnet (``glassnet/data/files/pima_diabetes.csv``; see ``glassnet/data/files/README.md``
for its source and attribution). scikit-learn is imported inside the functions that use it,
so ``import glassnet.data`` stays cheap.
"""

from __future__ import annotations

import csv
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ValidationError
from ..validation import RandomStateLike, check_random_state, lookup
from .dataset import Dataset
from .preprocessing import sklearn_seed

Array = NDArray[Any]

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "list_datasets",
    "load_dataset",
    "load_pima",
    "make_moons",
    "size_and_noise",
    "toy_xor",
]


@dataclass(frozen=True)
class DatasetInfo:
    """What :func:`list_datasets` tells about one built-in dataset."""

    name: str
    n_samples: int
    n_features: int
    task: str
    n_classes: int | None
    description: str


def _builtin(
    name: str,
    X: Array,
    y: Array,
    features: list[str] | None,
    target: str,
    classes: list[Any] | None = None,
    split: Array | None = None,
) -> Dataset:
    """A built-in dataset: its description is the first line of its loader's docstring."""
    task = "regression" if classes is None else "classification"
    y = np.asarray(y, dtype=np.float64 if classes is None else np.intp)
    names = features if features is not None else [f"x{i + 1}" for i in range(X.shape[1])]
    doc = (DATASETS[name].__doc__ or "").strip().splitlines()[0]
    return Dataset(
        np.asarray(X, dtype=np.float64), y, names, target, split, task, classes, name, doc
    )


def _moons(n_samples: int = 200, noise: float = 0.20, random_state: RandomStateLike = 0) -> Dataset:
    """Two interleaving half-circles (scikit-learn's make_moons; the WildML tutorial's data)."""
    X, y = make_moons(n_samples, noise=noise, random_state=random_state)
    return _builtin("moons", X, y, None, "class", [0, 1])


def _circles(
    n_samples: int = 200, noise: float = 0.1, factor: float = 0.5, random_state: RandomStateLike = 0
) -> Dataset:
    """A small circle inside a larger one (scikit-learn's make_circles)."""
    from sklearn.datasets import make_circles

    X, y = make_circles(
        n_samples, noise=noise, factor=factor, random_state=sklearn_seed(random_state)
    )
    return _builtin("circles", X, y, None, "class", [0, 1])


def _blobs(
    n_samples: int = 200,
    centers: int = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    random_state: RandomStateLike = 0,
) -> Dataset:
    """Isotropic Gaussian clusters, one per class (scikit-learn's make_blobs)."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(
        n_samples,
        n_features=n_features,
        centers=centers,
        cluster_std=cluster_std,
        random_state=sklearn_seed(random_state),
    )
    return _builtin("blobs", X, y, None, "class", list(range(int(y.max()) + 1)))


def _spiral(
    n_per_class: int = 100,
    n_classes: int = 3,
    noise: float = 0.2,
    random_state: RandomStateLike = 0,
) -> Dataset:
    r"""Interleaved spiral arms, one per class (the CS231n neural-network case study).

    Arm ``j`` has radii ``r = linspace(0, 1, N)`` and angles
    ``t = linspace(4j, 4(j + 1), N) + noise·randn(N)``; its points are ``(r sin t, r cos t)``.
    """
    rng = check_random_state(random_state)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.repeat(np.arange(n_classes), n_per_class)
    for j in range(n_classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, n_per_class) + rng.standard_normal(n_per_class) * noise
        X[j * n_per_class : (j + 1) * n_per_class] = np.c_[r * np.sin(t), r * np.cos(t)]
    return _builtin("spiral", X, y, None, "class", list(range(n_classes)))


def _xor() -> Dataset:
    """The toy tutorial's 4-row table: two inputs, a constant column, and their XOR."""
    X, y = toy_xor()
    return _builtin("xor", X, y[:, 0], ["x1", "x2", "bias"], "xor", [0, 1])


def _noisy_xor(
    n_samples: int = 200, noise: float = 0.2, random_state: RandomStateLike = 0
) -> Dataset:
    """Gaussian clouds around the unit square's corners, labelled by the XOR of the corner."""
    rng = check_random_state(random_state)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    which = rng.permutation(np.arange(n_samples) % 4)
    X = corners[which] + noise * rng.standard_normal((n_samples, 2))
    y = np.array([0, 1, 1, 0])[which]
    return _builtin("noisy_xor", X, y, None, "xor", [0, 1])


def _plane(n_samples: int = 200, noise: float = 0.05, random_state: RandomStateLike = 0) -> Dataset:
    """A tilted plane: y = (x1 + x2)/2 over the square [-1, 1]², plus Gaussian noise."""
    rng = check_random_state(random_state)
    X = rng.uniform(-1.0, 1.0, (n_samples, 2))
    y = (X[:, 0] + X[:, 1]) / 2 + noise * rng.standard_normal(n_samples)
    return _builtin("plane", X, y, None, "y")


#: the bumps of ``multi_gaussian``: centre (x1, x2) and sign
_BUMPS = [((-2 / 3, 0.4), 1.0), ((0.0, 0.4), -1.0), ((2 / 3, 0.4), 1.0)]
_BUMPS += [((x, -0.4), -sign) for (x, _), sign in _BUMPS]


def _multi_gaussian(
    n_samples: int = 200, noise: float = 0.05, random_state: RandomStateLike = 0
) -> Dataset:
    r"""Six Gaussian bumps of alternating sign over the square [-1, 1]², plus Gaussian noise.

    :math:`y = \sum_k s_k \exp(-\lVert x - c_k \rVert^2 / (2 \cdot 0.2^2))` with centres
    :math:`c_k` at :math:`x_1 \in \{-2/3, 0, 2/3\}`, :math:`x_2 = \pm 0.4` and signs
    :math:`s_k = \pm 1` alternating like a chequerboard.
    """
    rng = check_random_state(random_state)
    X = rng.uniform(-1.0, 1.0, (n_samples, 2))
    y = sum(
        sign * np.exp(-((X - np.array(centre)) ** 2).sum(axis=1) / (2 * 0.2**2))
        for centre, sign in _BUMPS
    )
    y = np.asarray(y) + noise * rng.standard_normal(n_samples)
    return _builtin("multi_gaussian", X, y, None, "y")


def _bundled(loader: str, name: str) -> Dataset:
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, loader)()
    classes = [c.item() if isinstance(c, np.generic) else c for c in bunch.target_names]
    features = [str(f) for f in bunch.feature_names]
    return _builtin(name, bunch.data, bunch.target, features, "class", classes)


def _iris() -> Dataset:
    """Fisher's iris flowers: 4 measurements (cm) of 150 flowers, 3 species."""
    return _bundled("load_iris", "iris")


def _breast_cancer() -> Dataset:
    """Wisconsin diagnostic breast cancer: 30 cell-nucleus features, malignant or benign."""
    return _bundled("load_breast_cancer", "breast_cancer")


def _wine() -> Dataset:
    """Wine recognition: 13 chemical measurements of wines from 3 cultivars."""
    return _bundled("load_wine", "wine")


def _digits() -> Dataset:
    """8×8 images of handwritten digits 0–9, pixel values 0–16 (scikit-learn's UCI copy)."""
    return _bundled("load_digits", "digits")


def _iris_regression() -> Dataset:
    """Iris sepal length and width → petal length (the ml4a tutorial), unscaled, unshuffled."""
    from sklearn.datasets import load_iris

    iris = load_iris()
    names = [str(f) for f in iris.feature_names]
    return _builtin("iris_regression", iris.data[:, 0:2], iris.data[:, 2], names[0:2], names[2])


def _diabetes_regression(scaled: bool = False) -> Dataset:
    """Diabetes progression a year on from 10 baseline variables (Efron et al.), unscaled."""
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(scaled=scaled)
    features = list(bunch.feature_names)
    return _builtin("diabetes_regression", bunch.data, bunch.target, features, "progression")


def _diabetes() -> Dataset:
    """Pima Indians diabetes (532 complete cases) with the tutorial's 200/332 train/test split."""
    return load_pima()


DATASETS: Mapping[str, Callable[..., Dataset]] = MappingProxyType(
    {
        "moons": _moons,
        "circles": _circles,
        "blobs": _blobs,
        "spiral": _spiral,
        "xor": _xor,
        "noisy_xor": _noisy_xor,
        "plane": _plane,
        "multi_gaussian": _multi_gaussian,
        "iris": _iris,
        "iris_regression": _iris_regression,
        "diabetes": _diabetes,
        "breast_cancer": _breast_cancer,
        "wine": _wine,
        "digits": _digits,
        "diabetes_regression": _diabetes_regression,
    }
)


def load_dataset(name: str, *, random_state: RandomStateLike = 0, **options: Any) -> Dataset:
    """Load a built-in dataset by name.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS` (case-insensitive).
    random_state : int, RandomState, Generator or None, default 0
        Drives the generated datasets; the bundled ones do not draw.
    **options
        The loader's own settings, e.g. ``n_samples`` and ``noise`` for ``"moons"``.

    Returns
    -------
    Dataset
    """
    loader = lookup(name, DATASETS, "dataset")
    params = inspect.signature(loader).parameters
    unknown = sorted(set(options) - set(params))
    if unknown:
        valid = sorted(p for p in params if p != "random_state")
        raise ValidationError(f"dataset {name!r} has no option {unknown}; its options are {valid}")
    if "random_state" in params:
        options["random_state"] = random_state
    return loader(**options)


def size_and_noise(
    name: str, n_samples: int | None = None, noise: float | None = None
) -> dict[str, Any]:
    """:func:`load_dataset`'s options for a generated dataset of about ``n_samples`` rows
    with ``noise`` (None: the dataset's own). The spiral is sized by its points per arm:
    ``n_samples // n_classes`` each. A dataset that cannot take a setting says so."""
    params = inspect.signature(lookup(name, DATASETS, "dataset")).parameters
    options: dict[str, Any] = {}
    if n_samples is not None:
        if "n_samples" in params:
            options["n_samples"] = n_samples
        elif "n_per_class" in params:
            options["n_per_class"] = max(1, n_samples // params["n_classes"].default)
        else:
            raise ValidationError(
                f"dataset {name!r} has a fixed size; --n-samples applies to generated data"
            )
    if noise is not None:
        if "noise" not in params:
            raise ValidationError(f"dataset {name!r} takes no noise setting")
        options["noise"] = noise
    return options


def list_datasets() -> list[DatasetInfo]:
    """Name, size, task, number of classes and a description of every built-in dataset."""
    infos = []
    for name, loader in DATASETS.items():
        d = loader()
        infos.append(
            DatasetInfo(name, d.n_samples, d.n_features, d.task, d.n_classes, d.description)
        )
    return infos


def load_pima() -> Dataset:
    """The Pima Indians diabetes table (532 complete cases, MASS's ``Pima.tr`` + ``Pima.te``).

    ``X`` holds the 7 numeric columns (npreg, glu, bp, skin, bmi, ped, age), ``y`` is 1 for
    diabetes "Yes" (``classes`` is ``["No", "Yes"]``), and ``split`` is ``"train"`` (200 rows)
    or ``"test"`` (332 rows).
    """
    text = resources.files("glassnet").joinpath("data/files/pima_diabetes.csv").read_text()
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], rows[1:]
    features = header[:7]
    X = np.array([[float(v) for v in r[:7]] for r in body])
    y = np.array([1 if r[7] == "Yes" else 0 for r in body], dtype=np.intp)
    split = np.array([r[8] for r in body])
    return _builtin("diabetes", X, y, features, "diabetes", ["No", "Yes"], split)


def make_moons(
    n_samples: int = 200, noise: float = 0.20, random_state: RandomStateLike = 0
) -> tuple[Array, Array]:
    """Two interleaving half-circles: scikit-learn's ``make_moons`` (the WildML data)."""
    from sklearn.datasets import make_moons as sk_make_moons

    return sk_make_moons(n_samples, noise=noise, random_state=sklearn_seed(random_state))


def toy_xor() -> tuple[Array, Array]:
    """The 4-row table of the toy tutorial: y is the XOR of the first two columns."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return X, y
