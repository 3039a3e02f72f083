#include "collation.h"

#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace observees {
namespace {

// The shared prototype; each thread sorts with its own clone of it.
const icu::Collator* Prototype() {
  static const icu::Collator* const prototype = [] {
    UErrorCode status = U_ZERO_ERROR;
    icu::Collator* c = icu::Collator::createInstance(icu::Locale::getRoot(), status);
    if (U_FAILURE(status)) {
      delete c;
      return static_cast<icu::Collator*>(nullptr);
    }
    c->setStrength(icu::Collator::PRIMARY);
    return c;
  }();
  return prototype;
}

// The fallback when ICU cannot give a collator: byte order, then id.
void SortByBytes(std::vector<User>& users) {
  std::sort(users.begin(), users.end(), [](const User& a, const User& b) {
    return a.sortable_name != b.sortable_name ? a.sortable_name < b.sortable_name : a.id < b.id;
  });
}

// ICU's sort key of `name`, written once into a buffer that usually fits it; only a longer one is
// written again, into a buffer of its size.
std::string SortKey(const icu::Collator& collator, const std::string& name) {
  constexpr std::size_t kUsualKey = 128;
  const icu::UnicodeString text = icu::UnicodeString::fromUTF8(name);
  std::string key(kUsualKey, '\0');
  const auto needed = static_cast<std::size_t>(
      collator.getSortKey(text, reinterpret_cast<uint8_t*>(key.data()), static_cast<int32_t>(key.size())));
  if (needed > key.size()) {
    key.assign(needed, '\0');
    collator.getSortKey(text, reinterpret_cast<uint8_t*>(key.data()), static_cast<int32_t>(needed));
  }
  key.resize(needed);
  return key;
}

// Sort keys each thread keeps (SortBySortableName): ~100 bytes each.
constexpr std::size_t kCachedKeys = 4096;

}  // namespace

void SortBySortableName(std::vector<User>& users) {
  const icu::Collator* prototype = Prototype();
  if (prototype == nullptr) return SortByBytes(users);
  // One clone per thread, made on first use: a Collator may not be used by two threads at once.
  thread_local const std::unique_ptr<icu::Collator> collator(prototype->clone());
  if (!collator) return SortByBytes(users);
  // Sort keys once per user, then compare bytes. A key is a pure function of the name (for this
  // collator), and the same observers' lists are read again and again, so each thread keeps the keys
  // it made, up to kCachedKeys of them (then it starts over, never during a sort: `keys` points into
  // it): a hit costs a hash lookup instead of ICU's ~3,000 instructions. A list longer than the cache
  // sorts on keys of its own.
  thread_local std::unordered_map<std::string, std::string> cache;  // node-based: pointers stay valid
  const bool cached = users.size() <= kCachedKeys;
  if (cached && cache.size() + users.size() > kCachedKeys) cache.clear();
  std::vector<std::string> own_keys;
  if (!cached) own_keys.reserve(users.size());  // never reallocates below: `keys` points into it
  std::vector<std::pair<const std::string*, std::size_t>> keys;
  keys.reserve(users.size());
  for (std::size_t i = 0; i < users.size(); ++i) {
    const std::string& name = users[i].sortable_name;
    if (!cached) {
      own_keys.push_back(SortKey(*collator, name));
      keys.emplace_back(&own_keys.back(), i);
      continue;
    }
    auto found = cache.find(name);
    if (found == cache.end()) found = cache.emplace(name, SortKey(*collator, name)).first;
    keys.emplace_back(&found->second, i);
  }
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    if (*a.first != *b.first) return *a.first < *b.first;
    return users[a.second].id < users[b.second].id;
  });
  std::vector<User> sorted;
  sorted.reserve(users.size());
  for (const auto& k : keys) sorted.push_back(std::move(users[k.second]));
  users = std::move(sorted);
}

}  // namespace observees
