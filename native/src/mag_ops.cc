#include "mag_ops.h"

#include <sys/mman.h>

#include <algorithm>

#include "file_encoding.h"
#include "read_task.h"
#include "write_task.h"

namespace wkw {
namespace {

// A freshly allocated output array has no pages yet: every first write of a 4 KiB page
// is a page fault, which costs as much as decoding it. Asking for transparent huge pages
// (where the kernel offers them only on request) makes that one fault per 2 MiB.
void adviseHugePages(uint8_t* base, const Box& region, uint32_t voxelSize) {
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  uint64_t bytes = voxelSize;
  for (int i = 0; i < 3; i++) bytes *= uint64_t(region.hi[i] - region.lo[i]);
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(base) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(base) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)base, (void)region, (void)voxelSize;
#endif
}

}  // namespace

std::vector<std::unique_ptr<Task>> planRead(std::shared_ptr<const MagContext> mag,
                                            const Box& region, const ArrayView& view,
                                            bool outZeroed, size_t taskBytes) {
  std::vector<std::unique_ptr<Task>> tasks;
  if (region.empty()) return tasks;
  const Header& h = mag->header;
  const int64_t b = h.blockLen();
  if (outZeroed) adviseHugePages(view.base, region, h.voxelSize);
  struct FilePart {
    int64_t f[3];
    Box box;
    BlockRange blocks;
  };
  std::vector<FilePart> parts;
  uint64_t total = 0;
  forEachFile(h, region, [&](int64_t fx, int64_t fy, int64_t fz, const Box& part) {
    FilePart p{{fx, fy, fz}, part, {}};
    const Box fbox = fileBox(h, fx, fy, fz);
    for (int i = 0; i < 3; i++) {
      p.blocks.lo[i] = (part.lo[i] - fbox.lo[i]) / b;
      p.blocks.n[i] = (part.hi[i] - fbox.lo[i] + b - 1) / b - p.blocks.lo[i];
    }
    total += p.blocks.count();
    parts.push_back(p);
  });
  // Tasks cost little each (worker threads claim them in a loop), so they are small: the
  // pool threads of one call end together even on a single 100³ read. Large calls use
  // larger tasks, about 256 per call, at most 4 MiB of blocks each.
  const uint64_t bb = h.blockBytes();
  const uint64_t minBlocks = std::max<uint64_t>(1, taskBytes / bb);
  const uint64_t maxBlocks = std::max<uint64_t>(minBlocks, (uint64_t(4) << 20) / bb);
  const uint64_t perTask = std::clamp<uint64_t>((total + 255) / 256, minBlocks, maxBlocks);
  for (const FilePart& p : parts) {
    auto file = std::make_shared<SharedFile>(cubePath(mag->root, p.f[0], p.f[1], p.f[2]), h);
    const Box fbox = fileBox(h, p.f[0], p.f[1], p.f[2]);
    // Tasks hold whole rows of blocks along x: two threads writing parts of the same output
    // rows would share (and fight over) cache lines.
    const size_t row = size_t(p.blocks.n[0]), rows = p.blocks.count() / row;
    const size_t rowsPerTask = size_t(std::max<uint64_t>(1, perTask / row));
    const size_t n = (rows + rowsPerTask - 1) / rowsPerTask;
    for (size_t t = 0; t < n; t++) {
      tasks.emplace_back(new ReadTask(mag, file, fbox, p.box, p.blocks, row * (rows * t / n),
                                      row * (rows * (t + 1) / n), view, outZeroed));
    }
  }
  return tasks;
}

std::vector<std::unique_ptr<Task>> planWrite(std::shared_ptr<const MagContext> mag,
                                             const Box& region, const ArrayView& view,
                                             const WriteOptions& options) {
  std::vector<std::unique_ptr<Task>> tasks;
  if (region.empty()) return tasks;
  const Header& h = mag->header;
  forEachFile(h, region, [&](int64_t fx, int64_t fy, int64_t fz, const Box& part) {
    const Box fbox = fileBox(h, fx, fy, fz);
    if (h.compressed() && part == fbox) {
      // A whole file of a compressed dataset needs nothing of the old file: encode it in
      // parallel parts. (A raw dataset may hold compressed files, so it looks first.)
      planWholeFileWrite(tasks, mag, fx, fy, fz, view, options);
    } else {
      tasks.push_back(makeWriteTask(mag, fx, fy, fz, part, view, options));
    }
  });
  return tasks;
}

std::vector<std::unique_ptr<Task>> planCompress(std::shared_ptr<const MagContext> src,
                                                std::shared_ptr<const MagContext> dst,
                                                const std::vector<int64_t>& fileIndices,
                                                const WriteOptions& options) {
  std::vector<std::unique_ptr<Task>> tasks;
  for (size_t i = 0; i + 2 < fileIndices.size(); i += 3) {
    planFileCompress(tasks, src, dst, fileIndices[i], fileIndices[i + 1], fileIndices[i + 2],
                     options);
  }
  return tasks;
}

}  // namespace wkw
