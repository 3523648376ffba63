// Serialises writers of one cube file inside this process (all environments): a write
// holds the lock of its path for the whole read-merge-write-rename of that file.
// Each task holds at most one such lock, so there is no lock-order deadlock.
#pragma once
#include <mutex>
#include <string>

namespace wkw {

std::mutex& pathLock(const std::string& path);

}  // namespace wkw
