// ONNX Runtime (npm onnxruntime-node, CPU, 2 intra-op threads) latency of all-MiniLM-L6-v2 at batch 8 x 128 tokens:
// the peer of tools/bench/OnnxMiniLmBench.java. Prints "minilm_b8x128_ms <median>".
// Run: NODE_PATH=/tmp/ortnode/node_modules node tools/bench/onnx_minilm_ort.mjs all-minilm-l6-v2.onnx [runs]
import { createRequire } from "module";
const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");
const [model, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 20);
const B = 8, T = 128;
const ids = BigInt64Array.from({ length: B * T }, (_, i) => BigInt(i % T === 0 ? 101 : 1000 + ((i * 7919) % 20000)));
const ones = BigInt64Array.from({ length: B * T }, () => 1n);
const zeros = BigInt64Array.from({ length: B * T }, () => 0n);
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 2, interOpNumThreads: 1 });
const feeds = {
  input_ids: new ort.Tensor("int64", ids, [B, T]),
  attention_mask: new ort.Tensor("int64", ones, [B, T]),
  token_type_ids: new ort.Tensor("int64", zeros, [B, T]),
};
for (let i = 0; i < 3; i++) await session.run(feeds); // warm-up
const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  await session.run(feeds);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
console.log("minilm_b8x128_ms", times[Math.floor(times.length / 2)].toFixed(1));
