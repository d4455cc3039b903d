"""W1: the WildML moons network, 2-3-2 tanh/softmax, full-batch gradient descent.

Every contender trains the same network from the same weights — ``randn(2, 3)/√2`` then
``randn(3, 2)/√3`` from ``RandomState(0)``, biases zero — on ``make_moons(200, noise=0.20,
random_state=0)``: summed cross-entropy plus λ/2·ΣW² (λ = 0.01, biases not penalised),
learning rate 0.01.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.datasets import make_moons

from .harness import Contender

HIDDEN = 3
EPSILON = 0.01  # learning rate
REG_LAMBDA = 0.01  # L2 strength
nn_input_dim = 2  # the tutorial's names
nn_output_dim = 2


def moons_data() -> tuple[np.ndarray, np.ndarray]:
    return make_moons(200, noise=0.20, random_state=0)


def initial_weights(hidden: int = HIDDEN) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(0)
    W1 = rng.randn(nn_input_dim, hidden) / np.sqrt(nn_input_dim)
    W2 = rng.randn(hidden, nn_output_dim) / np.sqrt(hidden)
    return W1, W2


# -- the reference: the tutorial's own loop -----------------------------------------------------
def tutorial(X: np.ndarray, y: np.ndarray) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The tutorial's ``calculate_loss`` and ``build_model``, copied from the seed text.

    Changes: Python 3 (``range``), no ``print_loss``, the module globals ``X``, ``y``,
    ``num_examples``, ``epsilon`` and ``reg_lambda`` bound in this closure, and
    ``np.random.seed(0)`` replaced by an explicit ``RandomState(0)`` (the same draws).
    """
    num_examples = len(X)
    epsilon, reg_lambda = EPSILON, REG_LAMBDA

    def calculate_loss(model):
        W1, b1, W2, b2 = model["W1"], model["b1"], model["W2"], model["b2"]
        # Forward propagation to calculate our predictions
        z1 = X.dot(W1) + b1
        a1 = np.tanh(z1)
        z2 = a1.dot(W2) + b2
        exp_scores = np.exp(z2)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        # Calculating the loss
        correct_logprobs = -np.log(probs[range(num_examples), y])
        data_loss = np.sum(correct_logprobs)
        # Add regularization term to loss (optional)
        data_loss += reg_lambda / 2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)))
        return 1.0 / num_examples * data_loss

    def build_model(nn_hdim, num_passes=20000):
        # Initialize the parameters to random values. We need to learn these.
        rng = np.random.RandomState(0)
        W1 = rng.randn(nn_input_dim, nn_hdim) / np.sqrt(nn_input_dim)
        b1 = np.zeros((1, nn_hdim))
        W2 = rng.randn(nn_hdim, nn_output_dim) / np.sqrt(nn_hdim)
        b2 = np.zeros((1, nn_output_dim))
        # This is what we return at the end
        model = {}
        # Gradient descent. For each batch...
        for _i in range(0, num_passes):
            # Forward propagation
            z1 = X.dot(W1) + b1
            a1 = np.tanh(z1)
            z2 = a1.dot(W2) + b2
            exp_scores = np.exp(z2)
            probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
            # Backpropagation
            delta3 = probs
            delta3[range(num_examples), y] -= 1
            dW2 = (a1.T).dot(delta3)
            db2 = np.sum(delta3, axis=0, keepdims=True)
            delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))
            dW1 = np.dot(X.T, delta2)
            db1 = np.sum(delta2, axis=0)
            # Add regularization terms (b1 and b2 don't have regularization terms)
            dW2 += reg_lambda * W2
            dW1 += reg_lambda * W1
            # Gradient descent parameter update
            W1 += -epsilon * dW1
            b1 += -epsilon * db1
            W2 += -epsilon * dW2
            b2 += -epsilon * db2
            # Assign new parameters to the model
            model = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
        return model

    return calculate_loss, build_model


