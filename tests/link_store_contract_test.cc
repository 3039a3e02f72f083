// The LinkStore contract suite (support/link_store_contract.h) run against the SQLite default, in
// memory and on a file (WAL, several pooled connections).
#include "support/link_store_contract.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "observees/storage.h"
#include "support/storage_test_util.h"
#include "support/temp_dir.h"

namespace observees::storage_test {
namespace {

TEST_CASE("the SQLite link store in memory keeps the LinkStore contract", "[contract][sqlite]") {
  RunLinkStoreContract([] {
    StorageOptions options;
    options.location = ":memory:";
    options.password_hashing = PasswordHashing::kFastest;
    return ValueOf(OpenStorage(options)).links;
  });
}

TEST_CASE("the SQLite link store on a file keeps the LinkStore contract", "[contract][sqlite]") {
  TempDir dir;
  int opened = 0;
  RunLinkStoreContract([&] {
    StorageOptions options;
    options.location = dir.File("contract-" + std::to_string(++opened) + ".db");
    options.connections = 4;
    options.password_hashing = PasswordHashing::kFastest;
    return ValueOf(OpenStorage(options)).links;
  });
}

TEST_CASE("two in-memory SQLite stores do not share data", "[contract][sqlite]") {
  StorageOptions options;
  options.password_hashing = PasswordHashing::kFastest;
  const auto first = ValueOf(OpenStorage(options)).links;
  const auto second = ValueOf(OpenStorage(options)).links;
  {
    auto txn = ValueOf(first->BeginWrite());
    ValueOf(txn->CreateOrRestoreLink(11, 10, 1, kT0));
    RequireOk(txn->Commit());
  }
  CHECK(ValueOf(first->LinksBetween(11, 10)).size() == 1);
  CHECK(ValueOf(second->LinksBetween(11, 10)).empty());
}

}  // namespace
}  // namespace observees::storage_test
