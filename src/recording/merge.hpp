#pragma once
// `powerfit merge`: databases from many machines joined into one, each run once. Inputs are only
// read; one of an older schema is copied aside and migrated there, never in place.

#include <filesystem>
#include <string>
#include <vector>

#include "recording/database.hpp"

namespace powerfit::recording {

struct MergedSource {
  std::filesystem::path path;
  Database::MergeCount count;
};

// Throws RecordingError (naming the file and the fix) for a source that is missing, not a
// powerfit database, newer than this build, or the target itself.
std::vector<MergedSource> merge_databases(const std::filesystem::path& target,
                                          const std::vector<std::filesystem::path>& sources);

}  // namespace powerfit::recording
