// Process-wide libtorch state: version and build facts, threads, devices, RNG, grad mode.
#include "atr.h"

#include <dlfcn.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <string>

ATR_API const char* atr_version() { return TORCH_VERSION; }

ATR_API const char* atr_show_config() {
  static const std::string config = at::show_config();
  return config.c_str();
}

ATR_API const char* atr_parallel_info() {
  static thread_local std::string info;
  info = at::get_parallel_info();
  return info.c_str();
}

ATR_API int32_t atr_get_num_threads() { return at::get_num_threads(); }

// OpenBLAS (Debian's libblas.so.3 when libopenblas0-pthread is installed) keeps a thread pool of its own that
// libtorch's setting does not reach; two pools spinning on the same cores slow both down, so both get n.
static void set_openblas_threads(int32_t n) {
  using SetThreads = void (*)(int);
  void* symbol = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  for (const char* lib : {"libblas.so.3", "libopenblas.so.0"}) {
    if (symbol != nullptr) break;
    if (void* handle = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD)) symbol = dlsym(handle, "openblas_set_num_threads");
  }
  if (symbol != nullptr) reinterpret_cast<SetThreads>(symbol)(n);
}

ATR_API int atr_set_num_threads(int32_t n) {
  return atr::run([&] {
    at::set_num_threads(n);
    set_openblas_threads(n);
  });
}

ATR_API int32_t atr_cuda_is_available() { return torch::cuda::is_available() ? 1 : 0; }

ATR_API int32_t atr_cuda_device_count() { return static_cast<int32_t>(torch::cuda::device_count()); }

ATR_API int atr_cuda_synchronize(int64_t device_index) {
  return atr::run([&] { torch::cuda::synchronize(device_index); });
}

ATR_API int atr_manual_seed(uint64_t seed) {
  return atr::run([&] { torch::manual_seed(seed); });
}

static at::Generator default_generator(int32_t device_type, int32_t device_index) {
  // A handle sharing the default generator's state.
  return at::globalContext().defaultGenerator(
      c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
}

// The generator state as a uint8 tensor: saved in checkpoints, restored for a bit-exact resume.
ATR_API Tensor* atr_rng_get_state(int32_t device_type, int32_t device_index) {
  return atr::make([&] {
    at::Generator gen = default_generator(device_type, device_index);
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get_state();
  });
}

ATR_API int atr_rng_set_state(int32_t device_type, int32_t device_index, const Tensor* state) {
  return atr::run([&] {
    at::Generator gen = default_generator(device_type, device_index);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(*state);
  });
}

ATR_API int32_t atr_is_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }

ATR_API void atr_set_grad_enabled(int32_t enabled) { c10::GradMode::set_enabled(enabled != 0); }
