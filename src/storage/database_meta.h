// What both engines record about a database and check when they open it, in one place: the schema
// version (SQLite's PRAGMA user_version, PostgreSQL's meta row 'schema_version') and meta's
// 'hash_key', the stored key of the keyed hashes that stand for access tokens and pairing codes at
// rest (secrets.h; used when StorageOptions::secret_key is empty). The rules:
//   - a version outside 0..target is refused: a negative one is no version of ours, a larger one a
//     newer library's; nothing is migrated or written;
//   - a stored key must be exactly secrets::kKeyBytes bytes;
//   - a missing key is made only while the database holds no credential (access token or pairing
//     code): a fresh key would silently turn every stored hash into one that matches nothing.
// A refusal throws StorageError, which the engines' Open turns into kInternal naming the database.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "secrets.h"
#include "storage/values.h"

namespace observees::storage {

// The version PostgreSQL's meta keeps as decimal text; throws unless the whole text is one int.
int ParseSchemaVersion(std::string_view text);
// Throws unless 0 <= current <= target (this library's version).
void CheckSchemaVersion(int current, int target);
// Throws unless `key` is secrets::kKeyBytes long. The message gives the length, never the bytes.
void CheckHashKey(std::string_view key);

inline constexpr char kReadHashKeySql[] = "SELECT value FROM meta WHERE key = 'hash_key'";
inline constexpr char kWriteHashKeySql[] =
    "INSERT INTO meta (key, value) VALUES ('hash_key', ?1) ON CONFLICT (key) DO NOTHING";
inline constexpr char kAnyCredentialSql[] = "SELECT 1 FROM access_tokens UNION ALL SELECT 1 FROM pairing_codes LIMIT 1";

// The stored hash key, checked; or a fresh one stored now when there is none and no credential (see
// above). Safe when several processes open one database at once: the first insert wins and every
// process reads the winner's key back.
template <typename Connection>
std::string LoadOrCreateHashKey(Connection& conn) {
  const auto stored = [&conn]() -> std::optional<std::string> {
    auto rows = conn.Query(kReadHashKeySql);
    if (!rows.Next()) return std::nullopt;
    std::string key = rows.Bytes(0);
    CheckHashKey(key);
    return key;
  };
  if (std::optional<std::string> key = stored()) return *std::move(key);
  if (conn.Query(kAnyCredentialSql).Next()) {
    throw StorageError(StorageError::Kind::kOther,
                       "meta.hash_key is missing but the database holds access tokens or pairing codes, "
                       "whose hashes only that key matches; restore the key (or set secret_key if it was set)");
  }
  conn.Exec(kWriteHashKeySql, Blob{secrets::RandomKey()});
  if (std::optional<std::string> key = stored()) return *std::move(key);
  throw StorageError(StorageError::Kind::kOther, "meta.hash_key could not be stored");
}

}  // namespace observees::storage
