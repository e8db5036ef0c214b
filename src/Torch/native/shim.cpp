// mnist_torch_shim: the extern "C" surface Mnist.Torch calls into libtorch through.
//
// Conventions (the managed side relies on them):
//  * A tensor crosses the boundary as an owning `at::Tensor*`; mt_tensor_free releases it.
//  * Every function catches every C++ exception. A function that returns a pointer returns
//    nullptr on failure, one that returns int returns -1; mt_last_error() then holds libtorch's
//    message (without its C++ backtrace) for this thread, and Mnist.Torch throws it as TorchException.
//  * Optional tensor arguments (bias, weight, running stats) are nullptr when absent.
#include <torch/torch.h>

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

#define MT_EXPORT extern "C" __attribute__((visibility("default")))

using TensorPtr = at::Tensor*;

namespace {

thread_local std::string last_error;

// Tensors handed to managed code and not yet freed: lets tests prove that dispose scopes release everything.
std::atomic<int64_t> live_tensors{0};

void set_error(const char* message) { last_error = message ? message : "unknown libtorch error"; }

TensorPtr wrap(at::Tensor t) {
    live_tensors.fetch_add(1, std::memory_order_relaxed);
    return new at::Tensor(std::move(t));
}

at::Tensor optional(TensorPtr p) { return p ? *p : at::Tensor(); }

at::IntArrayRef dims(const int64_t* values, int64_t count) { return at::IntArrayRef(values, static_cast<size_t>(count)); }

at::ScalarType scalar_type(int code) { return static_cast<at::ScalarType>(code); }

// A training step frees and re-allocates the same multi-megabyte activation buffers every batch. With
// glibc's defaults part of them goes back to the kernel (mmap/munmap, heap trimming) and returns as fresh
// zeroed pages each step; keeping them in the heap saves that work (about 10% of a step for seed 004 on
// 2 threads, measured with bench/vs-pytorch.sh). Set MNIST_TORCH_MALLOC_TUNING=0 to keep glibc's defaults.
struct MallocTuning {
    MallocTuning() {
        const char* setting = std::getenv("MNIST_TORCH_MALLOC_TUNING");
        if (setting && std::strcmp(setting, "0") == 0) return;
        mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
    }
} malloc_tuning;

}  // namespace

#define MT_CATCH(fail)                                                   \
    catch (const c10::Error& e) { set_error(e.what_without_backtrace()); return fail; } \
    catch (const std::exception& e) { set_error(e.what()); return fail; }                \
    catch (...) { set_error("unknown C++ exception in libtorch"); return fail; }

// Returns a new tensor built by `expr`, or nullptr with the error recorded.
#define MT_TENSOR(expr) try { return wrap(expr); } MT_CATCH(nullptr)
// Runs `stmt` and returns 0, or -1 with the error recorded.
#define MT_STATUS(stmt) try { stmt; return 0; } MT_CATCH(-1)

// ---------------------------------------------------------------- errors, lifetime, global state

MT_EXPORT const char* mt_last_error() { return last_error.c_str(); }

MT_EXPORT void mt_tensor_free(TensorPtr t) {
    if (t) live_tensors.fetch_sub(1, std::memory_order_relaxed);
    delete t;
}

MT_EXPORT int64_t mt_live_tensors() { return live_tensors.load(std::memory_order_relaxed); }

MT_EXPORT int mt_manual_seed(uint64_t seed) { MT_STATUS(torch::manual_seed(seed)) }

// The default CPU generator's state as a uint8 tensor (torch.get_rng_state / set_rng_state): a checkpoint
// that keeps it resumes with the same shuffling, dropout and augmentation draws. Locked as PyTorch does.
MT_EXPORT TensorPtr mt_get_rng_state() {
    MT_TENSOR(([] {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        return gen.get_state();
    })())
}

MT_EXPORT int mt_set_rng_state(TensorPtr state) {
    MT_STATUS(([state] {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(*state);
    })())
}

MT_EXPORT int mt_set_num_threads(int n) { MT_STATUS(at::set_num_threads(n)) }

MT_EXPORT int mt_get_num_threads() { return at::get_num_threads(); }

