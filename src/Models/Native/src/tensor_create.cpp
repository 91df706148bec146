// Tensor lifetime, metadata, creation and the copies between managed memory and tensors.
#include "atr.h"

#include <cstring>

ATR_API void atr_free(Tensor* t) { delete t; }

ATR_API Tensor* atr_undefined() { return new Tensor(); }

ATR_API int32_t atr_defined(const Tensor* t) { return t->defined() ? 1 : 0; }

ATR_API int32_t atr_ndim(const Tensor* t) { return static_cast<int32_t>(t->dim()); }

ATR_API void atr_shape(const Tensor* t, int64_t* out) {
  auto sizes = t->sizes();
  std::copy(sizes.begin(), sizes.end(), out);
}

ATR_API int atr_size(const Tensor* t, int64_t dim, int64_t* out) {
  return atr::run([&] { *out = t->size(dim); });
}

ATR_API int64_t atr_numel(const Tensor* t) { return t->numel(); }

ATR_API int32_t atr_dtype(const Tensor* t) { return static_cast<int32_t>(t->scalar_type()); }

ATR_API int32_t atr_device_type(const Tensor* t) { return static_cast<int32_t>(t->device().type()); }

ATR_API int32_t atr_device_index(const Tensor* t) { return t->device().index(); }

ATR_API int32_t atr_is_contiguous(const Tensor* t) { return t->is_contiguous() ? 1 : 0; }

ATR_API int atr_item(const Tensor* t, double* out) {
  return atr::run([&] { *out = t->item().toDouble(); });
}

// Copies `data` (little-endian elements of `dtype`, row-major) into a new tensor on the device.
ATR_API Tensor* atr_from_data(const void* data, int32_t dtype, const int64_t* shape, int32_t ndim,
                              int32_t device_type, int32_t device_index, int32_t requires_grad) {
  return atr::make([&] {
    auto cpu = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype));
    Tensor t = torch::from_blob(const_cast<void*>(data), atr::dims(shape, ndim), cpu);
    auto device = c10::Device(static_cast<c10::DeviceType>(device_type),
                              static_cast<c10::DeviceIndex>(device_index));
    Tensor owned = device.is_cpu() ? t.clone() : t.to(device);
    if (requires_grad) owned.requires_grad_(true);
    return owned;
  });
}

// Copies the elements into `dst`, which must hold exactly numel * element size bytes.
ATR_API int atr_copy_to(const Tensor* t, void* dst, int64_t nbytes) {
  return atr::run([&] {
    Tensor src = t->detach().to(at::kCPU).contiguous();
    int64_t expected = src.numel() * static_cast<int64_t>(src.element_size());
    TORCH_CHECK(expected == nbytes, "destination holds ", nbytes, " bytes but the tensor has ",
                expected, " (", src.numel(), " elements of ", src.scalar_type(), ")");
    if (nbytes > 0) std::memcpy(dst, src.data_ptr(), static_cast<size_t>(nbytes));
  });
}

ATR_API Tensor* atr_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dev, int32_t idx,
                          int32_t requires_grad) {
  return atr::make([&] {
    return torch::zeros(atr::dims(shape, ndim), atr::options(dtype, dev, idx).requires_grad(requires_grad != 0));
  });
}

ATR_API Tensor* atr_ones(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dev, int32_t idx,
                         int32_t requires_grad) {
  return atr::make([&] {
    return torch::ones(atr::dims(shape, ndim), atr::options(dtype, dev, idx).requires_grad(requires_grad != 0));
  });
}

ATR_API Tensor* atr_full(const int64_t* shape, int32_t ndim, double value, int32_t dtype, int32_t dev,
                         int32_t idx, int32_t requires_grad) {
  return atr::make([&] {
    auto opts = atr::options(dtype, dev, idx);
    at::Scalar fill = c10::isIntegralType(opts.dtype().toScalarType(), true)
                          ? at::Scalar(static_cast<int64_t>(value))
                          : at::Scalar(value);
    return torch::full(atr::dims(shape, ndim), fill, opts.requires_grad(requires_grad != 0));
  });
}

ATR_API Tensor* atr_arange(double start, double end, double step, int32_t dtype, int32_t dev, int32_t idx) {
  return atr::make([&] { return torch::arange(start, end, step, atr::options(dtype, dev, idx)); });
}

ATR_API Tensor* atr_randn(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dev, int32_t idx,
                          int32_t requires_grad) {
  return atr::make([&] {
    return torch::randn(atr::dims(shape, ndim), atr::options(dtype, dev, idx).requires_grad(requires_grad != 0));
  });
}

ATR_API Tensor* atr_rand(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dev, int32_t idx) {
  return atr::make([&] { return torch::rand(atr::dims(shape, ndim), atr::options(dtype, dev, idx)); });
}

ATR_API Tensor* atr_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, int32_t dtype,
                            int32_t dev, int32_t idx) {
  return atr::make([&] { return torch::randint(low, high, atr::dims(shape, ndim), atr::options(dtype, dev, idx)); });
}

ATR_API Tensor* atr_to_device(const Tensor* t, int32_t dev, int32_t idx, int32_t non_blocking) {
  return atr::make([&] {
    return t->to(c10::Device(static_cast<c10::DeviceType>(dev), static_cast<c10::DeviceIndex>(idx)),
                 non_blocking != 0);
  });
}

ATR_API Tensor* atr_to_dtype(const Tensor* t, int32_t dtype) {
  return atr::make([&] { return t->to(static_cast<at::ScalarType>(dtype)); });
}

ATR_API Tensor* atr_clone(const Tensor* t) {
  return atr::make([&] { return t->clone(); });
}
