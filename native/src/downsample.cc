// One cube file of a new mag built from another mag, block by block: for every target
// block the source region it needs is decoded (through the handle cache) into a per-thread
// buffer, filtered or replicated straight into the block, and the block is encoded. The
// file is written as a temporary file and renamed into place (compressed: the parallel
// part encoding of whole-file writes; raw: parts write their blocks at fixed offsets).
// Memory per pool thread: one target block and its source region (at most ~32 MiB).
#include "downsample.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "cancel.h"
#include "codec.h"
#include "errors.h"
#include "file_encoding.h"
#include "morton.h"
#include "path_locks.h"
#include "temp_file.h"

namespace wkw {
namespace {

constexpr int64_t kMaxSourceBytes = int64_t(32) << 20;  // per slab of a target block

int64_t boxBytes(const Box& b, int64_t voxelSize) {
  return b.empty() ? 0 : (b.hi[0] - b.lo[0]) * (b.hi[1] - b.lo[1]) * (b.hi[2] - b.lo[2]) * voxelSize;
}

std::vector<uint8_t>& sourceBuffer(size_t n) {
  thread_local std::vector<uint8_t> buf;
  if (buf.size() < n) buf.resize(n);
  return buf;
}

std::vector<uint8_t>& decodeBuffer(size_t n) {
  thread_local std::vector<uint8_t> buf;
  if (buf.size() < n) buf.resize(n);
  return buf;
}

// The source files of one target file, each looked up once (one stat) for all its parts.
class SourceFiles {
 public:
  SourceFiles(std::shared_ptr<const MagContext> src, const Box& box) : src_(std::move(src)) {
    const int64_t fl = src_->header.fileLenVx();
    for (int i = 0; i < 3; i++) {
      lo_[i] = box.lo[i] / fl;
      n_[i] = box.empty() ? 0 : (box.hi[i] - 1) / fl - lo_[i] + 1;
    }
    files_.resize(size_t(n_[0] * n_[1] * n_[2]));
    for (int64_t z = 0; z < n_[2]; z++)
      for (int64_t y = 0; y < n_[1]; y++)
        for (int64_t x = 0; x < n_[0]; x++) {
          files_[size_t(x + n_[0] * (y + n_[1] * z))] = std::make_unique<SharedFile>(
              cubePath(src_->root, lo_[0] + x, lo_[1] + y, lo_[2] + z), src_->header);
        }
  }

  const Header& header() const { return src_->header; }

  std::shared_ptr<CubeFile> get(int64_t fx, int64_t fy, int64_t fz) const {
    const int64_t x = fx - lo_[0], y = fy - lo_[1], z = fz - lo_[2];
    if (x < 0 || y < 0 || z < 0 || x >= n_[0] || y >= n_[1] || z >= n_[2]) return nullptr;
    return files_[size_t(x + n_[0] * (y + n_[1] * z))]->get();
  }

