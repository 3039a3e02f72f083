#include "secret_key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace observees::server {
namespace {

constexpr std::size_t kKeyHexDigits = 64;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> ReadSecretKeyFile(const std::string& path) {
  const auto bad = [&path](const std::string& problem) {
    return InvalidArgument("at-rest key file " + path + ": " + problem);
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return bad(std::string("cannot open: ") + std::strerror(errno));
  struct stat info {};
  std::string text(kKeyHexDigits + 3, '\0');  // room to tell "too long" from 64 digits and "\r\n"
  ssize_t got = -1;
  const bool stat_ok = ::fstat(fd, &info) == 0;
  if (stat_ok && S_ISREG(info.st_mode)) got = ::read(fd, text.data(), text.size());
  const int read_errno = errno;
  ::close(fd);
  if (!stat_ok || !S_ISREG(info.st_mode)) return bad("not a regular file");
  if ((info.st_mode & S_IRWXO) != 0) return bad("other users may read or change it; chmod o-rwx (e.g. 600) it");
  if (got < 0) return bad(std::string("cannot read: ") + std::strerror(read_errno));
  text.resize(static_cast<std::size_t>(got));
  if (text.ends_with('\n')) text.pop_back();
  if (text.ends_with('\r')) text.pop_back();
  std::string key;
  for (std::size_t i = 0; text.size() == kKeyHexDigits && i < text.size(); i += 2) {
    const int high = HexValue(text[i]);
    const int low = HexValue(text[i + 1]);
    if (high < 0 || low < 0) break;
    key.push_back(static_cast<char>(high * 16 + low));
  }
  if (key.size() != kKeyHexDigits / 2) {
    return bad("must hold 64 hex digits (32 bytes), e.g. from 'openssl rand -hex 32'");
  }
  return key;
}

}  // namespace observees::server
