// UserDirectory's default methods: what a host directory gets without writing them.
#include "observees/user_directory.h"

#include <algorithm>

namespace observees {

Result<std::vector<AccountId>> UserDirectory::RootAccountsWithPermission(UserId actor, UserId user,
                                                                         Permission permission) {
  auto roots = RootAccountsOf(user);
  if (!roots.ok()) return roots.status();
  std::vector<AccountId> permitted;
  for (const AccountId root : *roots) {
    auto has = HasRootAccountPermission(actor, root, permission);
    if (!has.ok()) return has.status();
    if (*has) permitted.push_back(root);
  }
  std::sort(permitted.begin(), permitted.end());
  return permitted;
}

}  // namespace observees
