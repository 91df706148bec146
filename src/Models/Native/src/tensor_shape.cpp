// Layout, indexing and joining: views and copies that rearrange elements without arithmetic.
#include "atr.h"

ATR_API Tensor* atr_contiguous(const Tensor* t) {
  return atr::make([&] { return t->contiguous(); });
}

ATR_API Tensor* atr_view(const Tensor* t, const int64_t* shape, int32_t n) {
  return atr::make([&] { return t->view(atr::dims(shape, n)); });
}

ATR_API Tensor* atr_reshape(const Tensor* t, const int64_t* shape, int32_t n) {
  return atr::make([&] { return t->reshape(atr::dims(shape, n)); });
}

ATR_API Tensor* atr_transpose(const Tensor* t, int64_t dim0, int64_t dim1) {
  return atr::make([&] { return t->transpose(dim0, dim1); });
}

ATR_API Tensor* atr_permute(const Tensor* t, const int64_t* order, int32_t n) {
  return atr::make([&] { return t->permute(atr::dims(order, n)); });
}

ATR_API Tensor* atr_squeeze(const Tensor* t, int64_t dim) {
  return atr::make([&] { return t->squeeze(dim); });
}

ATR_API Tensor* atr_unsqueeze(const Tensor* t, int64_t dim) {
  return atr::make([&] { return t->unsqueeze(dim); });
}

ATR_API Tensor* atr_expand(const Tensor* t, const int64_t* shape, int32_t n) {
  return atr::make([&] { return t->expand(atr::dims(shape, n)); });
}

ATR_API Tensor* atr_flatten(const Tensor* t, int64_t start_dim, int64_t end_dim) {
  return atr::make([&] { return t->flatten(start_dim, end_dim); });
}

ATR_API Tensor* atr_cat(Tensor* const* ts, int32_t n, int64_t dim) {
  return atr::make([&] { return torch::cat(atr::list(ts, n), dim); });
}

ATR_API Tensor* atr_stack(Tensor* const* ts, int32_t n, int64_t dim) {
  return atr::make([&] { return torch::stack(atr::list(ts, n), dim); });
}

ATR_API Tensor* atr_narrow(const Tensor* t, int64_t dim, int64_t start, int64_t length) {
  return atr::make([&] { return t->narrow(dim, start, length); });
}

ATR_API Tensor* atr_select(const Tensor* t, int64_t dim, int64_t index) {
  return atr::make([&] { return t->select(dim, index); });
}

ATR_API Tensor* atr_slice(const Tensor* t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  return atr::make([&] { return t->slice(dim, start, end, step); });
}

ATR_API Tensor* atr_index_select(const Tensor* t, int64_t dim, const Tensor* index) {
  return atr::make([&] { return t->index_select(dim, *index); });
}

ATR_API Tensor* atr_gather(const Tensor* t, int64_t dim, const Tensor* index) {
  return atr::make([&] { return t->gather(dim, *index); });
}

ATR_API Tensor* atr_scatter(const Tensor* t, int64_t dim, const Tensor* index, const Tensor* src) {
  return atr::make([&] { return t->scatter(dim, *index, *src); });
}

ATR_API Tensor* atr_scatter_add(const Tensor* t, int64_t dim, const Tensor* index, const Tensor* src) {
  return atr::make([&] { return t->scatter_add(dim, *index, *src); });
}

ATR_API Tensor* atr_masked_fill(const Tensor* t, const Tensor* mask, double value) {
  return atr::make([&] { return t->masked_fill(*mask, atr::scalar_for(*t, value)); });
}

ATR_API Tensor* atr_where(const Tensor* cond, const Tensor* a, const Tensor* b) {
  return atr::make([&] { return torch::where(*cond, *a, *b); });
}

ATR_API Tensor* atr_tril(const Tensor* t, int64_t diagonal) {
  return atr::make([&] { return t->tril(diagonal); });
}

ATR_API Tensor* atr_triu(const Tensor* t, int64_t diagonal) {
  return atr::make([&] { return t->triu(diagonal); });
}
