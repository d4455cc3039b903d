r"""The machinery behind :mod:`glassnet.sklearn.estimators`: scikit-learn's MLP training rules on the engine.

Each ``fit`` (and ``partial_fit``) trains a :class:`~glassnet.network.Network` with one call
of the engine's :func:`glassnet.training.fit`. scikit-learn's rules are callbacks of that run:
the loss curve (:class:`~glassnet.sklearn.parts.EpochRecord`), ``tol`` and
``n_iter_no_change`` on the training loss or the validation score, early stopping with the
best weights restored, the ``adaptive`` rate (:class:`~glassnet.callbacks.PlateauStopping`),
the ``invscaling`` rate (:class:`~glassnet.callbacks.InverseScalingRate`); the estimator adds
the ``ConvergenceWarning``.

Notes
-----
scikit-learn's ``MLPClassifier`` and ``MLPRegressor`` minimise, on a batch :math:`b` of rows
with weights :math:`w_i` (all 1 without ``sample_weight``) and :math:`s_b = \sum_{i\in b} w_i`,

.. math:: J_b = \frac{1}{s_b}\Big(\sum_{i\in b} w_i\,\ell_i
          + \frac{\alpha}{2}\sum_W \|W\|_F^2\Big)

so ``alpha`` penalises the *summed* loss. The engine's objective is a mean loss plus
:math:`\frac{\lambda_2}{2}\sum\|W\|^2 + \lambda_1\sum|W|`: the estimators' network has
:math:`\lambda_2 = \alpha`, :math:`\lambda_1 = l_1` and ``penalty_scaling="batch_weight"``,
which divides the penalty by :math:`s_b` on each batch (see :class:`~glassnet.network.Network`);
a saved ``network_`` keeps all three, so continuing its training optimises the same objective.
The engine's weighted mean loss :math:`\sum w_i\ell_i/\sum w_i` is scikit-learn's, and so is
the gradient: :math:`\partial J_b/\partial W = (\sum_i w_i\,\partial\ell_i/\partial W +
\alpha W)/s_b`.
"""

from __future__ import annotations

import inspect
import math
import numbers
import sys
import warnings
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..activations import ACTIVATIONS, Activation
from ..backend import check_device, get_namespace, namespace_of, to_device, to_numpy
from ..callbacks import Callback, InverseScalingRate, PlateauStopping
from ..errors import TrainingDiverged, TrainingInterrupted
from ..losses import Loss
from ..network import mlp
from ..optimizers import OPTIMIZERS, Adam, GradientDescent, Optimizer
from ..progress import ProgressBar
from ..schedules import Cyclical
from ..training import fit, resolve_batch_size
from ..validation import check_choice, check_number
from .parts import EpochRecord, IterationLines

Array = NDArray[Any]

#: the choices come from the registries: a new activation or optimizer is accepted here
ACTIVATION_NAMES = tuple(ACTIVATIONS)
#: "gd" trains on the full batch; "lbfgs" is SciPy's L-BFGS-B (glassnet.lbfgs), no Optimizer
SOLVERS = (*OPTIMIZERS, "lbfgs")
LEARNING_RATES = ("constant", "invscaling", "adaptive", "cyclic")


class SolverDiverged(TrainingDiverged, ValueError):
    """:class:`~glassnet.errors.TrainingDiverged` as the estimators raise it: also a
    ``ValueError``, which is what scikit-learn's MLP raises for the same failure."""


