// A new version of a cube file, written beside it as `<name>_tmp.<pid>.<seq>.<host>` and
// renamed over it only when complete: a crash at any moment leaves the old or the new file.
// A new file is put in place exclusively (commitNew): if another process created the file
// meanwhile, nothing is replaced and the caller writes into that file instead.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace wkw {

class TempFile {
 public:
  // Creates parent folders, removes dead writers' temporaries of `target`, creates the temp file.
  explicit TempFile(const std::string& target);
  ~TempFile();                                   // removes the temp file unless committed
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void pwriteAll(const uint8_t* data, size_t n, uint64_t offset);
  void truncate(uint64_t size);
  // Optionally fsyncs (the file, its folder and the parents of folders created for it), then
  // renames over the target and drops cached handles of it.
  void commit(bool durable);
  // Puts the complete temporary file in place only if `target` does not exist (link(2),
  // which fails with EEXIST). Returns false, removing the temporary file, if it exists.
  // File systems without hard links get the plain rename of commit().
  bool commitNew(bool durable);
  const std::string& tempPath() const { return temp_; }

 private:
  std::string target_, temp_;
  std::vector<std::string> createdDirs_;  // folders the constructor created, outermost first
  int fd_ = -1;
  bool committed_ = false;
  void closeForCommit(bool durable);
  void syncDir(bool durable);
};

// Creates the missing folders above `path`; returns those it created, outermost first.
std::vector<std::string> makeParentDirs(const std::string& path);
// Removes leftovers of writers that died: the reference's `<name>_tmp` and our
// `<name>_tmp.<pid>.<seq>[.<host>]` whose writer is dead by the policy of liveness.h.
void removeStaleTemps(const std::string& target);
// True for names that readers must ignore (temporary files).
bool isTempName(const std::string& name);

}  // namespace wkw