MT_EXPORT int mt_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }

MT_EXPORT void mt_set_grad_enabled(int enabled) { c10::GradMode::set_enabled(enabled != 0); }

// ---------------------------------------------------------------- creation

MT_EXPORT TensorPtr mt_from_data(const void* data, int dtype, const int64_t* shape, int64_t ndim) {
    try {
        auto t = at::empty(dims(shape, ndim), at::TensorOptions().dtype(scalar_type(dtype)));
        if (t.nbytes() > 0) std::memcpy(t.data_ptr(), data, t.nbytes());
        return wrap(std::move(t));
    }
    MT_CATCH(nullptr)
}

MT_EXPORT TensorPtr mt_zeros(const int64_t* shape, int64_t ndim, int dtype) { MT_TENSOR(at::zeros(dims(shape, ndim), scalar_type(dtype))) }
MT_EXPORT TensorPtr mt_ones(const int64_t* shape, int64_t ndim, int dtype) { MT_TENSOR(at::ones(dims(shape, ndim), scalar_type(dtype))) }
MT_EXPORT TensorPtr mt_empty(const int64_t* shape, int64_t ndim, int dtype) { MT_TENSOR(at::empty(dims(shape, ndim), scalar_type(dtype))) }
MT_EXPORT TensorPtr mt_full(const int64_t* shape, int64_t ndim, double value, int dtype) { MT_TENSOR(at::full(dims(shape, ndim), value, scalar_type(dtype))) }
MT_EXPORT TensorPtr mt_rand(const int64_t* shape, int64_t ndim, int dtype) { MT_TENSOR(at::rand(dims(shape, ndim), scalar_type(dtype))) }
MT_EXPORT TensorPtr mt_randn(const int64_t* shape, int64_t ndim, int dtype) { MT_TENSOR(at::randn(dims(shape, ndim), scalar_type(dtype))) }
MT_EXPORT TensorPtr mt_randint(int64_t low, int64_t high, const int64_t* shape, int64_t ndim) { MT_TENSOR(at::randint(low, high, dims(shape, ndim), at::kLong)) }
MT_EXPORT TensorPtr mt_randperm(int64_t n) { MT_TENSOR(at::randperm(n, at::kLong)) }
MT_EXPORT TensorPtr mt_arange(double start, double end, double step, int dtype) { MT_TENSOR(at::arange(start, end, step, scalar_type(dtype))) }

// ---------------------------------------------------------------- metadata and copying out

MT_EXPORT int64_t mt_ndim(TensorPtr t) { return t->dim(); }

MT_EXPORT void mt_shape(TensorPtr t, int64_t* out) {
    for (int64_t i = 0; i < t->dim(); ++i) out[i] = t->size(i);
}

MT_EXPORT int mt_dtype(TensorPtr t) { return static_cast<int>(t->scalar_type()); }

MT_EXPORT int64_t mt_numel(TensorPtr t) { return t->numel(); }

MT_EXPORT int mt_copy_to(TensorPtr t, void* destination, int64_t bytes) {
    try {
        auto c = t->contiguous();
        if (static_cast<int64_t>(c.nbytes()) != bytes)
            throw std::runtime_error("destination holds " + std::to_string(bytes) + " bytes but the tensor has " +
                                     std::to_string(c.nbytes()));
        if (bytes > 0) std::memcpy(destination, c.data_ptr(), bytes);
        return 0;
    }
    MT_CATCH(-1)
}

MT_EXPORT int mt_copy_from(TensorPtr t, const void* source, int64_t bytes) {
    try {
        if (!t->is_contiguous()) throw std::runtime_error("copy_from needs a contiguous tensor");
        if (static_cast<int64_t>(t->nbytes()) != bytes)
            throw std::runtime_error("source holds " + std::to_string(bytes) + " bytes but the tensor has " +
                                     std::to_string(t->nbytes()));
        at::NoGradGuard no_grad;
        if (bytes > 0) std::memcpy(t->data_ptr(), source, bytes);
        return 0;
    }
    MT_CATCH(-1)
}