# -- hand-tight NumPy ---------------------------------------------------------------------------
def handtight(X: np.ndarray, y: np.ndarray, W1: np.ndarray, W2: np.ndarray, passes: int) -> dict:
    """The same updates with preallocated buffers, ``out=`` ufuncs, a precomputed row index
    and row/column sums as products with ones vectors."""
    n, h, c = X.shape[0], W1.shape[1], W2.shape[1]
    W1, W2 = W1.copy(), W2.copy()
    b1, b2 = np.zeros(h), np.zeros(c)
    rows, ones_n, ones_c = np.arange(n), np.ones(n), np.ones(c)
    a1, probs, row_sum = np.empty((n, h)), np.empty((n, c)), np.empty(n)
    delta2, slope = np.empty((n, h)), np.empty((n, h))
    dW1, dW2, db1, db2 = np.empty_like(W1), np.empty_like(W2), np.empty(h), np.empty(c)
    pen1, pen2 = np.empty_like(W1), np.empty_like(W2)
    XT, row_sum_col = X.T, row_sum[:, None]
    for _ in range(passes):
        np.matmul(X, W1, out=a1)
        a1 += b1
        np.tanh(a1, out=a1)
        np.matmul(a1, W2, out=probs)
        probs += b2
        np.exp(probs, out=probs)
        np.matmul(probs, ones_c, out=row_sum)
        probs /= row_sum_col
        probs[rows, y] -= 1.0  # delta3
        np.matmul(a1.T, probs, out=dW2)
        np.matmul(ones_n, probs, out=db2)
        np.matmul(probs, W2.T, out=delta2)
        np.multiply(a1, a1, out=slope)
        np.subtract(1.0, slope, out=slope)
        delta2 *= slope
        np.matmul(XT, delta2, out=dW1)
        np.matmul(ones_n, delta2, out=db1)
        dW2 += np.multiply(W2, REG_LAMBDA, out=pen2)
        dW1 += np.multiply(W1, REG_LAMBDA, out=pen1)
        for param, grad in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
            param -= np.multiply(grad, EPSILON, out=grad)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def handtight_exact(
    X: np.ndarray, y: np.ndarray, W1: np.ndarray, W2: np.ndarray, passes: int
) -> dict:
    """:func:`handtight` with the tutorial's own rounding: every sum is NumPy's
    ``np.sum`` (row sums along the rows, bias sums down the columns), as the tutorial and
    glassnet compute them, instead of a product with a ones vector (which BLAS accumulates
    in another order); ``δ₃ = p − y`` is one subtraction of one-hot rows. This is the
    fastest loop found that ends on the tutorial's weights bit for bit: the floor for an
    engine that reproduces the tutorial exactly."""
    n, h, c = X.shape[0], W1.shape[1], W2.shape[1]
    W1, W2 = W1.copy(), W2.copy()
    b1, b2 = np.zeros(h), np.zeros(c)
    onehot = np.zeros((n, c))
    onehot[np.arange(n), y] = 1.0
    a1, probs, row_sum = np.empty((n, h)), np.empty((n, c)), np.empty((n, 1))
    delta2, slope = np.empty((n, h)), np.empty((n, h))
    dW1, dW2, db1, db2 = np.empty_like(W1), np.empty_like(W2), np.empty(h), np.empty(c)
    pen1, pen2 = np.empty_like(W1), np.empty_like(W2)
    XT = X.T
    dot, add, sub, mul, reduce = np.dot, np.add, np.subtract, np.multiply, np.add.reduce
    for _ in range(passes):
        dot(X, W1, a1)
        add(a1, b1, a1)
        np.tanh(a1, a1)
        dot(a1, W2, probs)
        add(probs, b2, probs)
        np.exp(probs, probs)
        reduce(probs, 1, None, row_sum, True)
        np.divide(probs, row_sum, probs)
        sub(probs, onehot, probs)  # delta3
        dot(a1.T, probs, dW2)
        reduce(probs, 0, None, db2)
        dot(probs, W2.T, delta2)
        mul(a1, a1, slope)
        sub(1.0, slope, slope)
        mul(delta2, slope, delta2)
        dot(XT, delta2, dW1)
        reduce(delta2, 0, None, db1)
        add(dW2, mul(W2, REG_LAMBDA, pen2), dW2)
        add(dW1, mul(W1, REG_LAMBDA, pen1), dW1)
        for param, grad in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
            sub(param, mul(grad, EPSILON, grad), param)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


# -- glassnet -----------------------------------------------------------------------------------
def glassnet_engine(X: np.ndarray, y: np.ndarray, passes: int) -> Callable[[], Any]:
    import glassnet as gn
    import glassnet.experiments

    W1, W2 = initial_weights()
    net = gn.mlp([2, HIDDEN, 2], activation="tanh", output="softmax", l2=REG_LAMBDA, random_state=0)
    set_weights(net, [W1, W2])
    loss = gn.SoftmaxCrossEntropy(reduction="sum")
    optimizer = gn.GradientDescent(EPSILON)

    def run() -> Any:
        history = gn.fit(net, X, y, loss=loss, optimizer=optimizer, epochs=passes)
        return net, history

    return run


