// Process-wide LRU cache of open cube files (descriptor + header + jump table), keyed by
// path, bounded by a number of files (descriptors) and by bytes (one jump table can be
// 16 MiB). Every lookup re-stats the path, so a file replaced by a rename (ours or another
// process's) is reopened; a reader holding the old entry keeps a consistent old version.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "cube_file.h"

namespace wkw {

class FileCache {
 public:
  static FileCache& instance();
  // nullptr when the file does not exist (reads as zeros).
  std::shared_ptr<CubeFile> get(const std::string& path, const Header& dataset);
  void invalidate(const std::string& path);
  void invalidatePrefix(const std::string& prefix);
  void setCapacity(size_t maxFiles, uint64_t maxBytes);
  struct Stats {
    size_t files;
    uint64_t bytes;
    size_t maxFiles;
    uint64_t maxBytes;
  };
  Stats stats();
  size_t size() { return stats().files; }

 private:
  FileCache() = default;
  struct Impl;
  Impl& impl();
};

}  // namespace wkw
