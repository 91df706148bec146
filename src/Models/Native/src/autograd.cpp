// Autograd: leaves that require gradients, backward passes and gradient access.
#include "atr.h"

ATR_API int32_t atr_requires_grad(const Tensor* t) { return t->requires_grad() ? 1 : 0; }

ATR_API int atr_set_requires_grad(Tensor* t, int32_t requires_grad) {
  return atr::run([&] { t->requires_grad_(requires_grad != 0); });
}

// `gradient` may be undefined (then the tensor must hold a single element).
ATR_API int atr_backward(const Tensor* t, const Tensor* gradient, int32_t retain_graph) {
  return atr::run([&] {
    Tensor g = gradient != nullptr ? *gradient : Tensor();
    t->backward(g, retain_graph != 0);
  });
}

// The accumulated gradient; an undefined tensor when there is none yet.
ATR_API Tensor* atr_grad(const Tensor* t) {
  return atr::make([&] { return t->grad(); });
}

ATR_API int atr_zero_grad(Tensor* t, int32_t set_to_none) {
  return atr::run([&] {
    Tensor& g = t->mutable_grad();
    if (!g.defined()) return;
    if (set_to_none) {
      g.reset();
    } else {
      g = g.detach();
      g.zero_();
    }
  });
}

ATR_API Tensor* atr_detach(const Tensor* t) {
  return atr::make([&] { return t->detach(); });
}

// Replaces the tensor's data (storage, dtype, device) while keeping its identity, as PyTorch's
// Module.to() does for parameters: every handle to the parameter sees the moved data.
ATR_API int atr_set_data(Tensor* t, const Tensor* data) {
  return atr::run([&] { t->set_data(*data); });
}
