// AccessLog's batching (server/access_log.h): lines written in order, many per write call,
// flushed by its timer and when the log goes, never lost. A unit test of the server's source on a
// stdio stream whose writes are counted (glibc's fopencookie).
#include "access_log.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace observees::server {
namespace {

using namespace std::chrono_literals;

// A FILE* whose bytes land in `text`, counting the write calls that deliver them.
struct CountedSink {
  std::string text;
  int writes = 0;
  std::FILE* file = nullptr;

  CountedSink() {
    cookie_io_functions_t functions{};
    functions.write = [](void* cookie, const char* data, size_t size) -> ssize_t {
      auto* sink = static_cast<CountedSink*>(cookie);
      sink->text.append(data, size);
      ++sink->writes;
      return static_cast<ssize_t>(size);
    };
    file = fopencookie(this, "w", functions);
    setvbuf(file, nullptr, _IONBF, 0);  // as stderr: every fwrite reaches the sink
  }
  ~CountedSink() { std::fclose(file); }
};

AccessLogEntry Entry(int status) {
  return {.start = std::chrono::system_clock::now(),
          .peer = "127.0.0.1",
          .method = "GET",
          .target = "/x",
          .status = status};
}

std::vector<int> StatusesIn(const std::string& text) {
  std::vector<int> statuses;
  for (std::size_t at = text.find(" /x "); at != std::string::npos; at = text.find(" /x ", at + 1)) {
    statuses.push_back(std::stoi(text.substr(at + 4, 3)));
  }
  return statuses;
}

TEST_CASE("the access log writes its lines in batches, in order, and all of them when it goes", "[access_log]") {
  CountedSink sink;
  std::vector<int> written;
  {
    AccessLog log(sink.file, std::chrono::hours(1));  // no timer flush during the test
    for (int i = 0; i < 1000; ++i) {
      log.Write(Entry(100 + i % 500));
      written.push_back(100 + i % 500);
    }
    CHECK(sink.writes < 10);  // ~60 KB of lines: at most one write per 64 KiB buffer so far
  }
  CHECK(StatusesIn(sink.text) == written);
  CHECK(sink.writes >= 1);
  CHECK(sink.writes < 10);
}

TEST_CASE("the access log's timer writes a line without waiting for more", "[access_log]") {
  CountedSink sink;
  AccessLog log(sink.file, 10ms);
  log.Write(Entry(204));
  for (int i = 0; i < 500 && sink.writes == 0; ++i) std::this_thread::sleep_for(10ms);  // bounded: 5 s
  CHECK(StatusesIn(sink.text) == std::vector<int>{204});
}

TEST_CASE("lines from many threads never interleave and none is lost", "[access_log]") {
  CountedSink sink;
  {
    AccessLog log(sink.file, 1ms);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&log] {
        for (int i = 0; i < 2000; ++i) log.Write(Entry(200));
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  CHECK(StatusesIn(sink.text) == std::vector<int>(8000, 200));
  std::size_t lines = 0;
  for (char c : sink.text) lines += c == '\n' ? 1 : 0;
  CHECK(lines == 8000);
}

}  // namespace
}  // namespace observees::server
