// The Torchlet serve page. Talks only to the server's public API:
//   POST /v2/repository/index {"ready": true}   -> the model picker
//   GET  /v2/models/{name}                        -> the input shape (C, H, W) shown next to it
//   POST /v1/models/{name}/explain?top_k=5        -> top-5 predictions and the Grad-CAM heat map
//   POST /v1/models/{name}/classify?top_k=5       -> fallback for models without a Grad-CAM layer
// document.body.dataset.state is "loading" | "ready" | "busy" | "done" | "error", so tests (and people) can
// tell a finished answer from a stale one.
"use strict";

const TOP_K = 5;
const DISPLAY = 280; // longest side of the displayed image, CSS pixels

const $ = (id) => document.getElementById(id);
let lastImage = null; // the Blob last classified, re-run when the model changes
let requestSeq = 0; // answers to superseded requests are dropped
let inputShape = null; // [C, H, W] of the selected model

function setState(state, status) {
  document.body.dataset.state = state;
  $("status").textContent = status || "";
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
  $("results").hidden = true;
  $("hint").hidden = true;
  setState("error");
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

// fetch that turns a non-2xx answer into an Error carrying the server's JSON {"error": ...} message
async function api(method, path, body, contentType) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = body;
    init.headers["Content-Type"] = contentType || "application/json";
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new Error(`${method} ${path}: the server did not answer (${e.message})`);
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    // not JSON: reported below with the raw text
  }
  if (!res.ok) {
    const message = json && json.error ? json.error : text || res.statusText;
    const err = new Error(`HTTP ${res.status}: ${message}`);
    err.status = res.status;
    err.serverMessage = message;
    throw err;
  }
  return json;
}

async function loadModels() {
  try {
    const models = await api("POST", "/v2/repository/index", JSON.stringify({ ready: true }));
    const select = $("model");
    select.replaceChildren();
    for (const m of models) {
      const opt = document.createElement("option");
      opt.value = m.name;
      opt.textContent = m.name;
      select.append(opt);
    }
    if (models.length === 0) {
      showError("No model is ready on this server. Start it with --model NAME=SPEC.");
      return;
    }
    await selectModel();
  } catch (e) {
    showError(e.message);
  }
}

async function selectModel() {
  const name = $("model").value;
  inputShape = null;
  $("model-info").textContent = "";
  setState("loading");
  try {
    const meta = await api("GET", `/v2/models/${encodeURIComponent(name)}`);
    inputShape = meta.inputs[0].shape.slice(1); // drop the batch dimension (-1)
    $("model-info").textContent = `input ${inputShape.join("×")}`;
    setState("ready");
    if (lastImage) {
      await classify(lastImage);
    }
  } catch (e) {
    showError(e.message);
  }
}

async function classify(blob) {
  const name = $("model").value;
  if (!name) {
    showError("Pick a model first.");
    return;
  }
  const seq = ++requestSeq;
  lastImage = blob;
  clearError();
  setState("busy", "Classifying…");
  const type = blob.type || "application/octet-stream";
  const base = `/v1/models/${encodeURIComponent(name)}`;
  try {
    let answer;
    try {
      answer = await api("POST", `${base}/explain?top_k=${TOP_K}`, blob, type);
    } catch (e) {
      // models without a conv stage cannot be explained; still show their predictions
      if (e.status !== 400 || !/Grad-CAM/.test(e.serverMessage)) {
        throw e;
      }
      answer = await api("POST", `${base}/classify?top_k=${TOP_K}`, blob, type);
    }
    if (seq !== requestSeq) {
      return;
    }
    await render(blob, answer);
    setState("done");
  } catch (e) {
    if (seq === requestSeq) {
      showError(e.message);
    }
  }
}

