// Whole-buffer positional reads and writes, retried on EINTR and short transfers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace wkw {

// Throws ERR_WKW_TRUNCATED (naming `path` and `block`) if the file ends first.
void preadAll(int fd, uint8_t* dst, size_t n, uint64_t offset, const std::string& path,
              int64_t block);
void pwriteAll(int fd, const uint8_t* src, size_t n, uint64_t offset, const std::string& path);

}  // namespace wkw
