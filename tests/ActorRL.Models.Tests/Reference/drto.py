"""DRTO reference for DroWeightsTests and DrtoLossTests, written independently of the C# solver.

mode "weights": {"losses", "set", "size"} -> {"weights", "worst_case"}
mode "loss": a PPO-style per-token loss from parameters theta [B, T] (log pi_theta):
    ratio = exp(theta - old), l_t = -min(ratio * A, clip(ratio, 1 - eps, 1 + eps) * A)
  spans: split each row's response tokens at boundary tokens (inclusive) and every L tokens
  span loss l_k = mean of l_t over span k; q = worst-case weights of the detached l_k; loss = sum_k q_k l_k
  -> {"span_ids", "span_losses", "weights", "loss", "grad_theta", "grad_token_losses"}

Weights, by a different route than the C# code:
  kl:           plain bisection on tau itself (not log tau) for KL(softmax(l / tau) || u) = rho
  kl_penalized: torch.softmax(l / tau)
  chi_square:   the dual  min_eta sqrt(1 + 2 rho) * sqrt(mean((l - eta)_+^2)) + eta, by bisection on the sign of its
                derivative (it is convex), then q = (l - eta)_+ / sum
  cvar:         fill capacity 1 / (alpha n) greedily from the largest loss down until the mass is 1
"""
import json
import math
import sys

import torch

torch.set_num_threads(1)
d = json.load(sys.stdin)


def kl_to_uniform(q):
    n = q.numel()
    p = q[q > 0]
    return float((p * torch.log(n * p)).sum())


def kl_weights(l, rho):
    n = l.numel()
    if rho == 0 or float(l.max() - l.min()) == 0:
        return torch.full_like(l, 1.0 / n)
    top = l == l.max()
    if rho >= math.log(n / int(top.sum())):
        return top.double() / int(top.sum())
    spread = float(l.max() - l.min())
    lo, hi = spread, spread
    while kl_to_uniform(torch.softmax(l / hi, 0)) > rho:
        hi *= 2
    while kl_to_uniform(torch.softmax(l / lo, 0)) < rho:
        lo /= 2
    for _ in range(300):
        mid = 0.5 * (lo + hi)
        if kl_to_uniform(torch.softmax(l / mid, 0)) > rho:
            lo = mid
        else:
            hi = mid
    return torch.softmax(l / hi, 0)


def chi_square_weights(l, rho):
    n = l.numel()
    if rho == 0 or float(l.max() - l.min()) == 0:
        return torch.full_like(l, 1.0 / n)
    top = l == l.max()
    m = int(top.sum())
    if rho >= (n - m) / (2 * m):
        return top.double() / m
    c = math.sqrt(1 + 2 * rho)

    def slope(eta):
        w = torch.clamp(l - eta, min=0)
        return 1 - c * float(w.mean()) / math.sqrt(float((w * w).mean()))

    lo, hi = float(l.min()) - 1.0, float(l.max())
    while slope(lo) > 0:
        lo -= 2 * (hi - lo)
    for _ in range(300):
        mid = 0.5 * (lo + hi)
        if slope(mid) < 0:
            lo = mid
        else:
            hi = mid
    w = torch.clamp(l - lo, min=0)
    return w / w.sum()


def cvar_weights(l, alpha):
    n = l.numel()
    cap = 1.0 / (alpha * n)
    q = torch.zeros_like(l)
    left = 1.0
    for k in torch.argsort(l, descending=True).tolist():
        take = min(cap, left)
        q[k] = take
        left -= take
        if left <= 1e-15:
            break
    return q


def weights(l, kind, size):
    l = l.double()
    if kind == "kl":
        return kl_weights(l, size)
    if kind == "kl_penalized":
        return torch.softmax(l / size, 0)
    if kind == "chi_square":
        return chi_square_weights(l, size)
    if kind == "cvar":
        return cvar_weights(l, size)
    raise ValueError(kind)


def span_ids(tokens, mask, boundaries, L):
    ids = [[-1] * len(row) for row in tokens]
    count = 0
    for b, row in enumerate(tokens):
        current = []
        for t, token in enumerate(row):
            if not mask[b][t]:
                if current:
                    for s in current:
                        ids[b][s] = count
                    count += 1
                    current = []
                continue
            current.append(t)
            if token in boundaries or len(current) == L:
                for s in current:
                    ids[b][s] = count
                count += 1
                current = []
        if current:
            for s in current:
                ids[b][s] = count
            count += 1
    return ids, count


out = {}
if d["mode"] == "weights":
    l = torch.tensor(d["losses"], dtype=torch.float64)
    q = weights(l, d["set"], d["size"])
    out = {"weights": q.tolist(), "worst_case": float((q * l).sum())}
else:
    B, T = d["rows"], d["columns"]
    theta = torch.tensor(d["theta"], dtype=torch.float64).reshape(B, T).requires_grad_(True)
    old = torch.tensor(d["old"], dtype=torch.float64).reshape(B, T)
    adv = torch.tensor(d["advantages"], dtype=torch.float64).reshape(B, T)
    tokens = torch.tensor(d["tokens"], dtype=torch.int64).reshape(B, T).tolist()
    mask = torch.tensor(d["mask"], dtype=torch.bool).reshape(B, T).tolist()
    eps = d["eps"]
    ratio = torch.exp(theta - old)
    token_losses = -torch.min(ratio * adv, torch.clamp(ratio, 1 - eps, 1 + eps) * adv)
    token_losses.retain_grad()
    ids, n = span_ids(tokens, mask, set(d["boundaries"]), d["max_span_length"])
    ids_t = torch.tensor(ids, dtype=torch.int64)
    span_losses = torch.stack([token_losses[ids_t == k].mean() for k in range(n)])
    q = weights(span_losses.detach(), d["set"], d["size"])
    loss = (q * span_losses).sum()
    loss.backward()
    out = {
        "span_ids": ids_t.flatten().tolist(),
        "span_losses": span_losses.detach().tolist(),
        "weights": q.tolist(),
        "loss": loss.item(),
        "grad_theta": theta.grad.flatten().tolist(),
        "grad_token_losses": token_losses.grad.flatten().tolist(),
    }
json.dump(out, sys.stdout)
