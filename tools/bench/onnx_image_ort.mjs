// ONNX Runtime (npm onnxruntime-node, CPU, 2 intra-op threads) latency of an image model at batch 1 (input
// "input", 1 x 3 x 224 x 224): the peer of tools/bench/OnnxImageBench.java. Prints "<name>_b1_ms <median>".
// Run: NODE_PATH=/tmp/ortnode/node_modules node tools/bench/onnx_image_ort.mjs resnet18.onnx [runs]
import { createRequire } from "module";
const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");
const [model, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 30);
const data = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.001));
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 2, interOpNumThreads: 1 });
const feeds = { input: new ort.Tensor("float32", data, [1, 3, 224, 224]) };
for (let i = 0; i < 5; i++) await session.run(feeds);
const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  await session.run(feeds);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
const name = model.split("/").pop().replace(".onnx", "");
console.log(name + "_b1_ms", times[Math.floor(times.length / 2)].toFixed(1));
