"""The Python side of `actorrl bench model`: a nanoGPT-style GPT in PyTorch (Debian's python3-torch),
written the ordinary way, timed on the same work as ActorRL's SftTrainer and Generator.

The model computes what src/Models/Nn/CausalLM.cs computes: learned positions, pre-LayerNorm blocks,
fused q/k/v projection, exact GELU, final LayerNorm, LM head tied to the token embedding; parameter
names are nanoGPT's (transformer.wte.weight, transformer.h.0.attn.c_attn.weight, ...). Its weights
come from the safetensors file the C# side wrote, read here with struct and json (Debian ships no
safetensors package), so both sides start from the same numbers.

Usage: model_bench.py <workload.json> <threads>
The workload (written by ModelBenchWorkload.cs) holds the model size, the weights' path, the token
ids, the optimizer settings and how many steps and runs to time. Prints one JSON object:
{"train_ms": [...], "first_loss": x, "generate_ms": [...], "first_tokens": [...], "first_logprobs": [...]}.
"""
import json
import math
import struct
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("error: PyTorch is not installed for " + sys.executable + ": apt-get install -y python3-torch", file=sys.stderr)
    sys.exit(3)

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    buffer = data[8 + n:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(buffer[begin:end]), dtype=DTYPES[info["dtype"]])
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.heads, self.width = cfg["heads"], cfg["width"]
        self.c_attn = nn.Linear(self.width, 3 * self.width)
        self.c_proj = nn.Linear(self.width, self.width)
        n = cfg["context_length"]
        self.register_buffer("bias", torch.tril(torch.ones(n, n)).view(1, 1, n, n), persistent=False)

    def forward(self, x, cache=None, layer=0):
        b, t, c = x.size()
        d = c // self.heads
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, d).transpose(1, 2) for z in (q, k, v))
        past = 0
        if cache is not None:
            past = cache.length
            k, v = cache.append(layer, k, v)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d))
        if t > 1:  # one new token may look at every earlier position: no mask needed
            att = att.masked_fill(self.bias[:, :, past:past + t, :past + t] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.c_proj(y)


class Mlp(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = nn.Linear(cfg["width"], 4 * cfg["width"])
        self.c_proj = nn.Linear(4 * cfg["width"], cfg["width"])

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg["width"])
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(cfg["width"])
        self.mlp = Mlp(cfg)

    def forward(self, x, cache=None, layer=0):
        x = x + self.attn(self.ln_1(x), cache, layer)
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg["vocab_size"], cfg["width"]),
            wpe=nn.Embedding(cfg["context_length"], cfg["width"]),
            h=nn.ModuleList([Block(cfg) for _ in range(cfg["layers"])]),
            ln_f=nn.LayerNorm(cfg["width"]),
        ))
        self.lm_head = nn.Linear(cfg["width"], cfg["vocab_size"], bias=False)
        self.lm_head.weight = self.transformer.wte.weight

    def forward(self, idx, cache=None, last_only=False):
        past = cache.length if cache is not None else 0
        pos = torch.arange(past, past + idx.size(1), dtype=torch.long)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for i, block in enumerate(self.transformer.h):
            x = block(x, cache, i)
        if cache is not None:
            cache.length += idx.size(1)
        x = self.transformer.ln_f(x)
        return self.lm_head(x[:, [-1], :] if last_only else x)


