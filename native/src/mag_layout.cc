#include "mag_layout.h"

namespace wkw {

std::string cubePath(const std::string& root, int64_t fx, int64_t fy, int64_t fz) {
  return root + "/z" + std::to_string(fz) + "/y" + std::to_string(fy) + "/x" +
         std::to_string(fx) + ".wkw";
}

std::vector<uint8_t>& blockBuffer(size_t n) {
  thread_local std::vector<uint8_t> buf;
  if (buf.size() < n) buf.resize(n);
  return buf;
}

std::vector<uint8_t>& scratchBuffer() {
  thread_local std::vector<uint8_t> buf;
  return buf;
}

}  // namespace wkw
