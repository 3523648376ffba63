// Recycled memory for the arrays that reads allocate for their result.
//
// A freshly allocated array has no pages yet: every first write of a 4 KiB page is a page
// fault, which in a VM costs about as much as decoding that page, and the kernel zeroes
// every page first. Arrays handed out from here are returned once JavaScript has collected
// them (addon_cache.cc) and handed out again, already mapped: a loop of fresh reads then
// costs what reads into a reused array cost. Memory kept for reuse plus memory handed out and not yet
// returned is bounded (setRetainLimit).
#pragma once
#include <cstddef>
#include <cstdint>

namespace wkw {

class OutputPool {
 public:
  static OutputPool& instance();
  // At least `bytes` of memory, not zeroed; `capacity` receives its real size. nullptr
  // when the pool's limit is reached or there is no memory (the caller allocates
  // otherwise), or with `fresh` false when no free buffer fits.
  void* take(size_t bytes, size_t& capacity, bool fresh = true);
  // Gives back memory from take(): kept for reuse within the limit, unmapped otherwise.
  void give(void* data, size_t capacity);
  void setRetainLimit(size_t bytes);
  size_t retainLimit();
  size_t retainedBytes();
  size_t outstandingBytes();
  uint64_t mappedBytes();  // new memory mapped so far (a measure of its misses)

 private:
  OutputPool() = default;
  struct Impl;
  Impl& impl();
};

}  // namespace wkw
