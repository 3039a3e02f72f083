// Status and Result: a failed Result's value is never read as undefined behaviour; reaching for it aborts
// with the status in every build. ([[nodiscard]] is checked at compile time: tests/compile/.)
#include "observees/status.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <string>

namespace observees {
namespace {

// Runs `body` in a child process with stderr captured; returns what it wrote and how it ended.
struct Ended {
  std::string err;
  int wait_status = 0;
};

template <typename F>
Ended InChild(F body) {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    std::signal(SIGABRT, SIG_DFL);  // not Catch2's handler: the child must not report a failed test
    std::freopen("/dev/null", "w", stdout);
    body();
    _exit(0);  // reached only when body did not abort
  }
  close(pipe_fds[1]);
  Ended ended;
  char buffer[512];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    ended.err.append(buffer, static_cast<std::size_t>(n));
  close(pipe_fds[0]);
  REQUIRE(waitpid(pid, &ended.wait_status, 0) == pid);
  return ended;
}

TEST_CASE("Result: the value of an OK result is read through value(), * and ->", "[status]") {
  Result<std::string> r(std::string("abc"));
  REQUIRE(r.ok());
  CHECK(r.value() == "abc");
  CHECK(*r == "abc");
  CHECK(r->size() == 3);
  CHECK(std::move(r).value() == "abc");
}

TEST_CASE("Result: using the value of a failed result aborts with its status", "[status]") {
  const Result<std::string> failed(NotFound("user 12 does not exist"));
  REQUIRE_FALSE(failed.ok());
  SECTION("value()") {
    const Ended ended = InChild([&] { std::fprintf(stdout, "%zu", failed.value().size()); });
    CHECK(WIFSIGNALED(ended.wait_status));
    CHECK(WTERMSIG(ended.wait_status) == SIGABRT);
    CHECK_THAT(ended.err, Catch::Contains("failed Result") && Catch::Contains("not_found: user 12 does not exist"));
  }
  SECTION("operator->") {
    const Ended ended = InChild([&] { std::fprintf(stdout, "%zu", failed->size()); });
    CHECK(WIFSIGNALED(ended.wait_status));
    CHECK(WTERMSIG(ended.wait_status) == SIGABRT);
  }
  SECTION("operator* on an rvalue") {
    const Ended ended = InChild([] {
      Result<std::string> r(Internal("broken"));
      const std::string taken = *std::move(r);
      std::fprintf(stdout, "%zu", taken.size());
    });
    CHECK(WIFSIGNALED(ended.wait_status));
    CHECK_THAT(ended.err, Catch::Contains("internal: broken"));
  }
}

TEST_CASE("Result: built from an OK status it is an internal error, not an empty value", "[status]") {
  const Result<int> r{Status::Ok()};
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInternal);
}

}  // namespace
}  // namespace observees
