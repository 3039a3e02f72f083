// Secret handling in one place (D7): keyed hashes that stand for codes and tokens at rest, Argon2id
// password hashes, and constant-time comparison, all on libsodium. Thread-safe. Every libsodium return
// value is checked: DeriveKey, RandomKey, KeyedHash and Seal throw CryptoFailure when libsodium refuses
// (it failed to initialise, or a key is outside its limits); they run inside GuardStorage or an
// engine's Open, which turn it into kInternal.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "observees/status.h"
#include "observees/storage.h"  // PasswordHashing

namespace observees::secrets {

// Initialises libsodium once; safe to call from any thread, any number of times. False on failure.
bool Init();

constexpr std::size_t kKeyBytes = 32;

// The KeyedHash purposes of the secrets kept at rest (observees/secret_hash.h's SecretKind).
inline constexpr std::string_view kPairingCodePurpose = "pairing_code";
inline constexpr std::string_view kAccessTokenPurpose = "access_token";

// libsodium refused an operation; the message names the operation, never a key or a secret.
class CryptoFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A 32-byte key: BLAKE2b of `material` (the configured secret), or fresh random bytes when empty.
std::string DeriveKey(std::string_view material);
std::string RandomKey();

// BLAKE2b-256 of `secret` keyed with `key` (at most 64 bytes, libsodium's limit), with `purpose`
// ("code", "token") separating the uses. Deterministic, so it can be indexed; 32 raw bytes.
std::string KeyedHash(std::string_view key, std::string_view purpose, std::string_view secret);

// Authenticated encryption (libsodium's crypto_secretbox_easy, XSalsa20-Poly1305) of `plain` under a
// 32-byte `key` (CryptoFailure for another length): a fresh random nonce followed by the ciphertext.
// Derive `key` per purpose with KeyedHash(master, purpose, "").
std::string Seal(std::string_view key, std::string_view plain);
// The plaintext of a Seal()ed `box`; nullopt when it is malformed, was sealed under another key or
// was tampered with.
std::optional<std::string> Open(std::string_view key, std::string_view box);

// An Argon2id hash string (libsodium's crypto_pwhash_str), or kInternal when hashing fails.
Result<std::string> HashPassword(std::string_view password, PasswordHashing cost);
// Whether `password` matches `hash`; false for a malformed hash.
bool VerifyPassword(std::string_view hash, std::string_view password);

// Compares without leaking where the inputs differ (the length is not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace observees::secrets
