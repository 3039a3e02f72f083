// How an admin membership's permissions are decided, shared by every storage backend so that each
// answers the same: the row's explicit column when set, else the nearest role override for its role
// from its account upward, else the role's default. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "observees/types.h"
#include "observees/user_directory.h"

namespace observees {

// An active admin membership of one user (a row of `admins`).
struct AdminRow {
  AccountId account_id = 0;
  std::string role;
  std::optional<bool> manage_user_observers;
  std::optional<bool> generate_observer_pairing_code;
};

// The permission's name in role_overrides.permission.
std::string_view PermissionName(Permission permission);

// The admin row's explicit column for `permission`; nullopt when unset or when the permission has no
// column (manage_students).
std::optional<bool> ExplicitPermission(const AdminRow& admin, Permission permission);

// A role's permission when neither a column nor an override decides: AccountAdmin holds every one,
// other roles none.
bool RoleDefault(std::string_view role);

// The effective permission of `admin`. `nearest_override(account, role, permission)` returns the
// nearest role override from `account` upward (std::optional<bool>); it is called only when the row's
// column does not decide.
template <typename NearestOverride>
bool EffectivePermission(const AdminRow& admin, Permission permission, NearestOverride&& nearest_override) {
  if (const std::optional<bool> explicit_value = ExplicitPermission(admin, permission)) return *explicit_value;
  if (const std::optional<bool> override_value = nearest_override(admin.account_id, admin.role, permission)) {
    return *override_value;
  }
  return RoleDefault(admin.role);
}

}  // namespace observees
