#include "header.h"

#include <cstring>

#include "errors.h"

namespace wkw {

uint32_t voxelTypeSize(uint8_t code) {
  static const uint32_t sizes[] = {0, 1, 2, 4, 8, 4, 8, 1, 2, 4, 8};
  return code >= 1 && code <= 10 ? sizes[code] : 0;
}

uint32_t Header::typeSize() const { return voxelTypeSize(voxelType); }

Header parseHeader(const uint8_t* b, size_t length, const std::string& path) {
  if (length < kHeaderSize) {
    throw WkwException("ERR_WKW_TRUNCATED",
                       "File too short for a WKW header (" + std::to_string(length) +
                           " of 16 bytes): " + path,
                       path);
  }
  if (std::memcmp(b, "WKW", 3) != 0) throwHeader("bad magic (not a WKW file)", path);
  Header h;
  h.version = b[3];
  if (h.version != 1) throwHeader("unsupported version " + std::to_string(h.version), path);
  h.blockLenLog2 = b[4] & 0x0f;
  h.fileLenLog2 = b[4] >> 4;
  if (h.blockLenLog2 > kMaxLenLog2 || h.fileLenLog2 > kMaxLenLog2) {
    throwHeader("block length 2^" + std::to_string(h.blockLenLog2) + " or file length 2^" +
                    std::to_string(h.fileLenLog2) + " exceeds the supported maximum of 128",
                path);
  }
  h.blockType = b[5];
  if (h.blockType < kRaw || h.blockType > kLz4hc) {
    throwHeader("unknown block type " + std::to_string(h.blockType), path);
  }
  h.voxelType = b[6];
  uint32_t ts = voxelTypeSize(h.voxelType);
  if (ts == 0) throwHeader("unknown voxel type " + std::to_string(h.voxelType), path);
  h.voxelSize = b[7];
  if (h.voxelSize == 0 || h.voxelSize % ts != 0) {
    throwHeader("voxel size " + std::to_string(h.voxelSize) +
                    " is not a multiple of the voxel type size " + std::to_string(ts),
                path);
  }
  uint64_t off = 0;
  for (int i = 7; i >= 0; i--) off = (off << 8) | b[8 + i];
  h.dataOffset = off;
  return h;
}

void serializeHeader(const Header& h, uint8_t out[kHeaderSize]) {
  out[0] = 'W';
  out[1] = 'K';
  out[2] = 'W';
  out[3] = h.version;
  out[4] = uint8_t((h.fileLenLog2 << 4) | h.blockLenLog2);
  out[5] = h.blockType;
  out[6] = h.voxelType;
  out[7] = h.voxelSize;
  for (int i = 0; i < 8; i++) out[8 + i] = uint8_t(h.dataOffset >> (8 * i));
}

}  // namespace wkw
