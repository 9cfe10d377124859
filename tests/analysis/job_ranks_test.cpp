#include "analysis/job_ranks.hpp"

#include <gtest/gtest.h>

#include "report/fit_report.hpp"

namespace powerfit {
namespace {

using recording::ReportedRun;

// One rank's run of a torchrun job: `watts` on its one GPU for a 10 s window, 1000 inferences.
ReportedRun rank_run(int rank, int world, double watts, const std::string& start, const std::string& job = "job-7") {
  ReportedRun run;
  run.uuid = "rank" + std::to_string(rank) + "-" + start;
  run.label = "resnet50";
  run.hostname = "node1";
  run.cpu_model = "Xeon";
  run.cpu_cores = 16;
  run.gpu_models = R"(["NVIDIA H100 80GB HBM3"])";
  run.gpu_power_limits_w = "[700]";
  run.start_time = start;
  run.scheduler = R"({"TORCHELASTIC_RUN_ID": ")" + job + R"(", "RANK": ")" + std::to_string(rank) +
                  R"(", "WORLD_SIZE": ")" + std::to_string(world) + R"(", "LOCAL_RANK": ")" + std::to_string(rank) + R"("})";
  run.counts.model = "resnet50";
  run.counts.device = "cuda";
  run.counts.backend = "libtorch 2.11";
  run.counts.batch_size = 64;
  run.counts.inferences = 1000;
  run.counts.correct = 760;
  run.counts.inference_window = {100.0 + rank, 110.0 + rank};
  run.duration_s = 12.0;
  run.window_duration_s = 10.0;
  run.window_measured_energy_j = watts * 10.0;
  run.measured_energy_j = watts * 12.0;
  if (rank == 0) {  // host-wide channels: local rank 0 alone
    run.window_estimated_energy_j = 300.0;
    run.estimated_energy_j = 360.0;
  }
  return run;
}

TEST(JobRanks, TheRanksOfOneJobPoolIntoOneRunWithEveryGpuOnceAndRepeatsInOrder) {
  // Two repeats of two ranks, stored out of order (as merged databases may hold them).
  const std::vector<ReportedRun> runs = {rank_run(1, 2, 100.0, "2026-12-03T10:00:00"), rank_run(0, 2, 250.0, "2026-12-03T10:01:00"),
                                         rank_run(0, 2, 250.0, "2026-12-03T10:00:00"), rank_run(1, 2, 120.0, "2026-12-03T10:01:00")};
  const auto pooled = analysis::pool_job_ranks(runs);
  EXPECT_TRUE(pooled.warnings.empty());
  ASSERT_EQ(pooled.runs.size(), 2U);
  const auto& first = pooled.runs[0];
  EXPECT_EQ(first.uuid, "rank0-2026-12-03T10:00:00 (and 1 ranks more)");
  EXPECT_EQ(first.nodes, 1);
  EXPECT_EQ(first.counts.inferences, 2000);
  EXPECT_EQ(first.counts.correct, 1520);
  EXPECT_DOUBLE_EQ(*first.window_measured_energy_j, 3500.0);  // 2500 J + 1000 J, each GPU once
  EXPECT_DOUBLE_EQ(*first.window_estimated_energy_j, 300.0);  // rank 0's host channels alone
  EXPECT_DOUBLE_EQ(*first.measured_energy_j, 4200.0);
  EXPECT_DOUBLE_EQ(*first.window_duration_s, 10.0);
  EXPECT_DOUBLE_EQ(first.counts.inference_window->first, 100.0);
  EXPECT_DOUBLE_EQ(first.counts.inference_window->second, 111.0);
  EXPECT_EQ(first.gpu_models, R"(["NVIDIA H100 80GB HBM3","NVIDIA H100 80GB HBM3"])");
  // The second repeat pools rank 0's second run with rank 1's second (120 W), not its first.
  EXPECT_DOUBLE_EQ(*pooled.runs[1].window_measured_energy_j, 3700.0);
  EXPECT_EQ(pooled.runs[1].start_time, "2026-12-03T10:01:00");
}

