// Downsampling filters (webknossos-libs' median/mode/max/min, plus average and nearest),
// upsampling by replication, and the tasks that build one cube file of a new mag from the
// mag below (or above) it, block by block.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mag_layout.h"
#include "task.h"

namespace wkw {

enum class Filter : uint8_t { kMedian, kMode, kMax, kMin, kAverage, kNearest };

// False for an unknown name.
bool parseFilter(const std::string& name, Filter& out);
// "median, mode, max, min, average, nearest" (for error messages).
const char* supportedFilters();

// A strided (c, x, y, z) array of one voxel type; strides in elements, may be negative.
struct StridedArray {
  uint8_t* base = nullptr;  // element (0, 0, 0, 0)
  int64_t shape[4] = {0, 0, 0, 0};
  int64_t stride[4] = {0, 0, 0, 0};
};

// Writes output z planes [z0, z1) of `in` downsampled by `factors` into `out`, whose shape
// is (c, ceil(x / fx), ceil(y / fy), ceil(z / fz)). Voxels beyond the input's upper edges
// count as zeros (webknossos-libs pads with zeros).
void downsampleRegion(uint8_t voxelType, Filter filter, const StridedArray& in,
                      const int64_t factors[3], const StridedArray& out, int64_t z0, int64_t z1);

// Tasks writing cube file (fx, fy, fz) of `dst` (raw or compressed, always a whole new file,
// renamed into place) from `src`. Target voxels outside `region` (target coordinates) are
// zero. Downsampling reads factors × the target box; upsampling (`upsample`) reads the
// source voxels each target voxel replicates (target = floor(t / factors) in the source).
void planResampleFile(std::vector<std::unique_ptr<Task>>& tasks,
                      std::shared_ptr<const MagContext> src, std::shared_ptr<const MagContext> dst,
                      int64_t fx, int64_t fy, int64_t fz, const int64_t factors[3], Filter filter,
                      bool upsample, const Box& region, const WriteOptions& options);

}  // namespace wkw
