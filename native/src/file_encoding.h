// New compressed cube files encoded in parallel parts (whole-file writes and compress),
// and decompression of whole files.
#pragma once
#include <memory>
#include <vector>

#include "mag_layout.h"
#include "task.h"

namespace wkw {

// Tasks encoding the file `fbox` of `mag` from the caller's array (it covers the whole file).
void planWholeFileWrite(std::vector<std::unique_ptr<Task>>& tasks,
                        std::shared_ptr<const MagContext> mag, int64_t fx, int64_t fy, int64_t fz,
                        const ArrayView& view, const WriteOptions& options);
// Tasks re-encoding one cube file of `src` into `dst` (dst's block type, may be raw).
void planFileCompress(std::vector<std::unique_ptr<Task>>& tasks,
                      std::shared_ptr<const MagContext> src, std::shared_ptr<const MagContext> dst,
                      int64_t fx, int64_t fy, int64_t fz, const WriteOptions& options);

}  // namespace wkw
