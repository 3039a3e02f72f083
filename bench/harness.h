// A small fixed-iteration timing harness: each measurement is R runs of K calls; a call's latency is
// one steady_clock interval. Reports the median of each run and p50/p99 over every call, so noise shows
// as the spread (min/median/max) of the run medians. Not thread-safe; one Sample per measurement.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace observees::bench {

using Clock = std::chrono::steady_clock;

inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(index, v.size() - 1)];
}

struct Sample {
  std::vector<double> calls_us;     // every call
  std::vector<double> run_medians;  // one per run

  double p50() const { return Percentile(calls_us, 0.50); }
  double p99() const { return Percentile(calls_us, 0.99); }
  double median_of_runs() const { return Percentile(run_medians, 0.5); }
  double min_of_runs() const { return Percentile(run_medians, 0.0); }
  double max_of_runs() const { return Percentile(run_medians, 1.0); }
};

// One timed operation: `setup` (untimed), `call` (timed), `teardown` (untimed).
struct Timed {
  std::function<void()> call;
  std::function<void()> setup = nullptr;
  std::function<void()> teardown = nullptr;

  // One call; its latency in microseconds.
  double Once() const {
    if (setup) setup();
    const auto start = Clock::now();
    call();
    const auto stop = Clock::now();
    if (teardown) teardown();
    return std::chrono::duration<double, std::micro>(stop - start).count();
  }
};

// Each of `ops` measured `runs` x `per_run` times after `warmup` untimed calls, taking turns run by
// run (the first's run 1, the second's run 1, ..., the first's run 2, ...), so that drift of the
// machine or of the database (a growing WAL) falls on all of them alike. One Sample per operation.
inline std::vector<Sample> MeasureInTurns(int runs, int per_run, int warmup, const std::vector<Timed>& ops) {
  for (const Timed& op : ops) {
    for (int i = 0; i < warmup; ++i) op.Once();
  }
  std::vector<Sample> samples(ops.size());
  for (int r = 0; r < runs; ++r) {
    for (std::size_t k = 0; k < ops.size(); ++k) {
      std::vector<double> run;
      run.reserve(static_cast<std::size_t>(per_run));
      for (int i = 0; i < per_run; ++i) run.push_back(ops[k].Once());
      samples[k].run_medians.push_back(Percentile(run, 0.5));
      samples[k].calls_us.insert(samples[k].calls_us.end(), run.begin(), run.end());
    }
  }
  return samples;
}

// Runs `setup` (untimed) then `call` (timed), `runs` x `per_run` times, after `warmup` untimed calls.
inline Sample Measure(int runs, int per_run, int warmup, const std::function<void()>& call,
                      const std::function<void()>& setup = nullptr, const std::function<void()>& teardown = nullptr) {
  return MeasureInTurns(runs, per_run, warmup, {Timed{call, setup, teardown}}).front();
}

// Results as tab-separated rows: section, name, key, value (for bench/report.py).
class Results {
 public:
  explicit Results(const std::string& path) : file_(std::fopen(path.c_str(), "w")) {}
  ~Results() {
    if (file_ != nullptr) std::fclose(file_);
  }
  Results(const Results&) = delete;
  Results& operator=(const Results&) = delete;
  bool ok() const { return file_ != nullptr; }

  void Row(const std::string& section, const std::string& name, const std::string& key, double value) {
    std::fprintf(file_, "%s\t%s\t%s\t%.6g\n", section.c_str(), name.c_str(), key.c_str(), value);
    std::fflush(file_);
  }
  void Sampled(const std::string& section, const std::string& name, const Sample& s) {
    Row(section, name, "p50_us", s.p50());
    Row(section, name, "p99_us", s.p99());
    Row(section, name, "median_us", s.median_of_runs());
    Row(section, name, "min_us", s.min_of_runs());
    Row(section, name, "max_us", s.max_of_runs());
    std::printf("  %-34s p50 %9.2f us  p99 %9.2f us  runs min/med/max %8.2f / %8.2f / %8.2f\n", name.c_str(), s.p50(),
                s.p99(), s.min_of_runs(), s.median_of_runs(), s.max_of_runs());
    std::fflush(stdout);
  }

 private:
  std::FILE* file_;
};

}  // namespace observees::bench
