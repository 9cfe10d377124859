#include "workload/report_file.hpp"

#include <gtest/gtest.h>

#include "support/temp_tree.hpp"

namespace powerfit::workload {
namespace {

std::string error_of(const std::string& text) {
  const auto parsed = parse_report(text);
  return std::holds_alternative<ReportError>(parsed) ? std::get<ReportError>(parsed).message : "";
}

TEST(ReportFile, ReadsCountsAndDescription) {
  const auto parsed = parse_report(R"({"inferences": 360, "correct": 350, "correct_top5": 359, "model": "lenet",
                                      "device": "cpu", "batch_size": 32, "dataset": "digits", "parameters": 61706,
                                      "macs": 416520, "extra": [1, 2]})");
  ASSERT_TRUE(std::holds_alternative<WorkloadReport>(parsed)) << error_of("");
  const auto& report = std::get<WorkloadReport>(parsed);
  EXPECT_EQ(report.inferences, 360);
  EXPECT_EQ(report.correct, 350);
  EXPECT_EQ(report.correct_top5, 359);
  EXPECT_EQ(report.model, "lenet");
  EXPECT_EQ(report.batch_size, 32);
  EXPECT_DOUBLE_EQ(*report.macs, 416520.0);
  EXPECT_NE(report.raw.find("extra"), std::string::npos);  // kept whole
}

TEST(ReportFile, BadReportsSayWhatIsWrong) {
  EXPECT_NE(error_of("{bad").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(R"({"correct": 3})").find("required"), std::string::npos);
  EXPECT_NE(error_of(R"({"inferences": -1, "correct": 0})").find("whole number"), std::string::npos);
  EXPECT_NE(error_of(R"({"inferences": 1.5, "correct": 0})").find("whole number"), std::string::npos);
  EXPECT_NE(error_of(R"({"inferences": 5, "correct": 6})").find("counts disagree"), std::string::npos);
  EXPECT_NE(error_of(R"({"inferences": 5, "correct": 3, "correct_top5": 2})").find("counts disagree"), std::string::npos);
  EXPECT_NE(error_of(R"({"inferences": 5, "correct": 3, "macs": 0})").find("macs"), std::string::npos);
  // Found by fuzz_report: a number beyond a double threw past the parser and aborted powerfit.
  EXPECT_NE(error_of(R"({"inferences": 1000, "correct": 900, "macs": 1.8e1700000010})").find("not valid JSON"), std::string::npos);
}

TEST(ReportFile, AbsentOrEmptyFileMeansNoReport) {
  powerfit::testing::TempTree tree;
  EXPECT_FALSE(read_report_file(tree.path("none.json")));
  tree.write("empty.json", "  \n");
  EXPECT_FALSE(read_report_file(tree.path("empty.json")));
  tree.write("report.json", R"({"inferences": 2, "correct": 1})");
  const auto report = read_report_file(tree.path("report.json"));
  ASSERT_TRUE(report);
  EXPECT_TRUE(std::holds_alternative<WorkloadReport>(*report));
}

}  // namespace
}  // namespace powerfit::workload
