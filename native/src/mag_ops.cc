#include "mag_ops.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

#include "codec.h"
#include "errors.h"
#include "file_cache.h"
#include "morton.h"
#include "path_locks.h"
#include "temp_file.h"

namespace wkw {

std::string cubePath(const std::string& root, int64_t fx, int64_t fy, int64_t fz) {
  return root + "/z" + std::to_string(fz) + "/y" + std::to_string(fy) + "/x" +
         std::to_string(fx) + ".wkw";
}

namespace {

// Reused per pool thread: one decoded block and one compressed block.
std::vector<uint8_t>& blockBuffer(size_t n) {
  thread_local std::vector<uint8_t> buf;
  if (buf.size() < n) buf.resize(n);
  return buf;
}
std::vector<uint8_t>& scratchBuffer() {
  thread_local std::vector<uint8_t> buf;
  return buf;
}

Box fileBox(const Header& h, int64_t fx, int64_t fy, int64_t fz) {
  const int64_t f = h.fileLenVx();
  return Box::cube(fx * f, fy * f, fz * f, f);
}

BlockGeom blockGeom(const Header& h, const Box& file, uint32_t bx, uint32_t by, uint32_t bz) {
  const int64_t b = h.blockLen();
  return BlockGeom{{file.lo[0] + bx * b, file.lo[1] + by * b, file.lo[2] + bz * b}, b, h.voxelSize};
}

Box blockBox(const BlockGeom& g) { return Box::cube(g.origin[0], g.origin[1], g.origin[2], g.edge); }

// Reads the part `region` of one file (possibly a slab of its blocks) into the view.
class ReadTask : public Task {
 public:
  ReadTask(std::shared_ptr<const MagContext> mag, int64_t fx, int64_t fy, int64_t fz,
           const Box& region, const ArrayView& view, bool outZeroed)
      : mag_(std::move(mag)), fx_(fx), fy_(fy), fz_(fz), region_(region), view_(view),
        outZeroed_(outZeroed) {}

  void run() override {
    const Header& h = mag_->header;
    const std::string path = cubePath(mag_->root, fx_, fy_, fz_);
    auto file = FileCache::instance().get(path, h);
    if (!file) {
      if (!outZeroed_) zeroArray(view_, region_);
      return;
    }
    const Box fbox = fileBox(h, fx_, fy_, fz_);
    const int64_t b = h.blockLen();
    std::vector<uint8_t>& block = blockBuffer(size_t(h.blockBytes()));
    std::vector<uint8_t>& scratch = scratchBuffer();
    int64_t lo[3], hi[3];
    for (int i = 0; i < 3; i++) {
      lo[i] = (region_.lo[i] - fbox.lo[i]) / b;
      hi[i] = (region_.hi[i] - fbox.lo[i] + b - 1) / b;
    }
    for (int64_t bz = lo[2]; bz < hi[2]; bz++)
      for (int64_t by = lo[1]; by < hi[1]; by++)
        for (int64_t bx = lo[0]; bx < hi[0]; bx++) {
          BlockGeom g = blockGeom(h, fbox, uint32_t(bx), uint32_t(by), uint32_t(bz));
          Box part = blockBox(g).intersect(region_);
          file->readBlock(mortonEncode(uint32_t(bx), uint32_t(by), uint32_t(bz)), block.data(),
                          scratch);
          copyBlockToArray(block.data(), g, part, view_);
        }
  }

 private:
  std::shared_ptr<const MagContext> mag_;
  int64_t fx_, fy_, fz_;
  Box region_;
  ArrayView view_;
  bool outZeroed_;
};

// Rewrites one cube file with the part `region` of the caller's array merged in.
class WriteTask : public Task {
 public:
  WriteTask(std::shared_ptr<const MagContext> mag, int64_t fx, int64_t fy, int64_t fz,
            const Box& region, const ArrayView& view, const WriteOptions& options)
      : mag_(std::move(mag)), fx_(fx), fy_(fy), fz_(fz), region_(region), view_(view),
        options_(options) {}

