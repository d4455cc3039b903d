r"""scikit-learn estimators over the engine: drop-in replacements for ``MLPClassifier`` and
``MLPRegressor``.

>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from glassnet.sklearn.estimators import GlassClassifier
>>> model = make_pipeline(StandardScaler(), GlassClassifier(random_state=0))  # doctest: +SKIP

The parameters, defaults, fitted attributes and training rules are scikit-learn's (read
:mod:`glassnet.sklearn.base` for how they map onto the engine), so one SGD or Adam step
from the same weights gives the same weights as scikit-learn's. Beyond scikit-learn they take
``leaky_relu``, ``gelu`` or any :class:`~glassnet.activations.Activation`, the ``rmsprop`` and
full-batch ``gd`` solvers, a ``cyclic`` learning rate, ``l1``, ``dropout``, ``class_weight``,
glassnet callbacks, and save to a glassnet model file (no pickle) with :meth:`save`.

``X`` may be a SciPy sparse matrix or array (CSR, CSC, COO …) in ``fit``, ``partial_fit``,
``predict``, ``predict_proba`` and ``score``: it is converted to CSR, as scikit-learn's
``accept_sparse`` does, and never made dense — the first layer multiplies it by its weights
with the sparse matrix's own product (on ``device="cpu"``; a GPU needs a dense ``X``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d, validate_data

from ..activations import log_softmax
from ..losses import (
    BinaryCrossEntropy,
    Loss,
    MeanAbsoluteError,
    PoissonDeviance,
    SoftmaxCrossEntropy,
    SumSquaredError,
)
from ..validation import check_choice
from .base import Array
from .persistence import _Persistent

__all__ = ["GlassClassifier", "GlassRegressor"]

_PARAMETERS = r"""
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Widths of the hidden layers; ``()`` gives a linear (logistic) model.
    activation : str or Activation, default="relu"
        Hidden activation: a name of :data:`glassnet.activations.ACTIVATIONS` (scikit-learn's
        "identity", "logistic", "tanh", "relu", and "leaky_relu", "gelu", …) or an
        :class:`~glassnet.activations.Activation` instance (``LeakyReLU(0.2)``), copied into
        each hidden layer.
    solver : str, default="adam"
        A name of :data:`glassnet.optimizers.OPTIMIZERS`. ``"sgd"``: mini-batch gradient
        descent with ``momentum``; ``"adam"``; ``"rmsprop"`` (:math:`\rho = 0.9`,
        ``epsilon``); ``"adagrad"`` (``epsilon``); ``"gd"``: plain full-batch gradient
        descent, one deterministic update per epoch (``batch_size``, ``shuffle`` and
        ``momentum`` unused); ``"lbfgs"``: SciPy's L-BFGS-B on the whole training set
        (:func:`glassnet.lbfgs.fit_lbfgs`), as scikit-learn runs it — ``max_iter`` counts its
        iterations, ``max_fun`` its evaluations, ``tol`` is its ``gtol``; no loss curve is
        kept, ``early_stopping``, ``batch_size``, ``shuffle`` and the learning rates are
        unused, ``partial_fit`` is not available, and dropout is refused.
    alpha : float, default=1e-4
        L2 penalty, scaled as scikit-learn does: a batch with weight sum :math:`s_b` (its size
        without ``sample_weight``) adds :math:`\frac{\alpha}{2 s_b}\sum\|W\|^2` to the mean loss.
        The fitted ``network_`` has ``l2 = alpha`` and ``penalty_scaling="batch_weight"``
        (see :class:`~glassnet.network.Network`), and a saved one keeps both. Biases are not
        penalised.
    l1 : float, default=0
        L1 penalty with the same scaling, :math:`\frac{l_1}{s_b}\sum|W|`.
    dropout : float in [0, 1), default=0
        Inverted dropout after each hidden activation, in training only.
    batch_size : int or "auto", default="auto"
        ``min(200, n_samples)``; a larger value is clipped with a warning.
    learning_rate : {"constant", "invscaling", "adaptive", "cyclic"}, default="constant"
        Schedule for ``"sgd"`` and ``"gd"``, with scikit-learn's rules: ``"invscaling"`` sets
        :math:`\eta = \eta_0/(t+1)^{\text{power\_t}}` after each epoch, :math:`t` = samples seen
        (``t_``); ``"adaptive"`` divides :math:`\eta` by 5 whenever ``n_iter_no_change`` + 1
        epochs pass without improvement by ``tol``, and stops once :math:`\eta \le 10^{-6}`;
        ``"cyclic"`` is :class:`~glassnet.schedules.Cyclical` from :math:`\eta_0/10` up to
        :math:`\eta_0` over one epoch of updates and back over the next (a 2-epoch cycle).
        ``"adam"`` and ``"rmsprop"`` keep ``learning_rate_init`` (they adapt their steps
        themselves), as scikit-learn's Adam does: there every value acts as ``"constant"``.
    learning_rate_init : float, default=0.001
    power_t : float, default=0.5
    max_iter : int, default=200
        Epochs at most (each ``partial_fit`` is one); L-BFGS iterations with ``"lbfgs"``.
    max_fun : int, default=15000
        With ``"lbfgs"``: evaluations of the loss and its gradient at most (SciPy checks it
        between iterations). A run stopped by ``max_iter`` or ``max_fun`` warns with
        scikit-learn's ``ConvergenceWarning``.
    shuffle : bool, default=True
        Reshuffle the rows each epoch (mini-batch solvers).
    random_state : int, RandomState or None, default=None
        Initial weights (scikit-learn's Glorot uniform draws, in its order), the validation
        split, shuffling and dropout masks all draw from one ``RandomState`` made per ``fit``.
    tol : float, default=1e-4
    verbose : int, default=0
        0 prints nothing; 1 draws a tqdm progress bar over the epochs (on stderr); 2 prints
        scikit-learn's ``Iteration 3, loss = 0.12345678`` lines (on stdout).
    warm_start : bool, default=False
        ``fit`` continues from the current weights (with a new optimizer, as scikit-learn).
    momentum : float in [0, 1), default=0.9
        For ``"sgd"``.
    nesterovs_momentum : bool, default=True
        For ``"sgd"`` with ``momentum > 0``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (stratified for single-label classes),
        stop when the validation score (accuracy or R²) has not improved by ``tol`` for
        ``n_iter_no_change`` + 1 epochs, and keep the best epoch's weights.
    validation_fraction : float in (0, 1), default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's settings; ``epsilon`` is RMSProp's too.
    n_iter_no_change : int, default=10
        Without ``early_stopping``, training stops when the training loss has not improved by
        ``tol`` for more than this many consecutive epochs.
    callbacks : list of glassnet Callback, default=None
        Passed to the engine's loop as if the epochs were one run: ``on_train_begin`` and
        ``on_train_end`` once per ``fit``, epochs and updates numbered across epochs; the logs
        hold ``loss`` (``loss_``) and, with early stopping, ``val_loss`` and ``val_score``.
        Setting ``trainer.stop_training = True`` stops after the epoch.
    device : {"cpu", "cuda"}, default="cpu"
        Where the network trains and predicts: ``"cpu"`` with NumPy, ``"cuda"`` with CuPy on an
        NVIDIA GPU (``pip install "glassnet[gpu]"``; the aliases ``"numpy"`` and ``"cupy"`` work
        too). Checked by ``fit``, which raises :class:`~glassnet.errors.DeviceUnavailable`
        without CuPy or a GPU. The initial weights and the shuffling are drawn on the host, so a
        seed gives the same network on either device; predictions are NumPy arrays."""

_ATTRIBUTES = r"""
    Attributes
    ----------
    coefs_, intercepts_ : list of ndarray
        Weights ``(units in, units out)`` and biases ``(units out,)`` per layer: the network's
        own arrays.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, shape (``n_features_in_``,)
        Only when fitted on a DataFrame with string column names.
    n_iter_ : int
        Epochs run by the last ``fit`` (1 after ``partial_fit``).
    t_ : int
        Training samples seen, over all calls.
    loss_ : float
        scikit-learn's epoch loss: the batch objectives (loss + penalty, each before its update)
        averaged with the batch sizes as weights.
    loss_curve_ : list of float
    best_loss_ : float or None
        None with early stopping.
    validation_scores_, validation_loss_curve_ : list of float or None
        Score and loss on the validation rows after each epoch, with early stopping.
    best_validation_score_ : float or None
    n_layers_, n_outputs_ : int
    out_activation_ : str
        {out}.
    network_ : Network
        The trained glassnet network.
{extra}
    Notes
    -----
    If Ctrl-C (``KeyboardInterrupt``) stops ``fit``, the unfinished epoch is undone and the
    estimator keeps the weights after the last complete one, with a ``UserWarning``. A
    mini-batch whose rows all have zero weight contributes no gradient. ``partial_fit`` works
    with every solver (scikit-learn: ``"sgd"`` and ``"adam"`` only).
"""


class GlassClassifier(ClassifierMixin, _Persistent):
    __doc__ = (
        r"""Multi-layer perceptron classifier: scikit-learn's ``MLPClassifier`` on glassnet.

    Binary targets train one logistic output with binary cross-entropy, multiclass targets a
    softmax with cross-entropy, multilabel 0/1 indicator matrices one logistic output per
    label. Labels may be any values (strings too); ``predict`` returns them. A target with a
    single class trains as a binary one (``predict`` returns that class), as scikit-learn's
    does.

    With ``early_stopping`` the validation rows are a stratified split of any single-label
    target. For one or two classes it is scikit-learn's split itself (and its error when a
    class has a single row). scikit-learn (1.9) stratifies binary targets only, so with three
    or more classes the validation rows, and hence the run, differ from ``MLPClassifier``'s for
    the same ``random_state``; they fall back to a plain random split when a class has too few
    rows to be stratified.

    Parameters
    ----------"""
        + _PARAMETERS
        + r"""
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight`` (via scikit-learn's
        ``compute_sample_weight``). ``"balanced"`` is not available in ``partial_fit``.
