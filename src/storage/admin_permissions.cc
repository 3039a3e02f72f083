#include "storage/admin_permissions.h"

namespace observees {

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kManageUserObservers: return "manage_user_observers";
    case Permission::kGenerateObserverPairingCode: return "generate_observer_pairing_code";
    case Permission::kManageStudents: return "manage_students";
  }
  return "";
}

}  // namespace observees
