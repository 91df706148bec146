"""nanoGPT-style GPT in PyTorch: the reference for GptParityTests.

Reads weights from the safetensors file the C# test wrote (parsed by safetensors_io.py, independently
of the C# reader), runs the same batch as the C# test and returns
logits, per-token log-probabilities, values, rewards and every parameter's gradient.

Model semantics mirrored from the C# GptTrunk: learned positions count real tokens only
(position = cumsum(mask) - 1, clamped at 0); a query never attends to padding, except that a
padding query attends to itself; pre-LayerNorm blocks; exact GELU; LM head tied to wte.
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

import safetensors_io


def trunk(w, prefix, cfg, ids, mask):
    b, t = ids.shape
    c, h = cfg["width"], cfg["heads"]
    d = c // h
    pos = (mask.cumsum(1) - 1).clamp(min=0)
    x = w[prefix + "wte.weight"][ids] + w[prefix + "wpe.weight"][pos]
    causal = torch.ones(t, t, dtype=torch.bool).triu(1)
    not_self = ~torch.eye(t, dtype=torch.bool)
    blocked = causal.view(1, 1, t, t) | ((mask == 0).view(b, 1, 1, t) & not_self.view(1, 1, t, t))
    for i in range(cfg["layers"]):
        p = f"{prefix}h.{i}."
        a = F.layer_norm(x, (c,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], 1e-5)
        q, k, v = F.linear(a, w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"]).split(c, dim=2)
        q, k, v = (z.view(b, t, h, d).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d))
        att = att.masked_fill(blocked, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        x = x + F.linear(y, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"])
        m = F.layer_norm(x, (c,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], 1e-5)
        m = F.linear(F.gelu(F.linear(m, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"])),
                     w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])
        x = x + m
    return F.layer_norm(x, (c,), w[prefix + "ln_f.weight"], w[prefix + "ln_f.bias"], 1e-5)


def main():
    d = json.load(sys.stdin)
    torch.set_num_threads(1)
    cfg = d["config"]
    w = {k: v.requires_grad_(True) for k, v in safetensors_io.load(d["weights"]).items()}
    ids = torch.tensor(d["ids"], dtype=torch.int64).view(d["batch"], d["length"])
    mask = torch.tensor(d["mask"], dtype=torch.int64).view(d["batch"], d["length"])
    out = {}
    if d["model"] == "policy":
        hidden = trunk(w, "transformer.", cfg, ids, mask)
        logits = F.linear(hidden, w["transformer.wte.weight"])
        values = F.linear(hidden, w["value_head.weight"], w["value_head.bias"]).squeeze(-1)
        logp = F.log_softmax(logits[:, :-1], -1).gather(2, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
        target_mask = mask[:, 1:].float()
        # loss: negative mean log-likelihood of real next tokens + a value regression term
        loss = -(logp * target_mask).sum() / target_mask.sum() + 0.1 * (values * mask).pow(2).sum() / mask.sum()
        out.update(logits=logits.flatten().tolist(), logprobs=logp.flatten().tolist(), values=values.flatten().tolist())
    else:
        hidden = trunk(w, "transformer.", cfg, ids, mask)
        last = (mask * torch.arange(ids.shape[1])).max(1).values
        picked = hidden[torch.arange(ids.shape[0]), last]
        rewards = F.linear(picked, w["score.weight"], w["score.bias"]).squeeze(-1)
        loss = (rewards * torch.tensor(d["reward_weights"])).sum()
        out.update(rewards=rewards.tolist())
    loss.backward()
    out["loss"] = loss.item()
    out["grads"] = {k: v.grad.flatten().tolist() for k, v in w.items()}
    json.dump(out, sys.stdout)


main()
