#pragma once
// Waiting for a state of a database that another process is writing: a run's samples, a marker.

#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "support/eventually.hpp"

namespace powerfit::testing {

// Whether `count_query` (one integer) reaches `at_least` on `database`, eventually; reads that
// fail meanwhile (no file yet, no table yet, a lock) are retried.
inline bool wait_for_count(const std::filesystem::path& database, const std::string& count_query, long long at_least) {
  return eventually([&] {
    sqlite3* db = nullptr;
    long long count = -1;
    if (std::filesystem::exists(database) && sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* statement = nullptr;
      if (sqlite3_prepare_v2(db, count_query.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
          sqlite3_step(statement) == SQLITE_ROW) {
        count = sqlite3_column_int64(statement, 0);
      }
      sqlite3_finalize(statement);
    }
    sqlite3_close(db);
    return count >= at_least;
  });
}

inline bool wait_for_samples(const std::filesystem::path& database, long long at_least) {
  return wait_for_count(database, "SELECT count(*) FROM samples", at_least);
}

inline bool wait_for_marker(const std::filesystem::path& database, const std::string& name) {
  return wait_for_count(database, "SELECT count(*) FROM markers WHERE name = '" + name + "'", 1);
}

}  // namespace powerfit::testing
