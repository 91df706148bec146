"""Loss, logits and gradients of a two-layer MLP, the reference for MlpGradientParityTests.

logits = Linear2(GELU(LayerNorm(Linear1(x))));  logp = log_softmax(logits)
loss   = cross_entropy(logits, target) - 0.1 * mean(entropy(softmax(logits)))
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
d = json.load(sys.stdin)
n, i, h, c = d["n"], d["in"], d["hidden"], d["classes"]


def tensor(name, *shape):
    return torch.tensor(d[name], dtype=torch.float32).reshape(*shape).requires_grad_(True)


x = tensor("x", n, i)
w1, b1 = tensor("w1", h, i), tensor("b1", h)
g, beta = tensor("ln_w", h), tensor("ln_b", h)
w2, b2 = tensor("w2", c, h), tensor("b2", c)
target = torch.tensor(d["target"], dtype=torch.int64)

hidden = F.gelu(F.layer_norm(F.linear(x, w1, b1), (h,), g, beta, 1e-5))
logits = F.linear(hidden, w2, b2)
logp = F.log_softmax(logits, dim=-1)
entropy = -(logp.exp() * logp).sum(-1).mean()
loss = F.cross_entropy(logits, target) - 0.1 * entropy
loss.backward()

out = {"loss": loss.item(), "logits": logits.detach().flatten().tolist()}
for name, t in [("x", x), ("w1", w1), ("b1", b1), ("ln_w", g), ("ln_b", beta), ("w2", w2), ("b2", b2)]:
    out["grad_" + name] = t.grad.flatten().tolist()
json.dump(out, sys.stdout)
