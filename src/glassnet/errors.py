"""glassnet's exceptions: one base class to catch them all.

Every exception glassnet raises on purpose derives from :class:`GlassnetError`;
those about bad input also derive from :class:`ValueError`, so code written
against NumPy or scikit-learn conventions keeps working.
"""

from __future__ import annotations

__all__ = [
    "DeviceUnavailable",
    "GlassnetError",
    "ModelFileError",
    "NotFittedError",
    "TrainingDiverged",
    "TrainingInterrupted",
    "ValidationError",
]


class GlassnetError(Exception):
    """Base class of every exception raised by glassnet."""


class ValidationError(GlassnetError, ValueError):
    """An argument or an array is not what the function needs (the message says how to fix it)."""


class NotFittedError(GlassnetError, AttributeError):
    """A network or estimator was used for prediction before it was built or trained."""


class TrainingDiverged(GlassnetError, ArithmeticError):
    """The loss, a gradient or a parameter became NaN or infinite during training.

    Attributes
    ----------
    epoch : int
        The epoch (0-based) in which the non-finite value appeared.
    last_finite_loss : float or None
        The last finite loss seen before divergence.
    """

    def __init__(self, message: str, *, epoch: int, last_finite_loss: float | None) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.last_finite_loss = last_finite_loss


class ModelFileError(ValidationError):
    """A model file cannot be loaded: not a glassnet file, corrupt, too new or inconsistent."""


class DeviceUnavailable(GlassnetError, RuntimeError):
    """A device was asked for that this machine cannot provide: ``device="cuda"`` without CuPy
    installed (``pip install "glassnet[gpu]"``) or without a visible CUDA GPU."""


class TrainingInterrupted(GlassnetError, KeyboardInterrupt):
    """Training stopped between two updates after Ctrl-C (SIGINT) or SIGTERM.

    The network keeps its state. ``checkpoint`` is the path of the checkpoint written, from
    which ``fit(..., resume=checkpoint)`` goes on (None when no path was given).
    """

    def __init__(self, message: str, *, checkpoint: str | None) -> None:
        super().__init__(message)
        self.checkpoint = checkpoint
