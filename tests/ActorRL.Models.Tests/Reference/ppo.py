"""A PPO update computed plainly in PyTorch (float64), the reference for PpoGradientParityTests.

From rollout data (old and reference log-probs, old values, a sequence reward per row, a response mask):
  token rewards  r_t = -beta * k_t, plus R at the row's last response token    (k = k1 | k2 | k3 of old vs ref)
  GAE            per row over its response tokens only; returns = A + V_old; A whitened over all response tokens
From the trained side (logits -> log-probs of the taken actions and entropies; values):
  actor  = max(-rho*A, -clip(rho, 1-eps, 1+eps)*A)
  value  = 0.5 * max((V-G)^2, (V_old + clip(V-V_old, -c, c) - G)^2)
  total  = reduce(actor) + vf_coef * reduce(value) - ent_coef * reduce(entropy)
  reduce = "sequence": mean over each row's response tokens, then over rows with any; "token": mean over all tokens
Prints the intermediate values, the losses and the gradients of total w.r.t. logits, values, log-probs, entropies.
"""
import json
import sys

import torch

torch.set_num_threads(1)
d = json.load(sys.stdin)
B, T, V = d["b"], d["t"], d["v"]


def tensor(name, *shape):
    return torch.tensor(d[name], dtype=torch.float64).reshape(*shape)


mask = tensor("mask", B, T) != 0
old_logp, ref_logp = tensor("old_logp", B, T), tensor("ref_logp", B, T)
old_values, seq_reward = tensor("old_values", B, T), tensor("seq_reward", B)
gamma, lam, beta = d["gamma"], d["lambda"], d["beta"]

k1 = old_logp - ref_logp
k = {"k1": k1, "k2": 0.5 * k1 ** 2, "k3": torch.exp(-k1) - 1 + k1}[d["kl"]]
rewards = torch.where(mask, -beta * k, torch.zeros_like(k))
advantages = torch.zeros(B, T, dtype=torch.float64)
for b in range(B):
    idx = [t for t in range(T) if mask[b, t]]
    if not idx:
        continue
    rewards[b, idx[-1]] += seq_reward[b]
    next_value, gae = 0.0, 0.0
    for t in reversed(idx):
        delta = rewards[b, t].item() + gamma * next_value - old_values[b, t].item()
        gae = delta + gamma * lam * gae
        next_value = old_values[b, t].item()
        advantages[b, t] = gae
returns = torch.where(mask, advantages + old_values, torch.zeros_like(advantages))
selected = advantages[mask]
mean, var = selected.mean(), selected.var(unbiased=d["unbiased"])
whitened = torch.where(mask, (advantages - mean) / torch.sqrt(var + 1e-8), torch.zeros_like(advantages))

logits = tensor("logits", B, T, V).requires_grad_(True)
values = tensor("values", B, T).requires_grad_(True)
actions = torch.tensor(d["actions"], dtype=torch.int64).reshape(B, T, 1)
all_logp = torch.log_softmax(logits, dim=-1)
logp = all_logp.gather(2, actions).squeeze(-1)
entropy = -(all_logp.exp() * all_logp).sum(-1)
logp.retain_grad()
entropy.retain_grad()

eps, vclip = d["clip"], d["value_clip"]
ratio = torch.exp(logp - old_logp)
actor = torch.max(-ratio * whitened, -torch.clamp(ratio, 1 - eps, 1 + eps) * whitened)
value_clipped = old_values + torch.clamp(values - old_values, -vclip, vclip)
value = 0.5 * torch.max((values - returns) ** 2, (value_clipped - returns) ** 2)


def reduce(x):
    if d["reduction"] == "token":
        return x[mask].sum() / mask.sum()
    rows = [x[b][mask[b]].mean() for b in range(B) if mask[b].any()]
    return torch.stack(rows).mean()


actor_loss, value_loss, entropy_mean = reduce(actor), reduce(value), reduce(entropy)
total = actor_loss + d["vf_coef"] * value_loss - d["ent_coef"] * entropy_mean
total.backward()

with torch.no_grad():
    log_ratio = (logp - old_logp)[mask]
    clip_frac = ((-torch.clamp(ratio, 1 - eps, 1 + eps) * whitened) > (-ratio * whitened))[mask].double().mean()


def flat(t):
    return t.detach().flatten().tolist()


json.dump({
    "rewards": flat(rewards), "advantages": flat(advantages), "returns": flat(returns), "whitened": flat(whitened),
    "logp": flat(logp), "entropy": flat(entropy),
    "actor": actor_loss.item(), "value": value_loss.item(), "entropy_mean": entropy_mean.item(), "total": total.item(),
    "clip_fraction": clip_frac.item(), "approx_kl": (log_ratio.exp() - 1 - log_ratio).mean().item(),
    "mean_ratio": log_ratio.exp().mean().item(),
    "grad_logits": flat(logits.grad), "grad_values": flat(values.grad),
    "grad_logp": flat(logp.grad), "grad_entropy": flat(entropy.grad),
}, sys.stdout)
