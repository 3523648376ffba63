#include "file_cache.h"

#include <list>
#include <mutex>
#include <unordered_map>

#include "block_cache.h"

namespace wkw {

struct FileCache::Impl {
  std::mutex mutex;
  size_t maxFiles = 256;
  uint64_t maxBytes = uint64_t(256) << 20;
  uint64_t bytes = 0;
  // Most recently used at the front.
  std::list<std::pair<std::string, std::shared_ptr<CubeFile>>> lru;
  std::unordered_map<std::string, decltype(lru)::iterator> index;

  void eraseLocked(const std::string& path) {
    auto it = index.find(path);
    if (it == index.end()) return;
    eraseLocked(it->second);
  }
  void eraseLocked(decltype(lru)::iterator it) {
    bytes -= it->second->memoryBytes();
    index.erase(it->first);
    lru.erase(it);
  }
  void shrinkLocked() {
    while (!lru.empty() && (lru.size() > maxFiles || bytes > maxBytes)) eraseLocked(std::prev(lru.end()));
  }
};

// Never destroyed: pool threads of any environment may still use it at process exit.
FileCache& FileCache::instance() {
  static FileCache* cache = new FileCache();
  return *cache;
}

FileCache::Impl& FileCache::impl() {
  static Impl* impl = new Impl();
  return *impl;
}

std::shared_ptr<CubeFile> FileCache::get(const std::string& path, const Header& dataset) {
  Impl& c = impl();
  FileIdentity id;
  if (!statIdentity(path, id)) {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.eraseLocked(path);
    return nullptr;
  }
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.index.find(path);
    if (it != c.index.end()) {
      auto file = it->second->second;
      if (file->identity() == id && file->header().sameLayout(dataset)) {
        c.lru.splice(c.lru.begin(), c.lru, it->second);
        return file;
      }
      c.eraseLocked(path);
    }
  }
  // Open outside the lock: validation reads the whole jump table.
  auto file = CubeFile::open(path, dataset);
  if (!file) return nullptr;
  std::lock_guard<std::mutex> lock(c.mutex);
  c.eraseLocked(path);
  if (c.maxFiles == 0 || file->memoryBytes() > c.maxBytes) return file;
  c.lru.emplace_front(path, file);
  c.index[path] = c.lru.begin();
  c.bytes += file->memoryBytes();
  c.shrinkLocked();
  return file;
}

// Called by every write and compress once it has changed or replaced the file.
void FileCache::invalidate(const std::string& path) {
  Impl& c = impl();
  bumpPathGeneration(path);  // blocks cached from the old content are never served again
  std::lock_guard<std::mutex> lock(c.mutex);
  c.eraseLocked(path);
}

void FileCache::invalidatePrefix(const std::string& prefix) {
  Impl& c = impl();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto it = c.lru.begin(); it != c.lru.end();) {
    if (it->first.compare(0, prefix.size(), prefix) == 0) {
      auto next = std::next(it);
      c.eraseLocked(it);
      it = next;
    } else {
      ++it;
    }
  }
}

void FileCache::setCapacity(size_t maxFiles, uint64_t maxBytes) {
  Impl& c = impl();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.maxFiles = maxFiles;
  c.maxBytes = maxBytes;
  c.shrinkLocked();
}

FileCache::Stats FileCache::stats() {
  Impl& c = impl();
  std::lock_guard<std::mutex> lock(c.mutex);
  return Stats{c.lru.size(), c.bytes, c.maxFiles, c.maxBytes};
}

}  // namespace wkw