  void run() override {
    const std::string path = cubePath(mag_->root, fx_, fy_, fz_);
    std::lock_guard<std::mutex> lock(pathLock(path));
    const Header& h = mag_->header;
    const Box fbox = fileBox(h, fx_, fy_, fz_);
    std::shared_ptr<CubeFile> existing;
    try {
      existing = FileCache::instance().get(path, h);
    } catch (const WkwException&) {
      // A damaged file may only be replaced by a write that covers all of it.
      if (!region_.contains(fbox)) throw;
    }
    bool compressed = h.compressed() || (existing && existing->header().compressed());
    if (compressed) {
      uint8_t type = h.compressed() ? h.blockType : existing->header().blockType;
      writeCompressed(path, fbox, existing.get(), type);
    } else if (existing) {
      writeRawInPlace(path, fbox, *existing);
    } else {
      writeRawNew(path, fbox);
    }
  }

 private:
  // Fills `block` with the block's new content: caller's data over old data (or zeros).
  void mergeBlock(const BlockGeom& g, uint64_t index, const CubeFile* old, uint8_t* block) {
    const Box bbox = blockBox(g);
    const Box part = bbox.intersect(region_);
    if (!(part == bbox)) {
      if (old) {
        old->readBlock(index, block, scratchBuffer());
      } else {
        std::memset(block, 0, size_t(mag_->header.blockBytes()));
      }
    }
    copyArrayToBlock(view_, part, block, g);
  }

  void writeRawNew(const std::string& path, const Box& fbox) {
    const Header& h = mag_->header;
    TempFile tmp(path);
    Header fh = h;
    fh.blockType = kRaw;
    fh.dataOffset = kHeaderSize;
    uint8_t head[kHeaderSize];
    serializeHeader(fh, head);
    tmp.pwriteAll(head, kHeaderSize, 0);
    tmp.truncate(kHeaderSize + h.blocksPerFile() * h.blockBytes());  // sparse zeros
    forEachTouchedBlock(fbox, [&](const BlockGeom& g, uint64_t index) {
      std::vector<uint8_t>& block = blockBuffer(size_t(h.blockBytes()));
      mergeBlock(g, index, nullptr, block.data());
      tmp.pwriteAll(block.data(), size_t(h.blockBytes()), kHeaderSize + index * h.blockBytes());
    });
    tmp.commit(options_.durable);
  }

  void writeRawInPlace(const std::string& path, const Box& fbox, const CubeFile& old) {
    const Header& fh = old.header();
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throwIo("Cannot open for writing", path, errno);
    try {
      forEachTouchedBlock(fbox, [&](const BlockGeom& g, uint64_t index) {
        std::vector<uint8_t>& block = blockBuffer(size_t(fh.blockBytes()));
        mergeBlock(g, index, &old, block.data());
        const uint8_t* p = block.data();
        size_t n = size_t(fh.blockBytes()), done = 0;
        uint64_t at = fh.dataOffset + index * fh.blockBytes();
        while (done < n) {
          ssize_t r = ::pwrite(fd, p + done, n - done, off_t(at + done));
          if (r < 0) {
            if (errno == EINTR) continue;
            throwIo("Cannot write", path, errno);
          }
          done += size_t(r);
        }
      });
      if (options_.durable && ::fsync(fd) != 0) throwIo("Cannot sync", path, errno);
    } catch (...) {
      ::close(fd);
      FileCache::instance().invalidate(path);
      throw;
    }
    ::close(fd);
    FileCache::instance().invalidate(path);
  }