  // Decodes `box` (source voxels) into the dense (c, x, y, z) buffer `dense`. Returns false
  // (and leaves `dense` untouched) when no source file covers any of it.
  bool read(const Box& box, uint8_t* dense) const {
    const Header& h = src_->header;
    ArrayView view;
    view.base = dense;
    view.channels = h.numChannels();
    view.typeSize = h.typeSize();
    for (int i = 0; i < 3; i++) view.origin[i] = box.lo[i];
    view.stride[0] = h.typeSize();
    view.stride[1] = h.voxelSize;
    view.stride[2] = view.stride[1] * (box.hi[0] - box.lo[0]);
    view.stride[3] = view.stride[2] * (box.hi[1] - box.lo[1]);
    const size_t bytes = size_t(view.stride[3] * (box.hi[2] - box.lo[2]));
    bool any = false;
    std::vector<uint8_t>& block = decodeBuffer(size_t(h.blockBytes()));
    std::vector<uint8_t>& scratch = scratchBuffer();
    const int64_t b = h.blockLen();
    forEachFile(h, box, [&](int64_t fx, int64_t fy, int64_t fz, const Box& part) {
      auto file = get(fx, fy, fz);
      if (!file) return;
      if (!any) {
        std::memset(dense, 0, bytes);  // missing files and blocks read as zeros
        any = true;
      }
      const Box fbox = fileBox(h, fx, fy, fz);
      for (int64_t bz = (part.lo[2] - fbox.lo[2]) / b; fbox.lo[2] + bz * b < part.hi[2]; bz++)
        for (int64_t by = (part.lo[1] - fbox.lo[1]) / b; fbox.lo[1] + by * b < part.hi[1]; by++)
          for (int64_t bx = (part.lo[0] - fbox.lo[0]) / b; fbox.lo[0] + bx * b < part.hi[0]; bx++) {
            const BlockGeom g = blockGeom(h, fbox, uint32_t(bx), uint32_t(by), uint32_t(bz));
            file->readBlock(mortonEncode(uint32_t(bx), uint32_t(by), uint32_t(bz)), block.data(),
                            scratch);
            copyBlockToArray(block.data(), g, blockBox(g).intersect(part), view);
          }
    });
    return any;
  }

 private:
  std::shared_ptr<const MagContext> src_;
  int64_t lo_[3], n_[3];
  std::vector<std::unique_ptr<SharedFile>> files_;
};

// Replicates source voxels: target voxel t takes source voxel floor(t / f); bytes only.
void replicate(const uint8_t* dense, const Box& srcBox, const Box& part, const int64_t f[3],
               uint8_t* block, const BlockGeom& g) {
  const int64_t vs = g.voxelSize;
  const int64_t sx = srcBox.hi[0] - srcBox.lo[0], sy = srcBox.hi[1] - srcBox.lo[1];
  for (int64_t z = part.lo[2]; z < part.hi[2]; z++)
    for (int64_t y = part.lo[1]; y < part.hi[1]; y++) {
      const uint8_t* row =
          dense + ((z / f[2] - srcBox.lo[2]) * sy + (y / f[1] - srcBox.lo[1])) * sx * vs;
      uint8_t* o = block + g.offsetOf(part.lo[0], y, z);
      for (int64_t x = part.lo[0]; x < part.hi[0]; x++, o += vs) {
        std::memcpy(o, row + (x / f[0] - srcBox.lo[0]) * vs, size_t(vs));
      }
    }
}

// Produces the blocks of one target file.
class Resampler {
 public:
  Resampler(std::shared_ptr<const MagContext> src, std::shared_ptr<const MagContext> dst,
            const Box& fbox, const int64_t factors[3], Filter filter, bool upsample,
            const Box& region)
      : dst_(std::move(dst)), fbox_(fbox), region_(region.intersect(fbox)), filter_(filter),
        upsample_(upsample), files_(std::move(src), sourceBoxOf(region_, factors, upsample)) {
    for (int i = 0; i < 3; i++) f_[i] = factors[i];
  }

