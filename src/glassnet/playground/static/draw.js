// Drawing: heat maps, the network with its weights, the output with its points, the loss chart.
// Maps arrive as base64 bytes: 0 is -1, 255 is +1 on a diverging orange-white-blue scale.

const NEGATIVE = [245, 147, 34];
const MIDDLE = [232, 234, 235];
const POSITIVE = [8, 119, 189];
export const CLASS_COLOURS = [
  [245, 147, 34], [8, 119, 189], [46, 160, 67], [148, 103, 189],
  [214, 39, 40], [140, 86, 75], [227, 119, 194], [127, 127, 127],
];

// One colour per byte value: -1 orange, 0 near white, +1 blue.
const SCALE = (() => {
  const table = new Uint8ClampedArray(256 * 3);
  for (let b = 0; b < 256; b++) {
    const v = b / 127.5 - 1;
    const end = v < 0 ? NEGATIVE : POSITIVE;
    const t = Math.abs(v);
    for (let c = 0; c < 3; c++) table[b * 3 + c] = MIDDLE[c] + (end[c] - MIDDLE[c]) * t;
  }
  return table;
})();

export function decode(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export function scaleColour(value) {
  const b = Math.max(0, Math.min(255, Math.round((value + 1) * 127.5)));
  return `rgb(${SCALE[b * 3]},${SCALE[b * 3 + 1]},${SCALE[b * 3 + 2]})`;
}

function discrete(b) {
  return b > 127 ? 255 : b < 127 ? 0 : 127;
}

// Offscreen canvases are kept by name and drawn over, frame after frame.
const canvases = new Map();
function offscreen(key, size) {
  let canvas = key ? canvases.get(key) : null;
  if (!canvas) {
    canvas = document.createElement("canvas");
    if (key) canvases.set(key, canvas);
  }
  if (canvas.width !== size) canvas.width = canvas.height = size;
  return canvas;
}

// An offscreen canvas of side `size` with the map's colours (reused when given a key).
export function mapImage(bytes, size, discretize = false, key = null) {
  const canvas = offscreen(key, size);
  const context = canvas.getContext("2d");
  const image = context.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const b = discretize ? discrete(bytes[i]) : bytes[i];
    image.data[i * 4] = SCALE[b * 3];
    image.data[i * 4 + 1] = SCALE[b * 3 + 1];
    image.data[i * 4 + 2] = SCALE[b * 3 + 2];
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

// Several classes: each point's colour mixes the classes' colours by their probabilities.
function classesImage(channels, size, discretize) {
  const canvas = offscreen("output", size);
  const context = canvas.getContext("2d");
  const image = context.createImageData(size, size);
  const k = channels.length;
  for (let i = 0; i < size * size; i++) {
    let best = 0, top = -1;
    const rgb = [0, 0, 0];
    for (let c = 0; c < k; c++) {
      const p = channels[c][i] / 255;
      if (p > top) { top = p; best = c; }
      const colour = CLASS_COLOURS[c % CLASS_COLOURS.length];
      for (let j = 0; j < 3; j++) rgb[j] += p * colour[j];
    }
    const sure = discretize ? 1 : Math.max(0, (top - 1 / k) / (1 - 1 / k));
    const base = discretize ? CLASS_COLOURS[best % CLASS_COLOURS.length] : rgb;
    for (let j = 0; j < 3; j++) image.data[i * 4 + j] = MIDDLE[j] + (base[j] - MIDDLE[j]) * sure;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

export function outputImage(output, size, discretize) {
  if (output.kind === "classes") return classesImage(output.data.map(decode), size, discretize);
  return mapImage(decode(output.data), size, discretize, "output");
}

function pointColour(label, data) {
  if (data.task === "regression") return scaleColour(label / (data.peak || 1));
  const colour = CLASS_COLOURS[label % CLASS_COLOURS.length];
  return `rgb(${colour[0]},${colour[1]},${colour[2]})`;
}

// The output's heat map and the data's points on it.
export function drawOutput(canvas, image, data, showTest) {
  const context = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  context.imageSmoothingEnabled = true;
  context.drawImage(image, 0, 0, w, h);
  const [x1Low, x1High, x2Low, x2High] = data.bounds;
  const px = (x) => ((x - x1Low) / (x1High - x1Low)) * w;
  const py = (y) => ((x2High - y) / (x2High - x2Low)) * h;
  const draw = (points, stroke) => {
    for (const [x, y, label] of points) {
      context.beginPath();
      context.arc(px(x), py(y), 3.2, 0, 2 * Math.PI);
      context.fillStyle = pointColour(label, data);
      context.fill();
      context.lineWidth = 1;
      context.strokeStyle = stroke;
      context.stroke();
    }
  };
  draw(data.train, "white");
  if (showTest) draw(data.test, "black");
}

// The loss chart: training (dark) and test (orange) loss against the update.
export function drawChart(canvas, history) {
  const context = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  context.clearRect(0, 0, w, h);
  if (history.length < 2) return;
  let top = 0;
  for (const [, train, test] of history) top = Math.max(top, train ?? 0, test ?? 0);
  top = top || 1;
  const first = history[0][0], last = history[history.length - 1][0] || 1;
  const span = Math.max(1, last - first);
  for (const [column, colour] of [[2, "#f59322"], [1, "#333"]]) {
    context.beginPath();
    let started = false;
    for (const point of history) {
      if (point[column] === null || point[column] === undefined) continue;
      const x = ((point[0] - first) / span) * w;
      const y = h - (point[column] / top) * (h - 4) - 2;
      if (started) context.lineTo(x, y); else context.moveTo(x, y);
      started = true;
    }
    context.strokeStyle = colour;
    context.lineWidth = 1.5;
    context.stroke();
  }
}

// Where each node of the network sits: columns of inputs, hidden layers and the output.
export function layout(canvas, columns) {
  const w = canvas.width, h = canvas.height;
  const most = Math.max(...columns.map((c) => c.length));
  const size = Math.max(6, Math.min(34, (h - 20) / most - 6));
  const gap = Math.max(2, Math.min(12, (h - 20 - most * size) / Math.max(1, most)));
  const xs = columns.map((_, i) => 56 + (i * (w - 76 - size)) / Math.max(1, columns.length - 1));
  return columns.map((nodes, i) =>
    nodes.map((node, j) => ({ ...node, x: xs[i], y: 14 + j * (size + gap), size })),
  );
}

// The network: links coloured by the weight's sign and as thick as its size, nodes as maps.
export function drawNetwork(canvas, placed, weights) {
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const links = [];
  for (let l = 0; l < weights.length; l++) {
    const from = placed[l].filter((n) => n.active), to = placed[l + 1];
    const matrix = weights[l];
    for (let i = 0; i < from.length; i++) {
      for (let j = 0; j < to.length; j++) {
        const w = matrix[i] ? matrix[i][j] : null;
        if (w === null || w === undefined) continue;
        const a = from[i], b = to[j];
        const link = { x0: a.x + a.size, y0: a.y + a.size / 2, x1: b.x, y1: b.y + b.size / 2, w, l, i, j };
        links.push(link);
        context.beginPath();
        context.moveTo(link.x0, link.y0);
        context.lineTo(link.x1, link.y1);
        context.strokeStyle = w >= 0 ? "rgba(8,119,189,0.75)" : "rgba(245,147,34,0.75)";
        context.lineWidth = Math.min(6, 0.4 + Math.abs(w) * 1.5);
        context.stroke();
      }
    }
  }
  for (const column of placed) {
    for (const node of column) {
      context.fillStyle = "#fff";
      context.fillRect(node.x - 1, node.y - 1, node.size + 2, node.size + 2);
      if (node.image) {
        context.imageSmoothingEnabled = true;
        context.globalAlpha = node.active ? 1 : 0.25;
        context.drawImage(node.image, node.x, node.y, node.size, node.size);
        context.globalAlpha = 1;
      }
      context.strokeStyle = node.selected ? "#000" : "#999";
      context.lineWidth = node.selected ? 2 : 1;
      context.strokeRect(node.x, node.y, node.size, node.size);
      if (node.label) {
        context.fillStyle = node.active ? "#222" : "#999";
        context.font = "11px sans-serif";
        context.textAlign = "right";
        context.fillText(node.label, node.x - 4, node.y + node.size / 2 + 4);
      }
    }
  }
  return links;
}

// The link nearest to (x, y), if within a few pixels.
export function nearestLink(links, x, y) {
  let best = null, distance = 5;
  for (const link of links) {
    const dx = link.x1 - link.x0, dy = link.y1 - link.y0;
    const t = Math.max(0, Math.min(1, ((x - link.x0) * dx + (y - link.y0) * dy) / (dx * dx + dy * dy || 1)));
    const d = Math.hypot(link.x0 + t * dx - x, link.y0 + t * dy - y);
    if (d < distance) { distance = d; best = link; }
  }
  return best;
}
