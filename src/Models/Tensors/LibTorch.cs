using System.Runtime.InteropServices;

namespace ActorRL.Models.Tensors;

/// <summary>
/// The C ABI of the libtorch shim (src/Models/Native): one entry point per operation. Functions
/// that create a tensor return an invalid handle on failure; functions returning int return
/// non-zero on failure. Either way the message is read with <see cref="atr_last_error"/>.
/// </summary>
internal static unsafe partial class LibTorch
{
    private const string Lib = "actorrl_torch";

    // errors, runtime
    [LibraryImport(Lib)] internal static partial nint atr_last_error();
    [LibraryImport(Lib)] internal static partial nint atr_version();
    [LibraryImport(Lib)] internal static partial nint atr_show_config();
    [LibraryImport(Lib)] internal static partial nint atr_parallel_info();
    [LibraryImport(Lib)] internal static partial int atr_get_num_threads();
    [LibraryImport(Lib)] internal static partial int atr_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int atr_cuda_is_available();
    [LibraryImport(Lib)] internal static partial int atr_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int atr_cuda_synchronize(long deviceIndex);
    [LibraryImport(Lib)] internal static partial int atr_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_rng_get_state(int deviceType, int deviceIndex);
    [LibraryImport(Lib)] internal static partial int atr_rng_set_state(int deviceType, int deviceIndex, TensorHandle state);
    [LibraryImport(Lib)] internal static partial int atr_is_grad_enabled();
    [LibraryImport(Lib)] internal static partial void atr_set_grad_enabled(int enabled);

