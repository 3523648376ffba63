#include "path_locks.h"

#include <functional>

namespace wkw {

std::mutex& pathLock(const std::string& path) {
  // Striped: two files may share a stripe, which only costs parallelism, never safety.
  static std::mutex* stripes = new std::mutex[1024];
  return stripes[std::hash<std::string>{}(path) % 1024];
}

}  // namespace wkw
