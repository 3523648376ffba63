#include "file_cache.h"

#include <list>
#include <mutex>
#include <unordered_map>

namespace wkw {

struct FileCache::Impl {
  std::mutex mutex;
  size_t capacity = 256;
  // Most recently used at the front.
  std::list<std::pair<std::string, std::shared_ptr<CubeFile>>> lru;
  std::unordered_map<std::string, decltype(lru)::iterator> index;

  void eraseLocked(const std::string& path) {
    auto it = index.find(path);
    if (it == index.end()) return;
    lru.erase(it->second);
    index.erase(it);
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
  if (c.capacity == 0) return file;
  c.lru.emplace_front(path, file);
  c.index[path] = c.lru.begin();
  while (c.lru.size() > c.capacity) {
    c.index.erase(c.lru.back().first);
    c.lru.pop_back();
  }
  return file;
}

void FileCache::invalidate(const std::string& path) {
  Impl& c = impl();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.eraseLocked(path);
}

void FileCache::invalidatePrefix(const std::string& prefix) {
  Impl& c = impl();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto it = c.lru.begin(); it != c.lru.end();) {
    if (it->first.compare(0, prefix.size(), prefix) == 0) {
      c.index.erase(it->first);
      it = c.lru.erase(it);
    } else {
      ++it;
    }
  }
}

void FileCache::setCapacity(size_t capacity) {
  Impl& c = impl();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.capacity = capacity;
  while (c.lru.size() > c.capacity) {
    c.index.erase(c.lru.back().first);
    c.lru.pop_back();
  }
}

size_t FileCache::size() {
  Impl& c = impl();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.lru.size();
}

}  // namespace wkw
