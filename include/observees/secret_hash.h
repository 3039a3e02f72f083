// The keyed hash that stands for a pairing code or an access token at rest, for an integrator's own
// LinkStore (InsertCode, FindActiveCode) or Authenticator (tokens): what the library's stores keep, so
// a store of one's own keeps the same and can share a database with them. BLAKE2b-256 (libsodium's
// crypto_generichash) keyed with a 32-byte key, with one purpose per kind of secret, so that a code's
// hash never equals a token's. Deterministic, so it can be indexed and looked up; without the key it
// cannot be reversed or checked offline. Never store, log or compare the secret itself: store the
// hash, compare with SecretEquals. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "observees/export.h"
#include "observees/status.h"

namespace observees {

enum class SecretKind { kPairingCode, kAccessToken };

// The 32-byte hash key the library's stores derive from StorageOptions::secret_key (`material`, 1 byte
// or more). kInvalidArgument for empty material; kInternal when libsodium fails.
OBSERVEES_EXPORT Result<std::string> DeriveSecretHashKey(std::string_view material);

// The 32 raw bytes that stand for `secret` of `kind` under `key`. kInvalidArgument unless `key` is 32
// bytes (the message never repeats key or secret); kInternal when libsodium fails.
OBSERVEES_EXPORT Result<std::string> SecretHash(std::string_view key, SecretKind kind, std::string_view secret);

// Whether `a` equals `b`, in time that does not depend on where they differ (their lengths are not
// secret).
OBSERVEES_EXPORT bool SecretEquals(std::string_view a, std::string_view b);

}  // namespace observees