MT_EXPORT int mt_item_double(TensorPtr t, double* out) { MT_STATUS(*out = t->item<double>()) }
MT_EXPORT int mt_item_long(TensorPtr t, int64_t* out) { MT_STATUS(*out = t->item<int64_t>()) }

// ---------------------------------------------------------------- views and selection

MT_EXPORT TensorPtr mt_reshape(TensorPtr t, const int64_t* shape, int64_t ndim) { MT_TENSOR(t->reshape(dims(shape, ndim))) }
MT_EXPORT TensorPtr mt_view(TensorPtr t, const int64_t* shape, int64_t ndim) { MT_TENSOR(t->view(dims(shape, ndim))) }
MT_EXPORT TensorPtr mt_flatten(TensorPtr t, int64_t start, int64_t end) { MT_TENSOR(t->flatten(start, end)) }
MT_EXPORT TensorPtr mt_narrow(TensorPtr t, int64_t dim, int64_t start, int64_t length) { MT_TENSOR(t->narrow(dim, start, length)) }
MT_EXPORT TensorPtr mt_index_select(TensorPtr t, int64_t dim, TensorPtr index) { MT_TENSOR(t->index_select(dim, *index)) }
MT_EXPORT TensorPtr mt_contiguous(TensorPtr t) { MT_TENSOR(t->contiguous()) }
MT_EXPORT TensorPtr mt_clone(TensorPtr t) { MT_TENSOR(t->clone()) }
MT_EXPORT TensorPtr mt_detach(TensorPtr t) { MT_TENSOR(t->detach()) }
MT_EXPORT TensorPtr mt_to_dtype(TensorPtr t, int dtype) { MT_TENSOR(t->to(scalar_type(dtype))) }
MT_EXPORT TensorPtr mt_alias(TensorPtr t) { MT_TENSOR(at::Tensor(*t)) }
MT_EXPORT TensorPtr mt_alias_raw(TensorPtr t) { MT_TENSOR(at::Tensor(*t)) }

// ---------------------------------------------------------------- arithmetic

MT_EXPORT TensorPtr mt_add(TensorPtr a, TensorPtr b, double alpha) { MT_TENSOR(at::add(*a, *b, alpha)) }
MT_EXPORT TensorPtr mt_sub(TensorPtr a, TensorPtr b) { MT_TENSOR(at::sub(*a, *b)) }
MT_EXPORT TensorPtr mt_mul(TensorPtr a, TensorPtr b) { MT_TENSOR(at::mul(*a, *b)) }
MT_EXPORT TensorPtr mt_div(TensorPtr a, TensorPtr b) { MT_TENSOR(at::div(*a, *b)) }
MT_EXPORT TensorPtr mt_add_scalar(TensorPtr a, double b) { MT_TENSOR(at::add(*a, b)) }
MT_EXPORT TensorPtr mt_mul_scalar(TensorPtr a, double b) { MT_TENSOR(at::mul(*a, b)) }
MT_EXPORT TensorPtr mt_div_scalar(TensorPtr a, double b) { MT_TENSOR(at::div(*a, b)) }
MT_EXPORT TensorPtr mt_rsub_scalar(TensorPtr a, double b) { MT_TENSOR(at::rsub(*a, b)) }
MT_EXPORT TensorPtr mt_neg(TensorPtr a) { MT_TENSOR(at::neg(*a)) }
MT_EXPORT TensorPtr mt_exp(TensorPtr a) { MT_TENSOR(at::exp(*a)) }
MT_EXPORT TensorPtr mt_log(TensorPtr a) { MT_TENSOR(at::log(*a)) }
MT_EXPORT TensorPtr mt_sqrt(TensorPtr a) { MT_TENSOR(at::sqrt(*a)) }
MT_EXPORT TensorPtr mt_abs(TensorPtr a) { MT_TENSOR(at::abs(*a)) }
MT_EXPORT TensorPtr mt_pow_scalar(TensorPtr a, double e) { MT_TENSOR(at::pow(*a, e)) }
MT_EXPORT TensorPtr mt_sigmoid(TensorPtr a) { MT_TENSOR(at::sigmoid(*a)) }
MT_EXPORT TensorPtr mt_matmul(TensorPtr a, TensorPtr b) { MT_TENSOR(at::matmul(*a, *b)) }
MT_EXPORT TensorPtr mt_cos(TensorPtr a) { MT_TENSOR(at::cos(*a)) }
MT_EXPORT TensorPtr mt_sin(TensorPtr a) { MT_TENSOR(at::sin(*a)) }
MT_EXPORT TensorPtr mt_stack(TensorPtr* tensors, int64_t count, int64_t dim) {
    try {
        std::vector<at::Tensor> list;
        for (int64_t i = 0; i < count; ++i) list.push_back(*tensors[i]);
        return wrap(at::stack(list, dim));
    }
    MT_CATCH(nullptr)
}
MT_EXPORT TensorPtr mt_cat(TensorPtr* tensors, int64_t count, int64_t dim) {
    try {
        std::vector<at::Tensor> list;
        for (int64_t i = 0; i < count; ++i) list.push_back(*tensors[i]);
        return wrap(at::cat(list, dim));
    }
    MT_CATCH(nullptr)
}

