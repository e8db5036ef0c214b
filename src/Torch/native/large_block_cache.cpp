// A CPU allocator for libtorch that keeps freed blocks of 32 MB and more and hands them out again.
//
// Why: glibc serves any request above its mmap threshold with a fresh mmap and returns it to the kernel on
// free, and 32 MB is the highest threshold it allows on 64-bit (shim.cpp raises it to that). Evaluating a
// batch of 1,000 MNIST images makes activations above it (the default network's first two layers give 43 and
// 55 MB), so every batch page-faulted them in again as zeroed pages: perf showed about half of
// `Mnist.Bench eval default 1000` in the kernel (clear_page, page faults), for PyTorch as much as for us.
// With the blocks kept, that work is gone; requests under 32 MB go to libtorch's own allocator unchanged.
//
// Blocks are reused by exact size (a network asks for the same sizes every batch) and at most 512 MB are
// kept, the same bound as shim.cpp's trim threshold; beyond it freed blocks go back to the system.
// MNIST_TORCH_MALLOC_TUNING=0 turns this off along with the malloc tuning.
#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace {

constexpr size_t kLargeBlock = 32u * 1024 * 1024;
constexpr size_t kCacheLimit = 512u * 1024 * 1024;

class LargeBlockCache final : public c10::Allocator {
public:
    explicit LargeBlockCache(c10::Allocator* fallback) : fallback_(fallback), fallback_raw_deleter_(fallback->raw_deleter()) {}

    c10::DataPtr allocate(size_t bytes) const override {
        if (bytes < kLargeBlock) return fallback_->allocate(bytes);
        void* data = take(bytes);
        return {data, data, &release, c10::Device(c10::DeviceType::CPU)};
    }

    // Frees what either allocator handed out (raw_allocate/raw_deallocate go through here for small blocks too).
    c10::DeleterFnPtr raw_deleter() const override { return &release; }

    static LargeBlockCache* instance;

private:
    void* take(size_t bytes) const {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto cached = free_.find(bytes);
            if (cached != free_.end()) {
                void* data = cached->second;
                free_.erase(cached);
                cached_bytes_ -= bytes;
                live_.emplace(data, bytes);
                return data;
            }
        }
        void* data = c10::alloc_cpu(bytes);  // throws c10::Error when out of memory, as the default allocator does
        std::lock_guard<std::mutex> lock(mutex_);
        live_.emplace(data, bytes);
        return data;
    }

    // A tensor's storage may be freed on any thread (the .NET finalizer's, libtorch's workers): hence the lock.
    static void release(void* data) {
        if (!data) return;
        auto* self = instance;
        {
            std::lock_guard<std::mutex> lock(self->mutex_);
            auto live = self->live_.find(data);
            if (live != self->live_.end()) {
                size_t bytes = live->second;
                self->live_.erase(live);
                if (self->cached_bytes_ + bytes <= kCacheLimit) {
                    self->free_.emplace(bytes, data);
                    self->cached_bytes_ += bytes;
                    return;
                }
            } else {
                // Not one of ours: a block under 32 MB from libtorch's allocator, freed through raw_deleter().
                self->fallback_raw_deleter_(data);
                return;
            }
        }
        c10::free_cpu(data);
    }

    c10::Allocator* fallback_;
    c10::DeleterFnPtr fallback_raw_deleter_;
    mutable std::mutex mutex_;
    mutable std::unordered_multimap<size_t, void*> free_;
    mutable std::unordered_map<void*, size_t> live_;
    mutable size_t cached_bytes_ = 0;
};

LargeBlockCache* LargeBlockCache::instance = nullptr;

// Installed when the shim is loaded, after libc10 registered its default allocator. Never destroyed: tensors
// may still be freed during process exit, after static destructors have run.
struct InstallLargeBlockCache {
    InstallLargeBlockCache() {
        const char* setting = std::getenv("MNIST_TORCH_MALLOC_TUNING");
        if (setting && std::strcmp(setting, "0") == 0) return;
        c10::Allocator* fallback = c10::GetCPUAllocator();
        if (!fallback->raw_deleter()) return;  // a libtorch whose allocator cannot free raw blocks: keep it as it is
        LargeBlockCache::instance = new LargeBlockCache(fallback);
        c10::SetCPUAllocator(LargeBlockCache::instance, /*priority=*/1);
    }
} install_large_block_cache;

}  // namespace
