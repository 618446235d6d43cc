// Runs an ONNX model in ONNX Runtime (npm's onnxruntime-node) on inputs from a safetensors file and writes the
// inputs and ONNX Runtime's outputs as a safetensors fixture: "input.<name>" and "output.<name>" per graph value.
//
// Run: NODE_PATH=/tmp/ortnode/node_modules node tools/golden/gen_onnx_ort_run.mjs MODEL.onnx INPUTS.safetensors OUT
// (tools/golden/gen_onnx_ops.py calls it). Inputs may be F32, I64, BOOL, U8 or I8; outputs are written as F32
// (float), I64 (every integer type: uint8, int8, int32, int64) or BOOL. No graph rewrites: the reference runs the
// file's own operators.
import { createRequire } from "module";
import fs from "fs";

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");
const [model, inputsPath, out] = process.argv.slice(2);

function readSafetensors(path) {
  const buf = fs.readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8"));
  const base = 8 + n;
  const tensors = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [b, e] = info.data_offsets;
    const bytes = Uint8Array.from(buf.subarray(base + b, base + e)); // a copy, aligned
    const data = {
      F32: () => ["float32", new Float32Array(bytes.buffer)],
      I64: () => ["int64", new BigInt64Array(bytes.buffer)],
      BOOL: () => ["bool", bytes],
      U8: () => ["uint8", bytes],
      I8: () => ["int8", new Int8Array(bytes.buffer)],
    }[info.dtype];
    if (!data) throw new Error(`${path}: ${name} has dtype ${info.dtype}; supported: F32, I64, BOOL, U8, I8`);
    const [type, values] = data();
    tensors[name] = new ort.Tensor(type, values, info.shape);
  }
  return tensors;
}

function toFixture(t) {
  if (t.type === "float32") return ["F32", Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)];
  if (t.type === "bool") return ["BOOL", Buffer.from(Uint8Array.from(t.data, (v) => (v ? 1 : 0)))];
  if (["uint8", "int8", "int32", "int64"].includes(t.type)) {
    const wide = BigInt64Array.from(Array.from(t.data, (v) => BigInt(v)));
    return ["I64", Buffer.from(wide.buffer)];
  }
  throw new Error(`output of type ${t.type} is not supported`);
}

const feeds = readSafetensors(inputsPath);
const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: "disabled" });
const result = await session.run(feeds);

const entries = [];
for (const [name, t] of Object.entries(feeds)) entries.push(["input." + name, t.dims, ...toFixture(t)]);
for (const name of session.outputNames) entries.push(["output." + name, result[name].dims, ...toFixture(result[name])]);

const header = {
  __metadata__: {
    generator: "tools/golden/gen_onnx_ort_run.mjs",
    onnxruntime: ort.env.versions?.common ?? "onnxruntime-node 1.x",
    model: model.split("/").pop(),
  },
};
let offset = 0;
for (const [name, dims, dtype, data] of entries) {
  header[name] = { dtype, shape: dims, data_offsets: [offset, offset + data.length] };
  offset += data.length;
}
let json = JSON.stringify(header);
while ((8 + json.length) % 8 !== 0) json += " ";
const len = Buffer.alloc(8);
len.writeBigUInt64LE(BigInt(json.length));
fs.writeFileSync(out + ".tmp", Buffer.concat([len, Buffer.from(json), ...entries.map((e) => e[3])]));
fs.renameSync(out + ".tmp", out);
console.log("wrote", out, session.outputNames.map((n) => `${n} ${result[n].type} [${result[n].dims}]`).join(", "));
