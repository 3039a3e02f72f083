#include "work_pool.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdio>
#include <exception>
#include <utility>

namespace observees::server {

WorkPool::WorkPool(Options options)
    : work_(boost::asio::make_work_guard(io_)),
      capacity_(static_cast<std::size_t>(std::max(1, options.threads)) + options.max_queued) {
  const std::string name = options.name.substr(0, 15);  // pthread_setname_np's limit
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    threads_.emplace_back([this, name, nice = options.nice] {
      pthread_setname_np(pthread_self(), name.c_str());
      // Linux gives each thread its own niceness; raising it needs no privilege. A failure leaves the
      // thread at the process's priority, which is only less polite.
      if (nice > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice);
      io_.run();
    });
  }
}

WorkPool::~WorkPool() {
  work_.reset();
  io_.stop();  // jobs not started are destroyed with io_, after the threads are joined
  for (std::thread& thread : threads_) thread.join();
}

bool WorkPool::TryPost(std::function<void()> job) {
  if (in_pool_.fetch_add(1, std::memory_order_relaxed) >= capacity_) {
    in_pool_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  try {
    boost::asio::post(io_, [this, job = std::move(job)] {
      try {
        job();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "observees-server: unexpected error in a job: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "observees-server: unexpected error in a job\n");
      }
      in_pool_.fetch_sub(1, std::memory_order_relaxed);
    });
  } catch (...) {  // out of memory: refused, as when full
    in_pool_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

}  // namespace observees::server
