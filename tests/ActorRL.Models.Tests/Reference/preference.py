"""DPO, conservative DPO and ROPO losses and their gradients w.r.t. the policy's token log-probabilities,
the reference for DpoGradientParityTests. float64 throughout.

seq(lp, m)  = sum_t lp[b, t] * m[b, t]                      (response tokens only)
margin      = (seq(pc) - seq(rc)) - (seq(pr) - seq(rr))
dpo         = mean(-logsigmoid(beta * margin))
cdpo        = mean(-(1 - eps) * logsigmoid(beta * margin) - eps * logsigmoid(-beta * margin))
ropo        = sum(w * 4a/(1+a)^2 * (-logsigmoid(beta * margin) + a * sigmoid(-beta * margin))) / sum(w)
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
d = json.load(sys.stdin)
b, t = d["batch"], d["tokens"]
beta, eps, alpha = d["beta"], d["label_smoothing"], d["alpha"]


def tensor(name, grad=False):
    return torch.tensor(d[name], dtype=torch.float64).reshape(b, t).requires_grad_(grad)


pc, pr = tensor("policy_chosen", True), tensor("policy_rejected", True)
rc, rr = tensor("reference_chosen"), tensor("reference_rejected")
mc, mr = tensor("mask_chosen"), tensor("mask_rejected")
w = torch.tensor(d["weights"], dtype=torch.float64)


def seq(lp, m):
    return (lp * m).sum(-1)


margin = (seq(pc, mc) - seq(rc, mc)) - (seq(pr, mr) - seq(rr, mr))
z = beta * margin
ropo_pairs = 4 * alpha / (1 + alpha) ** 2 * (-F.logsigmoid(z) + alpha * torch.sigmoid(-z))
losses = {
    "dpo": (-F.logsigmoid(z)).mean(),
    "cdpo": (-(1 - eps) * F.logsigmoid(z) - eps * F.logsigmoid(-z)).mean(),
    "ropo": (w * ropo_pairs).sum() / w.sum(),
}

out = {"margins": margin.detach().tolist(), "ropo_pairs": ropo_pairs.detach().tolist()}
for name, loss in losses.items():
    g_chosen, g_rejected = torch.autograd.grad(loss, [pc, pr], retain_graph=True)
    out[name] = {"loss": loss.item(), "grad_chosen": g_chosen.flatten().tolist(), "grad_rejected": g_rejected.flatten().tolist()}
json.dump(out, sys.stdout)
