// The panels under the network: the equations of a layer, the update just made, the exports.
// The formulas shown are the ones the engine's docstrings give; the numbers come from the run.

import { decode } from "./draw.js";

const $ = (id) => document.getElementById(id);

// Each hidden activation: a = f(z) and f′ written with the layer's index L.
const ACTIVATION = {
  tanh: (L) => [`tanh(z${L})`, `(1 − a${L}²)`],
  sigmoid: (L) => [`σ(z${L}) = 1/(1 + e^−z${L})`, `a${L}(1 − a${L})`],
  relu: (L) => [`max(0, z${L})`, `1[z${L} > 0]`],
  leaky_relu: (L) => [`max(αz${L}, z${L})`, `(1[z${L} > 0] + α·1[z${L} ≤ 0])`],
  gelu: (L) => [`z${L}·Φ(z${L})`, `(Φ(z${L}) + z${L}·φ(z${L}))`],
  identity: (L) => [`z${L}`, "1"],
};

const UPDATE = {
  gd: "W ← W − η ∂J/∂W",
  gd_momentum: "v ← μv − η ∂J/∂W,  W ← W + v",
  adam: "m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  W ← W − η m̂/(√v̂ + ε)",
  rmsprop: "s ← ρs + (1−ρ)g²,  W ← W − η g/(√s + ε)",
  adagrad: "s ← s + g²,  W ← W − η g/(√s + ε)",
};

function shape(s) {
  return s ? `(${s.join(" × ")})` : "";
}

function sub(n) {
  return String(n).replace(/\d/g, (d) => "₀₁₂₃₄₅₆₇₈₉"[d]);
}

// δ of the output layer: the loss's gradient with respect to the last z.
function outputDelta(net, settings, l) {
  const per = net.reduction === "mean" ? "/B" : "";
  const L = sub(l);
  if (net.loss === "softmax_cross_entropy" || net.loss === "binary_cross_entropy")
    return `δ${L} = (ŷ − y)${per}   (${net.output} and the cross-entropy together)`;
  const error = {
    mean_squared_error: `2(ŷ − y)/(B·K)`,
    sum_squared_error: `2c(ŷ − y)${per}`,
    mean_absolute_error: `sign(ŷ − y)/(B·K)`,
  }[net.loss] || "∂L/∂ŷ";
  if (net.output === "sigmoid") return `δ${L} = ${error} ∘ ŷ(1 − ŷ)   (the sigmoid is the last layer)`;
  return `δ${L} = ${error}`;
}

function row(label, formula, size) {
  return `<tr><th>${label}</th><td class="formula">${formula}</td><td class="shape">${size}</td></tr>`;
}

export function renderEquations(target, state, layer) {
  const net = state.network, frame = state.frame, settings = state.settings;
  if (!net || !frame || !frame.shapes) return;
  const shapes = frame.shapes[layer - 1];
  if (!shapes) return;
  const last = layer === frame.shapes.length;
  const L = sub(layer), P = sub(layer - 1), N = sub(layer + 1);
  const pick = ACTIVATION[settings.activation] || ((i) => [`f(z${i})`, `f′(z${i})`]);
  const [forward, derivative] = pick(L);
  const bias = shapes.b ? ` + b${L}` : "";
  const penalty = [settings.l2 ? ` + λ₂W${L}` : "", settings.l1 ? ` + λ₁ sign(W${L})` : ""].join("");
  const rows = [
    row("forward", `z${L} = a${P} W${L}${bias}`, `${shape(shapes.a_in)} · ${shape(shapes.W)} → ${shape(shapes.z)}`),
    last
      ? row("", `ŷ = ${net.output}(z${L})`, shape(shapes.a))
      : row("", `a${L} = ${forward}`, shape(shapes.a)),
    last
      ? row("backward", outputDelta(net, settings, layer), shape(shapes.delta))
      : row("backward", `δ${L} = (δ${N} W${N}ᵀ) ∘ ${derivative}`, shape(shapes.delta)),
    row("", `∂J/∂W${L} = a${P}ᵀ δ${L}${penalty}`, shape(shapes.dW)),
    shapes.b ? row("", `∂J/∂b${L} = Σ_rows δ${L}`, shape(shapes.b)) : "",
    row("update", settings.optimizer === "gd" && settings.momentum ? UPDATE.gd_momentum : UPDATE[settings.optimizer] || "", `η = ${frame.learning_rate}`),
  ];
  const check = state.gradcheck;
  const error = check && check.errors[layer - 1] !== undefined
    ? `relative error ${check.errors[layer - 1].toExponential(2)} (backprop against central differences on ${check.rows} rows, after update ${check.update}; ${check.passed ? "below" : "above"} the tolerance ${check.tolerance})`
    : "not run yet: press “Check gradients” or take one step";
  target.innerHTML = `<table class="equations">${rows.join("")}</table>
    <p class="gradcheck">Gradient check, layer ${layer}: <span id="gradcheck-error">${error}</span></p>
    <p class="note">B = ${shapes.z[0]} rows per update; the loss is the ${net.loss_words}.</p>`;
}