  void writeCompressed(const std::string& path, const Box& fbox, const CubeFile* old,
                       uint8_t blockType) {
    const Header& h = mag_->header;
    const uint64_t n = h.blocksPerFile();
    const size_t bb = size_t(h.blockBytes());
    removeStaleTemps(path);
    TempFile tmp(path);
    Header fh = h;
    fh.blockType = blockType;
    fh.dataOffset = kHeaderSize + 8 * n;
    std::vector<uint8_t> table(8 * n);
    std::vector<uint8_t> out;  // pending output, flushed in large writes
    out.reserve(4 << 20);
    uint64_t pos = fh.dataOffset, flushedTo = fh.dataOffset;
    std::vector<uint8_t> packed(compressBound(bb));
    std::vector<uint8_t> zeroPacked;
    const bool oldCompressed = old && old->header().compressed();
    for (uint64_t i = 0; i < n; i++) {
      uint32_t bx, by, bz;
      mortonDecode(i, bx, by, bz);
      BlockGeom g = blockGeom(h, fbox, bx, by, bz);
      const uint8_t* data;
      size_t len;
      if (blockBox(g).intersect(region_).empty() && (oldCompressed || !old)) {
        if (old) {  // untouched: keep the old compressed bytes as they are
          uint64_t b, e;
          old->compressedRange(i, b, e);
          len = size_t(e - b);
          if (packed.size() < len) packed.resize(len);
          old->readBytes(b, packed.data(), len, int64_t(i));
        } else {
          if (zeroPacked.empty()) {
            std::vector<uint8_t>& block = blockBuffer(bb);
            std::memset(block.data(), 0, bb);
            zeroPacked.resize(compressBound(bb));
            zeroPacked.resize(compressBlock(block.data(), bb, zeroPacked.data(), zeroPacked.size(),
                                            blockType, options_.level));
          }
          std::memcpy(packed.data(), zeroPacked.data(), zeroPacked.size());
          len = zeroPacked.size();
        }
        data = packed.data();
      } else {
        std::vector<uint8_t>& block = blockBuffer(bb);
        mergeBlock(g, i, old, block.data());
        len = compressBlock(block.data(), bb, packed.data(), packed.size(), blockType,
                            options_.level);
        data = packed.data();
      }
      out.insert(out.end(), data, data + len);
      pos += len;
      for (int k = 0; k < 8; k++) table[8 * i + k] = uint8_t(pos >> (8 * k));
      if (out.size() >= (4u << 20)) {
        tmp.pwriteAll(out.data(), out.size(), flushedTo);
        flushedTo += out.size();
        out.clear();
      }
    }
    tmp.pwriteAll(out.data(), out.size(), flushedTo);
    uint8_t head[kHeaderSize];
    serializeHeader(fh, head);
    tmp.pwriteAll(head, kHeaderSize, 0);
    tmp.pwriteAll(table.data(), table.size(), kHeaderSize);
    tmp.commit(options_.durable);
  }

  template <typename F>
  void forEachTouchedBlock(const Box& fbox, F&& f) {
    const int64_t b = mag_->header.blockLen();
    int64_t lo[3], hi[3];
    for (int i = 0; i < 3; i++) {
      lo[i] = (region_.lo[i] - fbox.lo[i]) / b;
      hi[i] = (region_.hi[i] - fbox.lo[i] + b - 1) / b;
    }
    for (int64_t bz = lo[2]; bz < hi[2]; bz++)
      for (int64_t by = lo[1]; by < hi[1]; by++)
        for (int64_t bx = lo[0]; bx < hi[0]; bx++) {
          BlockGeom g = blockGeom(mag_->header, fbox, uint32_t(bx), uint32_t(by), uint32_t(bz));
          f(g, mortonEncode(uint32_t(bx), uint32_t(by), uint32_t(bz)));
        }
  }

  std::shared_ptr<const MagContext> mag_;
  int64_t fx_, fy_, fz_;
  Box region_;
  ArrayView view_;
  WriteOptions options_;
};

// Re-encodes one whole cube file of `src` into `dst` with dst's block type.
class CompressTask : public Task {
 public:
  CompressTask(std::shared_ptr<const MagContext> src, std::shared_ptr<const MagContext> dst,
               int64_t fx, int64_t fy, int64_t fz, const WriteOptions& options)
      : src_(std::move(src)), dst_(std::move(dst)), fx_(fx), fy_(fy), fz_(fz), options_(options) {}

