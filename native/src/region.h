// Copies between Fortran-order blocks (x fastest, channels interleaved) and a caller's
// (c, x, y, z) array with arbitrary byte strides. Boxes are half-open, in global voxels.
#pragma once
#include <algorithm>
#include <cstdint>

namespace wkw {

struct Box {
  int64_t lo[3] = {0, 0, 0};
  int64_t hi[3] = {0, 0, 0};
  bool empty() const { return hi[0] <= lo[0] || hi[1] <= lo[1] || hi[2] <= lo[2]; }
  Box intersect(const Box& o) const {
    Box r;
    for (int i = 0; i < 3; i++) {
      r.lo[i] = std::max(lo[i], o.lo[i]);
      r.hi[i] = std::min(hi[i], o.hi[i]);
    }
    return r;
  }
  bool contains(const Box& o) const {
    for (int i = 0; i < 3; i++)
      if (o.lo[i] < lo[i] || o.hi[i] > hi[i]) return false;
    return true;
  }
  bool operator==(const Box& o) const {
    for (int i = 0; i < 3; i++)
      if (lo[i] != o.lo[i] || hi[i] != o.hi[i]) return false;
    return true;
  }
  static Box cube(int64_t x, int64_t y, int64_t z, int64_t edge) {
    Box b;
    b.lo[0] = x;
    b.lo[1] = y;
    b.lo[2] = z;
    b.hi[0] = x + edge;
    b.hi[1] = y + edge;
    b.hi[2] = z + edge;
    return b;
  }
};

// A caller's array: `base` addresses element (c=0) of voxel `origin`; strides in bytes.
struct ArrayView {
  uint8_t* base = nullptr;
  int64_t origin[3] = {0, 0, 0};
  int64_t stride[4] = {0, 0, 0, 0};  // c, x, y, z
  uint32_t channels = 1;
  uint32_t typeSize = 1;
  // Rows of whole cache lines are written with non-temporal stores (region.cc): set for
  // results larger than the caches, where the lines are not in the cache anyway.
  bool stream = false;
  // Channels adjacent and voxels adjacent along x: rows copy with one memcpy.
  bool rowsContiguous() const {
    return stride[0] == int64_t(typeSize) && stride[1] == int64_t(channels) * typeSize;
  }
  uint8_t* at(int64_t x, int64_t y, int64_t z) const {
    return base + (x - origin[0]) * stride[1] + (y - origin[1]) * stride[2] +
           (z - origin[2]) * stride[3];
  }
};

// Block geometry: voxel origin of the block and its edge length.
struct BlockGeom {
  int64_t origin[3];
  int64_t edge;
  uint32_t voxelSize;
  size_t offsetOf(int64_t x, int64_t y, int64_t z) const {
    return size_t(((x - origin[0]) + edge * ((y - origin[1]) + edge * (z - origin[2]))) *
                  int64_t(voxelSize));
  }
};

void copyBlockToArray(const uint8_t* block, const BlockGeom& g, const Box& box,
                      const ArrayView& out);
void copyArrayToBlock(const ArrayView& in, const Box& box, uint8_t* block, const BlockGeom& g);
void zeroArray(const ArrayView& out, const Box& box);

}  // namespace wkw
