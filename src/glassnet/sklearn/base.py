r"""The machinery behind :mod:`glassnet.sklearn.estimators`: scikit-learn's MLP training rules on the engine.

The estimators train a :class:`~glassnet.network.Network` with :func:`glassnet.training.fit`,
one epoch per call, keeping one optimizer and one ``RandomState`` for the whole ``fit``. Between
epochs they apply scikit-learn's rules: the loss curve, ``tol`` and ``n_iter_no_change``,
early stopping on a held-out validation score, the ``invscaling`` and ``adaptive`` learning
rates, and the ``ConvergenceWarning``.

Notes
-----
scikit-learn's ``MLPClassifier`` and ``MLPRegressor`` minimise, on a batch :math:`b` of rows
with weights :math:`w_i` (all 1 without ``sample_weight``) and :math:`s_b = \sum_{i\in b} w_i`,

.. math:: J_b = \frac{1}{s_b}\Big(\sum_{i\in b} w_i\,\ell_i
          + \frac{\alpha}{2}\sum_W \|W\|_F^2\Big)

so ``alpha`` penalises the *summed* loss. The engine's objective is a mean loss plus
:math:`\frac{\lambda_2}{2}\sum\|W\|^2 + \lambda_1\sum|W|`, so :class:`_Objective` sets
:math:`\lambda_2 = \alpha / s_b` (and :math:`\lambda_1 = l_1 / s_b`) before every batch.
The engine's weighted mean loss :math:`\sum w_i\ell_i/\sum w_i` is scikit-learn's, and so is
the gradient: :math:`\partial J_b/\partial W = (\sum_i w_i\,\partial\ell_i/\partial W +
\alpha W)/s_b`.
"""

from __future__ import annotations

import copy
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

from ..activations import Activation
from ..backend import check_device, get_namespace, namespace_of, to_device, to_numpy
from ..errors import TrainingDiverged
from ..losses import Loss
from ..network import mlp
from ..optimizers import Adam, GradientDescent, Optimizer, RMSProp
from ..progress import ProgressBar
from ..schedules import Constant, Cyclical
from ..training import Callback, fit
from .parts import _check_choice, _check_number, _Objective, _Relay

Array = NDArray[Any]

