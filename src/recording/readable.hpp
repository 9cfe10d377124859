#pragma once
// Opening a database only to read it, whatever schema version it has: a current one is opened
// read-only; an older one is copied aside and the copy migrated, so inputs are never modified.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "recording/database.hpp"

namespace powerfit::recording {

class ReadableDatabase {
 public:
  // Throws RecordingError for a missing file, a file that is not powerfit's, or a newer schema.
  explicit ReadableDatabase(const std::filesystem::path& path);
  ~ReadableDatabase();
  ReadableDatabase(ReadableDatabase&&) noexcept;
  ReadableDatabase& operator=(ReadableDatabase&&) noexcept;

  Database& database() { return *database_; }
  // The file to read: the original, or the migrated copy.
  const std::filesystem::path& readable_path() const { return readable_path_; }

 private:
  std::filesystem::path copy_;  // empty unless migrated
  std::filesystem::path readable_path_;
  std::unique_ptr<Database> database_;
};

// The runs that reported inferences, from each database in turn (ReadableDatabase's errors).
std::vector<ReportedRun> reported_runs_of(const std::vector<std::string>& paths);

}  // namespace powerfit::recording
