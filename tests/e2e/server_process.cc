#include "server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace observees::e2e {
namespace {

std::runtime_error Error(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

// Reads what is available on `fd` into `out` within `timeout`; false at end of file or on timeout.
bool ReadSome(int fd, std::string& out, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd poll_fd{fd, POLLIN, 0};
  const int ready = ::poll(&poll_fd, 1, static_cast<int>(left.count()));
  if (ready <= 0) return false;
  char buffer[4096];
  const ssize_t n = ::read(fd, buffer, sizeof(buffer));
  if (n <= 0) return false;
  out.append(buffer, static_cast<std::size_t>(n));
  return true;
}

}  // namespace

ServerProcess::ServerProcess(const std::string& binary, const std::vector<std::string>& args) {
  std::string log_template = (std::filesystem::temp_directory_path() / "observees-server-e2e-XXXXXX").string();
  const int log_fd = ::mkstemp(log_template.data());
  if (log_fd < 0) throw Error("mkstemp");
  log_path_ = log_template;
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(log_fd);
    throw Error("pipe");
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, log_fd, STDERR_FILENO);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const int spawned = ::posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(log_fd);
  stdout_fd_ = out[0];
  if (spawned != 0) {
    pid_ = -1;
    errno = spawned;
    throw Error("posix_spawn " + binary);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (!log_path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(log_path_, ignored);
  }
}

unsigned short ServerProcess::WaitUntilListening(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string output;
  while (output.find('\n') == std::string::npos && ReadSome(stdout_fd_, output, deadline)) {
  }
  const std::size_t newline = output.find('\n');
  if (newline == std::string::npos) {
    throw std::runtime_error("observees-server printed no first line within the timeout; stdout: '" + output +
                             "'; stderr: " + Log());
  }
  const std::string line = output.substr(0, newline);
  pending_ = output.substr(newline + 1);
  constexpr std::string_view kPrefix = "listening on http://";
  const std::size_t colon = line.rfind(':');
  if (!line.starts_with(kPrefix) || colon < kPrefix.size()) {
    throw std::runtime_error("unexpected first line: '" + line + "'");
  }
  const int port = std::stoi(line.substr(colon + 1));
  if (port <= 0 || port > 65535) throw std::runtime_error("bad port in: '" + line + "'");
  return static_cast<unsigned short>(port);
}

void ServerProcess::Signal(int signal_number) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, signal_number);
}

std::optional<int> ServerProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (exit_code_ || pid_ <= 0) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (done < 0 && errno != EINTR) throw Error("waitpid");
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ServerProcess::Log() const {
  std::ifstream in(log_path_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ServerProcess::RestOfOutput(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string output = std::move(pending_);
  pending_.clear();
  while (ReadSome(stdout_fd_, output, deadline)) {
  }
  return output;
}

}  // namespace observees::e2e
