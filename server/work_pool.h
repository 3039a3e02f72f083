// A bounded pool of threads for the work observees-server keeps off the threads that serve
// connections: writes that may wait for the database's lock, and password hashing. Jobs run in the
// order they were posted on one of the pool's threads; at most `threads + max_queued` are in the pool
// at once, and a job over that is refused at once (the server answers 503 with Retry-After).
// The threads may run at a lower CPU priority than the serving threads, so that a flood of slow jobs
// takes spare CPU only. Thread-safe. Destroying the pool drops the jobs not yet started (destroying
// them, without running them) and waits for the running ones.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace observees::server {

class WorkPool {
 public:
  struct Options {
    std::string name;            // the threads' name (at most 15 bytes show), e.g. in perf and top
    int threads = 1;             // at least 1
    std::size_t max_queued = 0;  // jobs waiting for a thread, beyond those running
    int nice = 0;                // added to the threads' niceness (Linux; 0..19)
  };

  explicit WorkPool(Options options);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `job`; false, leaving `job` unrun, when the pool is full. A job that throws is reported on
  // standard error and the pool goes on.
  bool TryPost(std::function<void()> job);

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  const std::size_t capacity_;           // threads + max_queued
  std::atomic<std::size_t> in_pool_{0};  // jobs posted and not yet finished
  std::vector<std::thread> threads_;
};

}  // namespace observees::server
