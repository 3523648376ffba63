#include "write_task.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "codec.h"
#include "errors.h"
#include "io.h"
#include "morton.h"
#include "path_locks.h"
#include "temp_file.h"

namespace wkw {
namespace {

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
    } else if (!writeRawNew(path, fbox)) {
      // Another process created the file meanwhile (our path lock is per process): write
      // into its file in place, so neither process's blocks are lost.
      existing = FileCache::instance().get(path, h);
      if (!existing) throwIo("Cube file vanished while being created", path, ENOENT);
      if (existing->header().compressed()) {
        writeCompressed(path, fbox, existing.get(), existing->header().blockType);
      } else {
        writeRawInPlace(path, fbox, *existing);
      }
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

  // Creates the file exclusively; false (nothing written) if it exists by now.
  bool writeRawNew(const std::string& path, const Box& fbox) {
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
    return tmp.commitNew(options_.durable);
  }

  void writeRawInPlace(const std::string& path, const Box& fbox, const CubeFile& old) {
    const Header& fh = old.header();
    // A creator killed between link() and unlinking its temporary leaves that temporary
    // beside a complete file; only writers of this file look there, so this one clears it.
    removeStaleTemps(path);
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO swapped in must not block
    if (fd < 0) throwIo("Cannot open for writing", path, errno);
    try {
      forEachTouchedBlock(fbox, [&](const BlockGeom& g, uint64_t index) {
        std::vector<uint8_t>& block = blockBuffer(size_t(fh.blockBytes()));
        mergeBlock(g, index, &old, block.data());
        pwriteAll(fd, block.data(), size_t(fh.blockBytes()),
                  fh.dataOffset + index * fh.blockBytes(), path);
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

}  // namespace

std::unique_ptr<Task> makeWriteTask(std::shared_ptr<const MagContext> mag, int64_t fx, int64_t fy,
                                    int64_t fz, const Box& region, const ArrayView& view,
                                    const WriteOptions& options) {
  return std::make_unique<WriteTask>(std::move(mag), fx, fy, fz, region, view, options);
}

}  // namespace wkw
