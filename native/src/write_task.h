// Rewriting one cube file with part of the caller's array merged in: in place for raw
// files, as a new file renamed over the old one otherwise.
#pragma once
#include <memory>

#include "mag_layout.h"
#include "task.h"

namespace wkw {

std::unique_ptr<Task> makeWriteTask(std::shared_ptr<const MagContext> mag, int64_t fx, int64_t fy,
                                    int64_t fz, const Box& region, const ArrayView& view,
                                    const WriteOptions& options);

}  // namespace wkw
