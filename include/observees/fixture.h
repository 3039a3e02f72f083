// The fixture loader: seeds a Storage (storage.h), on either engine, from JSON in the fixture format
// (docs/fixture.md). The whole fixture is validated before anything is written and then written in
// one transaction: a bad fixture changes nothing. Loading the same fixture twice changes nothing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "observees/export.h"
#include "observees/status.h"
#include "observees/storage.h"

namespace observees {

// The largest fixture accepted, 64 MiB: a larger text or file (e.g. /dev/zero) is refused with
// kInvalidArgument naming the limit, before it is parsed.
inline constexpr std::size_t kMaxFixtureBytes = std::size_t{64} << 20;

// kInvalidArgument naming the bad key or value as a path (e.g. `users[2].logins[0].account_id`),
// never repeating a password, token or code; kInternal when storage fails; kUnavailable when it
// stays busy.
OBSERVEES_EXPORT Status LoadFixture(const Storage& storage, std::string_view json_text);

// The same, from a file (read up to kMaxFixtureBytes + 1 bytes); kNotFound when it cannot be read.
OBSERVEES_EXPORT Status LoadFixtureFile(const Storage& storage, const std::string& path);

// Empties every table (the schema and the database's stored hash key stay), then loads `fixture_json`
// if given, in one transaction: concurrent callers see the data before or after, never between. A
// fixture is checked whole first, as if against an empty database; a bad one is kInvalidArgument and
// changes nothing. For test harnesses: it deletes every user, link, code and the audit log.
OBSERVEES_EXPORT Status ResetStorage(const Storage& storage, std::optional<std::string_view> fixture_json = {});

}  // namespace observees