  void run() override {
    auto file = FileCache::instance().get(cubePath(src_->root, fx_, fy_, fz_), src_->header);
    if (!file) return;
    const Header& h = dst_->header;
    const uint64_t n = h.blocksPerFile();
    const size_t bb = size_t(h.blockBytes());
    const std::string target = cubePath(dst_->root, fx_, fy_, fz_);
    std::lock_guard<std::mutex> lock(pathLock(target));
    removeStaleTemps(target);
    TempFile tmp(target);
    Header fh = h;
    fh.dataOffset = h.dataFileOffset();
    uint8_t head[kHeaderSize];
    serializeHeader(fh, head);
    tmp.pwriteAll(head, kHeaderSize, 0);
    std::vector<uint8_t>& block = blockBuffer(bb);
    if (!h.compressed()) {
      for (uint64_t i = 0; i < n; i++) {
        file->readBlock(i, block.data(), scratchBuffer());
        tmp.pwriteAll(block.data(), bb, fh.dataOffset + i * bb);
      }
      tmp.commit(options_.durable);
      return;
    }
    std::vector<uint8_t> table(8 * n), out, packed(compressBound(bb));
    out.reserve(4 << 20);
    uint64_t pos = fh.dataOffset, flushedTo = fh.dataOffset;
    for (uint64_t i = 0; i < n; i++) {
      file->readBlock(i, block.data(), scratchBuffer());
      size_t len = compressBlock(block.data(), bb, packed.data(), packed.size(), h.blockType,
                                 options_.level);
      out.insert(out.end(), packed.data(), packed.data() + len);
      pos += len;
      for (int k = 0; k < 8; k++) table[8 * i + k] = uint8_t(pos >> (8 * k));
      if (out.size() >= (4u << 20)) {
        tmp.pwriteAll(out.data(), out.size(), flushedTo);
        flushedTo += out.size();
        out.clear();
      }
    }
    tmp.pwriteAll(out.data(), out.size(), flushedTo);
    tmp.pwriteAll(table.data(), table.size(), kHeaderSize);
    tmp.commit(options_.durable);
  }

 private:
  std::shared_ptr<const MagContext> src_, dst_;
  int64_t fx_, fy_, fz_;
  WriteOptions options_;
};

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

}  // namespace

std::vector<std::unique_ptr<Task>> planRead(std::shared_ptr<const MagContext> mag,
                                            const Box& region, const ArrayView& view,
                                            bool outZeroed, size_t taskBytes) {
  std::vector<std::unique_ptr<Task>> tasks;
  if (region.empty()) return tasks;
  const Header& h = mag->header;
  const int64_t b = h.blockLen();
  forEachFile(h, region, [&](int64_t fx, int64_t fy, int64_t fz, const Box& part) {
    // Split large parts into slabs of whole block layers along z, so one big file
    // is decoded by several pool threads.
    const int64_t planeBytes =
        (part.hi[0] - part.lo[0]) * (part.hi[1] - part.lo[1]) * int64_t(h.voxelSize) * b;
    int64_t layersPerTask = std::max<int64_t>(1, int64_t(taskBytes) / std::max<int64_t>(1, planeBytes));
    int64_t z = part.lo[2];
    while (z < part.hi[2]) {
      int64_t firstLayerEnd = (z / b + 1) * b;
      int64_t zEnd = std::min(part.hi[2], firstLayerEnd + (layersPerTask - 1) * b);
      Box slab = part;
      slab.lo[2] = z;
      slab.hi[2] = zEnd;
      tasks.emplace_back(new ReadTask(mag, fx, fy, fz, slab, view, outZeroed));
      z = zEnd;
    }
  });
  return tasks;
}

std::vector<std::unique_ptr<Task>> planWrite(std::shared_ptr<const MagContext> mag,
                                             const Box& region, const ArrayView& view,
                                             const WriteOptions& options) {
  std::vector<std::unique_ptr<Task>> tasks;
  if (region.empty()) return tasks;
  forEachFile(mag->header, region, [&](int64_t fx, int64_t fy, int64_t fz, const Box& part) {
    tasks.emplace_back(new WriteTask(mag, fx, fy, fz, part, view, options));
  });
  return tasks;
}

std::vector<std::unique_ptr<Task>> planCompress(std::shared_ptr<const MagContext> src,
                                                std::shared_ptr<const MagContext> dst,
                                                const std::vector<int64_t>& fileIndices,
                                                const WriteOptions& options) {
  std::vector<std::unique_ptr<Task>> tasks;
  for (size_t i = 0; i + 2 < fileIndices.size(); i += 3) {
    tasks.emplace_back(new CompressTask(src, dst, fileIndices[i], fileIndices[i + 1],
                                        fileIndices[i + 2], options));
  }
  return tasks;
}

}  // namespace wkw
