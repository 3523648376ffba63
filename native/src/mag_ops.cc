#include "mag_ops.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
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

 private:
  const std::string path_;
  const Header dataset_;
  std::mutex mutex_;
  bool resolved_ = false;
  std::shared_ptr<CubeFile> file_;
};

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

  void run() override {
    const Header& h = mag_->header;
    auto file = file_->get();
    const int64_t rowBytes = int64_t(h.blockLen()) * h.voxelSize;
    // Where the caller's array has the block's own layout (a region one block wide in x
    // and y, e.g. an aligned 32³ read), whole blocks decode straight into it: no copy.
    const bool direct = view_.rowsContiguous() && view_.stride[2] == rowBytes &&
                        view_.stride[3] == rowBytes * int64_t(h.blockLen());
    std::vector<uint8_t>& block = blockBuffer(size_t(h.blockBytes()));
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
      if (direct && part == bbox) {
        file->readBlock(index, view_.at(g.origin[0], g.origin[1], g.origin[2]), scratch);
        continue;
      }
      file->readBlock(index, block.data(), scratch);
      copyBlockToArray(block.data(), g, part, view_);
    }
  }

 private:
  std::shared_ptr<const MagContext> mag_;
  std::shared_ptr<SharedFile> file_;
  Box fbox_, region_;
  BlockRange blocks_;
  size_t first_, last_;
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

// A new compressed version of one cube file, encoded in parts by several tasks (parallel
// across blocks, not only across files). The task that finishes the last part writes the
// file and renames it into place under the file's path lock: no task ever waits for
// another (a pool of one thread cannot deadlock), and a failed or cancelled part leaves
// the old file as it was. Memory: the compressed parts of the files being encoded, at
// most about one file per pool worker, whatever the size of the layer.
class FileEncoding {
 public:
  FileEncoding(std::string target, const Header& fileHeader, const WriteOptions& options,
               size_t parts)
      : target_(std::move(target)), header_(fileHeader), options_(options), parts_(parts),
        pending_(parts) {
    header_.dataOffset = kHeaderSize + 8 * header_.blocksPerFile();
  }

  // Encodes blocks [first, last) (Morton order) as part `p`; `fill(index, block)` provides
  // the raw content of a block.
  template <typename Fill>
  void encodePart(size_t p, uint64_t first, uint64_t last, Fill&& fill) {
    const size_t bb = size_t(header_.blockBytes());
    std::vector<uint8_t>& block = blockBuffer(bb);
    std::vector<uint8_t>& packed = packedBuffer(compressBound(bb));
    Part& part = parts_[p];
    part.sizes.resize(size_t(last - first));
    for (uint64_t i = first; i < last; i++) {
      fill(i, block.data());
      const size_t len = compressBlock(block.data(), bb, packed.data(), packed.size(),
                                       header_.blockType, options_.level);
      part.bytes.insert(part.bytes.end(), packed.data(), packed.data() + len);
      part.sizes[size_t(i - first)] = len;
    }
    if (pending_.fetch_sub(1) == 1) commit();
  }

 private:
  struct Part {
    std::vector<uint8_t> bytes;
    std::vector<size_t> sizes;  // of each block
  };

  static std::vector<uint8_t>& packedBuffer(size_t n) {
    thread_local std::vector<uint8_t> buf;
    if (buf.size() < n) buf.resize(n);
    return buf;
  }

  void commit() {
    const uint64_t n = header_.blocksPerFile();
    std::vector<uint8_t> table(8 * n);
    uint64_t pos = header_.dataOffset, i = 0;
    for (const Part& part : parts_) {
      for (size_t len : part.sizes) {
        pos += len;
        for (int k = 0; k < 8; k++) table[8 * i + k] = uint8_t(pos >> (8 * k));
        i++;
      }
    }
    std::lock_guard<std::mutex> lock(pathLock(target_));
    TempFile tmp(target_);
    uint8_t head[kHeaderSize];
    serializeHeader(header_, head);
    tmp.pwriteAll(head, kHeaderSize, 0);
    tmp.pwriteAll(table.data(), table.size(), kHeaderSize);
    uint64_t at = header_.dataOffset;
    for (Part& part : parts_) {
      tmp.pwriteAll(part.bytes.data(), part.bytes.size(), at);
      at += part.bytes.size();
      part = Part();  // release as we go
    }
    tmp.commit(options_.durable);
  }

  const std::string target_;
  Header header_;
  const WriteOptions options_;
  std::vector<Part> parts_;
  std::atomic<size_t> pending_;  // parts not yet encoded
};

