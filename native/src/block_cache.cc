#include "block_cache.h"

#include <algorithm>
#include <functional>

namespace wkw {
namespace {

// Generations live in a fixed table indexed by a hash of the path: bounded memory however
// many files a process writes. Two paths sharing a slot only invalidate each other's
// cached blocks, which costs a re-decode, never a wrong result.
constexpr size_t kGenerationSlots = 4096;
std::atomic<uint64_t> generations[kGenerationSlots];

std::atomic<uint64_t>& generationSlot(const std::string& path) {
  return generations[std::hash<std::string>()(path) % kGenerationSlots];
}

inline uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

// One shard per 8 MiB of budget, at most 16: large caches get little lock contention,
// small ones still hold whole blocks (a uint32 32³ block is 128 KiB).
size_t shardCount(uint64_t maxBytes) {
  return size_t(std::clamp<uint64_t>(maxBytes / (uint64_t(8) << 20), 1, 16));
}

}  // namespace

uint64_t pathGeneration(const std::string& path) {
  return generationSlot(path).load(std::memory_order_acquire);
}

void bumpPathGeneration(const std::string& path) {
  generationSlot(path).fetch_add(1, std::memory_order_acq_rel);
}

size_t BlockCache::KeyHash::operator()(const BlockKey& k) const {
  uint64_t h = mix(k.file.dev, k.file.ino);
  h = mix(h, k.file.size);
  h = mix(h, uint64_t(k.file.mtimeNs));
  h = mix(h, k.generation);
  h = mix(h, k.block * 0xff51afd7ed558ccdULL);
  return size_t(h ^ (h >> 29));
}

BlockCache::BlockCache(uint64_t maxBytes) : maxBytes_(maxBytes) {
  const size_t n = shardCount(maxBytes);
  shardBudget_ = maxBytes / n;
  for (size_t i = 0; i < n; i++) shards_.push_back(std::make_unique<Shard>());
}

BlockCache::Shard& BlockCache::shardOf(const BlockKey& key) {
  return *shards_[(KeyHash()(key) >> 7) % shards_.size()];
}

CachedBlock BlockCache::get(const BlockKey& key) {
  Shard& s = shardOf(key);
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.index.find(key);
    if (it != s.index.end()) {
      s.lru.splice(s.lru.begin(), s.lru, it->second);
      hits_.fetch_add(1, std::memory_order_relaxed);
      return it->second->second;
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

void BlockCache::put(const BlockKey& key, CachedBlock block) {
  const uint64_t size = block->size();
  if (size > shardBudget_) return;
  Shard& s = shardOf(key);
  std::vector<CachedBlock> dropped;  // freed after the lock is released
  std::lock_guard<std::mutex> lock(s.mutex);
  auto it = s.index.find(key);
  if (it != s.index.end()) {  // another thread decoded it meanwhile
    s.lru.splice(s.lru.begin(), s.lru, it->second);
    return;
  }
  while (s.bytes + size > shardBudget_ && !s.lru.empty()) {
    auto& last = s.lru.back();
    s.bytes -= last.second->size();
    dropped.push_back(std::move(last.second));
    s.index.erase(last.first);
    s.lru.pop_back();
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
  s.lru.emplace_front(key, std::move(block));
  s.index.emplace(key, s.lru.begin());
  s.bytes += size;
}

void BlockCache::clear() {
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s->mutex);
    s->index.clear();
    s->lru.clear();
    s->bytes = 0;
  }
}

BlockCacheStats BlockCache::stats() {
  BlockCacheStats r;
  r.hits = hits_.load();
  r.misses = misses_.load();
  r.evictions = evictions_.load();
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s->mutex);
    r.bytes += s->bytes;
    r.entries += s->lru.size();
  }
  return r;
}

}  // namespace wkw
