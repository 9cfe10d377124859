#include "core/output_file.hpp"

#include <gtest/gtest.h>

#include "support/temp_tree.hpp"

namespace powerfit {
namespace {

using powerfit::testing::read_file;
using powerfit::testing::TempTree;

std::size_t entries(const std::filesystem::path& directory) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory)) ++count;
  return count;
}

TEST(ReplacingFile, AWriteThatDoesNotFinishLeavesTheOldFileWholeAndNoTemporary) {
  TempTree tree;
  tree.write("summary.json", "old\n");
  {
    ReplacingFile file(tree.path("summary.json"));
    file.stream() << "new, half writ";
  }  // never committed: a failed write, a killed process
  EXPECT_EQ(read_file(tree.path("summary.json")), "old\n");
  EXPECT_EQ(entries(tree.root()), 1u);
  EXPECT_FALSE(write_whole(tree.path("summary.json"), "new\n"));
  EXPECT_EQ(read_file(tree.path("summary.json")), "new\n");
  EXPECT_EQ(entries(tree.root()), 1u);
}

TEST(ReplacingFile, AFullDiskIsAnErrorAndChangesNothing) {
  TempTree tree;
  std::filesystem::create_directories(tree.path("gone"));
  ReplacingFile file(tree.path("gone/out.html"));
  std::filesystem::remove_all(tree.path("gone"));  // the place went away before the write ended
  file.stream() << "page";
  const auto problem = file.commit();
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("failed"), std::string::npos) << *problem;
}

TEST(OutputProblem, TheSameFileByAnotherNameADatabaseADirectoryAndNoName) {
  TempTree tree;
  tree.write("in.db", std::string("SQLite format 3\0rest", 20));
  std::filesystem::create_hard_link(tree.path("in.db"), tree.path("link.db"));
  EXPECT_NE(output_problem(tree.path("link.db"), {tree.path("in.db")})->find("also an input"), std::string::npos);
  EXPECT_NE(output_problem(tree.path("in.db"), {})->find("SQLite database"), std::string::npos);
  EXPECT_NE(output_problem(tree.root(), {})->find("directory"), std::string::npos);
  EXPECT_TRUE(output_problem("", {}));
  EXPECT_NE(output_problem(tree.path("no/such/dir/out.csv"), {})->find("does not exist"), std::string::npos);
  EXPECT_NE(output_problem(tree.path("new.db"), {tree.path("new.db")})->find("also an input"), std::string::npos);
  EXPECT_FALSE(output_problem(tree.path("report.html"), {tree.path("in.db")}));
}

}  // namespace
}  // namespace powerfit
