// The glassnet playground page: controls, the connection to this tab's run, and drawing.
// Everything is computed by the server (glassnet's own engine); the page draws what it sends.

import {
  decode, drawChart, drawNetwork, drawOutput, layout, mapImage, nearestLink, outputImage,
} from "./draw.js";
import { addPrinted, copyExport, renderEquations, renderExplain, showExport } from "./panels.js";

const $ = (id) => document.getElementById(id);

const DATASET_NAMES = {
  circles: "Circle", noisy_xor: "Exclusive or", blobs: "Gaussian", spiral: "Spiral",
  moons: "Moons", xor: "XOR table", plane: "Plane", multi_gaussian: "Multi Gaussian",
  upload: "Your file",
};
const REGRESSION = ["plane", "multi_gaussian"];
const RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const PENALTIES = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const BATCHES = [1, 2, 5, 10, 20, 50, 100, 200, "full"];
const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
const HISTORY_POINTS = 600;

// What the page knows; window.playground lets tests and the curious look at it.
const state = {
  socket: null, choices: null, limits: null, settings: null, data: null, network: null,
  frame: null, pending: null, history: [], playing: false, gradcheck: null, links: [],
  framesDrawn: 0, framesReceived: 0, errors: [], selectedLayer: 1, images: null, printed: [],
};
window.playground = state;

// -- the connection -----------------------------------------------------------------------------
function addressSettings() {
  const text = location.hash.replace(/^#/, "") || location.search.replace(/^\?/, "");
  const values = {};
  for (const [name, value] of new URLSearchParams(text)) values[name] = value;
  return values;
}

function send(message) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify(message));
  } else {
    showError("not connected to the playground's server; reload the page once it runs again");
  }
}

function connect() {
  const socket = new WebSocket(`ws://${location.host}/ws`);
  state.socket = socket;
  socket.addEventListener("open", () => send({ type: "hello", settings: addressSettings() }));
  socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
  socket.addEventListener("close", () => {
    state.playing = false;
    $("status").textContent = "disconnected";
    showError("the connection to the playground's server closed; reload the page to start again");
  });
}

function receive(message) {
  const handler = HANDLERS[message.type];
  if (handler) handler(message);
}

const HANDLERS = {
  welcome(m) {
    state.choices = m.choices; state.limits = m.limits;
    fillControls(m);
    $("status").textContent = "connected";
  },
  settings(m) {
    state.settings = m.settings;
    history.replaceState(null, "", m.query ? `#${m.query}` : location.pathname);
    showSettings(m);
  },
  data(m) {
    state.data = m;
    const image = (base64) => { const codes = decode(base64); return mapImage(codes, Math.round(Math.sqrt(codes.length))); };
    state.inputImages = m.inputs.map((input) => image(input.map));
    state.featureImages = Object.fromEntries(Object.entries(m.features).map(([name, map]) => [name, image(map)]));
    $("data-name").textContent = `${m.name}: ${m.train.length} training and ${m.test.length} test points`;
  },
  network(m) {
    state.network = m; state.history = []; state.gradcheck = null;
    $("explain-body").textContent = "Press +1 to make one update and see it here.";
    $("printed").innerHTML = "";
    state.printed = [];
    fillLayerChoice();
  },
  frame(m) {
    state.framesReceived += 1;
    state.pending = m;
    if (!state.drawScheduled) {
      state.drawScheduled = true;
      requestAnimationFrame(drawPending);
    }
  },
  playing(m) { setPlaying(m.playing); },
  explain(m) { renderExplain($("explain-body"), m); },
  gradcheck(m) { state.gradcheck = m; showEquations(); },
  uploaded(m) { $("upload-status").textContent = `${m.name}: ${m.rows} rows, ${m.task}`; },
  export(m) { showExport(m); },
  error(m) { showError(m.message); },
};

