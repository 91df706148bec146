// Shared plumbing of the ActorRL libtorch shim: the export macro, the error channel and the
// guards that turn every C++ exception into an error message at the C boundary.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <exception>
#include <vector>

#define ATR_API extern "C" __attribute__((visibility("default")))

using at::Tensor;

namespace atr {

// Records the message of the failure that the caller will read through atr_last_error().
void set_error(const char* message);

inline void record_current_exception() {
  try {
    throw;
  } catch (const c10::Error& e) {
    set_error(e.what_without_backtrace());
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception in libtorch");
  }
}

// Runs f, returning a heap tensor the managed side owns, or null with the error recorded.
template <class F>
Tensor* make(F&& f) {
  try {
    return new Tensor(f());
  } catch (...) {
    record_current_exception();
    return nullptr;
  }
}

// Runs f, returning 0, or -1 with the error recorded.
template <class F>
int run(F&& f) {
  try {
    f();
    return 0;
  } catch (...) {
    record_current_exception();
    return -1;
  }
}

inline at::IntArrayRef dims(const int64_t* values, int32_t count) {
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

inline std::vector<Tensor> list(Tensor* const* tensors, int32_t count) {
  std::vector<Tensor> out;
  out.reserve(count);
  for (int32_t i = 0; i < count; ++i) out.push_back(*tensors[i]);
  return out;
}

// An undefined tensor stands for an absent optional argument.
inline c10::optional<Tensor> optional(const Tensor* t) {
  if (t == nullptr || !t->defined()) return c10::nullopt;
  return *t;
}

inline at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(c10::Device(static_cast<c10::DeviceType>(device_type),
                          static_cast<c10::DeviceIndex>(device_index)));
}

// A scalar of the tensor's kind: integral tensors keep integral results when the value is whole.
inline at::Scalar scalar_for(const Tensor& t, double value) {
  if (c10::isIntegralType(t.scalar_type(), /*includeBool=*/false) &&
      value == static_cast<double>(static_cast<int64_t>(value))) {
    return at::Scalar(static_cast<int64_t>(value));
  }
  return at::Scalar(value);
}

// Hands two results to the managed side through out-pointers.
inline int pair(const std::tuple<Tensor, Tensor>& result, Tensor** first, Tensor** second) {
  *first = new Tensor(std::get<0>(result));
  *second = new Tensor(std::get<1>(result));
  return 0;
}

}  // namespace atr
