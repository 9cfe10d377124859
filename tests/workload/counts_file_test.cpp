#include "workload/counts_file.hpp"

#include <gtest/gtest.h>

#include "support/temp_tree.hpp"

namespace powerfit::workload {
namespace {

std::string error_of(const std::string& text) {
  const auto parsed = parse_counts(text);
  return std::holds_alternative<CountsError>(parsed) ? std::get<CountsError>(parsed).message : "";
}

TEST(CountsFile, ReadsCountsAndDescription) {
  const auto parsed = parse_counts(R"({"inferences": 360, "correct": 350, "correct_top5": 359, "model": "lenet",
                                      "device": "cpu", "batch_size": 32, "dataset": "digits", "parameters": 61706,
                                      "macs": 416520, "extra": [1, 2]})");
  ASSERT_TRUE(std::holds_alternative<WorkloadCounts>(parsed)) << error_of("");
  const auto& report = std::get<WorkloadCounts>(parsed);
  EXPECT_EQ(report.inferences, 360);
  EXPECT_EQ(report.correct, 350);
  EXPECT_EQ(report.correct_top5, 359);
  EXPECT_EQ(report.model, "lenet");
  EXPECT_EQ(report.batch_size, 32);
  EXPECT_DOUBLE_EQ(*report.macs, 416520.0);
  EXPECT_NE(report.raw.find("extra"), std::string::npos);  // kept whole
}

TEST(CountsFile, BadReportsSayWhatIsWrong) {
  EXPECT_NE(error_of("{bad").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(R"({"correct": 3})").find("required"), std::string::npos);
  EXPECT_NE(error_of(R"({"inferences": -1, "correct": 0})").find("whole number"), std::string::npos);
  EXPECT_NE(error_of(R"({"inferences": 1.5, "correct": 0})").find("whole number"), std::string::npos);
  EXPECT_NE(error_of(R"({"inferences": 5, "correct": 6})").find("counts disagree"), std::string::npos);
  EXPECT_NE(error_of(R"({"inferences": 5, "correct": 3, "correct_top5": 2})").find("counts disagree"), std::string::npos);
  EXPECT_NE(error_of(R"({"inferences": 5, "correct": 3, "macs": 0})").find("macs"), std::string::npos);
  // Found by fuzz_counts: a number beyond a double threw past the parser and aborted powerfit.
  EXPECT_NE(error_of(R"({"inferences": 1000, "correct": 900, "macs": 1.8e1700000010})").find("not valid JSON"), std::string::npos);
}

TEST(CountsFile, AbsentOrEmptyFileMeansNoReport) {
  powerfit::testing::TempTree tree;
  EXPECT_FALSE(read_counts_file(tree.path("none.json")));
  tree.write("empty.json", "  \n");
  EXPECT_FALSE(read_counts_file(tree.path("empty.json")));
  tree.write("report.json", R"({"inferences": 2, "correct": 1})");
  const auto report = read_counts_file(tree.path("report.json"));
  ASSERT_TRUE(report);
  EXPECT_TRUE(std::holds_alternative<WorkloadCounts>(*report));
}

}  // namespace
}  // namespace powerfit::workload
