// AdamW with parameter groups, and global gradient-norm clipping.
//
// The update is PyTorch's single-tensor AdamW (torch.optim.AdamW, foreach=False), written out
// here so that its state (step, first and second moments) can be read and restored exactly
// for checkpoints.
#include "atr.h"

#include <cmath>

namespace {

struct ParamState {
  Tensor param;
  Tensor exp_avg;
  Tensor exp_avg_sq;
  int64_t step = 0;
};

struct Group {
  std::vector<ParamState> params;
  double lr, beta1, beta2, eps, weight_decay;
};

struct AdamW {
  std::vector<Group> groups;
};

void update(Group& g, ParamState& s) {
  const Tensor& grad = s.param.grad();
  if (!grad.defined()) return;
  TORCH_CHECK(!grad.is_sparse(), "AdamW does not support sparse gradients");
  if (!s.exp_avg.defined()) {
    s.exp_avg = torch::zeros_like(s.param, at::MemoryFormat::Preserve);
    s.exp_avg_sq = torch::zeros_like(s.param, at::MemoryFormat::Preserve);
  }
  s.step += 1;
  s.param.mul_(1.0 - g.lr * g.weight_decay);
  s.exp_avg.mul_(g.beta1).add_(grad, 1.0 - g.beta1);
  s.exp_avg_sq.mul_(g.beta2).addcmul_(grad, grad, 1.0 - g.beta2);
  double bias_correction1 = 1.0 - std::pow(g.beta1, static_cast<double>(s.step));
  double bias_correction2 = 1.0 - std::pow(g.beta2, static_cast<double>(s.step));
  double step_size = g.lr / bias_correction1;
  Tensor denom = (s.exp_avg_sq.sqrt() / std::sqrt(bias_correction2)).add_(g.eps);
  s.param.addcdiv_(s.exp_avg, denom, -step_size);
}

ParamState& state_at(AdamW* opt, int32_t group, int32_t index) {
  TORCH_CHECK(group >= 0 && group < static_cast<int32_t>(opt->groups.size()), "no parameter group ", group);
  auto& params = opt->groups[group].params;
  TORCH_CHECK(index >= 0 && index < static_cast<int32_t>(params.size()), "group ", group, " has no parameter ",
              index);
  return params[index];
}

}  // namespace

ATR_API AdamW* atr_adamw_new() { return new AdamW(); }

ATR_API void atr_adamw_free(AdamW* opt) { delete opt; }

ATR_API int32_t atr_adamw_add_group(AdamW* opt, Tensor* const* params, int32_t n, double lr, double beta1,
                                    double beta2, double eps, double weight_decay) {
  int32_t index = -1;
  int rc = atr::run([&] {
    Group g{{}, lr, beta1, beta2, eps, weight_decay};
    for (int32_t i = 0; i < n; ++i) {
      TORCH_CHECK(params[i]->is_leaf(), "AdamW parameter ", i, " is not a leaf tensor");
      g.params.push_back(ParamState{*params[i], Tensor(), Tensor(), 0});
    }
    opt->groups.push_back(std::move(g));
    index = static_cast<int32_t>(opt->groups.size()) - 1;
  });
  return rc == 0 ? index : -1;
}

ATR_API int atr_adamw_set_lr(AdamW* opt, int32_t group, double lr) {
  return atr::run([&] {
    TORCH_CHECK(group >= 0 && group < static_cast<int32_t>(opt->groups.size()), "no parameter group ", group);
    opt->groups[group].lr = lr;
  });
}

ATR_API int atr_adamw_step(AdamW* opt) {
  return atr::run([&] {
    torch::NoGradGuard no_grad;
    for (auto& g : opt->groups)
      for (auto& s : g.params) update(g, s);
  });
}

ATR_API int atr_adamw_zero_grad(AdamW* opt, int32_t set_to_none) {
  return atr::run([&] {
    for (auto& g : opt->groups)
      for (auto& s : g.params) {
        Tensor& grad = s.param.mutable_grad();
        if (!grad.defined()) continue;
        if (set_to_none) {
          grad.reset();
        } else {
          grad = grad.detach();
          grad.zero_();
        }
      }
  });
}

// State of one parameter: which = 0 for exp_avg, 1 for exp_avg_sq (undefined before the first step).
ATR_API Tensor* atr_adamw_get_moment(AdamW* opt, int32_t group, int32_t index, int32_t which) {
  return atr::make([&] {
    ParamState& s = state_at(opt, group, index);
    return which == 0 ? s.exp_avg : s.exp_avg_sq;
  });
}

ATR_API int atr_adamw_get_step(AdamW* opt, int32_t group, int32_t index, int64_t* step) {
  return atr::run([&] { *step = state_at(opt, group, index).step; });
}

ATR_API int atr_adamw_set_state(AdamW* opt, int32_t group, int32_t index, int64_t step, const Tensor* exp_avg,
                                const Tensor* exp_avg_sq) {
  return atr::run([&] {
    ParamState& s = state_at(opt, group, index);
    TORCH_CHECK(exp_avg->sizes() == s.param.sizes() && exp_avg_sq->sizes() == s.param.sizes(),
                "AdamW state for group ", group, " parameter ", index, " has shape ", exp_avg->sizes(),
                " but the parameter has ", s.param.sizes());
    s.step = step;
    s.exp_avg = exp_avg->detach().to(s.param.options()).clone();
    s.exp_avg_sq = exp_avg_sq->detach().to(s.param.options()).clone();
  });
}

// Forgets a parameter's state, as before its first step (step 0, moments undefined).
ATR_API int atr_adamw_clear_state(AdamW* opt, int32_t group, int32_t index) {
  return atr::run([&] {
    ParamState& s = state_at(opt, group, index);
    s.step = 0;
    s.exp_avg = Tensor();
    s.exp_avg_sq = Tensor();
  });
}

// Scales all gradients so that their global norm is at most max_norm; returns the norm before.
ATR_API int atr_clip_grad_norm(Tensor* const* params, int32_t n, double max_norm, double norm_type,
                               double* total_norm) {
  return atr::run([&] {
    *total_norm = torch::nn::utils::clip_grad_norm_(atr::list(params, n), max_norm, norm_type);
  });
}
