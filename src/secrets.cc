#include "secrets.h"

#include <sodium.h>

#include <string>

#include "observees/secret_hash.h"

namespace observees::secrets {

bool Init() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

namespace {

void RequireInit() {
  if (!Init()) throw CryptoFailure("libsodium failed to initialise");
}

// A libsodium call's result: 0 is success.
void Check(int rc, const char* what) {
  if (rc != 0) throw CryptoFailure(std::string("libsodium refused ") + what);
}

}  // namespace

std::string DeriveKey(std::string_view material) {
  RequireInit();
  std::string key(kKeyBytes, '\0');
  Check(crypto_generichash(reinterpret_cast<unsigned char*>(key.data()), key.size(),
                           reinterpret_cast<const unsigned char*>(material.data()), material.size(), nullptr, 0),
        "crypto_generichash");
  return key;
}

std::string RandomKey() {
  RequireInit();
  std::string key(kKeyBytes, '\0');
  randombytes_buf(key.data(), key.size());
  return key;
}

std::string KeyedHash(std::string_view key, std::string_view purpose, std::string_view secret) {
  RequireInit();
  // crypto_generichash_init fails (leaving the state unset) for a key past crypto_generichash_KEYBYTES_MAX.
  crypto_generichash_state state;
  Check(crypto_generichash_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size(), 32),
        "a hash key of this length");
  Check(crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size()),
        "crypto_generichash_update");
  const unsigned char separator = 0;
  Check(crypto_generichash_update(&state, &separator, 1), "crypto_generichash_update");
  Check(crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size()),
        "crypto_generichash_update");
  std::string out(32, '\0');
  Check(crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), out.size()),
        "crypto_generichash_final");
  return out;
}

std::string Seal(std::string_view key, std::string_view plain) {
  RequireInit();
  if (key.size() != crypto_secretbox_KEYBYTES) throw CryptoFailure("a sealing key must be 32 bytes");
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  Check(crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plain.data()),
                              plain.size(), nonce, reinterpret_cast<const unsigned char*>(key.data())),
        "crypto_secretbox_easy");
  return box;
}

std::optional<std::string> Open(std::string_view key, std::string_view box) {
  if (!Init()) return std::nullopt;
  if (key.size() != crypto_secretbox_KEYBYTES) return std::nullopt;
  if (box.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
  const auto* nonce = reinterpret_cast<const unsigned char*>(box.data());
  const std::size_t sealed = box.size() - crypto_secretbox_NONCEBYTES;
  std::string plain(sealed - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), nonce + crypto_secretbox_NONCEBYTES,
                                 sealed, nonce, reinterpret_cast<const unsigned char*>(key.data())) != 0) {
    return std::nullopt;
  }
  return plain;
}

Result<std::string> HashPassword(std::string_view password, PasswordHashing cost) {
  if (!Init()) return Internal("libsodium failed to initialise");
  unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  std::size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (cost == PasswordHashing::kModerate) {
    ops = crypto_pwhash_OPSLIMIT_MODERATE;
    mem = crypto_pwhash_MEMLIMIT_MODERATE;
  } else if (cost == PasswordHashing::kFastest) {
    ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
    mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("password hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (!Init()) return false;
  const std::string terminated(hash);  // crypto_pwhash_str_verify wants a NUL-terminated string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace observees::secrets

namespace observees {

Result<std::string> DeriveSecretHashKey(std::string_view material) {
  if (material.empty()) return InvalidArgument("the key material must not be empty", "material");
  try {
    return secrets::DeriveKey(material);
  } catch (const secrets::CryptoFailure& e) {
    return Internal(e.what());
  }
}

Result<std::string> SecretHash(std::string_view key, SecretKind kind, std::string_view secret) {
  if (key.size() != secrets::kKeyBytes) return InvalidArgument("the hash key must be 32 bytes", "key");
  try {
    return secrets::KeyedHash(
        key, kind == SecretKind::kPairingCode ? secrets::kPairingCodePurpose : secrets::kAccessTokenPurpose, secret);
  } catch (const secrets::CryptoFailure& e) {
    return Internal(e.what());
  }
}

bool SecretEquals(std::string_view a, std::string_view b) { return secrets::ConstantTimeEquals(a, b); }

}  // namespace observees
