// Decoding part of one cube file straight into the caller's array.
#pragma once
#include <memory>

#include "mag_layout.h"
#include "task.h"

namespace wkw {

// The blocks of one file that a region touches, numbered with x fastest, then y, then z
// (the order of the caller's array).
struct BlockRange {
  int64_t lo[3], n[3];  // first block and number of blocks per axis, inside the file
  size_t count() const { return size_t(n[0] * n[1] * n[2]); }
  void at(size_t k, uint32_t& bx, uint32_t& by, uint32_t& bz) const {
    const int64_t i = int64_t(k);
    bx = uint32_t(lo[0] + i % n[0]);
    by = uint32_t(lo[1] + i / n[0] % n[1]);
    bz = uint32_t(lo[2] + i / (n[0] * n[1]));
  }
};

// Reads blocks [first, last) of the part `region` of one file into the view.
class ReadTask : public Task {
 public:
  ReadTask(std::shared_ptr<const MagContext> mag, std::shared_ptr<SharedFile> file,
           const Box& fbox, const Box& region, const BlockRange& blocks, size_t first,
           size_t last, const ArrayView& view, bool outZeroed)
      : mag_(std::move(mag)), file_(std::move(file)), fbox_(fbox), region_(region),
        blocks_(blocks), first_(first), last_(last), view_(view), outZeroed_(outZeroed) {}

  void run() override;

 private:
  std::shared_ptr<const MagContext> mag_;
  std::shared_ptr<SharedFile> file_;
  Box fbox_, region_;
  BlockRange blocks_;
  size_t first_, last_;
  ArrayView view_;
  bool outZeroed_;
};


}  // namespace wkw