// -- drawing frames -------------------------------------------------------------------------------
function drawPending() {
  const began = performance.now();
  state.drawScheduled = false;
  const m = state.pending;
  if (!m) return;
  state.pending = null;
  state.frame = m;
  if (m.streamed) send({ type: "ack" });
  if (state.history.length && state.history[state.history.length - 1][0] > m.update) state.history = [];
  if (!state.history.length || state.history[state.history.length - 1][0] !== m.update) {
    state.history.push([m.update, m.train_loss, m.test_loss]);
    if (state.history.length > HISTORY_POINTS) state.history = state.history.filter((_, i) => i % 2 === 0);
  }
  $("updates").textContent = m.update.toLocaleString("en");
  $("epoch").textContent = m.epoch.toFixed(m.epoch % 1 ? 2 : 0);
  $("train-loss").textContent = m.train_loss === null ? "–" : m.train_loss.toFixed(6);
  $("test-loss").textContent = m.test_loss === null ? "–" : m.test_loss.toFixed(6);
  for (const line of m.printed) addPrinted(state, line);
  if (m.diverged) { showError(m.diverged); setPlaying(false); }
  drawAll();
  showEquations();
  state.framesDrawn += 1;
  state.drawMs = performance.now() - began;
}

function drawAll() {
  const m = state.frame, data = state.data;
  if (!m || !data || !state.network) return;
  const discretize = state.settings && state.settings.discretize;
  const grid = Math.round(Math.sqrt(m.output.kind === "classes" ? decode(m.output.data[0]).length : decode(m.output.data).length));
  const image = outputImage(m.output, grid, discretize);
  drawOutput($("output"), image, data, state.settings && state.settings.show_test);
  drawChart($("chart"), state.history);
  drawNet(image);
}

function inputNodes() {
  const active = state.settings.features;
  const names = state.settings.dataset === "xor" || !state.choices ? active : state.choices.features;
  const nodes = names.map((name) => {
    const index = active.indexOf(name);
    const image = index >= 0 ? state.inputImages[index] : state.featureImages[name];
    return { label: name, active: index >= 0, image, feature: name };
  });
  const extra = state.data.inputs.slice(active.length);
  extra.forEach((input, i) => nodes.push({ label: input.name, active: true, image: state.inputImages[active.length + i] }));
  return nodes;
}

function drawNet(outputMap) {
  const m = state.frame, canvas = $("network");
  const hidden = m.neurons.map((layer, l) => layer.map((bytes, j) => {
    const codes = decode(bytes);
    return { active: true, image: mapImage(codes, Math.round(Math.sqrt(codes.length)), false, `unit ${l} ${j}`) };
  }));
  const sizes = state.network.sizes;
  const output = Array.from({ length: sizes[sizes.length - 1] }, () => ({ active: true, image: outputMap }));
  const columns = [inputNodes(), ...hidden, output];
  columns.forEach((column, c) => column.forEach((node) => { node.selected = c === state.selectedLayer; }));
  state.placed = layout(canvas, columns);
  state.links = drawNetwork(canvas, state.placed, m.weights);
  placeUnitButtons();
}

function placeUnitButtons() {
  const box = $("unit-buttons");
  const hidden = state.settings.hidden;
  if (box.dataset.key !== hidden.join(",")) {
    box.dataset.key = hidden.join(",");
    box.innerHTML = "";
    hidden.forEach((units, l) => {
      const group = document.createElement("div");
      group.className = "unit-group";
      group.innerHTML = `<button class="add-unit" title="add a unit to layer ${l + 1}">+</button><button class="remove-unit" title="remove a unit of layer ${l + 1}">−</button><span>${units} unit${units > 1 ? "s" : ""}</span>`;
      group.querySelector(".add-unit").addEventListener("click", () => changeUnits(l, +1));
      group.querySelector(".remove-unit").addEventListener("click", () => changeUnits(l, -1));
      box.appendChild(group);
    });
  }
  const groups = box.querySelectorAll(".unit-group");
  groups.forEach((group, l) => {
    const node = state.placed[l + 1] && state.placed[l + 1][0];
    if (node) group.style.left = `${node.x + node.size / 2 - 30}px`;
  });
}

function changeUnits(layer, by) {
  const hidden = [...state.settings.hidden];
  const units = hidden[layer] + by;
  if (units < 1) return;
  if (by > 0 && units > state.limits.button_units) {
    showError(`at most ${state.limits.button_units} units per layer from the buttons`);
    return;
  }
  hidden[layer] = units;
  set({ hidden });
}