  // Returns false when the block is all zeros (outside the region, or no source data).
  bool fill(uint64_t index, uint8_t* block) const {
    const Header& h = dst_->header;
    uint32_t bx, by, bz;
    mortonDecode(index, bx, by, bz);
    const BlockGeom g = blockGeom(h, fbox_, bx, by, bz);
    const Box part = blockBox(g).intersect(region_);
    std::memset(block, 0, size_t(h.blockBytes()));
    if (part.empty()) return false;
    bool any = false;
    // Slabs along z keep the source region bounded whatever the factors.
    const int64_t planeBytes = boxBytes(sourceBoxOf(slab(part, part.lo[2], part.lo[2] + 1), f_, upsample_), files_.header().voxelSize);
    const int64_t step = std::max<int64_t>(1, kMaxSourceBytes / std::max<int64_t>(1, planeBytes));
    for (int64_t z = part.lo[2]; z < part.hi[2]; z += step) {
      const Box s = slab(part, z, std::min(part.hi[2], z + step));
      const Box srcBox = sourceBoxOf(s, f_, upsample_);
      const size_t srcBytes = size_t(boxBytes(srcBox, files_.header().voxelSize));
      uint8_t* dense = sourceBuffer(srcBytes).data();
      if (!files_.read(srcBox, dense)) continue;  // nothing on disk: zeros
      any = true;
      if (upsample_) {
        replicate(dense, srcBox, s, f_, block, g);
        continue;
      }
      const int64_t c = h.numChannels();
      StridedArray in, out;
      in.base = dense;
      in.shape[0] = c;
      for (int i = 0; i < 3; i++) in.shape[i + 1] = srcBox.hi[i] - srcBox.lo[i];
      in.stride[0] = 1;
      for (int i = 1; i < 4; i++) in.stride[i] = in.stride[i - 1] * in.shape[i - 1];
      out.base = block + g.offsetOf(s.lo[0], s.lo[1], s.lo[2]);
      out.shape[0] = c;
      for (int i = 0; i < 3; i++) out.shape[i + 1] = s.hi[i] - s.lo[i];
      out.stride[0] = 1;
      out.stride[1] = c;
      out.stride[2] = c * g.edge;
      out.stride[3] = c * g.edge * g.edge;
      downsampleRegion(h.voxelType, filter_, in, f_, out, 0, out.shape[3]);
    }
    return any;
  }

 private:
  static Box slab(const Box& b, int64_t z0, int64_t z1) {
    Box s = b;
    s.lo[2] = z0;
    s.hi[2] = z1;
    return s;
  }
  static Box sourceBoxOf(const Box& t, const int64_t f[3], bool upsample) {
    Box s;
    if (t.empty()) return s;
    for (int i = 0; i < 3; i++) {
      s.lo[i] = upsample ? t.lo[i] / f[i] : t.lo[i] * f[i];
      s.hi[i] = upsample ? (t.hi[i] + f[i] - 1) / f[i] : t.hi[i] * f[i];
    }
    return s;
  }

  std::shared_ptr<const MagContext> dst_;
  Box fbox_, region_;
  int64_t f_[3];
  Filter filter_;
  bool upsample_;
  SourceFiles files_;
};

// A raw target file: parts write their blocks at fixed offsets of one temporary file; the
// part that finishes last renames it into place under the file's path lock.
class RawAssembly {
 public:
  RawAssembly(std::string target, const Header& h, size_t parts)
      : target_(std::move(target)), header_(h), pending_(parts) {
    header_.dataOffset = header_.dataFileOffset();
  }

  void writePart(uint64_t first, uint64_t last, const Resampler& r, bool durable) {
    TempFile& tmp = temp();
    const size_t bb = size_t(header_.blockBytes());
    std::vector<uint8_t>& block = blockBuffer(bb);
    for (uint64_t i = first; i < last; i++) {
      throwIfCancelled();
      // All-zero blocks stay holes of the (sparse) file: they read as zeros.
      if (r.fill(i, block.data())) tmp.pwriteAll(block.data(), bb, header_.dataOffset + i * bb);
    }
    if (pending_.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> lock(pathLock(target_));
      tmp.commit(durable);
    }
  }

 private:
  TempFile& temp() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!tmp_) {
      tmp_ = std::make_unique<TempFile>(target_);
      uint8_t head[kHeaderSize];
      serializeHeader(header_, head);
      tmp_->pwriteAll(head, kHeaderSize, 0);
      tmp_->truncate(header_.dataOffset + header_.blocksPerFile() * header_.blockBytes());
    }
    return *tmp_;
  }

  const std::string target_;
  Header header_;
  std::atomic<size_t> pending_;
  std::mutex mutex_;
  std::unique_ptr<TempFile> tmp_;  // removed by its destructor unless committed
};

class RawPartTask : public Task {
 public:
  RawPartTask(std::shared_ptr<RawAssembly> a, std::shared_ptr<const Resampler> r, uint64_t first,
              uint64_t last, bool durable)
      : a_(std::move(a)), r_(std::move(r)), first_(first), last_(last), durable_(durable) {}
  void run() override { a_->writePart(first_, last_, *r_, durable_); }

