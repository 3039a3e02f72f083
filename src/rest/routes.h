// The REST router's route table: every (method, path template) it answers and the endpoint each
// reaches. Router::Handle and WorkOf match requests against this table and nothing else, and
// tests/openapi_test.cc checks that docs/openapi.json documents exactly these routes.
#pragma once

#include <array>
#include <string_view>

namespace observees::rest {

enum class Endpoint {
  kListObservees,          // E1
  kAddObservee,            // E3
  kShowObservee,           // E4
  kAddObserveeById,        // E6
  kRemoveObservee,         // E7
  kListObservers,          // E2
  kShowObserver,           // E5
  kCreatePairingCode,      // E8
  kListPairingCodes,       // extension: the pairing-code lifecycle
  kRevokePairingCode,      // extension
  kRevokeAllPairingCodes,  // extension
  kRegisterObserver,
  kListEnrollments,
  kEnrollUser,
};

// A route: the method (exact, case-sensitive) and a path template in OpenAPI's form. A `{name}`
// segment matches any one non-empty decoded segment: `{user_id}` is the path's user, any other name
// its second id (observee, observer, code or course). Every other segment matches only itself.
struct RouteSpec {
  std::string_view method;
  std::string_view path;
  Endpoint endpoint;
};

inline constexpr std::array<RouteSpec, 14> kRoutes = {{
    {"GET", "/api/v1/users/{user_id}/observees", Endpoint::kListObservees},
    {"POST", "/api/v1/users/{user_id}/observees", Endpoint::kAddObservee},
    {"GET", "/api/v1/users/{user_id}/observees/{observee_id}", Endpoint::kShowObservee},
    {"PUT", "/api/v1/users/{user_id}/observees/{observee_id}", Endpoint::kAddObserveeById},
    {"DELETE", "/api/v1/users/{user_id}/observees/{observee_id}", Endpoint::kRemoveObservee},
    {"GET", "/api/v1/users/{user_id}/observers", Endpoint::kListObservers},
    {"GET", "/api/v1/users/{user_id}/observers/{observer_id}", Endpoint::kShowObserver},
    {"POST", "/api/v1/users/{user_id}/observer_pairing_codes", Endpoint::kCreatePairingCode},
    {"GET", "/api/v1/users/{user_id}/observer_pairing_codes", Endpoint::kListPairingCodes},
    {"DELETE", "/api/v1/users/{user_id}/observer_pairing_codes/{code_id}", Endpoint::kRevokePairingCode},
    {"DELETE", "/api/v1/users/{user_id}/observer_pairing_codes", Endpoint::kRevokeAllPairingCodes},
    {"POST", "/users", Endpoint::kRegisterObserver},
    {"GET", "/api/v1/users/{user_id}/enrollments", Endpoint::kListEnrollments},
    {"POST", "/api/v1/courses/{course_id}/enrollments", Endpoint::kEnrollUser},
}};

}  // namespace observees::rest
