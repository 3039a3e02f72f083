#include "admin_permissions.h"

namespace observees {

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kManageUserObservers: return "manage_user_observers";
    case Permission::kGenerateObserverPairingCode: return "generate_observer_pairing_code";
    case Permission::kManageStudents: return "manage_students";
  }
  return "";
}

std::optional<bool> ExplicitPermission(const AdminRow& admin, Permission permission) {
  switch (permission) {
    case Permission::kManageUserObservers: return admin.manage_user_observers;
    case Permission::kGenerateObserverPairingCode: return admin.generate_observer_pairing_code;
    case Permission::kManageStudents: return std::nullopt;
  }
  return std::nullopt;
}

bool RoleDefault(std::string_view role) { return role == "AccountAdmin"; }

}  // namespace observees