function cells(matrix) {
  if (!matrix) return "";
  let top = 1e-12;
  for (const r of matrix) for (const v of r) top = Math.max(top, Math.abs(v ?? 0));
  return `<table class="matrix">${matrix
    .map((r) => `<tr>${r
      .map((v) => {
        const t = (v ?? 0) / top;
        const colour = t >= 0 ? `rgba(8,119,189,${Math.abs(t) * 0.6})` : `rgba(245,147,34,${Math.abs(t) * 0.6})`;
        return `<td style="background:${colour}">${v === null ? "–" : v.toPrecision(3)}</td>`;
      })
      .join("")}</tr>`)
    .join("")}</table>`;
}

export function renderExplain(target, explained) {
  if (!explained.layers.length) {
    target.textContent = explained.diverged || "no update was made";
    return;
  }
  const parts = explained.layers.map((layer) => {
    const L = sub(layer.layer);
    return `<div class="layer-step"><h3>Layer ${layer.layer}</h3>
      <p>δ${L} ${shape(layer.delta_shape)}, its first rows:</p>${cells(layer.delta_rows)}
      <p>ΔW${L} = W${L} after − before ${shape([layer.dW.length, layer.dW[0].length])}:</p>${cells(layer.dW)}
      ${layer.db ? `<p>Δb${L}:</p>${cells([layer.db])}` : ""}</div>`;
  });
  const note = explained.dropout_note ? " δ is shown without dropout's masks." : "";
  target.innerHTML = `<p id="explain-summary">Update ${explained.update}: a batch of ${explained.batch_rows} rows, η = ${explained.learning_rate}.${note}</p>
    <div class="layer-steps">${parts.join("")}</div>`;
}

// The tutorials' lines, with the number the tutorial itself printed beside glassnet's.
export function addPrinted(state, line) {
  state.printed.push(line);
  const key = line.split(":")[0];
  const theirs = state.printedByTutorial[key];
  const item = document.createElement("div");
  item.className = "printed-line";
  item.textContent = theirs ? `${line}   (the tutorial printed ${theirs})` : line;
  $("printed").appendChild(item);
  while ($("printed").children.length > 40) $("printed").firstChild.remove();
}

export function showExport(m) {
  const text = $("export-text");
  if (m.what === "model") {
    const bytes = decode(m.data);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
    link.download = m.filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    text.value = `${m.filename} downloaded (${bytes.length} bytes). Load it with glassnet.io.load("${m.filename}").`;
  } else if (m.what === "python") {
    text.value = m.text;
  } else if (m.command) {
    text.value = m.command + (m.note ? `\n# ${m.note}` : "");
  } else {
    text.value = `glassnet train cannot express this run: ${m.cannot.join("; ")}.\nExport the Python script instead: it repeats the run exactly.`;
  }
  $("export-kind").textContent = m.what;
}

export async function copyExport() {
  try {
    await navigator.clipboard.writeText($("export-text").value);
    $("export-kind").textContent = "copied";
  } catch {
    $("export-text").select();
    $("export-kind").textContent = "select and copy the text";
  }
}