    // lifetime, metadata, creation
    [LibraryImport(Lib)] internal static partial void atr_free(nint tensor);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_undefined();
    [LibraryImport(Lib)] internal static partial int atr_defined(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int atr_ndim(TensorHandle t);
    [LibraryImport(Lib)] internal static partial void atr_shape(TensorHandle t, long* shape);
    [LibraryImport(Lib)] internal static partial int atr_size(TensorHandle t, long dim, out long size);
    [LibraryImport(Lib)] internal static partial long atr_numel(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int atr_dtype(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int atr_device_type(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int atr_device_index(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int atr_is_contiguous(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int atr_item(TensorHandle t, out double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_from_data(void* data, int dtype, long* shape, int ndim, int dev, int idx, int requiresGrad);
    [LibraryImport(Lib)] internal static partial int atr_copy_to(TensorHandle t, void* dst, long nbytes);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_zeros(long* shape, int ndim, int dtype, int dev, int idx, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_ones(long* shape, int ndim, int dtype, int dev, int idx, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_full(long* shape, int ndim, double value, int dtype, int dev, int idx, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_arange(double start, double end, double step, int dtype, int dev, int idx);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_randn(long* shape, int ndim, int dtype, int dev, int idx, int requiresGrad);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_rand(long* shape, int ndim, int dtype, int dev, int idx);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_randint(long low, long high, long* shape, int ndim, int dtype, int dev, int idx);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_to_device(TensorHandle t, int dev, int idx, int nonBlocking);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_to_dtype(TensorHandle t, int dtype);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_clone(TensorHandle t);

    // layout, indexing, joining
    [LibraryImport(Lib)] internal static partial TensorHandle atr_contiguous(TensorHandle t);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_view(TensorHandle t, long* shape, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_reshape(TensorHandle t, long* shape, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_transpose(TensorHandle t, long dim0, long dim1);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_permute(TensorHandle t, long* order, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_squeeze(TensorHandle t, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_unsqueeze(TensorHandle t, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_expand(TensorHandle t, long* shape, int n);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_flatten(TensorHandle t, long startDim, long endDim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_cat(nint* tensors, int n, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_stack(nint* tensors, int n, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_narrow(TensorHandle t, long dim, long start, long length);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_select(TensorHandle t, long dim, long index);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_slice(TensorHandle t, long dim, long start, long end, long step);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_index_select(TensorHandle t, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_gather(TensorHandle t, long dim, TensorHandle index);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_scatter(TensorHandle t, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_scatter_add(TensorHandle t, long dim, TensorHandle index, TensorHandle src);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_masked_fill(TensorHandle t, TensorHandle mask, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_where(TensorHandle condition, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_tril(TensorHandle t, long diagonal);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_triu(TensorHandle t, long diagonal);

    // elementwise
    [LibraryImport(Lib)] internal static partial TensorHandle atr_add(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_sub(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_mul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_div(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_pow(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_minimum(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_maximum(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_eq(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_ne(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_lt(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_le(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_gt(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_ge(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_logical_and(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_logical_or(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_add_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_rsub_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_mul_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_div_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_rdiv_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_pow_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_eq_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_ne_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_lt_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_le_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_gt_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_ge_scalar(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_neg(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_exp(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_log(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_sqrt(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_rsqrt(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_tanh(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_sigmoid(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_logsigmoid(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_abs(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_relu(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_reciprocal(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_square(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_logical_not(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_isnan(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_isfinite(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_softplus(TensorHandle a, double beta, double threshold);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_clamp(TensorHandle a, int hasMin, double min, int hasMax, double max);
    [LibraryImport(Lib)] internal static partial int atr_add_(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial int atr_mul_scalar_(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial int atr_fill_(TensorHandle a, double value);
    [LibraryImport(Lib)] internal static partial int atr_zero_(TensorHandle a);
    [LibraryImport(Lib)] internal static partial int atr_copy_(TensorHandle dst, TensorHandle src);

    // reductions, ordering
    [LibraryImport(Lib)] internal static partial TensorHandle atr_sum_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_mean_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_max_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_min_all(TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_sum(TensorHandle a, long* dims, int n, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_mean(TensorHandle a, long* dims, int n, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_logsumexp(TensorHandle a, long* dims, int n, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_var(TensorHandle a, long* dims, int n, int unbiased, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_std(TensorHandle a, long* dims, int n, int unbiased, int keepdim);
    [LibraryImport(Lib)] internal static partial int atr_max_dim(TensorHandle a, long dim, int keepdim, out TensorHandle values, out TensorHandle indices);
    [LibraryImport(Lib)] internal static partial int atr_min_dim(TensorHandle a, long dim, int keepdim, out TensorHandle values, out TensorHandle indices);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_argmax(TensorHandle a, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_cumsum(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial int atr_topk(TensorHandle a, long k, long dim, int largest, int sorted, out TensorHandle values, out TensorHandle indices);
    [LibraryImport(Lib)] internal static partial int atr_sort(TensorHandle a, long dim, int descending, out TensorHandle values, out TensorHandle indices);

    // neural-network operations
    [LibraryImport(Lib)] internal static partial TensorHandle atr_matmul(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_bmm(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_linear(TensorHandle x, TensorHandle weight, TensorHandle bias);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_softmax(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_log_softmax(TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_embedding(TensorHandle weight, TensorHandle indices);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_layer_norm(TensorHandle x, long* shape, int n, TensorHandle weight, TensorHandle bias, double eps);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_gelu(TensorHandle a, int tanhApproximation);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_dropout(TensorHandle a, double p, int train);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_cross_entropy(TensorHandle logits, TensorHandle target, TensorHandle weight, int reduction, long ignoreIndex, double labelSmoothing);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_multinomial(TensorHandle probs, long numSamples, int replacement);

    // autograd
    [LibraryImport(Lib)] internal static partial int atr_requires_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int atr_set_requires_grad(TensorHandle t, int requiresGrad);
    [LibraryImport(Lib)] internal static partial int atr_backward(TensorHandle t, TensorHandle gradient, int retainGraph);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_grad(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int atr_zero_grad(TensorHandle t, int setToNone);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_detach(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int atr_set_data(TensorHandle t, TensorHandle data);

    // optimization
    [LibraryImport(Lib)] internal static partial OptimizerHandle atr_adamw_new();
    [LibraryImport(Lib)] internal static partial void atr_adamw_free(nint optimizer);
    [LibraryImport(Lib)] internal static partial int atr_adamw_add_group(OptimizerHandle optimizer, nint* parameters, int n, double lr, double beta1, double beta2, double eps, double weightDecay);
    [LibraryImport(Lib)] internal static partial int atr_adamw_set_lr(OptimizerHandle optimizer, int group, double lr);
    [LibraryImport(Lib)] internal static partial int atr_adamw_step(OptimizerHandle optimizer);
    [LibraryImport(Lib)] internal static partial int atr_adamw_zero_grad(OptimizerHandle optimizer, int setToNone);
    [LibraryImport(Lib)] internal static partial TensorHandle atr_adamw_get_moment(OptimizerHandle optimizer, int group, int index, int which);
    [LibraryImport(Lib)] internal static partial int atr_adamw_get_step(OptimizerHandle optimizer, int group, int index, out long step);
    [LibraryImport(Lib)] internal static partial int atr_adamw_set_state(OptimizerHandle optimizer, int group, int index, long step, TensorHandle expAvg, TensorHandle expAvgSq);
    [LibraryImport(Lib)] internal static partial int atr_adamw_clear_state(OptimizerHandle optimizer, int group, int index);
    [LibraryImport(Lib)] internal static partial int atr_clip_grad_norm(nint* parameters, int n, double maxNorm, double normType, out double totalNorm);
}