MT_EXPORT int mt_add_(TensorPtr a, TensorPtr b, double alpha) { MT_STATUS(a->add_(*b, alpha)) }
MT_EXPORT int mt_mul_scalar_(TensorPtr a, double b) { MT_STATUS(a->mul_(b)) }
// An integral tensor takes an integral scalar as int64 (a double scalar would not cast back in place).
MT_EXPORT int mt_add_scalar_(TensorPtr a, double b) {
    MT_STATUS(at::isIntegralType(a->scalar_type(), true) && b == std::floor(b) ? a->add_(static_cast<int64_t>(b)) : a->add_(b))
}
MT_EXPORT int mt_copy_(TensorPtr a, TensorPtr b) { MT_STATUS(a->copy_(*b)) }
MT_EXPORT int mt_zero_(TensorPtr a) { MT_STATUS(a->zero_()) }
MT_EXPORT int mt_fill_(TensorPtr a, double value) { MT_STATUS(a->fill_(value)) }
MT_EXPORT int mt_uniform_(TensorPtr a, double low, double high) {
    try { at::NoGradGuard g; a->uniform_(low, high); return 0; } MT_CATCH(-1)
}
MT_EXPORT int mt_normal_(TensorPtr a, double mean, double std) {
    try { at::NoGradGuard g; a->normal_(mean, std); return 0; } MT_CATCH(-1)
}

// ---------------------------------------------------------------- reductions and comparisons

MT_EXPORT TensorPtr mt_sum(TensorPtr a) { MT_TENSOR(a->sum()) }
MT_EXPORT TensorPtr mt_sum_dim(TensorPtr a, int64_t dim, int keepdim) { MT_TENSOR(a->sum(dim, keepdim != 0)) }
MT_EXPORT TensorPtr mt_mean(TensorPtr a) { MT_TENSOR(a->mean()) }
MT_EXPORT TensorPtr mt_mean_dim(TensorPtr a, int64_t dim, int keepdim) { MT_TENSOR(a->mean(dim, keepdim != 0)) }
MT_EXPORT TensorPtr mt_max(TensorPtr a) { MT_TENSOR(a->max()) }
MT_EXPORT TensorPtr mt_min(TensorPtr a) { MT_TENSOR(a->min()) }
MT_EXPORT TensorPtr mt_argmax(TensorPtr a, int64_t dim, int keepdim) { MT_TENSOR(a->argmax(dim, keepdim != 0)) }
MT_EXPORT TensorPtr mt_eq(TensorPtr a, TensorPtr b) { MT_TENSOR(a->eq(*b)) }

// ---------------------------------------------------------------- autograd

MT_EXPORT int mt_requires_grad(TensorPtr t) { return t->requires_grad() ? 1 : 0; }
MT_EXPORT int mt_set_requires_grad(TensorPtr t, int value) { MT_STATUS(t->set_requires_grad(value != 0)) }
MT_EXPORT int mt_backward(TensorPtr t) { MT_STATUS(t->backward()) }

// The gradient, or nullptr when it is undefined (not an error: mt_last_error is cleared).
MT_EXPORT TensorPtr mt_grad(TensorPtr t) {
    last_error.clear();
    const auto& g = t->grad();
    return g.defined() ? wrap(g) : nullptr;
}

