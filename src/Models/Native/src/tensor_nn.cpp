// Neural-network building blocks: products, normalization, activations, losses, sampling.
#include "atr.h"

ATR_API Tensor* atr_matmul(const Tensor* a, const Tensor* b) {
  return atr::make([&] { return at::matmul(*a, *b); });
}

ATR_API Tensor* atr_bmm(const Tensor* a, const Tensor* b) {
  return atr::make([&] { return at::bmm(*a, *b); });
}

// y = x W^T + b; `bias` may be an undefined tensor.
ATR_API Tensor* atr_linear(const Tensor* x, const Tensor* weight, const Tensor* bias) {
  return atr::make([&] { return at::linear(*x, *weight, atr::optional(bias)); });
}

ATR_API Tensor* atr_softmax(const Tensor* a, int64_t dim) {
  return atr::make([&] { return at::softmax(*a, dim); });
}

ATR_API Tensor* atr_log_softmax(const Tensor* a, int64_t dim) {
  return atr::make([&] { return at::log_softmax(*a, dim); });
}

ATR_API Tensor* atr_embedding(const Tensor* weight, const Tensor* indices) {
  return atr::make([&] { return at::embedding(*weight, *indices); });
}

// `weight` and `bias` may be undefined tensors (no affine transform).
ATR_API Tensor* atr_layer_norm(const Tensor* x, const int64_t* shape, int32_t n, const Tensor* weight,
                               const Tensor* bias, double eps) {
  return atr::make([&] {
    return at::layer_norm(*x, atr::dims(shape, n), atr::optional(weight), atr::optional(bias), eps);
  });
}

ATR_API Tensor* atr_gelu(const Tensor* a, int32_t tanh_approximation) {
  return atr::make([&] { return at::gelu(*a, tanh_approximation ? "tanh" : "none"); });
}

ATR_API Tensor* atr_dropout(const Tensor* a, double p, int32_t train) {
  return atr::make([&] { return at::dropout(*a, p, train != 0); });
}

// reduction: 0 = none, 1 = mean, 2 = sum (at::Reduction). `weight` may be undefined.
ATR_API Tensor* atr_cross_entropy(const Tensor* logits, const Tensor* target, const Tensor* weight,
                                  int32_t reduction, int64_t ignore_index, double label_smoothing) {
  return atr::make([&] {
    return at::cross_entropy_loss(*logits, *target, atr::optional(weight), reduction, ignore_index,
                                  label_smoothing);
  });
}

ATR_API Tensor* atr_multinomial(const Tensor* probs, int64_t num_samples, int32_t replacement) {
  return atr::make([&] { return at::multinomial(*probs, num_samples, replacement != 0); });
}