ACTIVATION_NAMES = ("identity", "logistic", "tanh", "relu", "leaky_relu", "gelu")
SOLVERS = ("sgd", "adam", "rmsprop", "gd")
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
            _check_choice(self.activation, "activation", ACTIVATION_NAMES)
        _check_choice(self.solver, "solver", SOLVERS)
        _check_choice(self.learning_rate, "learning_rate", LEARNING_RATES)
        for name in ("alpha", "l1", "power_t", "tol"):
            _check_number(getattr(self, name), name, 0)
        for name in ("dropout", "momentum", "validation_fraction", "beta_1", "beta_2"):
            _check_number(getattr(self, name), name, 0, 1)
        for name in ("learning_rate_init", "epsilon"):
            _check_number(getattr(self, name), name, 0, low_open=True)
        _check_number(self.max_iter, "max_iter", 1, integer=True)
        if self.batch_size != "auto":
            _check_number(self.batch_size, "batch_size", 1, integer=True)
        if self.n_iter_no_change != np.inf:
            _check_number(self.n_iter_no_change, "n_iter_no_change", 1, integer=True)
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
        net = mlp([n_features, *hidden, n_outputs], activation=activation, init="zeros",
                  output=self.out_activation_, dropout=self.dropout, random_state=rng,
                  dtype=dtype)  # fmt: skip
        name = activation.name if isinstance(activation, Activation) else activation
        factor = 2.0 if name in ("logistic", "sigmoid") else 6.0
        for dense in net.dense_layers:
            bound = np.sqrt(factor / (dense.n_in + dense.n_out))
            dense.params["weight"][...] = rng.uniform(-bound, bound, (dense.n_in, dense.n_out))
            dense.params["bias"][...] = rng.uniform(-bound, bound, dense.n_out)
        self.network_ = net
        self._best_params = self._copy_params()
        self.loss_curve_: list[float] = []
        self._no_improvement_count = 0
        self._reset_scores()

    def _place(self, device: str) -> None:
        """Move the network, the kept best weights and the optimizer's state to ``device``."""
        if self.network_.device == device:
            return
        xp = self.network_.to(device).xp
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

    def _copy_params(self) -> dict[str, Array]:
        return {k: v.copy() for k, v in self.network_.parameters().items()}

    def _set_params_from(self, values: dict[str, Array]) -> None:
        for name, param in self.network_.parameters().items():
            np.copyto(param, values[name])

    def _make_optimizer(self, updates_per_epoch: int) -> Optimizer:
        lr = float(self.learning_rate_init)
        self._lr = lr
        optimizer: Optimizer
        if self.solver == "adam":
            optimizer = Adam(lr, beta1=self.beta_1, beta2=self.beta_2, eps=self.epsilon)
        elif self.solver == "rmsprop":
            optimizer = RMSProp(lr, eps=self.epsilon)
        elif self.solver == "sgd":
            nesterov = bool(self.nesterovs_momentum) and self.momentum > 0
            optimizer = GradientDescent(lr, momentum=self.momentum, nesterov=nesterov)
        else:
            optimizer = GradientDescent(lr)
        if self._schedules_apply() and self.learning_rate == "cyclic":
            optimizer.schedule = Cyclical(lr / 10, lr, step_size=updates_per_epoch)
        return optimizer

    def _schedules_apply(self) -> bool:
        return self.solver in ("sgd", "gd")

    def _batch_size(self, n: int) -> int | None:
        if self.solver == "gd":
            return None
        if self.batch_size == "auto":
            return min(200, n)
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
        parts = train_test_split(*arrays, random_state=rng, test_size=self.validation_fraction,
                                 stratify=self._stratify(y, n_val))  # fmt: skip
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

    def _train(self, X: Array, targets: Array, y: Array, weights: Array | None,
               rng: np.random.RandomState, incremental: bool) -> None:  # fmt: skip
        (xt, tt, _, wt), val = self._split(X, targets, y, weights, rng)
        n = xt.shape[0]
        batch_size = self._batch_size(n)
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer(math.ceil(n / (batch_size or n)))
        if self.early_stopping and self.validation_scores_ is None:
            self._reset_scores()
        loss, scale = self._make_loss()
        objective = _Objective(loss, self.network_, self.alpha, self.l1)
        validate = None if val is None else lambda: self._validate(loss, scale, *val)
        relay = _Relay(objective, self._run_callbacks(incremental), scale, validate)
        self.n_iter_ = 0
        stopped = False
        try:
            for _ in range(1 if incremental else self.max_iter):
                relay.epoch = len(self.loss_curve_)
                if not self._run_epoch(relay, xt, tt, wt, batch_size, rng):
                    stopped = True
                    break
                asked = relay.trainer is not None and relay.trainer.stop_training
                if self._end_epoch(relay.logs, n) or asked:
                    stopped = True
                    break
        finally:
            relay.end()
        if not stopped and not incremental:
            message = f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and"
            warnings.warn(message + " the optimization hasn't converged yet.", ConvergenceWarning,
                          stacklevel=4)  # fmt: skip
        if self.early_stopping:
            self._set_params_from(self._best_params)

    def _run_callbacks(self, incremental: bool) -> list[Callback]:
        callbacks = list(self.callbacks or [])
        if self.verbose == 1:
            callbacks.insert(0, ProgressBar(1 if incremental else self.max_iter))
        return callbacks

    def _run_epoch(
        self, relay: _Relay, x: Array, t: Array, w: Array | None, batch_size: int | None, rng: Any
    ) -> bool:
        """One epoch through the engine; False (and the epoch undone) on KeyboardInterrupt."""
        saved = self._copy_params(), copy.copy(self._optimizer)  # its t, schedule, and:
        saved[1].state = {k: {s: a.copy() for s, a in d.items()} for k, d in saved[1].state.items()}
        try:
            if self._schedules_apply() and self.learning_rate != "cyclic":
                self._optimizer.schedule = Constant(self._lr)
            fit(self.network_, x, t, loss=relay.objective, optimizer=self._optimizer, epochs=1,
                batch_size=batch_size, shuffle=self.shuffle, random_state=rng,
                callbacks=[relay], sample_weight=w)  # fmt: skip
        except KeyboardInterrupt:
            self._set_params_from(saved[0])
            self._optimizer = saved[1]
            message = f"Training interrupted by user (KeyboardInterrupt) after {self.n_iter_}"
            warnings.warn(message + " epochs: kept the weights of the last complete epoch.",
                          UserWarning, stacklevel=5)  # fmt: skip
            return False
        except TrainingDiverged as exc:  # the engine counts epochs per call: give ours
            last = self.loss_curve_[-1] if self.loss_curve_ else None
            raise SolverDiverged(
                f"Solver produced non-finite parameter weights: training diverged in epoch "
                f"{self.n_iter_ + 1} (last finite epoch loss {last}); the network keeps the "
                "parameters of the last finite loss. Try a smaller learning_rate_init, or "
                "scale the inputs (and regression targets).",
                epoch=self.n_iter_,
                last_finite_loss=last,
            ) from exc
        return True

    def _validate(
        self, loss: Loss, scale: float, X: Array, targets: Array, y: Array, weights: Array | None
    ) -> tuple[float, float]:
        """Validation loss (no penalty) and score (accuracy or R²) after an epoch."""
        value = loss.forward(self._output(X), targets, weights) * scale
        return value, float(self._score_predictions(X, y, weights))

    def _end_epoch(self, logs: dict[str, float], n: int) -> bool:
        """scikit-learn's bookkeeping after an epoch; True when training should stop."""
        self.n_iter_ += 1
        self.t_ += n
        self.loss_ = float(logs["loss"])
        self.loss_curve_.append(self.loss_)
        self._say(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
        self._update_no_improvement_count(logs)
        if self._schedules_apply() and self.learning_rate == "invscaling":
            self._lr = float(self.learning_rate_init) / (self.t_ + 1) ** self.power_t
        if self._no_improvement_count <= self.n_iter_no_change:
            return False
        what = "Validation score" if self.early_stopping else "Training loss"
        message = (
            f"{what} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )
        if not (self._schedules_apply() and self.learning_rate == "adaptive"):
            self._say(message + " Stopping.")
            return True
        if self._lr <= 1e-6:
            self._say(message + " Learning rate too small. Stopping.")
            return True
        self._lr /= 5.0
        self._no_improvement_count = 0
        self._say(message + f" Setting learning rate to {self._lr:f}")
        return False

    def _update_no_improvement_count(self, logs: dict[str, float]) -> None:
        if self.early_stopping:
            score, best = float(logs["val_score"]), float(cast(float, self.best_validation_score_))
            cast(list[float], self.validation_scores_).append(score)
            cast(list[float], self.validation_loss_curve_).append(float(logs["val_loss"]))
            self._say(f"Validation score: {score:f}")
            worse = score < best + self.tol
            self._no_improvement_count = self._no_improvement_count + 1 if worse else 0
            if score > best:
                self.best_validation_score_ = score
                self._best_params = self._copy_params()
        else:
            best = np.inf if self.best_loss_ is None else self.best_loss_
            worse = self.loss_ > best - self.tol
            self._no_improvement_count = self._no_improvement_count + 1 if worse else 0
            self.best_loss_ = min(self.loss_, best)

    def _say(self, line: str) -> None:
        if self.verbose >= 2:
            print(line, file=sys.stdout, flush=True)

    # -- prediction ------------------------------------------------------------------------
    def _raw_output(self, X: Any) -> Array:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=self.network_.dtype)
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