def set_weights(net: Any, weights: list[np.ndarray]) -> None:
    """Copy weights into a glassnet network (in layer order) and zero its biases."""
    params = net.parameters()
    names = [k for k in params if k.endswith(".weight")]
    if len(names) != len(weights):
        raise ValueError(f"network has {len(names)} weight matrices, got {len(weights)}")
    for name, w in zip(names, weights, strict=True):
        params[name][...] = w
    for name, p in params.items():
        if name.endswith(".bias"):
            p[...] = 0


def glassnet_params(net: Any) -> dict[str, np.ndarray]:
    params = net.parameters()
    w = [v for k, v in params.items() if k.endswith(".weight")]
    b = [v for k, v in params.items() if k.endswith(".bias")]
    return {"W1": w[0], "b1": b[0], "W2": w[1], "b2": b[1]}


# -- PyTorch ------------------------------------------------------------------------------------
def torch_eager(torch: Any, X: np.ndarray, y: np.ndarray, passes: int) -> Callable[[], Any]:
    nn = torch.nn
    W1, W2 = initial_weights()
    model = nn.Sequential(nn.Linear(2, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, 2)).double()
    with torch.no_grad():
        for layer, w in ((model[0], W1), (model[2], W2)):
            layer.weight.copy_(torch.from_numpy(w.T))
            layer.bias.zero_()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y).long()
    optimizer = torch.optim.SGD(model.parameters(), lr=EPSILON)
    cross_entropy = nn.CrossEntropyLoss(reduction="sum")
    w1, w2 = model[0].weight, model[2].weight

    def run() -> dict[str, np.ndarray]:
        for _ in range(passes):
            optimizer.zero_grad()
            penalty = REG_LAMBDA / 2 * (w1.pow(2).sum() + w2.pow(2).sum())
            loss = cross_entropy(model(Xt), yt) + penalty
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            return {
                "W1": w1.numpy().T.copy(),
                "b1": model[0].bias.numpy().copy(),
                "W2": w2.numpy().T.copy(),
                "b2": model[2].bias.numpy().copy(),
            }

    return run


# -- scikit-learn -------------------------------------------------------------------------------
SKLEARN_NOTE = (
    "weights copied (warm_start); softmax output forced (out_activation_), as sklearn "
    "gives 2 classes 1 logistic unit; lr 2.0, alpha 0.01"
)


