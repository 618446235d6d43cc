"""Parity fixtures for torchlet-text's GPT-2 and BERT and for the generation logits processors.

The `transformers` package is not installed here, so this script writes the reference architectures in
plain PyTorch with Hugging Face's exact parameter names and math (modeling_gpt2.py, modeling_bert.py,
generation/logits_process.py), random small configs and random weights (eval mode, no dropout).

Writes, under torchlet-text/src/test/resources/golden/:
  gpt2_tiny/config.json, gpt2_tiny/model.safetensors
      a Hugging Face GPT-2 folder as the Hub stores it (GPT2Model names without the `transformer.` prefix,
      the per-layer causal-mask buffers `h.{i}.attn.bias` that HF ignores on load, no lm_head.weight)
  text_gpt2.safetensors
      ids (B, T) int64, logits, hidden (after ln_f), loss weight w and grad.<name> of every parameter of
      loss = sum(logits * w) (GPT2LMHeadModel names, lm_head tied to wte: one gradient, under wte);
      padded.ids / padded.mask (left padding) and padded.logits with HF's generation position ids
  bert_tiny/config.json, bert_tiny/model.safetensors   (BertModel names)
  text_bert.safetensors
      ids, token_type_ids, mask, hidden (last hidden state), pooler, mean (mask-aware mean pooling as
      sentence-transformers), cls; w_hidden, w_pooler and grad.<name> of
      loss = sum(hidden * w_hidden) + sum(pooler * w_pooler)
  text_logits_processors.safetensors
      scores (B, V), ids (B, L) and the output of HF's processors: repetition penalty, temperature, top-k,
      top-p, and the chain HF's generate builds (repetition penalty, temperature, top-k, top-p)
"""
import json
import math
import os

import torch
import torch.nn as nn

from fixtures import save

TEXT_GOLDEN = os.path.join(os.path.dirname(__file__), "..", "..", "torchlet-text", "src", "test", "resources",
                           "golden")
NEG = torch.finfo(torch.float32).min


# ---------------------------------------------------------------- GPT-2 (modeling_gpt2.py)