MT_EXPORT int mt_set_grad(TensorPtr t, TensorPtr grad) { MT_STATUS(t->mutable_grad() = optional(grad)) }

// ---------------------------------------------------------------- torch.nn.functional

MT_EXPORT TensorPtr mt_conv2d(TensorPtr input, TensorPtr weight, TensorPtr bias, const int64_t* stride,
                              const int64_t* padding, const int64_t* dilation, int64_t groups) {
    MT_TENSOR(at::conv2d(*input, *weight, optional(bias), dims(stride, 2), dims(padding, 2), dims(dilation, 2), groups))
}

MT_EXPORT TensorPtr mt_linear(TensorPtr input, TensorPtr weight, TensorPtr bias) {
    MT_TENSOR(at::linear(*input, *weight, optional(bias)))
}

MT_EXPORT TensorPtr mt_batch_norm(TensorPtr input, TensorPtr running_mean, TensorPtr running_var, TensorPtr weight,
                                  TensorPtr bias, int training, double momentum, double eps) {
    MT_TENSOR(at::batch_norm(*input, optional(weight), optional(bias), optional(running_mean), optional(running_var),
                             training != 0, momentum, eps, /*cudnn_enabled=*/false))
}

MT_EXPORT TensorPtr mt_dropout(TensorPtr input, double p, int training) { MT_TENSOR(at::dropout(*input, p, training != 0)) }
MT_EXPORT TensorPtr mt_feature_dropout(TensorPtr input, double p, int training) {
    MT_TENSOR(at::feature_dropout(*input, p, training != 0))
}

MT_EXPORT TensorPtr mt_max_pool2d(TensorPtr input, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                  const int64_t* dilation, int ceil_mode) {
    MT_TENSOR(at::max_pool2d(*input, dims(kernel, 2), dims(stride, 2), dims(padding, 2), dims(dilation, 2), ceil_mode != 0))
}

MT_EXPORT TensorPtr mt_avg_pool2d(TensorPtr input, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                  int ceil_mode, int count_include_pad) {
    MT_TENSOR(at::avg_pool2d(*input, dims(kernel, 2), dims(stride, 2), dims(padding, 2), ceil_mode != 0,
                             count_include_pad != 0, c10::nullopt))
}

MT_EXPORT TensorPtr mt_adaptive_avg_pool2d(TensorPtr input, const int64_t* output_size) {
    MT_TENSOR(at::adaptive_avg_pool2d(*input, dims(output_size, 2)))
}

MT_EXPORT TensorPtr mt_relu(TensorPtr input) { MT_TENSOR(at::relu(*input)) }
MT_EXPORT int mt_relu_(TensorPtr input) { MT_STATUS(at::relu_(*input)) }
MT_EXPORT TensorPtr mt_log_softmax(TensorPtr input, int64_t dim) { MT_TENSOR(at::log_softmax(*input, dim)) }
MT_EXPORT TensorPtr mt_softmax(TensorPtr input, int64_t dim) { MT_TENSOR(at::softmax(*input, dim)) }

// reduction: 0 none, 1 mean, 2 sum (at::Reduction's values).
MT_EXPORT TensorPtr mt_nll_loss(TensorPtr input, TensorPtr target, TensorPtr weight, int64_t reduction, int64_t ignore_index) {
    MT_TENSOR(at::nll_loss(*input, *target, optional(weight), reduction, ignore_index))
}

MT_EXPORT TensorPtr mt_cross_entropy(TensorPtr input, TensorPtr target, TensorPtr weight, int64_t reduction,
                                     int64_t ignore_index, double label_smoothing) {
    MT_TENSOR(at::cross_entropy_loss(*input, *target, optional(weight), reduction, ignore_index, label_smoothing))
}

MT_EXPORT TensorPtr mt_mse_loss(TensorPtr input, TensorPtr target, int64_t reduction) {
    MT_TENSOR(at::mse_loss(*input, *target, reduction))
}

