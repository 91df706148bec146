// The training steps measured by `actorrl bench torch`, written directly against libtorch's
// C++ API: the lower bound that the C# binding is compared with. The step programs must stay
// identical to those in src/Host/Bench (C#) and torch_bench.py (Python).
//
// Usage: actorrl_torch_bench <threads> <warmup> <steps>
// Prints one JSON object: {"mlp": [ms...], "block": [ms...]}.
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

// MLP: x[128,512] -> Linear(512,2048) -> GELU -> Linear(2048,512); cross-entropy on 512 classes.
constexpr int64_t kMlpBatch = 128, kMlpIn = 512, kMlpHidden = 2048;
// Block: pre-LayerNorm GPT block, x[8,128,256], 4 heads, MLP width 1024; loss = mean squared error.
constexpr int64_t kBatch = 8, kSeq = 128, kWidth = 256, kHeads = 4;

at::Tensor param(std::vector<int64_t> shape, double scale) {
  return (torch::randn(shape) * scale).requires_grad_(true);
}

struct Mlp {
  at::Tensor w1 = param({kMlpHidden, kMlpIn}, 0.02), b1 = param({kMlpHidden}, 0.0);
  at::Tensor w2 = param({kMlpIn, kMlpHidden}, 0.02), b2 = param({kMlpIn}, 0.0);
  at::Tensor x = torch::randn({kMlpBatch, kMlpIn});
  at::Tensor y = torch::randint(0, kMlpIn, {kMlpBatch});
  std::vector<at::Tensor> params() { return {w1, b1, w2, b2}; }
  at::Tensor loss() {
    auto h = at::gelu(at::linear(x, w1, b1));
    return at::cross_entropy_loss(at::linear(h, w2, b2), y);
  }
};

struct Block {
  at::Tensor ln1w = torch::ones({kWidth}).requires_grad_(true), ln1b = torch::zeros({kWidth}).requires_grad_(true);
  at::Tensor wqkv = param({3 * kWidth, kWidth}, 0.02), bqkv = param({3 * kWidth}, 0.0);
  at::Tensor wo = param({kWidth, kWidth}, 0.02), bo = param({kWidth}, 0.0);
  at::Tensor ln2w = torch::ones({kWidth}).requires_grad_(true), ln2b = torch::zeros({kWidth}).requires_grad_(true);
  at::Tensor wfc = param({4 * kWidth, kWidth}, 0.02), bfc = param({4 * kWidth}, 0.0);
  at::Tensor wproj = param({kWidth, 4 * kWidth}, 0.02), bproj = param({kWidth}, 0.0);
  at::Tensor mask = torch::ones({kSeq, kSeq}, torch::kBool).tril().logical_not();
  at::Tensor x = torch::randn({kBatch, kSeq, kWidth});
  at::Tensor target = torch::randn({kBatch, kSeq, kWidth});
  std::vector<at::Tensor> params() { return {ln1w, ln1b, wqkv, bqkv, wo, bo, ln2w, ln2b, wfc, bfc, wproj, bproj}; }

  at::Tensor attention(const at::Tensor& h) {
    const int64_t d = kWidth / kHeads;
    auto qkv = at::linear(h, wqkv, bqkv);
    auto heads = [&](int64_t i) {
      return qkv.narrow(2, i * kWidth, kWidth).view({kBatch, kSeq, kHeads, d}).transpose(1, 2);
    };
    auto q = heads(0), k = heads(1), v = heads(2);
    auto att = at::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(d)));
    att = at::softmax(att.masked_fill(mask, -INFINITY), -1);
    auto y = at::matmul(att, v).transpose(1, 2).contiguous().view({kBatch, kSeq, kWidth});
    return at::linear(y, wo, bo);
  }
  at::Tensor loss() {
    auto h = x + attention(at::layer_norm(x, {kWidth}, ln1w, ln1b, 1e-5));
    auto m = at::linear(at::gelu(at::linear(at::layer_norm(h, {kWidth}, ln2w, ln2b, 1e-5), wfc, bfc)), wproj, bproj);
    auto out = h + m;
    return (out - target).pow(2).mean();
  }
};

template <class Model>
std::vector<double> measure(int warmup, int steps) {
  Model model;
  torch::optim::AdamW opt(model.params(), torch::optim::AdamWOptions(1e-3).weight_decay(0.01));
  std::vector<double> times;
  for (int i = 0; i < warmup + steps; ++i) {
    auto start = std::chrono::steady_clock::now();
    opt.zero_grad();
    model.loss().backward();
    opt.step();
    auto end = std::chrono::steady_clock::now();
    if (i >= warmup) times.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  return times;
}

std::string json(const std::vector<double>& xs) {
  std::string s = "[";
  for (size_t i = 0; i < xs.size(); ++i) s += (i ? "," : "") + std::to_string(xs[i]);
  return s + "]";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <threads> <warmup> <steps>\n", argv[0]);
    return 2;
  }
  torch::set_num_threads(std::atoi(argv[1]));
  torch::manual_seed(0);
  int warmup = std::atoi(argv[2]), steps = std::atoi(argv[3]);
  auto mlp = measure<Mlp>(warmup, steps);
  auto block = measure<Block>(warmup, steps);
  std::printf("{\"mlp\": %s, \"block\": %s}\n", json(mlp).c_str(), json(block).c_str());
  return 0;
}
