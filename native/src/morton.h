// Morton (Z-order) index of a block inside a cube file: bits of x, y, z interleaved,
// x in the lowest bit (index 1 = (1,0,0), 2 = (0,1,0), 4 = (0,0,1)).
#pragma once
#include <cstdint>

namespace wkw {

inline uint64_t spreadBits3(uint64_t v) {  // 21 bits -> every third bit
  v &= 0x1fffff;
  v = (v | v << 32) & 0x1f00000000ffffULL;
  v = (v | v << 16) & 0x1f0000ff0000ffULL;
  v = (v | v << 8) & 0x100f00f00f00f00fULL;
  v = (v | v << 4) & 0x10c30c30c30c30c3ULL;
  v = (v | v << 2) & 0x1249249249249249ULL;
  return v;
}

inline uint32_t compactBits3(uint64_t v) {
  v &= 0x1249249249249249ULL;
  v = (v ^ (v >> 2)) & 0x10c30c30c30c30c3ULL;
  v = (v ^ (v >> 4)) & 0x100f00f00f00f00fULL;
  v = (v ^ (v >> 8)) & 0x1f0000ff0000ffULL;
  v = (v ^ (v >> 16)) & 0x1f00000000ffffULL;
  v = (v ^ (v >> 32)) & 0x1fffffULL;
  return uint32_t(v);
}

inline uint64_t mortonEncode(uint32_t x, uint32_t y, uint32_t z) {
  return spreadBits3(x) | (spreadBits3(y) << 1) | (spreadBits3(z) << 2);
}

inline void mortonDecode(uint64_t m, uint32_t& x, uint32_t& y, uint32_t& z) {
  x = compactBits3(m);
  y = compactBits3(m >> 1);
  z = compactBits3(m >> 2);
}

}  // namespace wkw
