#include "storage/database_meta.h"

#include <charconv>
#include <string>

namespace observees::storage {

int ParseSchemaVersion(std::string_view text) {
  int version = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw StorageError(StorageError::Kind::kOther,
                       "the schema version in meta is not a number (" + std::to_string(text.size()) + " bytes)");
  }
  return version;
}

void CheckSchemaVersion(int current, int target) {
  if (current < 0) {
    throw StorageError(StorageError::Kind::kOther, "database schema version " + std::to_string(current) +
                                                       " is not one of this library's (0 to " + std::to_string(target) +
                                                       ")");
  }
  if (current > target) {
    throw StorageError(StorageError::Kind::kOther, "database schema version " + std::to_string(current) +
                                                       " is newer than this library's " + std::to_string(target));
  }
}

void CheckHashKey(std::string_view key) {
  if (key.size() != secrets::kKeyBytes) {
    throw StorageError(StorageError::Kind::kOther, "meta.hash_key is " + std::to_string(key.size()) + " bytes, not " +
                                                       std::to_string(secrets::kKeyBytes) +
                                                       ": the database is damaged or not one of ours");
  }
}

}  // namespace observees::storage