class Conv1D(nn.Module):
    """HF's Conv1D: a linear layer with the weight stored (in, out)."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.size(-1)), self.weight).view(x.size()[:-1] + (self.nf,))


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class GPT2Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        n = c["n_positions"]
        self.register_buffer("bias", torch.tril(torch.ones((n, n), dtype=torch.bool)).view(1, 1, n, n))
        self.embed_dim = c["n_embd"]
        self.num_heads = c["n_head"]
        self.head_dim = self.embed_dim // self.num_heads
        self.c_attn = Conv1D(3 * self.embed_dim, self.embed_dim)
        self.c_proj = Conv1D(self.embed_dim, self.embed_dim)

    def split(self, t):
        b, s, _ = t.shape
        return t.view(b, s, self.num_heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, allowed):
        """allowed: bool (B, 1, Tq, Tk), causal and padding combined."""
        q, k, v = self.c_attn(x).split(self.embed_dim, dim=2)
        q, k, v = self.split(q), self.split(k), self.split(v)
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        w = w + torch.where(allowed, torch.tensor(0.0), torch.tensor(NEG))
        w = w.softmax(dim=-1)
        o = torch.matmul(w, v).permute(0, 2, 1, 3).contiguous()
        o = o.view(o.size(0), o.size(1), self.embed_dim)
        return self.c_proj(o)


class GPT2MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        e = c["n_embd"]
        inner = c.get("n_inner") or 4 * e
        self.c_fc = Conv1D(inner, e)
        self.c_proj = Conv1D(e, inner)

    def forward(self, x):
        return self.c_proj(gelu_new(self.c_fc(x)))


class GPT2Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        e = c["n_embd"]
        self.ln_1 = nn.LayerNorm(e, eps=c["layer_norm_epsilon"])
        self.attn = GPT2Attention(c)
        self.ln_2 = nn.LayerNorm(e, eps=c["layer_norm_epsilon"])
        self.mlp = GPT2MLP(c)

    def forward(self, x, allowed):
        x = x + self.attn(self.ln_1(x), allowed)
        return x + self.mlp(self.ln_2(x))


class GPT2Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c["vocab_size"], c["n_embd"])
        self.wpe = nn.Embedding(c["n_positions"], c["n_embd"])
        self.h = nn.ModuleList([GPT2Block(c) for _ in range(c["n_layer"])])
        self.ln_f = nn.LayerNorm(c["n_embd"], eps=c["layer_norm_epsilon"])

    def forward(self, ids, mask=None):
        b, t = ids.shape
        if mask is None:
            pos = torch.arange(t).unsqueeze(0).expand(b, t)
            keys = torch.ones(b, t, dtype=torch.bool)
        else:
            # HF's prepare_inputs_for_generation: position_ids = cumsum(mask) - 1, 1 on padding
            pos = mask.long().cumsum(-1) - 1
            pos = pos.masked_fill(mask == 0, 1)
            keys = mask.bool()
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        allowed = causal.view(1, 1, t, t) & keys.view(b, 1, 1, t)
        x = self.wte(ids) + self.wpe(pos)
        for block in self.h:
            x = block(x, allowed)
        return self.ln_f(x)


class GPT2LMHeadModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = GPT2Model(c)
        self.lm_head = nn.Linear(c["n_embd"], c["vocab_size"], bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied

    def forward(self, ids, mask=None):
        hidden = self.transformer(ids, mask)
        return self.lm_head(hidden), hidden


# ---------------------------------------------------------------- BERT (modeling_bert.py)

class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], h, padding_idx=c["pad_token_id"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], h)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], h)
        self.LayerNorm = nn.LayerNorm(h, eps=c["layer_norm_eps"])

    def forward(self, ids, token_type_ids):
        pos = torch.arange(ids.size(1)).unsqueeze(0)
        x = self.word_embeddings(ids) + self.token_type_embeddings(token_type_ids) + self.position_embeddings(pos)
        return self.LayerNorm(x)


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.head_dim = h // self.heads
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h)
        self.value = nn.Linear(h, h)

    def split(self, t):
        b, s, _ = t.shape
        return t.view(b, s, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, additive):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + additive
        o = torch.matmul(s.softmax(-1), v).permute(0, 2, 1, 3).contiguous()
        return o.view(o.size(0), o.size(1), -1)


class BertSelfOutput(nn.Module):
    def __init__(self, c, width):
        super().__init__()
        self.dense = nn.Linear(width, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c, c["hidden_size"])

    def forward(self, x, additive):
        return self.output(self.self(x, additive), x)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return torch.nn.functional.gelu(self.dense(x))  # exact gelu ("gelu")


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertSelfOutput(c, c["intermediate_size"])

    def forward(self, x, additive):
        a = self.attention(x, additive)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, additive):
        for layer in self.layer:
            x = layer(x, additive)
        return x


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, x):
        return torch.tanh(self.dense(x[:, 0]))


class BertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c)

    def forward(self, ids, token_type_ids, mask):
        additive = (1.0 - mask[:, None, None, :].float()) * NEG  # HF's extended attention mask
        hidden = self.encoder(self.embeddings(ids, token_type_ids), additive)
        return hidden, self.pooler(hidden)


# ---------------------------------------------------------------- logits processors (logits_process.py)

def repetition_penalty(ids, scores, penalty):
    score = torch.gather(scores, 1, ids)
    score = torch.where(score < 0, score * penalty, score / penalty)
    return scores.scatter(1, ids, score)


def temperature(scores, t):
    return scores / t


def top_k(scores, k, min_tokens_to_keep=1):
    k = min(max(k, min_tokens_to_keep), scores.size(-1))
    remove = scores < torch.topk(scores, k)[0][..., -1, None]
    return scores.masked_fill(remove, -float("inf"))


def top_p(scores, p, min_tokens_to_keep=1):
    sorted_logits, sorted_indices = torch.sort(scores, descending=False)
    cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    sorted_remove = cumulative <= (1 - p)
    sorted_remove[..., -min_tokens_to_keep:] = 0
    remove = sorted_remove.scatter(1, sorted_indices, sorted_remove)
    return scores.masked_fill(remove, -float("inf"))


# ---------------------------------------------------------------- fixtures

def randomize(model, scale):
    g = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("LayerNorm.weight") or name.endswith("ln_1.weight") or name.endswith(
                    "ln_2.weight") or name.endswith("ln_f.weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(scale * torch.randn(p.shape, generator=g))


def write_folder(name, config, tensors):
    folder = os.path.join(TEXT_GOLDEN, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    save(tensors, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
    print("wrote", os.path.relpath(folder), len(tensors), "tensors")


def gpt2():
    c = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": 50, "n_positions": 16,
         "n_embd": 16, "n_layer": 2, "n_head": 4, "n_inner": None, "layer_norm_epsilon": 1e-5,
         "activation_function": "gelu_new", "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
         "bos_token_id": 0, "eos_token_id": 0}
    torch.manual_seed(0)
    model = GPT2LMHeadModel(c).eval()
    randomize(model, 0.3)
    # The Hub's layout: GPT2Model names (no prefix), causal-mask buffers, no lm_head.weight.
    folder = {k: v for k, v in model.transformer.state_dict().items()}
    write_folder("gpt2_tiny", c, folder)

    g = torch.Generator().manual_seed(7)
    ids = torch.randint(0, c["vocab_size"], (2, 7), generator=g)
    logits, hidden = model(ids)
    w = torch.randn(logits.shape, generator=g)
    (logits * w).sum().backward()
    out = {"ids": ids, "logits": logits, "hidden": hidden, "w": w}
    for name, p in model.named_parameters():  # lm_head.weight is wte's tensor: named once, as wte
        out["grad." + name] = p.grad
    mask = torch.tensor([[0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]])
    pids = ids.masked_fill(mask == 0, 0)
    with torch.no_grad():
        out["padded.ids"] = pids
        out["padded.mask"] = mask
        out["padded.logits"] = model(pids, mask)[0]
    save(out, os.path.join(TEXT_GOLDEN, "text_gpt2.safetensors"), metadata={"torch": torch.__version__})
    print("wrote text_gpt2", {k: list(v.shape) for k, v in out.items() if not k.startswith("grad.")})


def bert():
    c = {"model_type": "bert", "architectures": ["BertModel"], "vocab_size": 40, "hidden_size": 16,
         "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 32, "hidden_act": "gelu",
         "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0, "max_position_embeddings": 20,
         "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0}
    torch.manual_seed(0)
    model = BertModel(c).eval()
    randomize(model, 0.3)
    write_folder("bert_tiny", c, dict(model.state_dict()))

    g = torch.Generator().manual_seed(11)
    ids = torch.randint(1, c["vocab_size"], (2, 6), generator=g)
    mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]])
    ids = ids.masked_fill(mask == 0, 0)
    tt = torch.tensor([[0, 0, 1, 1, 0, 0], [0, 0, 0, 1, 1, 1]])
    hidden, pooler = model(ids, tt, mask)
    w_hidden = torch.randn(hidden.shape, generator=g)
    w_pooler = torch.randn(pooler.shape, generator=g)
    ((hidden * w_hidden).sum() + (pooler * w_pooler).sum()).backward()
    m = mask.unsqueeze(-1).float()
    mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)  # sentence-transformers' mean pooling
    out = {"ids": ids, "token_type_ids": tt, "mask": mask, "hidden": hidden, "pooler": pooler, "mean": mean,
           "cls": hidden[:, 0], "w_hidden": w_hidden, "w_pooler": w_pooler}
    for name, p in model.named_parameters():
        out["grad." + name] = p.grad
    save(out, os.path.join(TEXT_GOLDEN, "text_bert.safetensors"), metadata={"torch": torch.__version__})
    print("wrote text_bert", {k: list(v.shape) for k, v in out.items() if not k.startswith("grad.")})


def processors():
    g = torch.Generator().manual_seed(3)
    scores = torch.randn(3, 20, generator=g) * 2
    ids = torch.randint(0, 20, (3, 5), generator=g)
    out = {"scores": scores, "ids": ids,
           "repetition_penalty_1.3": repetition_penalty(ids, scores, 1.3),
           "temperature_0.7": temperature(scores, 0.7),
           "top_k_5": top_k(scores, 5),
           "top_p_0.8": top_p(scores, 0.8),
           "top_p_0.3": top_p(scores, 0.3)}
    chain = repetition_penalty(ids, scores, 1.2)
    chain = temperature(chain, 0.8)
    chain = top_k(chain, 8)
    chain = top_p(chain, 0.9)
    out["chain"] = chain
    out["chain.probs"] = chain.softmax(-1)
    save(out, os.path.join(TEXT_GOLDEN, "text_logits_processors.safetensors"), metadata={"torch": torch.__version__})
    print("wrote text_logits_processors", list(out))


if __name__ == "__main__":
    gpt2()
    bert()
    processors()
