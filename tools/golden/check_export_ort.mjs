// Runs the files OnnxExportTest writes (torchlet-onnx/target/onnx-export/NAME.onnx, with NAME.safetensors holding
// the traced input and Torchlet's output) in ONNX Runtime and prints the largest difference per model, so exported
// graphs are checked by the reference runtime, not only by Torchlet's own importer.
//
//   (cd torchlet-onnx && ../mvnw -o test -Dtest=OnnxExportTest)
//   NODE_PATH=/tmp/ortnode/node_modules node tools/golden/check_export_ort.mjs torchlet-onnx/target/onnx-export
//
// onnxruntime-node: npm install --ignore-scripts onnxruntime-node (in /tmp/ortnode); graph optimizations off.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

function readSafetensors(file) {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  const base = 8 + n;
  const out = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [a, b] = info.data_offsets;
    const bytes = buf.subarray(base + a, base + b);
    const copy = new Uint8Array(bytes).buffer;
    const data = info.dtype === 'F32' ? new Float32Array(copy)
      : info.dtype === 'I64' ? new BigInt64Array(copy)
      : info.dtype === 'F64' ? new Float64Array(copy) : null;
    out[name] = { dtype: info.dtype, shape: info.shape, data };
  }
  return out;
}

const dir = process.argv[2] ?? 'torchlet-onnx/target/onnx-export';
let worst = 0;
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort()) {
  const name = file.slice(0, -5);
  const tensors = readSafetensors(path.join(dir, name + '.safetensors'));
  const session = await ort.InferenceSession.create(path.join(dir, file), { graphOptimizationLevel: 'disabled' });
  const input = tensors.input;
  const type = input.dtype === 'I64' ? 'int64' : input.dtype === 'F64' ? 'float64' : 'float32';
  const result = await session.run({ input: new ort.Tensor(type, input.data, input.shape) });
  const got = result.output.data;
  const want = tensors.output.data;
  let maxDiff = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  const ok = got.length === want.length && maxDiff <= 1e-4 * scale;
  worst = Math.max(worst, maxDiff / scale);
  console.log(`${name.padEnd(28)} ${ok ? 'ok  ' : 'FAIL'} max |diff| ${maxDiff.toExponential(2)} (scale ${scale.toFixed(2)})`);
}
console.log(`worst scaled difference ${worst.toExponential(2)}`);
