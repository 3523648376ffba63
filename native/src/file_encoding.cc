#include "file_encoding.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "cancel.h"
#include "codec.h"
#include "morton.h"
#include "path_locks.h"
#include "temp_file.h"

namespace wkw {
namespace {

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
      throwIfCancelled();
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

bool isAllZero(const uint8_t* data, size_t n) {
  // Word-wise: blocks are large and mostly nonzero or mostly zero.
  size_t i = 0;
  for (; i + sizeof(uint64_t) <= n; i += sizeof(uint64_t)) {
    uint64_t w;
    std::memcpy(&w, data + i, sizeof w);
    if (w != 0) return false;
  }
  for (; i < n; i++) {
    if (data[i] != 0) return false;
  }
  return true;
}

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
    // Sparse: the file gets its full length, and all-zero blocks are never written (they
    // read back as zeros), so a mostly empty mag does not become fully allocated files.
    tmp.truncate(fh.dataOffset + n * bb);
    std::vector<uint8_t>& block = blockBuffer(bb);
    for (uint64_t i = 0; i < n; i++) {
      throwIfCancelled();
      file->readBlock(i, block.data(), scratchBuffer());
      if (isAllZero(block.data(), bb)) continue;
      tmp.pwriteAll(block.data(), bb, fh.dataOffset + i * bb);
    }
    tmp.commit(options_.durable);
  }

 private:
  std::shared_ptr<const MagContext> src_, dst_;
  int64_t fx_, fy_, fz_;
  WriteOptions options_;
};

// A part of a generated file: blocks from a BlockFill.
class GeneratedPartTask : public Task {
 public:
  GeneratedPartTask(std::shared_ptr<FileEncoding> encoding, size_t part, uint64_t first,
                    uint64_t last, std::shared_ptr<const BlockFill> fill)
      : encoding_(std::move(encoding)), part_(part), first_(first), last_(last),
        fill_(std::move(fill)) {}

  void run() override { encoding_->encodePart(part_, first_, last_, *fill_); }

 private:
  std::shared_ptr<FileEncoding> encoding_;
  size_t part_;
  uint64_t first_, last_;
  std::shared_ptr<const BlockFill> fill_;
};

}  // namespace

void planGeneratedFile(std::vector<std::unique_ptr<Task>>& tasks, std::string target,
                       const Header& fileHeader, const WriteOptions& options,
                       std::shared_ptr<const BlockFill> fill) {
  planEncoding(tasks, std::move(target), fileHeader, options,
               [&](std::shared_ptr<FileEncoding> e, size_t p, uint64_t first, uint64_t last) {
                 return new GeneratedPartTask(std::move(e), p, first, last, fill);
               });
}

void planWholeFileWrite(std::vector<std::unique_ptr<Task>>& tasks,
                        std::shared_ptr<const MagContext> mag, int64_t fx, int64_t fy, int64_t fz,
                        const ArrayView& view, const WriteOptions& options) {
  const Box fbox = fileBox(mag->header, fx, fy, fz);
  planEncoding(tasks, cubePath(mag->root, fx, fy, fz), mag->header, options,
               [&](std::shared_ptr<FileEncoding> e, size_t p, uint64_t first, uint64_t last) {
                 return new WritePartTask(std::move(e), p, first, last, mag, fbox, view);
               });
}

void planFileCompress(std::vector<std::unique_ptr<Task>>& tasks,
                      std::shared_ptr<const MagContext> src, std::shared_ptr<const MagContext> dst,
                      int64_t fx, int64_t fy, int64_t fz, const WriteOptions& options) {
  if (!dst->header.compressed()) {
    tasks.emplace_back(new DecompressTask(src, dst, fx, fy, fz, options));
    return;
  }
  auto source = std::make_shared<SharedFile>(cubePath(src->root, fx, fy, fz), src->header);
  planEncoding(tasks, cubePath(dst->root, fx, fy, fz), dst->header, options,
               [&](std::shared_ptr<FileEncoding> e, size_t p, uint64_t first, uint64_t last) {
                 return new CompressPartTask(std::move(e), p, first, last, source);
               });
}

}  // namespace wkw