function changeLayers(by) {
  const hidden = [...state.settings.hidden];
  if (by > 0) {
    if (hidden.length >= state.limits.layers) { showError(`at most ${state.limits.layers} hidden layers`); return; }
    hidden.push(2);
  } else {
    if (!hidden.length) return;
    hidden.pop();
  }
  set({ hidden });
}

// -- controls --------------------------------------------------------------------------------------
function set(values) { send({ type: "set", values }); }

function options(select, values, label = (v) => String(v)) {
  select.innerHTML = values.map((v) => `<option value="${v}">${label(v)}</option>`).join("");
}

function fillControls(m) {
  const c = m.choices;
  options($("activation"), c.activation);
  options($("optimizer"), c.optimizer);
  options($("schedule"), c.schedule);
  options($("loss"), c.loss);
  options($("output-function"), c.output);
  options($("reduction"), c.reduction);
  options($("init"), c.init);
  options($("learning_rate"), RATES);
  options($("l1"), PENALTIES);
  options($("l2"), PENALTIES);
  options($("batch_size"), BATCHES);
  options($("dropout"), DROPOUTS);
  options($("preset"), Object.keys(m.presets), (name) => m.presets[name]);
  const box = $("datasets");
  box.innerHTML = "";
  for (const name of c.dataset.filter((d) => d !== "upload")) {
    const button = document.createElement("button");
    button.textContent = DATASET_NAMES[name] || name;
    button.dataset.dataset = name;
    button.className = REGRESSION.includes(name) ? "dataset regression" : "dataset classification";
    button.addEventListener("click", () => set({ dataset: name }));
    box.appendChild(button);
  }
}

function selectValue(select, value) {
  const text = String(value);
  if (![...select.options].some((o) => o.value === text)) {
    select.insertAdjacentHTML("beforeend", `<option value="${text}">${text}</option>`);
  }
  select.value = text;
}

function showSettings(m) {
  const s = m.settings;
  for (const element of document.querySelectorAll("[data-setting]")) {
    const value = s[element.dataset.setting];
    if (element.type === "checkbox") element.checked = Boolean(value);
    else if (element.tagName === "SELECT") selectValue(element, value);
    else element.value = value;
    const shown = document.querySelector(`[data-shows="${element.dataset.setting}"]`);
    if (shown) shown.textContent = element.dataset.setting === "test_size" ? `${Math.round((1 - value) * 100)}%` : value;
  }
  for (const button of document.querySelectorAll("#datasets button")) {
    button.classList.toggle("selected", button.dataset.dataset === s.dataset);
  }
  const regression = REGRESSION.includes(s.dataset) || (s.dataset === "upload" && state.data && state.data.task === "regression");
  $("problem").value = regression ? "regression" : "classification";
  for (const button of document.querySelectorAll("#datasets button")) {
    button.hidden = button.classList.contains("regression") !== regression;
  }
  $("layer-count").textContent = `${s.hidden.length} hidden layer${s.hidden.length === 1 ? "" : "s"}`;
  $("preset-title").textContent = m.preset_title ? `Preset: ${m.preset_title}` : "";
  state.printedByTutorial = m.printed_by_tutorial || {};
  $("momentum").disabled = s.optimizer !== "gd";
  drawAll();
}

