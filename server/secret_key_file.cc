#include "secret_key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace observees::server {
namespace {

constexpr std::size_t kKeyHexDigits = 64;

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
  std::string key(kKeyHexDigits / 2, '\0');
  std::size_t key_bytes = 0;
  const char* end = nullptr;
  if (text.size() != kKeyHexDigits ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), text.data(), text.size(), nullptr,
                     &key_bytes, &end) != 0 ||
      key_bytes != key.size() || end != text.data() + text.size()) {
    return bad("must hold 64 hex digits (32 bytes), e.g. from 'openssl rand -hex 32'");
  }
  return key;
}

}  // namespace observees::server