"""
        + _ATTRIBUTES.replace("{out}", '"logistic" (binary, multilabel) or "softmax"').replace(
            "{extra}", "    classes_ : ndarray\n        The class labels.\n"
        )
    )

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: Any = "relu",
        *,
        solver: str = "adam",
        alpha: float = 1e-4,
        l1: float = 0.0,
        dropout: float = 0.0,
        batch_size: Any = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: int = 0,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        class_weight: Any = None,
        callbacks: Any = None,
        device: str = "cpu",
    ) -> None:
        self.hidden_layer_sizes, self.activation = hidden_layer_sizes, activation
        self.solver, self.alpha, self.l1, self.dropout = solver, alpha, l1, dropout
        self.batch_size, self.learning_rate = batch_size, learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t, self.max_iter, self.shuffle = power_t, max_iter, shuffle
        self.random_state, self.tol, self.verbose = random_state, tol, verbose
        self.warm_start, self.momentum = warm_start, momentum
        self.nesterovs_momentum, self.early_stopping = nesterovs_momentum, early_stopping
        self.validation_fraction, self.beta_1, self.beta_2 = validation_fraction, beta_1, beta_2
        self.epsilon, self.n_iter_no_change = epsilon, n_iter_no_change
        self.max_fun = max_fun
        self.class_weight, self.callbacks, self.device = class_weight, callbacks, device

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GlassClassifier:
        """Train on ``X`` (n_samples, n_features) and labels ``y`` (n_samples,) or a 0/1
        indicator matrix (n_samples, n_labels), for up to ``max_iter`` epochs."""
        self._fit(X, y, sample_weight, incremental=False)
        return self

    @available_if(lambda est: est._check_solver())
    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> GlassClassifier:
        """Train one epoch on ``(X, y)``. The first call needs ``classes`` (all the labels);
        later calls may repeat the same classes, and a different set raises ValueError."""
        self._fit(X, y, sample_weight, incremental=True, classes=classes)
        return self

    def predict(self, X: Any) -> Array:
        """Predicted labels (n_samples,), or a 0/1 matrix (n_samples, n_labels) if multilabel."""
        return self._decode(self._raw_output(X))

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities (n_samples, n_classes), columns in ``classes_`` order."""
        z = self._raw_output(X)
        p = self.network_.output(z)
        return np.hstack([1 - p, p]) if self._binary() else p

    def predict_log_proba(self, X: Any) -> Array:
        """``log(predict_proba(X))``, computed from the logits so that it never overflows."""
        z = self._raw_output(X)
        if self.out_activation_ == "softmax":
            return log_softmax(z)
        log_p = -np.logaddexp(0, -z)  # log sigmoid(z) = -softplus(-z)
        return np.hstack([-np.logaddexp(0, z), log_p]) if self._binary() else log_p

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags

    # -- internals ---------------------------------------------------------------------------
    def _binary(self) -> bool:
        return self.out_activation_ == "logistic" and self.n_outputs_ == 1

    def _decode(self, z: Array) -> Array:
        p = self.network_.output(z)
        return self._label_binarizer.inverse_transform(p.ravel() if self.n_outputs_ == 1 else p)

    def _check_params(self) -> None:
        super()._check_params()
        weights = self.class_weight
        if not (weights is None or weights == "balanced" or isinstance(weights, dict)):
            raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {weights!r}")

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool, classes: Any = None
    ) -> tuple[Array, Array, Array]:
        if incremental and reset and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if reset:
            binarizer = LabelBinarizer()
            multilabel = type_of_target(y).startswith("multilabel")
            binarizer.fit(classes if incremental and not multilabel else y)
            self._label_binarizer, self.classes_ = binarizer, binarizer.classes_
            self.out_activation_ = "softmax" if binarizer.y_type_ == "multiclass" else "logistic"
        if incremental or not reset:  # labels outside the classes given (or fitted) are refused
            self._check_classes(y, incremental, None if reset else classes)
        return X, self._label_binarizer.transform(y).astype(X.dtype), y

    def _check_classes(self, y: Array, incremental: bool, classes: Any) -> None:
        if incremental and classes is not None:
            if not np.array_equal(self.classes_, unique_labels(classes)):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on last call to "
                    f"partial_fit, was: {self.classes_!r}"
                )
        labels = unique_labels(y)
        if self.warm_start and not incremental and set(labels) != set(self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in "
                f"the previous call to fit. Previously got {self.classes_}, `y` "
                f"has {labels}"
            )
        if np.setdiff1d(labels, self.classes_).size:
            raise ValueError(
                f"`y` has classes not in `self.classes_`. `self.classes_` has "
                f"{self.classes_}. 'y' has {labels}."
            )

    def _sample_weight(
        self, sample_weight: Any, X: Array, y: Array, incremental: bool
    ) -> Array | None:
        weights = super()._sample_weight(sample_weight, X, y, incremental)
        if self.class_weight is None:
            return weights
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit: pass "
                "compute_class_weight('balanced', classes=..., y=...) as a dict"
            )
        if y.ndim == 1 and isinstance(self.class_weight, dict):
            per_class = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
            by_class = per_class[np.searchsorted(self.classes_, y)]
        else:
            by_class = compute_sample_weight(self.class_weight, y)
        combined = by_class.astype(X.dtype) * (1 if weights is None else weights)
        if not np.any(combined > 0):
            raise ValueError(
                "Sample weights (times class_weight) must contain at least one non-zero number."
            )
        return combined

    def _stratify(self, y: Array, n_val: int) -> Array | None:
        if y.ndim != 1:
            return None  # multilabel: no stratification, as scikit-learn
        if self._label_binarizer.y_type_ == "binary":  # one or two classes: scikit-learn's split,
            return self._label_binarizer.transform(y).astype(bool)  # and its errors, exactly
        counts = np.unique(y, return_counts=True)[1]
        fits = counts.min() >= 2 and len(counts) <= min(n_val, len(y) - n_val)
        return y if fits else None

    def _make_loss(self) -> tuple[Loss, float]:
        if self.out_activation_ == "softmax":
            return SoftmaxCrossEntropy(), 1.0
        return BinaryCrossEntropy(), 1.0

    def _score_predictions(self, X: Array, y: Array, sample_weight: Array | None) -> float:
        predicted = self._decode(self._output(X))
        return float(accuracy_score(y, predicted, sample_weight=sample_weight))

    def _extra_metadata(self) -> dict[str, Any]:
        return {"classes_dtype": self.classes_.dtype.str, "y_type": self._label_binarizer.y_type_}

    def _saved_classes(self) -> list[Any] | None:
        return list(self.classes_)

    def _restore(self, classes: list[Any] | None, meta: dict[str, Any]) -> None:
        self.classes_ = np.asarray(classes, dtype=np.dtype(meta["classes_dtype"]))
        binarizer = LabelBinarizer()
        if meta["y_type"] == "multilabel-indicator":
            binarizer.fit(np.eye(self.n_outputs_, dtype=int))
        else:
            binarizer.fit(self.classes_)
        self._label_binarizer = binarizer


