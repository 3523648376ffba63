// A decoded-block cache shared by the datasets opened with it (the public BlockCache):
// an LRU by bytes, sharded so that pool threads rarely wait for each other.
//
// Keys name a block of one version of one file: the file's identity (device, inode,
// size, mtime) plus a per-path generation that every write and compress in this process
// bumps once it has changed the file. A file replaced on disk has a new identity and a
// file rewritten in place here has a new generation, so neither can serve stale blocks;
// their old entries are never looked up again and age out of the LRU.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "cube_file.h"

namespace wkw {

struct BlockKey {
  FileIdentity file;
  uint64_t generation = 0;
  uint64_t block = 0;
  bool operator==(const BlockKey& o) const {
    return file == o.file && generation == o.generation && block == o.block;
  }
};

using CachedBlock = std::shared_ptr<const std::vector<uint8_t>>;

struct BlockCacheStats {
  uint64_t hits = 0, misses = 0, bytes = 0, evictions = 0, entries = 0;
};

class BlockCache {
 public:
  explicit BlockCache(uint64_t maxBytes);
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  uint64_t maxBytes() const { return maxBytes_; }
  // The decoded block, or nullptr (counted as a miss).
  CachedBlock get(const BlockKey& key);
  // Stores a decoded block; evicts least recently used blocks to stay in budget. A block
  // larger than a shard's budget is not stored.
  void put(const BlockKey& key, CachedBlock block);
  void clear();
  BlockCacheStats stats();

 private:
  struct KeyHash {
    size_t operator()(const BlockKey& k) const;
  };
  struct Shard {
    std::mutex mutex;
    std::list<std::pair<BlockKey, CachedBlock>> lru;  // most recent first
    std::unordered_map<BlockKey, decltype(lru)::iterator, KeyHash> index;
    uint64_t bytes = 0;
  };
  Shard& shardOf(const BlockKey& key);

  const uint64_t maxBytes_;
  uint64_t shardBudget_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> hits_{0}, misses_{0}, evictions_{0};
};

// Generation of `path`'s content in this process (see above).
uint64_t pathGeneration(const std::string& path);
// Called after a write or compress has changed or replaced the file at `path`.
void bumpPathGeneration(const std::string& path);

}  // namespace wkw
