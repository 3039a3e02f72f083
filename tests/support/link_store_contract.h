// The LinkStore contract suite: every behaviour link_store.h promises, as Catch2 SECTIONs, so that
// every storage backend (the SQLite default, a PostgreSQL store, a test double) runs the same checks.
// Call it from a TEST_CASE; Catch2 re-enters it once per section, and each pass starts from a new
// store.
#pragma once

#include <functional>
#include <memory>

#include "observees/link_store.h"

namespace observees::storage_test {

// `make_empty_store` is called once per pass and must return a store with no links, codes, attempt
// rows or audit entries. The store needs no users or accounts: ids are plain numbers to it.
void RunLinkStoreContract(const std::function<std::shared_ptr<LinkStore>()>& make_empty_store);

}  // namespace observees::storage_test
