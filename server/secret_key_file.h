// The at-rest key file of observees-server (--secret-key-file, or the file OBSERVEES_SECRET_KEY_FILE
// names): StorageOptions::secret_key, kept out of the database and off the command line. The file
// holds 64 hex digits (32 bytes), optionally followed by one newline; make one with
//   (umask 077 && openssl rand -hex 32 > /etc/observees/at-rest.key)
// It must be a regular file that other users cannot read or write. No message repeats the key.
#pragma once

#include <string>

#include "observees/status.h"

namespace observees::server {

// The 32 key bytes from `path`; kInvalidArgument naming the path and the problem (unreadable, not a
// regular file, open to other users, not 64 hex digits) otherwise.
Result<std::string> ReadSecretKeyFile(const std::string& path);

}  // namespace observees::server
