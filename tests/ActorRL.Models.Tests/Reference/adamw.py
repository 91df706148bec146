"""Parameters after AdamW steps with two parameter groups and global grad-norm clipping.

Each step: grad = given gradient for that step; clip_grad_norm_(all, max_norm); optimizer.step().
"""
import json
import sys

import torch

d = json.load(sys.stdin)
params = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in d["params"]]
groups = []
for g in d["groups"]:
    groups.append({"params": [params[i] for i in g["indices"]], "lr": g["lr"], "weight_decay": g["weight_decay"],
                   "betas": (g["beta1"], g["beta2"]), "eps": g["eps"]})
opt = torch.optim.AdamW(groups, foreach=False)
norms = []
for step in d["grads"]:
    for p, grad in zip(params, step):
        p.grad = torch.tensor(grad, dtype=torch.float32)
    norms.append(float(torch.nn.utils.clip_grad_norm_(params, d["max_norm"])))
    opt.step()
json.dump({"params": [p.detach().tolist() for p in params], "norms": norms,
           "exp_avg": [opt.state[p]["exp_avg"].tolist() for p in params]}, sys.stdout)
