// Elementwise arithmetic, comparisons, in-place updates and reductions.
#include "atr.h"

#define ATR_UNARY(name, expr) \
  ATR_API Tensor* atr_##name(const Tensor* a) { return atr::make([&] { return (expr); }); }
#define ATR_BINARY(name, expr) \
  ATR_API Tensor* atr_##name(const Tensor* a, const Tensor* b) { return atr::make([&] { return (expr); }); }
#define ATR_SCALAR(name, expr)                                   \
  ATR_API Tensor* atr_##name(const Tensor* a, double value) {    \
    return atr::make([&] { auto s = atr::scalar_for(*a, value); return (expr); }); \
  }

ATR_API Tensor* atr_add(const Tensor* a, const Tensor* b, double alpha) {
  return atr::make([&] { return at::add(*a, *b, atr::scalar_for(*a, alpha)); });
}
ATR_API Tensor* atr_sub(const Tensor* a, const Tensor* b, double alpha) {
  return atr::make([&] { return at::sub(*a, *b, atr::scalar_for(*a, alpha)); });
}
ATR_BINARY(mul, *a * *b)
ATR_BINARY(div, *a / *b)
ATR_BINARY(pow, a->pow(*b))
ATR_BINARY(minimum, at::minimum(*a, *b))
ATR_BINARY(maximum, at::maximum(*a, *b))
ATR_BINARY(eq, a->eq(*b))
ATR_BINARY(ne, a->ne(*b))
ATR_BINARY(lt, a->lt(*b))
ATR_BINARY(le, a->le(*b))
ATR_BINARY(gt, a->gt(*b))
ATR_BINARY(ge, a->ge(*b))
ATR_BINARY(logical_and, a->logical_and(*b))
ATR_BINARY(logical_or, a->logical_or(*b))

ATR_SCALAR(add_scalar, at::add(*a, s))
ATR_SCALAR(rsub_scalar, at::rsub(*a, s))
ATR_SCALAR(mul_scalar, at::mul(*a, s))
ATR_SCALAR(div_scalar, at::div(*a, s))
ATR_SCALAR(rdiv_scalar, a->reciprocal() * s)
ATR_SCALAR(pow_scalar, a->pow(s))
ATR_SCALAR(eq_scalar, a->eq(s))
ATR_SCALAR(ne_scalar, a->ne(s))
ATR_SCALAR(lt_scalar, a->lt(s))
ATR_SCALAR(le_scalar, a->le(s))
ATR_SCALAR(gt_scalar, a->gt(s))
ATR_SCALAR(ge_scalar, a->ge(s))

ATR_UNARY(neg, a->neg())
ATR_UNARY(exp, a->exp())
ATR_UNARY(log, a->log())
ATR_UNARY(sqrt, a->sqrt())
ATR_UNARY(rsqrt, a->rsqrt())
ATR_UNARY(tanh, a->tanh())
ATR_UNARY(sigmoid, a->sigmoid())
ATR_UNARY(logsigmoid, at::log_sigmoid(*a))
ATR_UNARY(abs, a->abs())
ATR_UNARY(relu, a->relu())
ATR_UNARY(reciprocal, a->reciprocal())
ATR_UNARY(square, a->square())
ATR_UNARY(logical_not, a->logical_not())
ATR_UNARY(isnan, a->isnan())
ATR_UNARY(isfinite, a->isfinite())

ATR_API Tensor* atr_softplus(const Tensor* a, double beta, double threshold) {
  return atr::make([&] { return at::softplus(*a, beta, threshold); });
}

// Either bound may be absent (has_min / has_max = 0).
ATR_API Tensor* atr_clamp(const Tensor* a, int32_t has_min, double min, int32_t has_max, double max) {
  return atr::make([&] {
    c10::optional<at::Scalar> lo, hi;
    if (has_min) lo = atr::scalar_for(*a, min);
    if (has_max) hi = atr::scalar_for(*a, max);
    return a->clamp(lo, hi);
  });
}

ATR_API int atr_add_(Tensor* a, const Tensor* b, double alpha) {
  return atr::run([&] { a->add_(*b, atr::scalar_for(*a, alpha)); });
}
ATR_API int atr_mul_scalar_(Tensor* a, double value) {
  return atr::run([&] { a->mul_(atr::scalar_for(*a, value)); });
}
ATR_API int atr_fill_(Tensor* a, double value) {
  return atr::run([&] { a->fill_(atr::scalar_for(*a, value)); });
}
ATR_API int atr_zero_(Tensor* a) {
  return atr::run([&] { a->zero_(); });
}
ATR_API int atr_copy_(Tensor* dst, const Tensor* src) {
  return atr::run([&] { dst->copy_(*src); });
}

// Reductions: n = 0 dims means over all elements.
ATR_UNARY(sum_all, a->sum())
ATR_UNARY(mean_all, a->mean())
ATR_UNARY(max_all, a->max())
ATR_UNARY(min_all, a->min())

ATR_API Tensor* atr_sum(const Tensor* a, const int64_t* dims, int32_t n, int32_t keepdim) {
  return atr::make([&] { return a->sum(atr::dims(dims, n), keepdim != 0); });
}
ATR_API Tensor* atr_mean(const Tensor* a, const int64_t* dims, int32_t n, int32_t keepdim) {
  return atr::make([&] { return a->mean(atr::dims(dims, n), keepdim != 0); });
}
ATR_API Tensor* atr_logsumexp(const Tensor* a, const int64_t* dims, int32_t n, int32_t keepdim) {
  return atr::make([&] { return a->logsumexp(atr::dims(dims, n), keepdim != 0); });
}
ATR_API Tensor* atr_var(const Tensor* a, const int64_t* dims, int32_t n, int32_t unbiased, int32_t keepdim) {
  return atr::make([&] {
    if (n == 0) return a->var(unbiased != 0);
    return a->var(atr::dims(dims, n), unbiased != 0, keepdim != 0);
  });
}
ATR_API Tensor* atr_std(const Tensor* a, const int64_t* dims, int32_t n, int32_t unbiased, int32_t keepdim) {
  return atr::make([&] {
    if (n == 0) return a->std(unbiased != 0);
    return a->std(atr::dims(dims, n), unbiased != 0, keepdim != 0);
  });
}
ATR_API int atr_max_dim(const Tensor* a, int64_t dim, int32_t keepdim, Tensor** values, Tensor** indices) {
  return atr::run([&] { atr::pair(a->max(dim, keepdim != 0), values, indices); });
}
ATR_API int atr_min_dim(const Tensor* a, int64_t dim, int32_t keepdim, Tensor** values, Tensor** indices) {
  return atr::run([&] { atr::pair(a->min(dim, keepdim != 0), values, indices); });
}
ATR_API Tensor* atr_argmax(const Tensor* a, int64_t dim, int32_t keepdim) {
  return atr::make([&] { return a->argmax(dim, keepdim != 0); });
}
ATR_API Tensor* atr_cumsum(const Tensor* a, int64_t dim) {
  return atr::make([&] { return a->cumsum(dim); });
}
ATR_API int atr_topk(const Tensor* a, int64_t k, int64_t dim, int32_t largest, int32_t sorted, Tensor** values,
                     Tensor** indices) {
  return atr::run([&] { atr::pair(a->topk(k, dim, largest != 0, sorted != 0), values, indices); });
}
ATR_API int atr_sort(const Tensor* a, int64_t dim, int32_t descending, Tensor** values, Tensor** indices) {
  return atr::run([&] { atr::pair(a->sort(dim, descending != 0), values, indices); });
}
