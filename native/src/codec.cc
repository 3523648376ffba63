#include "codec.h"

#include <climits>
#include <memory>

#include "../vendor/lz4/lz4.h"
#include "../vendor/lz4/lz4hc.h"
#include "errors.h"

namespace wkw {

size_t compressBound(size_t n) { return size_t(LZ4_compressBound(int(n))); }

// Per-thread compression states: LZ4HC's is 256 KiB, too big to allocate per block.
static void* hcState() {
  thread_local std::unique_ptr<char[]> state(new char[size_t(LZ4_sizeofStateHC())]);
  return state.get();
}
static void* fastState() {
  thread_local std::unique_ptr<char[]> state(new char[size_t(LZ4_sizeofState())]);
  return state.get();
}

size_t compressBlock(const uint8_t* src, size_t n, uint8_t* dst, size_t capacity,
                     uint8_t blockType, int level) {
  if (n > size_t(LZ4_MAX_INPUT_SIZE) || capacity > size_t(INT_MAX)) {
    throwArgument("block of " + std::to_string(n) + " bytes is too large for LZ4");
  }
  int r;
  if (blockType == 3) {
    r = LZ4_compress_HC_extStateHC(hcState(), reinterpret_cast<const char*>(src),
                                   reinterpret_cast<char*>(dst), int(n), int(capacity), level);
  } else {
    r = LZ4_compress_fast_extState(fastState(), reinterpret_cast<const char*>(src),
                                   reinterpret_cast<char*>(dst), int(n), int(capacity), 1);
  }
  if (r <= 0) throw WkwException("ERR_WKW_IO", "LZ4 compression failed");
  return size_t(r);
}

void decompressBlock(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen,
                     const std::string& path, int64_t blockIndex) {
  if (srcLen == 0 || srcLen > size_t(INT_MAX) || dstLen > size_t(INT_MAX)) {
    throwCorrupt("LZ4 block of invalid length " + std::to_string(srcLen), path, blockIndex);
  }
  int r = LZ4_decompress_safe(reinterpret_cast<const char*>(src), reinterpret_cast<char*>(dst),
                              int(srcLen), int(dstLen));
  if (r < 0) throwCorrupt("Invalid LZ4 data", path, blockIndex);
  if (size_t(r) != dstLen) {
    throwCorrupt("LZ4 block decodes to " + std::to_string(r) + " bytes instead of " +
                     std::to_string(dstLen),
                 path, blockIndex);
  }
}

}  // namespace wkw