class GlassEstimatorBase(BaseEstimator):
    """What :class:`GlassClassifier` and :class:`GlassRegressor` share (see their docs)."""

    # -- set by the subclasses -------------------------------------------------------------
    def _validate_input(
        self, X: Any, y: Any, incremental: bool, reset: bool, classes: Any = None
    ) -> tuple[Array, Array, Array]:
        """Return ``X``, the 2-D float targets and ``y`` as the scores need it."""
        raise NotImplementedError

    def _make_loss(self) -> tuple[Loss, float]:
        """The engine loss for ``out_activation_`` and the factor of its reported value."""
        raise NotImplementedError

    def _score_predictions(self, X: Array, y: Array, sample_weight: Array | None) -> float:
        raise NotImplementedError

    def _stratify(self, y: Array, n_val: int) -> Array | None:
        return None

    # -- parameters ------------------------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        given = self.hidden_layer_sizes
        sizes = list(given) if isinstance(given, (list, tuple, range, np.ndarray)) else [given]
        if not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in sizes
        ):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes!r}")
        return [int(s) for s in sizes]

    def _check_params(self) -> None:
        self._hidden_sizes()
        if not isinstance(self.activation, Activation):
            check_choice(self.activation, "activation", ACTIVATION_NAMES)
        check_choice(self.solver, "solver", SOLVERS)
        check_choice(self.learning_rate, "learning_rate", LEARNING_RATES)
        for name in ("alpha", "l1", "power_t", "tol"):
            check_number(getattr(self, name), name, 0)
        for name in ("dropout", "momentum", "validation_fraction", "beta_1", "beta_2"):
            check_number(getattr(self, name), name, 0, 1)
        for name in ("learning_rate_init", "epsilon"):
            check_number(getattr(self, name), name, 0, low_open=True)
        check_number(self.max_iter, "max_iter", 1, integer=True)
        check_number(self.max_fun, "max_fun", 1, integer=True)
        if self.batch_size != "auto":
            check_number(self.batch_size, "batch_size", 1, integer=True)
        if self.n_iter_no_change != np.inf:
            check_number(self.n_iter_no_change, "n_iter_no_change", 1, integer=True)
        if not isinstance(self.verbose, (bool, numbers.Integral)) or self.verbose < 0:
            raise ValueError(f"verbose must be 0, 1 or 2, got {self.verbose!r}")
        for name in ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        callbacks = [] if self.callbacks is None else self.callbacks
        if not all(isinstance(cb, Callback) for cb in callbacks):
            raise ValueError(f"callbacks must be glassnet Callback objects, got {callbacks!r}")
        get_namespace(self.device)  # an unknown name or a missing GPU fails before any work

    # -- fitting ---------------------------------------------------------------------------
    def _fit(
        self, X: Any, y: Any, sample_weight: Any, incremental: bool, classes: Any = None
    ) -> GlassEstimatorBase:
        self._check_params()
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        if incremental:
            self._check_solver()
        first_pass = not hasattr(self, "network_") or (not self.warm_start and not incremental)
        X, targets, y = self._validate_input(X, y, incremental, first_pass, classes)
        weights = self._sample_weight(sample_weight, X, y, incremental)
        rng = check_random_state(self.random_state)
        widths = [*self._hidden_sizes(), targets.shape[1]]
        if first_pass:
            self._initialize(X.shape[1], targets.shape[1], X.dtype, rng)
        elif widths != [dense.n_out for dense in self.network_.dense_layers]:
            raise ValueError(
                f"warm_start and partial_fit continue the fitted network, whose hidden layers "
                f"and outputs are {[d.n_out for d in self.network_.dense_layers]}; got "
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} and {widths[-1]} outputs"
            )
        self._place(check_device(self.device))
        self._train(X, targets, y, weights, rng, incremental)
        return self

    def _sample_weight(
        self, sample_weight: Any, X: Array, y: Array, incremental: bool
    ) -> Array | None:
        if sample_weight is None:
            return None
        w = np.asarray(sample_weight, dtype=X.dtype)
        if w.shape != (X.shape[0],):
            raise ValueError(f"sample_weight.shape == {w.shape}, expected {(X.shape[0],)}!")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError("Negative values (or NaN/inf) in sample_weight are not allowed")
        if not np.any(w > 0):
            raise ValueError("Sample weights must contain at least one non-zero number.")
        return w

    def _initialize(
        self, n_features: int, n_outputs: int, dtype: Any, rng: np.random.RandomState
    ) -> None:
        """A new network with scikit-learn's initialisation (Glorot uniform weights *and*
        biases, drawn in its order, with the gain 2 instead of 6 for logistic units)."""
        self.n_iter_, self.t_ = 0, 0
        self.n_outputs_ = n_outputs
        hidden = self._hidden_sizes()
        self.n_layers_ = len(hidden) + 2
        activation = self.activation
        net = mlp(
            [n_features, *hidden, n_outputs],
            activation=activation,
            init="zeros",
            output=self.out_activation_,
            dropout=self.dropout,
            random_state=rng,
            dtype=dtype,
        )
        name = activation.name if isinstance(activation, Activation) else activation
        factor = 2.0 if name in ("logistic", "sigmoid") else 6.0
        for dense in net.dense_layers:
            bound = np.sqrt(factor / (dense.n_in + dense.n_out))
            dense.params["weight"][...] = rng.uniform(-bound, bound, (dense.n_in, dense.n_out))
            dense.params["bias"][...] = rng.uniform(-bound, bound, dense.n_out)
        self.network_ = net
        self._best_params: dict[str, Array] | None = None
        self._no_improvement_count = 0
        if self.solver != "lbfgs":  # as scikit-learn: no loss curve nor scores for L-BFGS
            self.loss_curve_: list[float] = []
            self._reset_scores()

    def _place(self, device: str) -> None:
        """Move the network, the kept best weights and the optimizer's state to ``device``."""
        if self.network_.device == device:
            return
        xp = self.network_.to(device).xp
        if self._best_params is not None:
            self._best_params = {k: to_device(v, xp) for k, v in self._best_params.items()}
        if hasattr(self, "_optimizer"):  # its moments move; reset() drops all the rest
            optimizer = self._optimizer
            t, state = optimizer.t, optimizer.state
            optimizer.reset()
            optimizer.t = t
            optimizer.state = {
                k: {s: to_device(a, xp) for s, a in d.items()} for k, d in state.items()
            }

    def _reset_scores(self) -> None:
        self.best_loss_: float | None = None if self.early_stopping else np.inf
        self.validation_scores_: list[float] | None = [] if self.early_stopping else None
        self.validation_loss_curve_: list[float] | None = [] if self.early_stopping else None
        self.best_validation_score_: float | None = -np.inf if self.early_stopping else None

    def _make_optimizer(self, updates_per_epoch: int) -> Optimizer:
        """The solver's optimizer from the registry, with scikit-learn's settings: momentum for
        ``"sgd"`` (``"gd"`` is the tutorials' plain full-batch descent), the betas for Adam,
        ``epsilon`` for the adaptive ones."""
        lr = float(self.learning_rate_init)
        kind = OPTIMIZERS[self.solver]
        optimizer: Optimizer
        if kind is Adam:
            optimizer = Adam(lr, beta1=self.beta_1, beta2=self.beta_2, eps=self.epsilon)
        elif self.solver == "sgd":
            nesterov = bool(self.nesterovs_momentum) and self.momentum > 0
            optimizer = GradientDescent(lr, momentum=self.momentum, nesterov=nesterov)
        elif "eps" in inspect.signature(kind).parameters:
            optimizer = kind(lr, eps=self.epsilon)  # type: ignore[call-arg]
        else:
            optimizer = kind(lr)
        if self._schedules_apply() and self.learning_rate == "cyclic":
            optimizer.schedule = Cyclical.from_learning_rate(lr, step_size=updates_per_epoch)
        return optimizer

    def _schedules_apply(self) -> bool:
        return self.solver in ("sgd", "gd")

    def _batch_size(self, n: int) -> int | None:
        if self.solver == "gd":
            return None
        if self.batch_size == "auto":
            return resolve_batch_size("auto", n)
        if self.batch_size > n:
            message = "Got `batch_size` larger than sample size. It is going to be clipped"
            warnings.warn(message, UserWarning, stacklevel=5)
        return int(np.clip(self.batch_size, 1, n))

    def _split(
        self, X: Array, targets: Array, y: Array, weights: Array | None, rng: np.random.RandomState
    ) -> tuple[list[Any], list[Any] | None]:
        """``[X, targets, y, weights]`` for training and for validation (None without it)."""
        if not self.early_stopping:
            return [X, targets, y, weights], None
        n_val = math.ceil(self.validation_fraction * X.shape[0])
        arrays = [X, targets, y] + ([] if weights is None else [weights])
        parts = train_test_split(
            *arrays,
            random_state=rng,
            test_size=self.validation_fraction,
            stratify=self._stratify(y, n_val),
        )
        train, val = parts[0::2], parts[1::2]
        if val[0].shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        if weights is None:
            train, val = [*train, None], [*val, None]
        elif not np.any(val[3] > 0):
            val[3] = None
        return train, val

    def _check_solver(self) -> bool:
        """partial_fit exists for the gradient-descent solvers only (scikit-learn's rule)."""
        if self.solver == "lbfgs":
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    def _train(
        self,
        X: Array,
        targets: Array,
        y: Array,
        weights: Array | None,
        rng: np.random.RandomState,
        incremental: bool,
    ) -> None:
        """One run of the engine's loop over the training rows, with scikit-learn's rules."""
        if self.solver == "lbfgs":
            self._train_lbfgs(X, targets, weights)
            return
        if not hasattr(self, "loss_curve_"):  # a warm start after L-BFGS
            self.loss_curve_ = []
            self._reset_scores()
        (xt, tt, _, wt), val = self._split(X, targets, y, weights, rng)
        n = xt.shape[0]
        batch_size = self._batch_size(n)
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer(math.ceil(n / (batch_size or n)))
        if self.early_stopping and self.validation_scores_ is None:
            self._reset_scores()
        loss, scale = self._make_loss()
        validate = None if val is None else lambda: self._validate(loss, scale, *val)
        stopper = self._stopping_rule()
        record = EpochRecord(self, scale, validate, self.verbose >= 2)
        callbacks = [record, stopper, *self._rate_rule(), *self._user_callbacks(incremental)]
        self.network_.l2, self.network_.l1 = float(self.alpha), float(self.l1)
        self.n_iter_ = 0
        epochs = 1 if incremental else self.max_iter
        try:
            history = fit(
                self.network_,
                xt,
                tt,
                loss=loss,
                optimizer=self._optimizer,
                epochs=epochs,
                batch_size=batch_size,
                shuffle=self.shuffle,
                random_state=rng,
                callbacks=callbacks,
                sample_weight=wt,
                penalty_scaling="batch_weight",
            )
        except TrainingInterrupted:
            message = f"Training interrupted by user (KeyboardInterrupt) after {self.n_iter_}"
            message += " epochs: kept the weights of the last complete update."
            warnings.warn(message, UserWarning, stacklevel=4)
            return
        except TrainingDiverged as exc:
            if not self.early_stopping:
                raise self._diverged(exc) from exc
            self._keep_rule_state(stopper)  # the best score and weights, for the warning
            self._diverged_with_early_stopping()
            return
        finally:
            self._keep_rule_state(stopper)
        if not incremental and not history.stopped_early and history.epochs == self.max_iter:
            message = f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and"
            message += " the optimization hasn't converged yet."
            warnings.warn(message, ConvergenceWarning, stacklevel=3)

    def _train_lbfgs(self, X: Array, targets: Array, weights: Array | None) -> None:
        """scikit-learn's ``_fit_lbfgs``: SciPy's L-BFGS-B on the whole set
        (:func:`glassnet.lbfgs.fit_lbfgs`), its ``ConvergenceWarning``, ``n_iter_`` and
        ``loss_`` (no loss curve; ``early_stopping``, ``batch_size`` and ``shuffle`` unused)."""
        from sklearn.utils.optimize import _check_optimize_result

        from ..lbfgs import fit_lbfgs

        loss, scale = self._make_loss()
        callbacks = [*self._user_callbacks(False)]
        if self.verbose >= 2:
            callbacks.insert(0, IterationLines())
        self.network_.l2, self.network_.l1 = float(self.alpha), float(self.l1)
        try:
            history = fit_lbfgs(
                self.network_,
                X,
                targets,
                loss=loss,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                callbacks=callbacks,
                sample_weight=weights,
                penalty_scaling="batch_weight",
            )
        except TrainingInterrupted as exc:
            message = f"Training interrupted by user (KeyboardInterrupt): {exc}."
            warnings.warn(message, UserWarning, stacklevel=4)
            return
        except TrainingDiverged as exc:
            raise SolverDiverged(
                f"Solver produced non-finite parameter weights: {exc}",
                epoch=exc.epoch,
                last_finite_loss=exc.last_finite_loss,
            ) from exc
        self.n_iter_ = _check_optimize_result("lbfgs", history.result, self.max_iter)
        value = float(history.result.fun)
        if scale != 1.0:  # J = L + P; scikit-learn reports c·L + P (see EpochRecord)
            penalty = self.network_.penalty(
                self.network_.penalty_factor(self._weight_sum(X, weights))
            )
            value = scale * (value - penalty) + penalty
        self.loss_ = value

    @staticmethod
    def _weight_sum(X: Array, weights: Array | None) -> float:
        return float(X.shape[0] if weights is None else weights.sum())

    def _diverged_with_early_stopping(self) -> None:
        """Divergence ends an early-stopping run as scikit-learn's: the epoch's validation
        score is NaN, the best epoch's weights are back (the stopping rule put them back when
        the run ended), and a ``ConvergenceWarning`` says so."""
        scores = cast(list, self.validation_scores_)
        if not scores or math.isfinite(scores[-1]):  # the diverged epoch has no score
            scores.append(float("nan"))
            cast(list, self.validation_loss_curve_).append(float("nan"))
        best = self.best_validation_score_
        kept = (
            f"the weights of the best validation score ({best:.6g}) are restored"
            if self._best_params is not None and best is not None and math.isfinite(best)
            else "the weights of the last finite loss are kept"
        )
        message = (
            f"Training diverged after epoch {self.n_iter_} (the loss or the weights became "
            f"NaN or infinite, the validation score NaN); {kept}. Try a smaller "
            "learning_rate_init, or scale the inputs (and regression targets)."
        )
        warnings.warn(message, ConvergenceWarning, stacklevel=5)

    def _diverged(self, exc: TrainingDiverged) -> SolverDiverged:
        """The engine's divergence in scikit-learn's words, with this fit's epoch count."""
        last = self.loss_curve_[-1] if self.loss_curve_ else None
        return SolverDiverged(
            "Solver produced non-finite parameter weights. The input data may contain large "
            f"values and need to be preprocessed. Training diverged in epoch "
            f"{self.n_iter_ + 1} (last finite epoch loss {last}); the network keeps the "
            "parameters of the last finite loss. Try a smaller learning_rate_init, or "
            "scale the inputs (and regression targets).",
            epoch=exc.epoch,
            last_finite_loss=last,
        )

    def _stopping_rule(self) -> PlateauStopping:
        """scikit-learn's ``tol``/``n_iter_no_change`` rule, on the validation score with early
        stopping (keeping the best weights), else on the training loss; ``"adaptive"`` lowers
        the learning rate instead of stopping."""
        adaptive = self._schedules_apply() and self.learning_rate == "adaptive"
        on_score = bool(self.early_stopping)
        return PlateauStopping(
            "val_score" if on_score else "loss",
            "max" if on_score else "min",
            self.tol,
            self.n_iter_no_change,
            reduce_learning_rate=adaptive,
            restore_best=on_score,
            best=self.best_validation_score_ if on_score else self.best_loss_,
            count=self._no_improvement_count,
            best_params=self._best_params if on_score else None,
            file=sys.stdout if self.verbose >= 2 else None,
        )

    def _keep_rule_state(self, stopper: PlateauStopping) -> None:
        """What the stopping rule learnt, for ``warm_start`` and ``partial_fit``."""
        self._no_improvement_count = stopper.count
        if self.early_stopping:
            self.best_validation_score_ = stopper.best
            self._best_params = stopper.best_params
        else:
            self.best_loss_ = stopper.best

    def _rate_rule(self) -> list[Callback]:
        if self._schedules_apply() and self.learning_rate == "invscaling":
            return [InverseScalingRate(self.learning_rate_init, self.power_t, self.t_)]
        return []

    def _user_callbacks(self, incremental: bool) -> list[Callback]:
        callbacks = list(self.callbacks or [])
        if self.verbose == 1:
            callbacks.insert(0, ProgressBar(1 if incremental else self.max_iter))
        return callbacks

    def _validate(
        self, loss: Loss, scale: float, X: Array, targets: Array, y: Array, weights: Array | None
    ) -> tuple[float, float]:
        """Validation loss (no penalty) and score (accuracy or R²) after an epoch."""
        value = loss.forward(self._output(X), targets, weights) * scale
        return value, float(self._score_predictions(X, y, weights))

    # -- prediction ------------------------------------------------------------------------
    def _raw_output(self, X: Any) -> Array:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=self.network_.dtype, accept_sparse="csr")
        return self._output(X)

    def _output(self, X: Array) -> Array:
        """The network's raw output for checked ``X``, as a NumPy array on the host."""
        return to_numpy(self.network_.raw_output(X))

    @property
    def coefs_(self) -> list[Array]:
        """The weight matrices, ``coefs_[i]`` of shape ``(units in, units out)`` of layer ``i``:
        the network's own arrays (change them in place, or assign a list of the same shapes),
        CuPy arrays with ``device="cuda"``."""
        return [dense.params["weight"] for dense in self.network_.dense_layers]

    @coefs_.setter
    def coefs_(self, values: Sequence[Any]) -> None:
        self._assign("weight", values)

    @property
    def intercepts_(self) -> list[Array]:
        """The bias vectors, ``intercepts_[i]`` of shape ``(units out,)`` of layer ``i``."""
        return [dense.params["bias"] for dense in self.network_.dense_layers]

    @intercepts_.setter
    def intercepts_(self, values: Sequence[Any]) -> None:
        self._assign("bias", values)

    def _assign(self, key: str, values: Sequence[Any]) -> None:
        check_is_fitted(self)
        params = [dense.params[key] for dense in self.network_.dense_layers]
        arrays = [to_numpy(v) for v in values]
        if [a.shape for a in arrays] != [p.shape for p in params]:
            raise ValueError(
                f"expected shapes {[p.shape for p in params]}, got {[a.shape for a in arrays]}"
            )
        for param, array in zip(params, arrays, strict=True):
            np.copyto(param, to_device(array, namespace_of(param)), casting="same_kind")