MT_EXPORT TensorPtr mt_affine_grid(TensorPtr theta, const int64_t* size, int64_t ndim, int align_corners) {
    MT_TENSOR(at::affine_grid_generator(*theta, dims(size, ndim), align_corners != 0))
}

// mode: 0 bilinear, 1 nearest; padding: 0 zeros, 1 border, 2 reflection (at::grid_sampler's codes).
MT_EXPORT TensorPtr mt_grid_sample(TensorPtr input, TensorPtr grid, int64_t mode, int64_t padding_mode, int align_corners) {
    MT_TENSOR(at::grid_sampler(*input, *grid, mode, padding_mode, align_corners != 0))
}

// ---------------------------------------------------------------- optimizers
// Each step mirrors torch/optim/*.py (1.13, single-tensor path) so trajectories match PyTorch.
// State tensors live on the managed side; an entry passed as nullptr is created here and written back.

MT_EXPORT int mt_sgd_step(TensorPtr* params, int64_t count, TensorPtr* momentum_buffers, double lr, double momentum,
                          double dampening, double weight_decay, int nesterov, int maximize) {
    try {
        at::NoGradGuard no_grad;
        for (int64_t i = 0; i < count; ++i) {
            auto& param = *params[i];
            if (!param.grad().defined()) continue;
            auto d_p = maximize ? -param.grad() : param.grad();
            if (weight_decay != 0) d_p = d_p.add(param, weight_decay);
            if (momentum != 0) {
                if (momentum_buffers[i] == nullptr) {
                    momentum_buffers[i] = wrap(d_p.clone().detach());
                } else {
                    momentum_buffers[i]->mul_(momentum).add_(d_p, 1 - dampening);
                }
                d_p = nesterov ? d_p.add(*momentum_buffers[i], momentum) : *momentum_buffers[i];
            }
            param.add_(d_p, -lr);
        }
        return 0;
    }
    MT_CATCH(-1)
}

// decoupled != 0 gives AdamW (weight decay applied to the parameter, not the gradient).
MT_EXPORT int mt_adam_step(TensorPtr* params, int64_t count, TensorPtr* exp_avgs, TensorPtr* exp_avg_sqs,
                           TensorPtr* max_exp_avg_sqs, double* steps, double lr, double beta1, double beta2, double eps,
                           double weight_decay, int amsgrad, int maximize, int decoupled) {
    try {
        at::NoGradGuard no_grad;
        for (int64_t i = 0; i < count; ++i) {
            auto& param = *params[i];
            if (!param.grad().defined()) continue;
            auto grad = maximize ? -param.grad() : param.grad();
            if (exp_avgs[i] == nullptr) exp_avgs[i] = wrap(at::zeros_like(param));
            if (exp_avg_sqs[i] == nullptr) exp_avg_sqs[i] = wrap(at::zeros_like(param));
            if (amsgrad && max_exp_avg_sqs[i] == nullptr) max_exp_avg_sqs[i] = wrap(at::zeros_like(param));
            steps[i] += 1;
            if (decoupled) {
                param.mul_(1 - lr * weight_decay);
            } else if (weight_decay != 0) {
                grad = grad.add(param, weight_decay);
            }
            exp_avgs[i]->mul_(beta1).add_(grad, 1 - beta1);
            exp_avg_sqs[i]->mul_(beta2).addcmul_(grad, grad, 1 - beta2);
            const double step = steps[i];
            const double bias_correction1 = 1 - std::pow(beta1, step);
            const double bias_correction2 = 1 - std::pow(beta2, step);
            const double step_size = lr / bias_correction1;
            const double bias_correction2_sqrt = std::sqrt(bias_correction2);
            at::Tensor denom;
            if (amsgrad) {
                at::maximum_out(*max_exp_avg_sqs[i], *max_exp_avg_sqs[i], *exp_avg_sqs[i]);
                denom = (max_exp_avg_sqs[i]->sqrt() / bias_correction2_sqrt).add_(eps);
            } else {
                denom = (exp_avg_sqs[i]->sqrt() / bias_correction2_sqrt).add_(eps);
            }
            param.addcdiv_(*exp_avgs[i], denom, -step_size);
        }
        return 0;
    }
    MT_CATCH(-1)
}
