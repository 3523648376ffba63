#include "read_task.h"

#include <algorithm>

#include "morton.h"
#include "row_gather.h"

namespace wkw {
namespace {

// Decoded blocks of one gathered piece of an x-row stay in the core's cache while their
// rows go out.
constexpr size_t kGatherBytes = size_t(512) << 10;

}  // namespace

void ReadTask::run() {
  const Header& h = mag_->header;
  BlockCache* cache = mag_->cache.get();
  // Read before the file's blocks: a write that changes the file bumps it afterwards.
  const uint64_t generation = cache ? pathGeneration(file_->path()) : 0;
  auto file = file_->get();
  const int64_t rowBytes = int64_t(h.blockLen()) * h.voxelSize;
  const size_t blockBytes = size_t(h.blockBytes());
  std::vector<uint8_t>& scratch = scratchBuffer();

  // Block `k` of the task decoded (into `slot`, or found in the cache and held by `hold`),
  // or nullptr where the file is missing; sets its geometry and the part the view wants.
  auto decoded = [&](size_t k, uint8_t* slot, CachedBlock& hold, BlockGeom& g, Box& part) {
    uint32_t bx, by, bz;
    blocks_.at(k, bx, by, bz);
    g = blockGeom(h, fbox_, bx, by, bz);
    part = blockBox(g).intersect(region_);
    if (!file) return static_cast<const uint8_t*>(nullptr);
    const uint64_t index = mortonEncode(bx, by, bz);
    if (!cache) {
      file->readBlock(index, slot, scratch);
      return static_cast<const uint8_t*>(slot);
    }
    const BlockKey key{file->identity(), generation, index};
    hold = cache->get(key);
    if (!hold) {
      auto block = std::make_shared<std::vector<uint8_t>>(blockBytes);
      file->readBlock(index, block->data(), scratch);
      hold = block;
      cache->put(key, hold);
    }
    return static_cast<const uint8_t*>(hold->data());
  };

  const size_t row = size_t(blocks_.n[0]);
  // The task's blocks in groups of at most `group` adjacent blocks of one x-row, decoded
  // into `slots` (or found in the cache), each group handed to `copy`.
  auto forRowGroups = [&](size_t group, uint8_t* slots, auto&& copy) {
    const uint8_t* src[kMaxGatherBlocks];
    CachedBlock hold[kMaxGatherBlocks];
    BlockGeom geom[kMaxGatherBlocks];
    Box part[kMaxGatherBlocks];
    for (size_t k = first_; k < last_;) {
      const size_t n = std::min({group, (k / row + 1) * row - k, last_ - k});
      for (size_t j = 0; j < n; j++) {
        uint8_t* slot = slots ? slots + j * blockBytes : nullptr;
        src[j] = decoded(k + j, slot, hold[j], geom[j], part[j]);
      }
      copy(src, geom, part, n);
      for (size_t j = 0; j < n; j++) hold[j].reset();
      k += n;
    }
  };
  // Into memory that is not in the cache (view_.stream: a fresh result, or a large one),
  // block rows that are whole cache lines go out with non-temporal stores block by
  // block (region.cc). Shorter ones (32 bytes: 32³ uint8 blocks) would each be half a
  // line: there a region more than one block wide whose output rows start on cache lines
  // goes out x-row by x-row (tasks hold whole rows, see planRead), as whole output rows
  // with non-temporal stores (row_gather.h). Where output rows start mid-line (a 100³
  // uint8 region) that gains nothing and costs a copy: block by block is faster.
  if (view_.stream && rowBytes % 64 != 0 && row > 1 && view_.rowsContiguous() &&
      view_.stride[2] % 64 == 0) {
    const size_t group = std::clamp<size_t>(kGatherBytes / blockBytes, 1, kMaxGatherBlocks);
    std::vector<uint8_t>& slots = blockBuffer(std::min(group, row) * blockBytes);
    forRowGroups(group, slots.data(),
                 [&](const uint8_t* const* src, const BlockGeom* geom, const Box* part, size_t n) {
                   gatherBlockRow(src, geom, part, n, view_);
                 });
    return;
  }

  // Blocks from a cache are decoded already: they go out x-row by x-row, each output row
  // once (row_gather.h). Blocks decoded here go block by block: the one block buffer stays
  // in the core's cache (gathering them was no faster for cold random 100³ reads).
  if (cache && row > 1 && view_.rowsContiguous()) {
    // (no slots: with a cache, a block not in it decodes into a new cache entry)
    forRowGroups(kMaxGatherBlocks, nullptr,
                 [&](const uint8_t* const* src, const BlockGeom* geom, const Box* part, size_t n) {
                   copyBlockRow(src, geom, part, n, view_, outZeroed_);
                 });
    return;
  }

  // Where the caller's array has the block's own layout (a region one block wide in x
  // and y, e.g. an aligned 32³ read), whole blocks decode straight into it: no copy.
  const bool direct = view_.rowsContiguous() && view_.stride[2] == rowBytes &&
                      view_.stride[3] == rowBytes * int64_t(h.blockLen());
  std::vector<uint8_t>& block = blockBuffer(blockBytes);
  for (size_t k = first_; k < last_; k++) {
    if (direct && file && !cache) {
      uint32_t bx, by, bz;
      blocks_.at(k, bx, by, bz);
      const BlockGeom g = blockGeom(h, fbox_, bx, by, bz);
      const Box bbox = blockBox(g);
      if (bbox.intersect(region_) == bbox) {
        file->readBlock(mortonEncode(bx, by, bz),
                        view_.at(g.origin[0], g.origin[1], g.origin[2]), scratch);
        continue;
      }
    }
    CachedBlock hold;
    BlockGeom g;
    Box part;
    const uint8_t* src = decoded(k, block.data(), hold, g, part);
    if (src) {
      copyBlockToArray(src, g, part, view_);
    } else if (!outZeroed_) {
      zeroArray(view_, part);
    }
  }
}

}  // namespace wkw