// Splits the blocks of one new compressed file into parts, one task each (made by
// `make(encoding, part, firstBlock, lastBlock)`): parts of about 2 MiB of raw blocks, at
// most 16 per file so that the task list of a huge layer stays small.
template <typename Make>
void planEncoding(std::vector<std::unique_ptr<Task>>& tasks, std::string target,
                  const Header& fileHeader, const WriteOptions& options, Make&& make) {
  const uint64_t n = fileHeader.blocksPerFile();
  const uint64_t bySize = (n * fileHeader.blockBytes() + (2u << 20) - 1) >> 21;
  const size_t parts = size_t(std::min<uint64_t>(n, std::clamp<uint64_t>(bySize, 1, 16)));
  auto encoding = std::make_shared<FileEncoding>(std::move(target), fileHeader, options, parts);
  for (size_t p = 0; p < parts; p++) {
    tasks.emplace_back(make(encoding, p, n * p / parts, n * (p + 1) / parts));
  }
}

// A part of a whole-file write into a compressed dataset: blocks from the caller's array.
class WritePartTask : public Task {
 public:
  WritePartTask(std::shared_ptr<FileEncoding> encoding, size_t part, uint64_t first,
                uint64_t last, std::shared_ptr<const MagContext> mag, const Box& fbox,
                const ArrayView& view)
      : encoding_(std::move(encoding)), part_(part), first_(first), last_(last),
        mag_(std::move(mag)), fbox_(fbox), view_(view) {}

  void run() override {
    encoding_->encodePart(part_, first_, last_, [&](uint64_t index, uint8_t* block) {
      uint32_t bx, by, bz;
      mortonDecode(index, bx, by, bz);
      const BlockGeom g = blockGeom(mag_->header, fbox_, bx, by, bz);
      copyArrayToBlock(view_, blockBox(g), block, g);
    });
  }

 private:
  std::shared_ptr<FileEncoding> encoding_;
  size_t part_;
  uint64_t first_, last_;
  std::shared_ptr<const MagContext> mag_;
  Box fbox_;
  ArrayView view_;
};

// A part of compressing one cube file: blocks from the source file, which all parts see
// in the same version. A missing source file is skipped (no part commits).
class CompressPartTask : public Task {
 public:
  CompressPartTask(std::shared_ptr<FileEncoding> encoding, size_t part, uint64_t first,
                   uint64_t last, std::shared_ptr<SharedFile> source)
      : encoding_(std::move(encoding)), part_(part), first_(first), last_(last),
        source_(std::move(source)) {}

  void run() override {
    auto file = source_->get();
    if (!file) return;
    encoding_->encodePart(part_, first_, last_, [&](uint64_t index, uint8_t* block) {
      file->readBlock(index, block, scratchBuffer());
    });
  }

 private:
  std::shared_ptr<FileEncoding> encoding_;
  size_t part_;
  uint64_t first_, last_;
  std::shared_ptr<SharedFile> source_;
};

// Rewrites one whole cube file of `src` as a raw file of `dst`, block by block.
class DecompressTask : public Task {
 public:
  DecompressTask(std::shared_ptr<const MagContext> src, std::shared_ptr<const MagContext> dst,
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
    TempFile tmp(target);
    Header fh = h;
    fh.dataOffset = h.dataFileOffset();
    uint8_t head[kHeaderSize];
    serializeHeader(fh, head);
    tmp.pwriteAll(head, kHeaderSize, 0);
    std::vector<uint8_t>& block = blockBuffer(bb);
    for (uint64_t i = 0; i < n; i++) {
      file->readBlock(i, block.data(), scratchBuffer());
      tmp.pwriteAll(block.data(), bb, fh.dataOffset + i * bb);
    }
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

// A freshly allocated output array has no pages yet: every first write of a 4 KiB page
// is a page fault, which costs as much as decoding it. Asking for transparent huge pages
// (where the kernel offers them only on request) makes that one fault per 2 MiB.
void adviseHugePages(uint8_t* base, const Box& region, uint32_t voxelSize) {
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  uint64_t bytes = voxelSize;
  for (int i = 0; i < 3; i++) bytes *= uint64_t(region.hi[i] - region.lo[i]);
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(base) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(base) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)base, (void)region, (void)voxelSize;
#endif
}

}  // namespace

