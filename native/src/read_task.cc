#include "read_task.h"

#include "morton.h"

namespace wkw {

void ReadTask::run() {
  const Header& h = mag_->header;
  BlockCache* cache = mag_->cache.get();
  // Read before the file's blocks: a write that changes the file bumps it afterwards.
  const uint64_t generation = cache ? pathGeneration(file_->path()) : 0;
  auto file = file_->get();
  const int64_t rowBytes = int64_t(h.blockLen()) * h.voxelSize;
  const size_t blockBytes = size_t(h.blockBytes());
  // Where the caller's array has the block's own layout (a region one block wide in x
  // and y, e.g. an aligned 32³ read), whole blocks decode straight into it: no copy.
  const bool direct = view_.rowsContiguous() && view_.stride[2] == rowBytes &&
                      view_.stride[3] == rowBytes * int64_t(h.blockLen());
  std::vector<uint8_t>& block = blockBuffer(blockBytes);
  std::vector<uint8_t>& scratch = scratchBuffer();
  for (size_t k = first_; k < last_; k++) {
    uint32_t bx, by, bz;
    blocks_.at(k, bx, by, bz);
    const BlockGeom g = blockGeom(h, fbox_, bx, by, bz);
    const Box bbox = blockBox(g);
    const Box part = bbox.intersect(region_);
    if (!file) {
      if (!outZeroed_) zeroArray(view_, part);
      continue;
    }
    const uint64_t index = mortonEncode(bx, by, bz);
    if (cache) {
      const BlockKey key{file->identity(), generation, index};
      CachedBlock cached = cache->get(key);
      if (!cached) {
        auto decoded = std::make_shared<std::vector<uint8_t>>(blockBytes);
        file->readBlock(index, decoded->data(), scratch);
        cached = decoded;
        cache->put(key, cached);
      }
      copyBlockToArray(cached->data(), g, part, view_);
      continue;
    }
    if (direct && part == bbox) {
      file->readBlock(index, view_.at(g.origin[0], g.origin[1], g.origin[2]), scratch);
      continue;
    }
    file->readBlock(index, block.data(), scratch);
    copyBlockToArray(block.data(), g, part, view_);
  }
}

}  // namespace wkw
