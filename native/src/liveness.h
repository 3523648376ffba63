// The one policy deciding whether the writer of a temporary file (or lock, or temporary
// folder) is dead, so its leftovers may be removed. Every cleanup uses it: the native
// writers' temporary cube files, and (through the addon) the TypeScript layer's temporary
// files, lock files and compression folders.
//
//   dead  <=>  not modified for longer than staleMs (when staleMs >= 0)
//          or  written on this host by a pid that no longer exists here.
//
// A pid means nothing on another host: there only the age counts.
#pragma once
#include <cstdint>
#include <string>

namespace wkw {

// This host's name as written into temporary names: [A-Za-z0-9.-] kept, others '_', at
// most 64 characters.
const std::string& hostTag();

// host: as recorded by the writer (empty: this host, for names of older versions).
bool writerDead(const std::string& host, int64_t pid, double ageMs, double staleMs);

// Age of a temporary cube file after which it is dead whatever its host (1 hour; a live
// writer touches its file every few MB).
constexpr double kTempStaleMs = 3600e3;

// "<pid>.<seq>.<host>": the suffix of this process's temporary cube-file names.
std::string tempSuffix(uint64_t seq);

// Applies writerDead to a temporary name's suffix ("<pid>.<seq>[.<host>]"); false if the
// suffix is not of that form (not ours: left alone).
bool tempSuffixWriterDead(const std::string& suffix, double ageMs);

}  // namespace wkw