 private:
  std::shared_ptr<RawAssembly> a_;
  std::shared_ptr<const Resampler> r_;
  uint64_t first_, last_;
  bool durable_;
};

// A large compressed target file, encoded block after block by one task and streamed to
// its temporary file (the jump table is written last): memory stays at one block whatever
// the file size, where the parallel part encoding would hold the whole compressed file.
class StreamedFileTask : public Task {
 public:
  StreamedFileTask(std::string target, const Header& h, std::shared_ptr<const Resampler> r,
                   const WriteOptions& options)
      : target_(std::move(target)), header_(h), r_(std::move(r)), options_(options) {
    header_.dataOffset = kHeaderSize + 8 * header_.blocksPerFile();
  }

  void run() override {
    const uint64_t n = header_.blocksPerFile();
    const size_t bb = size_t(header_.blockBytes());
    std::vector<uint8_t>& block = blockBuffer(bb);
    std::vector<uint8_t> packed(compressBound(bb));
    std::vector<uint8_t> table(8 * n);
    TempFile tmp(target_);
    uint64_t pos = header_.dataOffset;
    for (uint64_t i = 0; i < n; i++) {
      throwIfCancelled();
      r_->fill(i, block.data());
      const size_t len = compressBlock(block.data(), bb, packed.data(), packed.size(),
                                       header_.blockType, options_.level);
      tmp.pwriteAll(packed.data(), len, pos);
      pos += len;
      for (int k = 0; k < 8; k++) table[8 * i + k] = uint8_t(pos >> (8 * k));
    }
    uint8_t head[kHeaderSize];
    serializeHeader(header_, head);
    tmp.pwriteAll(head, kHeaderSize, 0);
    tmp.pwriteAll(table.data(), table.size(), kHeaderSize);
    std::lock_guard<std::mutex> lock(pathLock(target_));
    tmp.commit(options_.durable);
  }

 private:
  const std::string target_;
  Header header_;
  std::shared_ptr<const Resampler> r_;
  WriteOptions options_;
};

// Above this decoded file size a compressed target is streamed by one task (parallel
// across files only) instead of encoded in parallel parts held in memory.
constexpr uint64_t kStreamedFileBytes = uint64_t(64) << 20;

}  // namespace

void planResampleFile(std::vector<std::unique_ptr<Task>>& tasks,
                      std::shared_ptr<const MagContext> src, std::shared_ptr<const MagContext> dst,
                      int64_t fx, int64_t fy, int64_t fz, const int64_t factors[3], Filter filter,
                      bool upsample, const Box& region, const WriteOptions& options) {
  const Header& h = dst->header;
  const Box fbox = fileBox(h, fx, fy, fz);
  const std::string target = cubePath(dst->root, fx, fy, fz);
  auto resampler = std::make_shared<const Resampler>(src, dst, fbox, factors, filter, upsample, region);
  if (h.compressed() && h.blocksPerFile() * h.blockBytes() > kStreamedFileBytes) {
    tasks.emplace_back(new StreamedFileTask(target, h, resampler, options));
    return;
  }
  if (h.compressed()) {
    auto fill = std::make_shared<const BlockFill>(
        [resampler](uint64_t index, uint8_t* block) { resampler->fill(index, block); });
    planGeneratedFile(tasks, target, h, options, std::move(fill));
    return;
  }
  const uint64_t n = h.blocksPerFile();
  const uint64_t bySize = (n * h.blockBytes() + (4u << 20) - 1) >> 22;
  const size_t parts = size_t(std::min<uint64_t>(n, std::clamp<uint64_t>(bySize, 1, 16)));
  auto assembly = std::make_shared<RawAssembly>(target, h, parts);
  for (size_t p = 0; p < parts; p++) {
    tasks.emplace_back(new RawPartTask(assembly, resampler, n * p / parts, n * (p + 1) / parts,
                                       options.durable));
  }
}

}  // namespace wkw
