// Geometry shared by the task files: where a cube file and a block lie in mag voxels,
// per-thread block buffers, and a file looked up once per call.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "block_cache.h"
#include "file_cache.h"
#include "header.h"
#include "region.h"

namespace wkw {

struct MagContext {
  std::string root;  // mag folder, without trailing slash
  Header header;     // from header.wkw (dataOffset 0)
  std::shared_ptr<BlockCache> cache;  // decoded blocks of reads; null: no caching
};

struct WriteOptions {
  int level = 9;         // LZ4HC level
  bool durable = false;  // fsync temporary files before the rename
};

std::string cubePath(const std::string& root, int64_t fx, int64_t fy, int64_t fz);

inline Box fileBox(const Header& h, int64_t fx, int64_t fy, int64_t fz) {
  const int64_t f = h.fileLenVx();
  return Box::cube(fx * f, fy * f, fz * f, f);
}

inline BlockGeom blockGeom(const Header& h, const Box& file, uint32_t bx, uint32_t by,
                           uint32_t bz) {
  const int64_t b = h.blockLen();
  return BlockGeom{{file.lo[0] + bx * b, file.lo[1] + by * b, file.lo[2] + bz * b}, b, h.voxelSize};
}

inline Box blockBox(const BlockGeom& g) {
  return Box::cube(g.origin[0], g.origin[1], g.origin[2], g.edge);
}

// Calls f(fx, fy, fz, part) for every cube file the region touches.
template <typename F>
void forEachFile(const Header& h, const Box& region, F&& f) {
  const int64_t fl = h.fileLenVx();
  for (int64_t fz = region.lo[2] / fl; fz * fl < region.hi[2]; fz++)
    for (int64_t fy = region.lo[1] / fl; fy * fl < region.hi[1]; fy++)
      for (int64_t fx = region.lo[0] / fl; fx * fl < region.hi[0]; fx++) {
        Box part = fileBox(h, fx, fy, fz).intersect(region);
        if (!part.empty()) f(fx, fy, fz, part);
      }
}

// Reused per pool thread: one decoded block (at least n bytes) and compressed bytes.
std::vector<uint8_t>& blockBuffer(size_t n);
std::vector<uint8_t>& scratchBuffer();

// One cube file as all tasks of one call see it: looked up (one stat, then the handle
// cache) by the first task that needs it, so a call costs one stat per file however many
// tasks it has, and all its tasks see the same version of the file.
class SharedFile {
 public:
  SharedFile(std::string path, const Header& dataset) : path_(std::move(path)), dataset_(dataset) {}
  // nullptr if the file does not exist. A failed lookup is retried by the next task.
  std::shared_ptr<CubeFile> get() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!resolved_) {
      file_ = FileCache::instance().get(path_, dataset_);
      resolved_ = true;
    }
    return file_;
  }
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  const Header dataset_;
  std::mutex mutex_;
  bool resolved_ = false;
  std::shared_ptr<CubeFile> file_;
};

}  // namespace wkw
