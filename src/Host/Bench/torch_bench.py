"""The training steps measured by `actorrl bench torch`, written in PyTorch (Debian's python3-torch).

The step programs must stay identical to src/Models/Native/bench/torch_bench.cpp (C++) and
src/Host/Bench/MlpStep.cs, BlockStep.cs (C#): same shapes, same ops in the same order, the same
initialisation drawn in the same order from the same seed, AdamW with the same hyperparameters.

Usage: torch_bench.py <threads> <warmup> <steps>
Prints one JSON object: {"mlp": [ms...], "block": [ms...]}.
"""
import json
import math
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("error: PyTorch is not installed for " + sys.executable + ": apt-get install -y python3-torch", file=sys.stderr)
    sys.exit(3)

# MLP: x[128,512] -> Linear(512,2048) -> GELU -> Linear(2048,512); cross-entropy on 512 classes.
MLP_BATCH, MLP_IN, MLP_HIDDEN = 128, 512, 2048
# Block: pre-LayerNorm GPT block, x[8,128,256], 4 heads, MLP width 1024; loss = mean squared error.
BATCH, SEQ, WIDTH, HEADS = 8, 128, 256, 4


def param(shape, scale):
    return (torch.randn(shape) * scale).requires_grad_(True)


class Mlp:
    def __init__(self):
        self.w1, self.b1 = param((MLP_HIDDEN, MLP_IN), 0.02), param((MLP_HIDDEN,), 0.0)
        self.w2, self.b2 = param((MLP_IN, MLP_HIDDEN), 0.02), param((MLP_IN,), 0.0)
        self.x = torch.randn(MLP_BATCH, MLP_IN)
        self.y = torch.randint(0, MLP_IN, (MLP_BATCH,))

    def params(self):
        return [self.w1, self.b1, self.w2, self.b2]

    def loss(self):
        h = F.gelu(F.linear(self.x, self.w1, self.b1))
        return F.cross_entropy(F.linear(h, self.w2, self.b2), self.y)


class Block:
    def __init__(self):
        self.ln1w, self.ln1b = torch.ones(WIDTH).requires_grad_(True), torch.zeros(WIDTH).requires_grad_(True)
        self.wqkv, self.bqkv = param((3 * WIDTH, WIDTH), 0.02), param((3 * WIDTH,), 0.0)
        self.wo, self.bo = param((WIDTH, WIDTH), 0.02), param((WIDTH,), 0.0)
        self.ln2w, self.ln2b = torch.ones(WIDTH).requires_grad_(True), torch.zeros(WIDTH).requires_grad_(True)
        self.wfc, self.bfc = param((4 * WIDTH, WIDTH), 0.02), param((4 * WIDTH,), 0.0)
        self.wproj, self.bproj = param((WIDTH, 4 * WIDTH), 0.02), param((WIDTH,), 0.0)
        self.mask = torch.ones(SEQ, SEQ, dtype=torch.bool).tril().logical_not()
        self.x = torch.randn(BATCH, SEQ, WIDTH)
        self.target = torch.randn(BATCH, SEQ, WIDTH)

    def params(self):
        return [self.ln1w, self.ln1b, self.wqkv, self.bqkv, self.wo, self.bo,
                self.ln2w, self.ln2b, self.wfc, self.bfc, self.wproj, self.bproj]

    def attention(self, h):
        d = WIDTH // HEADS
        qkv = F.linear(h, self.wqkv, self.bqkv)

        def heads(i):
            return qkv.narrow(2, i * WIDTH, WIDTH).view(BATCH, SEQ, HEADS, d).transpose(1, 2)

        q, k, v = heads(0), heads(1), heads(2)
        att = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(d))
        att = torch.softmax(att.masked_fill(self.mask, -math.inf), -1)
        y = torch.matmul(att, v).transpose(1, 2).contiguous().view(BATCH, SEQ, WIDTH)
        return F.linear(y, self.wo, self.bo)

    def loss(self):
        h = self.x + self.attention(F.layer_norm(self.x, (WIDTH,), self.ln1w, self.ln1b, 1e-5))
        m = F.linear(F.gelu(F.linear(F.layer_norm(h, (WIDTH,), self.ln2w, self.ln2b, 1e-5), self.wfc, self.bfc)),
                     self.wproj, self.bproj)
        out = h + m
        return (out - self.target).pow(2).mean()


def measure(model_type, warmup, steps):
    model = model_type()
    # foreach=False: the single-tensor update, as libtorch's C++ AdamW and the C# binding's.
    opt = torch.optim.AdamW(model.params(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, foreach=False)
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        # libtorch 1.13's C++ Optimizer::zero_grad zeroes gradients in place; so do we.
        opt.zero_grad(set_to_none=False)
        model.loss().backward()
        opt.step()
        end = time.perf_counter()
        if i >= warmup:
            times.append((end - start) * 1e3)
    return times


def main(argv):
    if len(argv) != 4:
        print("usage: %s <threads> <warmup> <steps>" % argv[0], file=sys.stderr)
        return 2
    torch.set_num_threads(int(argv[1]))
    torch.manual_seed(0)
    warmup, steps = int(argv[2]), int(argv[3])
    mlp = measure(Mlp, warmup, steps)
    block = measure(Block, warmup, steps)
    print(json.dumps({"mlp": mlp, "block": block}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
