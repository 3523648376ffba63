#include "output_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include <map>
#include <mutex>

namespace wkw {

struct OutputPool::Impl {
  std::mutex mutex;
  std::multimap<size_t, void*> free;  // by capacity
  size_t retained = 0;     // free buffers kept for reuse
  size_t outstanding = 0;  // handed out and not given back yet
  uint64_t mapped = 0;     // bytes of new memory mapped so far
  size_t limit = defaultLimit();

  // 1 GiB or an eighth of the physical memory, whichever is smaller: two results of a
  // 512³ uint32 read, or many smaller ones.
  static size_t defaultLimit() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    const size_t cap = size_t(1) << 30;
    if (pages <= 0 || page <= 0) return cap;
    return std::min(cap, size_t(pages) / 8 * size_t(page));
  }
};

// Never destroyed: arrays may be collected during process exit.
OutputPool& OutputPool::instance() {
  static OutputPool* pool = new OutputPool();
  return *pool;
}

OutputPool::Impl& OutputPool::impl() {
  static Impl* i = new Impl();
  return *i;
}

namespace {

constexpr size_t kPage = size_t(64) << 10;
constexpr size_t kHuge = size_t(2) << 20;

// Capacities below 2 MiB are powers of two from 64 KiB on, cut from a 2 MiB huge page
// (kHuge / capacity pieces; the others go to the free list at once); from 2 MiB on they
// are whole 2 MiB huge pages. In this VM the first touch of a 4 KiB page costs about 3 µs
// and of a (zeroed) 2 MiB huge page 0.2 ms when the machine is quiet and several ms when
// it is not: sharing huge pages between small arrays makes their new memory cheap (a
// 100³ uint8 result takes 1 MiB instead of a whole huge page), and reads of one size
// class still always share buffers.
size_t roundUp(size_t bytes) {
  if (bytes >= kHuge) return (bytes + kHuge - 1) / kHuge * kHuge;
  size_t c = kPage;
  while (c < bytes) c *= 2;
  return c;
}

// Fresh anonymous memory, aligned to 2 MiB and advised to use huge pages; at least 2 MiB.
void* mapFresh(size_t capacity) {
  capacity = std::max(capacity, kHuge);
  void* p = ::mmap(nullptr, capacity + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(p);
  const uintptr_t aligned = (start + kHuge - 1) & ~uintptr_t(kHuge - 1);
  if (aligned > start) ::munmap(p, aligned - start);
  const uintptr_t end = start + capacity + kHuge, alignedEnd = aligned + capacity;
  if (end > alignedEnd) ::munmap(reinterpret_cast<void*>(alignedEnd), end - alignedEnd);
#ifdef MADV_HUGEPAGE
  ::madvise(reinterpret_cast<void*>(aligned), capacity, MADV_HUGEPAGE);
#endif
  return reinterpret_cast<void*>(aligned);
}

}  // namespace

void* OutputPool::take(size_t bytes, size_t& capacity, bool fresh) {
  Impl& p = impl();
  const size_t want = roundUp(bytes == 0 ? 1 : bytes);
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    // The smallest free buffer that fits and wastes at most an eighth.
    auto it = p.free.lower_bound(want);
    if (it != p.free.end() && it->first <= want + want / 8) {
      capacity = it->first;
      void* data = it->second;
      p.retained -= capacity;
      p.outstanding += capacity;
      p.free.erase(it);
      return data;
    }
    // Arrays come back only after a garbage collection has found them dead, which V8 may
    // put off for a long run of reads. Bounding what is out keeps such a run from holding
    // unbounded memory; past the limit it allocates as V8 does.
    if (!fresh || p.retained + p.outstanding + std::max(want, kHuge) > p.limit) return nullptr;
    p.outstanding += std::max(want, kHuge);  // the other pieces move to `retained` below
    p.mapped += std::max(want, kHuge);
  }
  void* data = mapFresh(want);
  if (!data) {
    std::lock_guard<std::mutex> lock(p.mutex);
    p.outstanding -= std::max(want, kHuge);
    return nullptr;
  }
  if (want < kHuge) {  // the other pieces of the huge page serve the next reads of this size
    std::lock_guard<std::mutex> lock(p.mutex);
    for (size_t off = want; off < kHuge; off += want) {
      p.free.emplace(want, static_cast<uint8_t*>(data) + off);
      p.outstanding -= want;
      p.retained += want;
    }
  }
  capacity = want;
  return data;
}

void OutputPool::give(void* data, size_t capacity) {
  Impl& p = impl();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    p.outstanding -= capacity;
    if (p.retained + p.outstanding + capacity <= p.limit) {
      p.free.emplace(capacity, data);
      p.retained += capacity;
      return;
    }
  }
  ::munmap(data, capacity);
}

void OutputPool::setRetainLimit(size_t bytes) {
  Impl& p = impl();
  std::multimap<size_t, void*> drop;
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    p.limit = bytes;
    // Unmaps the largest buffers first until the rest fits.
    while (p.retained + p.outstanding > p.limit && !p.free.empty()) {
      auto last = std::prev(p.free.end());
      p.retained -= last->first;
      drop.insert(*last);
      p.free.erase(last);
    }
  }
  for (auto& [capacity, data] : drop) ::munmap(data, capacity);
}

size_t OutputPool::retainLimit() {
  std::lock_guard<std::mutex> lock(impl().mutex);
  return impl().limit;
}

size_t OutputPool::retainedBytes() {
  std::lock_guard<std::mutex> lock(impl().mutex);
  return impl().retained;
}

uint64_t OutputPool::mappedBytes() {
  std::lock_guard<std::mutex> lock(impl().mutex);
  return impl().mapped;
}

size_t OutputPool::outstandingBytes() {
  std::lock_guard<std::mutex> lock(impl().mutex);
  return impl().outstanding;
}

}  // namespace wkw
