// The observees-server binary as a child process of an end-to-end test: started with posix_spawn, its
// standard output read through a pipe (for the "listening on" line), its standard error written to a
// log file that the test may read. The destructor kills (SIGKILL) and reaps a child still running and
// removes the log. Failures throw std::runtime_error. Not thread-safe: one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace observees::e2e {

class ServerProcess {
 public:
  // Starts `binary` with `args` (argv[1..]). Does not wait for it to listen.
  ServerProcess(const std::string& binary, const std::vector<std::string>& args);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Reads the first line of standard output, which must be "listening on http://HOST:PORT", within
  // `timeout`, and returns PORT. Throws (with the log) when the line is wrong, late, or never comes.
  unsigned short WaitUntilListening(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Sends `signal_number` to the child.
  void Signal(int signal_number);

  // The child's exit code (or 128 + the signal that ended it) once it exits within `timeout`; none
  // while it still runs.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);

  // Everything the child has written to standard error so far.
  std::string Log() const;

  // Standard output after the first line, read until end of file (bounded by `timeout`).
  std::string RestOfOutput(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;  // read end of the child's standard output
  std::string log_path_;
  std::string pending_;  // standard output read beyond the first line
  std::optional<int> exit_code_;
};

}  // namespace observees::e2e