function renderPredictions(predictions) {
  const list = $("predictions");
  list.replaceChildren();
  for (const p of predictions) {
    const pct = (100 * p.probability).toFixed(1) + "%";
    const li = document.createElement("li");
    li.className = "prediction";
    li.dataset.index = p.index;
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = p.label;
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("div");
    fill.className = "fill";
    fill.style.width = (100 * p.probability).toFixed(2) + "%";
    bar.append(fill);
    const prob = document.createElement("span");
    prob.className = "probability";
    prob.textContent = pct;
    li.append(label, bar, prob);
    list.append(li);
  }
}

async function render(blob, answer) {
  renderPredictions(answer.predictions);
  // show the image as the model sees it: stretched to the input's aspect ratio, gray for 1-channel models
  const h = answer.input ? answer.input.height : inputShape[1];
  const w = answer.input ? answer.input.width : inputShape[2];
  const scale = DISPLAY / Math.max(h, w);
  const dw = Math.round(w * scale);
  const dh = Math.round(h * scale);
  const bitmap = await createImageBitmap(blob);
  const image = $("image");
  image.width = dw;
  image.height = dh;
  const ctx = image.getContext("2d");
  ctx.filter = inputShape && inputShape[0] === 1 ? "grayscale(1)" : "none";
  ctx.drawImage(bitmap, 0, 0, dw, dh);
  bitmap.close();
  drawHeatmap(answer.heatmap, dw, dh);
  $("results").hidden = false;
  $("hint").hidden = true;
}

// Grad-CAM values in [0, 1] at the model's input resolution -> a colour map whose opacity grows with the
// value, scaled (bilinear, by the browser) onto the displayed image.
function drawHeatmap(heatmap, dw, dh) {
  const overlay = $("heatmap");
  overlay.width = dw;
  overlay.height = dh;
  const ctx = overlay.getContext("2d");
  ctx.clearRect(0, 0, dw, dh);
  if (!heatmap) {
    $("heatmap-note").textContent = "(not available for this model)";
    return;
  }
  $("heatmap-note").textContent = `(top class, ${heatmap.height}×${heatmap.width})`;
  const small = document.createElement("canvas");
  small.width = heatmap.width;
  small.height = heatmap.height;
  const pixels = new ImageData(heatmap.width, heatmap.height);
  heatmap.data.forEach((v, i) => {
    const [r, g, b] = colour(v);
    pixels.data.set([r, g, b, Math.round(255 * (0.15 + 0.5 * v))], 4 * i);
  });
  small.getContext("2d").putImageData(pixels, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, dw, dh);
  overlay.hidden = !$("show-heatmap").checked;
}

// the "jet" colour map: blue (cold) -> cyan -> green -> yellow -> red (hot)
function colour(v) {
  const t = Math.min(1, Math.max(0, v));
  const channel = (centre) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - centre))));
  return [channel(3), channel(2), channel(1)];
}

// ---- the drawing canvas: black background, white pen, sent as PNG bytes ----

function setUpDrawing() {
  const canvas = $("draw");
  const ctx = canvas.getContext("2d");
  const clear = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = canvas.width / 12; // about 2.3 pixels of a 28x28 image, like Fashion-MNIST strokes
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  let drawing = false;
  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  };
  canvas.addEventListener("pointerdown", (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    const [x, y] = point(e);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x, y);
    ctx.stroke();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (drawing) {
      const [x, y] = point(e);
      ctx.lineTo(x, y);
      ctx.stroke();
    }
  });
  const stop = () => {
    drawing = false;
  };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  $("clear-drawing").addEventListener("click", clear);
  $("classify-drawing").addEventListener("click", () => {
    canvas.toBlob((png) => classify(png), "image/png");
  });
}

// ---- upload: the file input and drag-and-drop onto the drop zone ----

function setUpUpload() {
  const drop = $("drop");
  const input = $("file");
  input.addEventListener("change", () => {
    if (input.files.length > 0) {
      classify(input.files[0]);
    }
  });
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = e.dataTransfer.files[0];
    if (file) {
      classify(file);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setUpDrawing();
  setUpUpload();
  $("model").addEventListener("change", selectModel);
  $("show-heatmap").addEventListener("change", () => {
    $("heatmap").hidden = !$("show-heatmap").checked;
  });
  loadModels();
});
