// One cube file opened for reading: its validated header, jump table and descriptor.
// Immutable after open, so it is shared between pool threads without locking.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "header.h"

namespace wkw {

struct FileIdentity {
  uint64_t dev = 0, ino = 0, size = 0;
  int64_t mtimeNs = 0;
  bool operator==(const FileIdentity& o) const {
    return dev == o.dev && ino == o.ino && size == o.size && mtimeNs == o.mtimeNs;
  }
};

class CubeFile {
 public:
  // Opens and validates `path` against the dataset header (same block/file length, voxel
  // type and size; the block type may differ). Returns nullptr if the file does not exist.
  static std::shared_ptr<CubeFile> open(const std::string& path, const Header& dataset);
  // Validates a complete file image held in memory (used by the fuzzer and tests).
  static std::shared_ptr<CubeFile> fromMemory(std::vector<uint8_t> bytes, const Header& dataset,
                                             const std::string& name);
  ~CubeFile();
  CubeFile(const CubeFile&) = delete;
  CubeFile& operator=(const CubeFile&) = delete;

  const Header& header() const { return header_; }
  const std::string& path() const { return path_; }
  const FileIdentity& identity() const { return identity_; }
  // Memory this open file holds (mostly its jump table), for the handle cache's budget.
  size_t memoryBytes() const {
    return sizeof(CubeFile) + path_.capacity() + memory_.capacity() +
           jumpTable_.capacity() * sizeof(uint64_t);
  }
  // Decodes block `index` (Morton order) into `dst` (blockBytes). `scratch` is reused
  // between calls to hold compressed bytes.
  void readBlock(uint64_t index, uint8_t* dst, std::vector<uint8_t>& scratch) const;
  // Byte range [begin, end) of a compressed block, for copying it unchanged.
  void compressedRange(uint64_t index, uint64_t& begin, uint64_t& end) const;
  void readBytes(uint64_t offset, uint8_t* dst, size_t n, int64_t block) const;

 private:
  CubeFile() = default;
  void validate(const Header& dataset);
  std::string path_;
  int fd_ = -1;
  std::vector<uint8_t> memory_;  // set when the file image is in memory instead of fd_
  Header header_;
  FileIdentity identity_;
  std::vector<uint64_t> jumpTable_;
};

// Reads the identity of `path`; false if it does not exist.
bool statIdentity(const std::string& path, FileIdentity& out);

}  // namespace wkw