class KvCache:
    """Keys and values per layer, preallocated to the whole generation: [B, heads, capacity, head width]."""

    def __init__(self, cfg, batch, capacity):
        shape = (batch, cfg["heads"], capacity, cfg["width"] // cfg["heads"])
        self.k = [torch.zeros(shape) for _ in range(cfg["layers"])]
        self.v = [torch.zeros(shape) for _ in range(cfg["layers"])]
        self.length = 0

    def append(self, layer, k, v):
        end = self.length + k.size(2)
        self.k[layer][:, :, self.length:end] = k
        self.v[layer][:, :, self.length:end] = v
        return self.k[layer][:, :, :end], self.v[layer][:, :, :end]


def load_model(w):
    model = Gpt(w["config"])
    weights = load_safetensors(w["weights"])
    # The tied head is stored once, under the embedding's name.
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if set(missing) != {"lm_head.weight"} or unexpected:
        raise SystemExit("error: weights do not match the model: missing %s, unexpected %s" % (missing, unexpected))
    return model


def learning_rate(s, step):
    """ActorRL's WarmupCosineSchedule: linear warm-up, then cosine decay to the minimum."""
    peak, low, warmup, total = s["peak_learning_rate"], s["min_learning_rate"], s["warmup_steps"], s["total_steps"]
    if step < warmup:
        return peak * (step + 1) / warmup
    if step >= total:
        return low
    progress = (step - warmup) / max(1, total - warmup)
    return low + 0.5 * (1 + math.cos(math.pi * progress)) * (peak - low)


def measure_training(w):
    model = load_model(w)
    o = w["optimizer"]
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    # foreach=False: the single-tensor update, as ActorRL's native AdamW.
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": o["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=learning_rate(o["schedule"], 0), betas=(o["beta1"], o["beta2"]), eps=o["eps"], foreach=False)
    t = w["train"]
    ids = torch.tensor(t["ids"], dtype=torch.long)
    # Labels only on the response: the prompt's positions are ignored (-100).
    labels = ids.clone()
    labels[:, :t["prompt_tokens"]] = -100
    targets = labels[:, 1:].reshape(-1)
    response_tokens = int((labels != -100).sum())
    times, first_loss = [], None
    for step in range(t["warmup"] + t["steps"]):
        start = time.perf_counter()
        model.train()
        for g in opt.param_groups:
            g["lr"] = learning_rate(o["schedule"], step)
        opt.zero_grad(set_to_none=True)
        logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)), targets, ignore_index=-100, reduction="sum") / response_tokens
        loss_value = loss.item()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), o["grad_clip"])
        opt.step()
        end = time.perf_counter()
        if step == 0:
            first_loss = loss_value
        if step >= t["warmup"]:
            times.append((end - start) * 1e3)
    return times, first_loss


@torch.no_grad()
def generate(model, cfg, prompts, new_tokens):
    """Greedy decoding with a KV cache: the prompt once, then one token per step; returns tokens and their log-probs."""
    model.eval()
    cache = KvCache(cfg, prompts.size(0), prompts.size(1) + new_tokens)
    logits = model(prompts, cache, last_only=True)[:, -1]
    tokens, logprobs = [], []
    for step in range(new_tokens):
        token = logits.argmax(-1)
        tokens.append(token)
        logprobs.append(F.log_softmax(logits, -1).gather(1, token.unsqueeze(1)).squeeze(1))
        if step == new_tokens - 1:
            break
        logits = model(token.unsqueeze(1), cache)[:, -1]
    return torch.stack(tokens, 1), torch.stack(logprobs, 1)


def measure_generation(w):
    model = load_model(w)
    g = w["generate"]
    prompts = torch.tensor(g["prompts"], dtype=torch.long)
    times, first = [], None
    for run in range(g["warmup"] + g["runs"]):
        start = time.perf_counter()
        tokens, logprobs = generate(model, w["config"], prompts, g["new_tokens"])
        tokens, logprobs = tokens.tolist(), logprobs.tolist()
        end = time.perf_counter()
        if run == 0:
            first = (tokens[0], logprobs[0])
        if run >= g["warmup"]:
            times.append((end - start) * 1e3)
    return times, first


def main(argv):
    if len(argv) != 3:
        print("usage: %s <workload.json> <threads>" % argv[0], file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        workload = json.load(f)
    torch.set_num_threads(int(argv[2]))
    generate_ms, (first_tokens, first_logprobs) = measure_generation(workload)
    train_ms, first_loss = measure_training(workload)
    print(json.dumps({"train_ms": train_ms, "first_loss": first_loss, "generate_ms": generate_ms,
                      "first_tokens": first_tokens, "first_logprobs": first_logprobs}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