std::vector<std::unique_ptr<Task>> planRead(std::shared_ptr<const MagContext> mag,
                                            const Box& region, const ArrayView& view,
                                            bool outZeroed, size_t taskBytes) {
  std::vector<std::unique_ptr<Task>> tasks;
  if (region.empty()) return tasks;
  const Header& h = mag->header;
  const int64_t b = h.blockLen();
  if (outZeroed) adviseHugePages(view.base, region, h.voxelSize);
  struct FilePart {
    int64_t f[3];
    Box box;
    BlockRange blocks;
  };
  std::vector<FilePart> parts;
  uint64_t total = 0;
  forEachFile(h, region, [&](int64_t fx, int64_t fy, int64_t fz, const Box& part) {
    FilePart p{{fx, fy, fz}, part, {}};
    const Box fbox = fileBox(h, fx, fy, fz);
    for (int i = 0; i < 3; i++) {
      p.blocks.lo[i] = (part.lo[i] - fbox.lo[i]) / b;
      p.blocks.n[i] = (part.hi[i] - fbox.lo[i] + b - 1) / b - p.blocks.lo[i];
    }
    total += p.blocks.count();
    parts.push_back(p);
  });
  // Tasks cost little each (worker threads claim them in a loop), so they are small: the
  // pool threads of one call end together even on a single 100³ read. Large calls use
  // larger tasks, about 256 per call, at most 4 MiB of blocks each.
  const uint64_t bb = h.blockBytes();
  const uint64_t minBlocks = std::max<uint64_t>(1, taskBytes / bb);
  const uint64_t maxBlocks = std::max<uint64_t>(minBlocks, (uint64_t(4) << 20) / bb);
  const uint64_t perTask = std::clamp<uint64_t>((total + 255) / 256, minBlocks, maxBlocks);
  for (const FilePart& p : parts) {
    auto file = std::make_shared<SharedFile>(cubePath(mag->root, p.f[0], p.f[1], p.f[2]), h);
    const Box fbox = fileBox(h, p.f[0], p.f[1], p.f[2]);
    // Tasks hold whole rows of blocks along x: two threads writing parts of the same output
    // rows would share (and fight over) cache lines.
    const size_t row = size_t(p.blocks.n[0]), rows = p.blocks.count() / row;
    const size_t rowsPerTask = size_t(std::max<uint64_t>(1, perTask / row));
    const size_t n = (rows + rowsPerTask - 1) / rowsPerTask;
    for (size_t t = 0; t < n; t++) {
      tasks.emplace_back(new ReadTask(mag, file, fbox, p.box, p.blocks, row * (rows * t / n),
                                      row * (rows * (t + 1) / n), view, outZeroed));
    }
  }
  return tasks;
}

std::vector<std::unique_ptr<Task>> planWrite(std::shared_ptr<const MagContext> mag,
                                             const Box& region, const ArrayView& view,
                                             const WriteOptions& options) {
  std::vector<std::unique_ptr<Task>> tasks;
  if (region.empty()) return tasks;
  const Header& h = mag->header;
  forEachFile(h, region, [&](int64_t fx, int64_t fy, int64_t fz, const Box& part) {
    const Box fbox = fileBox(h, fx, fy, fz);
    if (h.compressed() && part == fbox) {
      // A whole file of a compressed dataset needs nothing of the old file: encode it in
      // parallel parts. (A raw dataset may hold compressed files, so it looks first.)
      planEncoding(tasks, cubePath(mag->root, fx, fy, fz), h, options,
                   [&](std::shared_ptr<FileEncoding> e, size_t p, uint64_t first, uint64_t last) {
                     return new WritePartTask(std::move(e), p, first, last, mag, fbox, view);
                   });
    } else {
      tasks.emplace_back(new WriteTask(mag, fx, fy, fz, part, view, options));
    }
  });
  return tasks;
}

std::vector<std::unique_ptr<Task>> planCompress(std::shared_ptr<const MagContext> src,
                                                std::shared_ptr<const MagContext> dst,
                                                const std::vector<int64_t>& fileIndices,
                                                const WriteOptions& options) {
  std::vector<std::unique_ptr<Task>> tasks;
  for (size_t i = 0; i + 2 < fileIndices.size(); i += 3) {
    const int64_t fx = fileIndices[i], fy = fileIndices[i + 1], fz = fileIndices[i + 2];
    if (!dst->header.compressed()) {
      tasks.emplace_back(new DecompressTask(src, dst, fx, fy, fz, options));
      continue;
    }
    auto source = std::make_shared<SharedFile>(cubePath(src->root, fx, fy, fz), src->header);
    planEncoding(tasks, cubePath(dst->root, fx, fy, fz), dst->header, options,
                 [&](std::shared_ptr<FileEncoding> e, size_t p, uint64_t first, uint64_t last) {
                   return new CompressPartTask(std::move(e), p, first, last, source);
                 });
  }
  return tasks;
}

}  // namespace wkw
