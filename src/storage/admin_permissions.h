// How an admin membership's permissions are decided, as the SQL every engine runs, so the rule has one
// home: an active admin row holds a permission by its own column when that is set (manage_students has
// none); else by the nearest role override for its role, from the row's account upward; else by its
// role's default (AccountAdmin holds every permission, other roles none). Role overrides also decide a
// course role's permission (rule 23), from the course's account upward.
//
// The fragments below are joined into statements (relational_directory.h) that bind ?1 to the actor and
// ?3 to the permission's name (PermissionName); ?2 is the statement's own (a root account, a user, an
// account). Account chains are followed at most 64 levels up (the fixture loader refuses cycles; this
// only bounds a walk over a hand-edited database).
#pragma once

#include <string_view>

#include "observees/user_directory.h"

namespace observees {

// The permission's name in role_overrides.permission, and the ?3 of the statements.
std::string_view PermissionName(Permission permission);

// CTE granting(account_id, role, explicit): ?1's active admin rows that `scope` (a condition on
// ad.account_id) admits, with the row's own column for ?3 (NULL when unset).
#define OBSERVEES_GRANTING_CTE(scope)                                                 \
  "granting(account_id, role, explicit) AS (SELECT ad.account_id, ad.role, CASE ?3 "  \
  "WHEN 'manage_user_observers' THEN ad.manage_user_observers "                       \
  "WHEN 'generate_observer_pairing_code' THEN ad.generate_observer_pairing_code END " \
  "FROM admins ad WHERE ad.user_id = ?1 AND ad.workflow_state = 'active' AND " scope ")"

// CTE up(account_id, role, at, depth): for each (account_id, role) that `seed` selects, every account
// `at` from account_id upward, `depth` levels above it.
#define OBSERVEES_UP_CTE(seed)                              \
  "up(account_id, role, at, depth) AS (" seed               \
  " UNION ALL SELECT up.account_id, up.role, a.parent_id, " \
  "up.depth + 1 FROM up JOIN accounts a ON a.id = up.at WHERE a.parent_id IS NOT NULL AND up.depth < 64)"

// The nearest role override's `enabled` for ?3 over `up`, for the pair (account, role); NULL when none.
#define OBSERVEES_NEAREST_OVERRIDE(account, role)                                                     \
  "(SELECT o.enabled FROM up JOIN role_overrides o ON o.account_id = up.at AND o.role = up.role AND " \
  "o.permission = ?3 WHERE up.account_id = " account " AND up.role = " role " ORDER BY up.depth LIMIT 1)"

// Whether granting row `g` holds ?3 (the rule above), with `up` seeded from the rows whose column is NULL.
#define OBSERVEES_ADMIN_HOLDS                         \
  "COALESCE(g.explicit, " OBSERVEES_NEAREST_OVERRIDE( \
      "g.account_id", "g.role") ", CASE WHEN g.role = 'AccountAdmin' THEN 1 ELSE 0 END) <> 0"

#define OBSERVEES_UP_FROM_GRANTING \
  OBSERVEES_UP_CTE("SELECT account_id, role, account_id, 0 FROM granting WHERE explicit IS NULL")

}  // namespace observees