def sklearn_mlp(X: np.ndarray, y: np.ndarray, passes: int) -> Callable[[], Any]:
    """MLPClassifier with the same updates.

    sklearn's batch gradient is (aᵀδ + αW)/n with δ = ŷ − y, so its step lr_sk·(aᵀδ + αW)/n
    equals ours, ε·(aᵀδ + λW), when lr_sk = ε·n = 2.0 and α = λ = 0.01. For two classes sklearn
    builds one logistic output unit; one-hot targets (multilabel form, two output units) plus
    ``out_activation_ = "softmax"`` set before a warm-started ``fit`` give the 2-unit softmax
    network with our weights.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    n = X.shape[0]
    onehot = np.eye(2, dtype=int)[y]
    est = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,),
        activation="tanh",
        solver="sgd",
        alpha=REG_LAMBDA,
        batch_size=n,
        learning_rate_init=EPSILON * n,
        momentum=0.0,
        shuffle=False,
        max_iter=1,
        n_iter_no_change=passes + 1,
        warm_start=True,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, onehot)  # creates the fitted attributes; overwritten below
    W1, W2 = initial_weights()
    est.coefs_ = [W1.copy(), W2.copy()]
    est.intercepts_ = [np.zeros(HIDDEN), np.zeros(2)]
    est.out_activation_ = "softmax"
    est.loss_curve_, est.best_loss_, est._no_improvement_count = [], np.inf, 0
    est.set_params(max_iter=passes)

    def run() -> dict[str, np.ndarray]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, onehot)
        return {
            "W1": est.coefs_[0],
            "b1": est.intercepts_[0],
            "W2": est.coefs_[1],
            "b2": est.intercepts_[1],
        }

    return run


# -- the workload -------------------------------------------------------------------------------
Factory = Callable[[int], Callable[[], Any]]


def factories(torch: Any) -> tuple[dict[str, tuple[Factory, str]], list[str]]:
    """Contender name → (``passes`` → the run to time, note); the first is the reference."""
    import glassnet as gn
    import glassnet.experiments

    X, y = moons_data()
    _, build_model = tutorial(X, y)
    skipped = []
    found: dict[str, tuple[Factory, str]] = {
        "tutorial loop (ref)": (
            lambda p: lambda: build_model(HIDDEN, p),
            "the seed's build_model",
        ),
        "hand-tight NumPy": (
            lambda p: lambda: handtight(X, y, *initial_weights(), p),
            "buffers, out= ufuncs, index array, ones-vector sums",
        ),
        "hand-tight NumPy, exact": (
            lambda p: lambda: handtight_exact(X, y, *initial_weights(), p),
            "the same with np.sum's sums: the tutorial's numbers bit for bit",
        ),
        "glassnet fit": (
            lambda p: glassnet_engine(X, y, p),
            "mlp + fit(SoftmaxCrossEntropy(sum), GradientDescent)",
        ),
        "glassnet experiments.moons": (
            lambda p: lambda: gn.experiments.moons(HIDDEN, p),
            "also records the loss after every update",
        ),
    }
    if torch is None:
        skipped.append("PyTorch eager (torch not installed)")
    else:
        found["PyTorch eager"] = (
            lambda p: torch_eager(torch, X, y, p),
            "float64, SGD, L2 in the loss",
        )
    found["scikit-learn MLPClassifier"] = (lambda p: sklearn_mlp(X, y, p), SKLEARN_NOTE)
    return found, skipped


def contenders(passes: int, found: dict[str, tuple[Factory, str]]) -> list[Contender]:
    return [
        Contender(name, functools.partial(factory, passes), note)
        for name, (factory, note) in found.items()
    ]


def final_weights(name: str, output: Any) -> dict[str, np.ndarray]:
    if name == "glassnet fit":
        return glassnet_params(output[0])
    if name == "glassnet experiments.moons":
        return glassnet_params(output.network)
    return output


def loss_check(
    timings: list[Any], passes: int, found: dict[str, tuple[Factory, str]]
) -> tuple[str, dict[str, Any]]:
    """Final losses of every contender against the tutorial loop's, on the tutorial's formula.

    With 3 hidden units this learning rate ends in a period-2 oscillation whose phase depends
    on rounding, so each contender is also run for ``passes − 1`` passes (untimed) and the
    losses after the last two updates are compared as an unordered pair.
    """
    X, y = moons_data()
    calculate_loss, _ = tutorial(X, y)
    data: dict[str, Any] = {}
    for t in timings:
        final = calculate_loss(final_weights(t.name, t.output))
        before = calculate_loss(final_weights(t.name, found[t.name][0](passes - 1)()))
        data[t.name] = {"final": final, "before_last": before}
    ref = data[timings[0].name]
    ref_pair = sorted([ref["before_last"], ref["final"]])
    lines = [
        f"loss after the last two updates ({passes - 1}, {passes}; the tutorial's "
        f"calculate_loss); tutorial loop: {ref['before_last']:.12f}, {ref['final']:.12f}",
        f"  {'contender':<28}{'final loss':>16}{'rel. diff.':>12}{'as a pair':>12}",
    ]
    for t in timings[1:]:
        row = data[t.name]
        rel = abs(row["final"] - ref["final"]) / ref["final"]
        pair = sorted([row["before_last"], row["final"]])
        pair_rel = max(abs(a - b) / b for a, b in zip(pair, ref_pair, strict=True))
        row.update(rel_diff=rel, pair_rel_diff=pair_rel)
        verdict = ""
        if t.name.startswith("glassnet"):
            row["ok"] = rel <= 1e-9
            verdict = "   final ≤ 1e-9: " + ("ok" if row["ok"] else "FAIL")
            if not row["ok"]:
                verdict += " (pair " + ("ok" if pair_rel <= 1e-9 else "FAIL") + ")"
        lines.append(f"  {t.name:<28}{row['final']:>16.12f}{rel:>12.1e}{pair_rel:>12.1e}{verdict}")
    if "glassnet experiments.moons" in data:
        result = timings[[t.name for t in timings].index("glassnet experiments.moons")].output
        own = float(result.losses[-1])
        data["glassnet experiments.moons"]["reported_final"] = own
        lines.append(
            f"  experiments.moons reports losses[-1] = {own:.12f} "
            f"(rel. diff. {abs(own - ref['final']) / ref['final']:.1e})"
        )
    return "\n".join(lines), data
