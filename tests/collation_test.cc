// SortBySortableName (src/collation.h): ICU's root collation at primary strength, then id; the same
// order from the sort keys each thread keeps as from fresh ones, past the cache's size too.
#include "collation.h"

#include <catch2/catch.hpp>
#include <cstddef>
#include <string>
#include <vector>

namespace observees {
namespace {

std::vector<UserId> IdsOf(const std::vector<User>& users) {
  std::vector<UserId> ids;
  for (const User& user : users) ids.push_back(user.id);
  return ids;
}

User Named(UserId id, std::string sortable_name) {
  User user;
  user.id = id;
  user.sortable_name = std::move(sortable_name);
  return user;
}

TEST_CASE("sortable names sort case- and accent-insensitively, then by id, with keys made or kept",
          "[rule33][collation]") {
  const auto sample = [] {
    return std::vector<User>{Named(4, "émile, Zoe"), Named(3, "Adams, Bo"), Named(2, "EMILE, zoe"),
                             Named(1, "adams, bo"), Named(5, "Ä, x")};
  };
  const std::vector<UserId> expected = {5, 1, 3, 2, 4};  // "Ä" = "a" < "adams"; equal names by id
  for (int round = 0; round < 3; ++round) {              // the first round makes the keys, the others find them
    std::vector<User> users = sample();
    SortBySortableName(users);
    CHECK(IdsOf(users) == expected);
  }
}

// Distinct names in a scrambled order, `count` of them from `first`.
std::vector<User> Scrambled(int first, int count) {
  std::vector<User> users;
  for (int i = 0; i < count; ++i) {
    users.push_back(Named(i + 1, "name " + std::to_string(1000000 + first + (i * 7919) % count)));
  }
  return users;
}

void CheckSorted(std::vector<User> users) {
  const std::size_t size = users.size();
  SortBySortableName(users);
  REQUIRE(users.size() == size);
  std::size_t out_of_order = 0;
  for (std::size_t i = 1; i < users.size(); ++i)
    out_of_order += users[i - 1].sortable_name < users[i].sortable_name ? 0 : 1;
  CHECK(out_of_order == 0);
}

TEST_CASE("more distinct names than the kept keys: every list still sorts right", "[rule33][collation]") {
  // Lists that fill the kept keys until they start over, one longer than all of them, and small ones
  // between: each sorts as with fresh keys.
  for (int round = 0; round < 2; ++round) {
    for (int first = 0; first < 12000; first += 3000) CheckSorted(Scrambled(first, 3000));
    CheckSorted(Scrambled(50000, 10000));
    std::vector<User> sample = {Named(2, "Beta"), Named(1, "alpha")};
    SortBySortableName(sample);
    CHECK(IdsOf(sample) == std::vector<UserId>{1, 2});
  }
}

}  // namespace
}  // namespace observees