TEST(JobRanks, AJobMissingARankIsScoredPerRankWithAWarningAndOtherRunsAreLeftAlone) {
  ReportedRun lone = rank_run(0, 1, 250.0, "2026-12-03T09:00:00");
  lone.scheduler.clear();
  const std::vector<ReportedRun> runs = {lone, rank_run(0, 4, 250.0, "2026-12-03T10:00:00"), rank_run(2, 4, 250.0, "2026-12-03T10:00:00")};
  const auto pooled = analysis::pool_job_ranks(runs);
  ASSERT_EQ(pooled.runs.size(), 3U);
  for (const auto& run : pooled.runs) EXPECT_EQ(run.uuid.find("ranks more"), std::string::npos) << run.uuid;
  ASSERT_EQ(pooled.warnings.size(), 1U);
  EXPECT_NE(pooled.warnings[0].find("job-7"), std::string::npos);
  EXPECT_NE(pooled.warnings[0].find("2 of 4 ranks"), std::string::npos);
}

TEST(JobRanks, RanksNamedAsMachinesOfTheirOwnAreNotPooledAndNotWarnedAbout) {
  // srun -N3 powerfit run --machine %N: one step, one machine per node.
  std::vector<ReportedRun> runs;
  for (int rank = 0; rank < 3; ++rank) {
    runs.push_back(rank_run(rank, 3, 100.0, "2026-12-03T10:00:00"));
    runs.back().machine = "n" + std::to_string(rank + 1);
  }
  const auto pooled = analysis::pool_job_ranks(runs);
  EXPECT_EQ(pooled.runs.size(), 3U);
  EXPECT_TRUE(pooled.warnings.empty());
}

TEST(JobRanks, TheFitTestScoresAJobAsANGpuMachineOfItsOwnBesideOneGpu) {
  ReportedRun single = rank_run(0, 1, 250.0, "2026-12-03T09:00:00");
  single.scheduler.clear();
  single.window_estimated_energy_j.reset();
  const std::vector<ReportedRun> runs = {single, rank_run(0, 2, 250.0, "2026-12-03T10:00:00"), rank_run(1, 2, 100.0, "2026-12-03T10:00:00")};
  std::vector<std::string> warnings;
  const auto observations = report::fit_observations(runs, analysis::ScoreWeights{}, false, nullptr, &warnings);
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(observations.size(), 2U);
  EXPECT_EQ(observations[0].machine, "Xeon x16 + 1x NVIDIA H100 80GB HBM3 700W cuda libtorch");
  EXPECT_EQ(observations[1].machine, "Xeon x16 + 2x NVIDIA H100 80GB HBM3 700W cuda libtorch");
  EXPECT_EQ(observations[0].architecture, observations[1].architecture);  // "resnet50 b64" on both
  EXPECT_DOUBLE_EQ(observations[0].scores.energy_per_inference_j, 2.5);
  EXPECT_DOUBLE_EQ(observations[1].scores.energy_per_inference_j, 1.75);  // 3500 J for 2000 inferences
}

TEST(JobRanks, RanksOnSeveralHostsSayHowManyNodes) {
  ReportedRun second = rank_run(1, 2, 100.0, "2026-12-03T10:00:00");
  second.hostname = "node2";
  const auto pooled = analysis::pool_job_ranks({rank_run(0, 2, 250.0, "2026-12-03T10:00:00"), second});
  ASSERT_EQ(pooled.runs.size(), 1U);
  EXPECT_EQ(pooled.runs[0].nodes, 2);
  EXPECT_EQ(pooled.runs[0].hostname, "node1,node2");
  EXPECT_EQ(report::machine_of(pooled.runs[0]).rfind("2 nodes: ", 0), 0U);
}

}  // namespace
}  // namespace powerfit
