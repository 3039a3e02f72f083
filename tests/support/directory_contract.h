// The UserDirectory and Authenticator contract suites: every behaviour user_directory.h and
// authenticator.h promise, checked against one small fixture (kDirectoryContractFixture) with the
// answers written out, so that every engine (the SQLite default, PostgreSQL, an LMS's own) runs the
// same checks. Call each from a TEST_CASE; Catch2 re-enters it once per section, and each pass asks
// `seeded` for a new store loaded with the fixture.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "observees/authenticator.h"
#include "observees/user_directory.h"

namespace observees::storage_test {

// The fixture both suites expect `seeded` to load (the format of docs/fixture.md).
extern const std::string_view kDirectoryContractFixture;

void RunUserDirectoryContract(const std::function<std::shared_ptr<UserDirectory>(std::string_view fixture)>& seeded);
void RunAuthenticatorContract(const std::function<std::shared_ptr<Authenticator>(std::string_view fixture)>& seeded);

}  // namespace observees::storage_test
