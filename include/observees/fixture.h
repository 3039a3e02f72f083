// The fixture loader: seeds a Storage (storage.h), on either engine, from JSON in the fixture format
// (docs/fixture.md). The whole fixture is validated before anything is written and then written in
// one transaction: a bad fixture changes nothing. Loading the same fixture twice changes nothing.
#pragma once

#include <string>
#include <string_view>

#include "observees/export.h"
#include "observees/status.h"
#include "observees/storage.h"

namespace observees {

// kInvalidArgument naming the bad key or value as a path (e.g. `users[2].logins[0].account_id`),
// never repeating a password, token or code; kInternal when storage fails; kUnavailable when it
// stays busy.
OBSERVEES_EXPORT Status LoadFixture(const Storage& storage, std::string_view json_text);

// The same, from a file; kNotFound when the file cannot be read.
OBSERVEES_EXPORT Status LoadFixtureFile(const Storage& storage, const std::string& path);

}  // namespace observees
