#include "region.h"

#include <cstring>

namespace wkw {

// Element-wise copy for strided arrays (e.g. C-order input): one item of typeSize bytes.
static inline void copyItem(uint8_t* dst, const uint8_t* src, uint32_t n) {
  switch (n) {
    case 1: *dst = *src; break;
    case 2: std::memcpy(dst, src, 2); break;
    case 4: std::memcpy(dst, src, 4); break;
    case 8: std::memcpy(dst, src, 8); break;
    default: std::memcpy(dst, src, n);
  }
}

void copyBlockToArray(const uint8_t* block, const BlockGeom& g, const Box& box,
                      const ArrayView& out) {
  const int64_t nx = box.hi[0] - box.lo[0];
  const size_t rowBytes = size_t(nx) * g.voxelSize;
  for (int64_t z = box.lo[2]; z < box.hi[2]; z++) {
    for (int64_t y = box.lo[1]; y < box.hi[1]; y++) {
      const uint8_t* src = block + g.offsetOf(box.lo[0], y, z);
      uint8_t* dst = out.at(box.lo[0], y, z);
      if (out.rowsContiguous()) {
        std::memcpy(dst, src, rowBytes);
        continue;
      }
      for (int64_t x = 0; x < nx; x++) {
        for (uint32_t c = 0; c < out.channels; c++) {
          copyItem(dst + x * out.stride[1] + c * out.stride[0],
                   src + (size_t(x) * out.channels + c) * out.typeSize, out.typeSize);
        }
      }
    }
  }
}

void copyArrayToBlock(const ArrayView& in, const Box& box, uint8_t* block, const BlockGeom& g) {
  const int64_t nx = box.hi[0] - box.lo[0];
  const size_t rowBytes = size_t(nx) * g.voxelSize;
  for (int64_t z = box.lo[2]; z < box.hi[2]; z++) {
    for (int64_t y = box.lo[1]; y < box.hi[1]; y++) {
      uint8_t* dst = block + g.offsetOf(box.lo[0], y, z);
      const uint8_t* src = in.at(box.lo[0], y, z);
      if (in.rowsContiguous()) {
        std::memcpy(dst, src, rowBytes);
        continue;
      }
      for (int64_t x = 0; x < nx; x++) {
        for (uint32_t c = 0; c < in.channels; c++) {
          copyItem(dst + (size_t(x) * in.channels + c) * in.typeSize,
                   src + x * in.stride[1] + c * in.stride[0], in.typeSize);
        }
      }
    }
  }
}

void zeroArray(const ArrayView& out, const Box& box) {
  const int64_t nx = box.hi[0] - box.lo[0];
  for (int64_t z = box.lo[2]; z < box.hi[2]; z++) {
    for (int64_t y = box.lo[1]; y < box.hi[1]; y++) {
      uint8_t* dst = out.at(box.lo[0], y, z);
      if (out.rowsContiguous()) {
        std::memset(dst, 0, size_t(nx) * out.channels * out.typeSize);
        continue;
      }
      for (int64_t x = 0; x < nx; x++)
        for (uint32_t c = 0; c < out.channels; c++)
          std::memset(dst + x * out.stride[1] + c * out.stride[0], 0, out.typeSize);
    }
  }
}

}  // namespace wkw