class GlassRegressor(RegressorMixin, _Persistent):
    __doc__ = (
        r"""Multi-layer perceptron regressor: scikit-learn's ``MLPRegressor`` on glassnet.

    An identity output per target (an exponential one with ``loss="poisson"``), ``y`` of
    shape (n_samples,) or (n_samples, n_outputs).

    Parameters
    ----------
    loss : {"squared_error", "poisson", "absolute_error"}, default="squared_error"
        ``"squared_error"`` is scikit-learn's half squared error: it trains on the gradient
        :math:`(\hat y - y)/n` per output, i.e. the loss :math:`\frac{1}{2n}\sum_{i,k}
        (\hat y_{ik} - y_{ik})^2` (:class:`~glassnet.losses.SumSquaredError` with scale 1/2,
        mean over rows), and reports ``loss_`` as scikit-learn does: the half *mean* squared
        error, divided by the number of outputs as well. ``"poisson"`` is scikit-learn's half
        Poisson deviance with a log link (:class:`~glassnet.losses.PoissonDeviance`): the
        network's output is the log of the prediction, ``predict`` returns its exponential
        (``out_activation_ == "exp"``), and ``y`` must be non-negative.
        ``"absolute_error"`` is :class:`~glassnet.losses.MeanAbsoluteError`."""
        + _PARAMETERS
        + _ATTRIBUTES.replace("{out}", '"identity", or "exp" with ``loss="poisson"``').replace(
            "{extra}", ""
        )
    )

    def __init__(
        self,
        loss: str = "squared_error",
        hidden_layer_sizes: Any = (100,),
        activation: Any = "relu",
        *,
        solver: str = "adam",
        alpha: float = 1e-4,
        l1: float = 0.0,
        dropout: float = 0.0,
        batch_size: Any = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: int = 0,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        callbacks: Any = None,
        device: str = "cpu",
    ) -> None:
        self.loss = loss
        self.hidden_layer_sizes, self.activation = hidden_layer_sizes, activation
        self.solver, self.alpha, self.l1, self.dropout = solver, alpha, l1, dropout
        self.batch_size, self.learning_rate = batch_size, learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t, self.max_iter, self.shuffle = power_t, max_iter, shuffle
        self.random_state, self.tol, self.verbose = random_state, tol, verbose
        self.warm_start, self.momentum = warm_start, momentum
        self.nesterovs_momentum, self.early_stopping = nesterovs_momentum, early_stopping
        self.validation_fraction, self.beta_1, self.beta_2 = validation_fraction, beta_1, beta_2
        self.epsilon, self.n_iter_no_change = epsilon, n_iter_no_change
        self.max_fun = max_fun
        self.callbacks, self.device = callbacks, device

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GlassRegressor:
        """Train on ``X`` (n_samples, n_features) and ``y`` for up to ``max_iter`` epochs."""
        self._fit(X, y, sample_weight, incremental=False)
        return self

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> GlassRegressor:
        """Train one epoch on ``(X, y)``."""
        self._fit(X, y, sample_weight, incremental=True)
        return self

    def predict(self, X: Any) -> Array:
        """Predictions (n_samples,), or (n_samples, n_outputs) for several targets; float32
        when the network was trained on float32."""
        z = self._predictions(self._raw_output(X))
        return z.ravel() if self.n_outputs_ == 1 else z

    def _predictions(self, z: Array) -> Array:
        """The predictions from the raw output: :math:`e^z` with the Poisson loss's log link."""
        return np.exp(z) if self.out_activation_ == "exp" else z

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags

    def _check_params(self) -> None:
        super()._check_params()
        check_choice(self.loss, "loss", ("squared_error", "poisson", "absolute_error"))

    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool, classes: Any = None
    ) -> tuple[Array, Array, Array]:
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and y.size and np.min(y) < 0:
            raise ValueError(
                "Some value(s) of y are out of the valid range of the loss 'poisson': "
                f"y must be non-negative (counts or rates), got a minimum of {np.min(y)}."
            )
        if reset:
            self.out_activation_ = "exp" if self.loss == "poisson" else "identity"
        targets = (y.reshape(-1, 1) if y.ndim == 1 else y).astype(X.dtype)
        return X, targets, y

    def _make_loss(self) -> tuple[Loss, float]:
        if self.loss == "absolute_error":
            return MeanAbsoluteError(), 1.0
        if self.loss == "poisson":
            return PoissonDeviance(), 1.0
        return SumSquaredError(scale=0.5, reduction="mean"), 1.0 / self.n_outputs_

    def _score_predictions(self, X: Array, y: Array, sample_weight: Array | None) -> float:
        z = self._predictions(self._output(X))
        if not np.isfinite(z).all():  # a diverged network has no R² (scikit-learn: NaN)
            return float("nan")
        return float(
            r2_score(y, z.ravel() if self.n_outputs_ == 1 else z, sample_weight=sample_weight)
        )