function bindControls() {
  for (const element of document.querySelectorAll("[data-setting]")) {
    const event = element.type === "range" ? "change" : "change";
    element.addEventListener(event, () => {
      const name = element.dataset.setting;
      const value = element.type === "checkbox" ? element.checked : element.value;
      set({ [name]: value });
    });
    if (element.type === "range") {
      element.addEventListener("input", () => {
        const shown = document.querySelector(`[data-shows="${element.dataset.setting}"]`);
        if (shown) shown.textContent = element.dataset.setting === "test_size" ? `${Math.round((1 - element.value) * 100)}%` : element.value;
      });
    }
  }
  $("play").addEventListener("click", () => send({ type: state.playing ? "pause" : "play" }));
  $("step").addEventListener("click", () => send({ type: "step" }));
  $("reset").addEventListener("click", () => send({ type: "reset" }));
  $("add-layer").addEventListener("click", () => changeLayers(+1));
  $("remove-layer").addEventListener("click", () => changeLayers(-1));
  $("regenerate").addEventListener("click", () => set({ seed: (state.settings.seed + 1) % 2147483647 }));
  $("load-preset").addEventListener("click", () => send({ type: "preset", name: $("preset").value }));
  $("gradcheck").addEventListener("click", () => send({ type: "gradcheck" }));
  $("export-model").addEventListener("click", () => send({ type: "export", what: "model" }));
  $("export-python").addEventListener("click", () => send({ type: "export", what: "python" }));
  $("export-command").addEventListener("click", () => send({ type: "export", what: "command" }));
  $("copy").addEventListener("click", copyExport);
  $("problem").addEventListener("change", () => {
    set({ dataset: $("problem").value === "regression" ? REGRESSION[0] : "circles" });
  });
  $("eq-layer").addEventListener("change", () => { state.selectedLayer = Number($("eq-layer").value); showEquations(); drawAll(); });
  $("upload").addEventListener("change", uploadFile);
  $("network").addEventListener("mousemove", hover);
  $("network").addEventListener("mouseleave", () => { $("tooltip").hidden = true; });
  $("network").addEventListener("click", clickNetwork);
  $("dismiss").addEventListener("click", () => { $("error").hidden = true; });
}

function setPlaying(playing) {
  state.playing = playing;
  $("play").textContent = playing ? "❚❚" : "▶";
  $("play").title = playing ? "Pause" : "Play";
  $("play").classList.toggle("playing", playing);
}

// -- the network's canvas: weights on hover, features and layers on click -------------------------
function canvasPoint(event) {
  const canvas = $("network"), box = canvas.getBoundingClientRect();
  return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
}

function hover(event) {
  const [x, y] = canvasPoint(event);
  const link = nearestLink(state.links, x, y);
  const tip = $("tooltip");
  if (!link) { tip.hidden = true; return; }
  tip.hidden = false;
  tip.textContent = `W${link.l + 1}[${link.i + 1}, ${link.j + 1}] = ${link.w.toPrecision(4)}`;
  tip.style.left = `${event.offsetX + 12}px`;
  tip.style.top = `${event.offsetY + 12}px`;
}

function clickNetwork(event) {
  const [x, y] = canvasPoint(event);
  (state.placed || []).forEach((column, c) => column.forEach((node) => {
    if (x < node.x || x > node.x + node.size || y < node.y || y > node.y + node.size) return;
    if (node.feature && state.settings.dataset !== "xor") {
      const active = new Set(state.settings.features);
      if (active.has(node.feature)) active.delete(node.feature); else active.add(node.feature);
      if (active.size) set({ features: [...active] });
    } else if (c > 0) {
      state.selectedLayer = c;
      $("eq-layer").value = String(c);
      showEquations();
      drawAll();
    }
  }));
}

// -- panels ---------------------------------------------------------------------------------------
function fillLayerChoice() {
  const count = state.network.sizes.length - 1;
  options($("eq-layer"), Array.from({ length: count }, (_, i) => i + 1), (l) => (l === count ? `${l} (output)` : `${l} (hidden)`));
  state.selectedLayer = Math.min(state.selectedLayer, count);
  $("eq-layer").value = String(state.selectedLayer);
}

function showEquations() {
  const f = state.frame;
  const key = f && JSON.stringify([state.selectedLayer, f.shapes, f.learning_rate, state.gradcheck, state.settings, state.network]);
  if (key === state.equationsKey) return;  // the panel is redrawn only when it changes
  state.equationsKey = key;
  renderEquations($("eq-body"), state, state.selectedLayer);
}

function uploadFile() {
  const file = $("upload").files[0];
  if (!file) return;
  if (file.size > state.limits.upload_bytes) {
    showError(`${file.name} is larger than ${state.limits.upload_bytes / 1024} KiB; upload at most ${state.limits.samples} rows of two features and a label`);
    $("upload").value = "";
    return;
  }
  file.text().then((text) => send({ type: "upload", name: file.name, text }));
  $("upload").value = "";
}

let errorTimer = null;
function showError(message) {
  state.errors.push(message);
  $("error-text").textContent = message;
  $("error").hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { $("error").hidden = true; }, 12000);
}

bindControls();
connect();
