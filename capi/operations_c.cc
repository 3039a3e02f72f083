// Entry points of observees.h: the service's operations (Canvas's User Observees API, the pairing-code
// lifecycle, enrollments, observer self-registration). Each reads its arguments, calls the service and
// writes its JSON; every rule is the service's.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <utility>

#include "arguments.h"
#include "entry_point.h"
#include "handle.h"
#include "observees.h"
#include "observees/canvas_json.h"
#include "observees/observation_service.h"
#include "requests.h"
#include "results.h"

namespace {

namespace json = boost::json;
using observees::Caller;
using observees::InvalidArgument;
using observees::ObservationService;
using observees::Result;
using observees::Status;
using observees::UserId;
using observees::capi::Export;
using observees::capi::PathUser;
using observees::capi::PutUser;
using observees::capi::ScopeOf;

// HandleCall with the acting context read into a Caller: runs `body(caller)`.
template <typename Body>
obs_status ServiceCall(obs_service* service, std::int64_t acting_user, std::int64_t domain_root_account,
                       char** out_json, Body&& body) noexcept {
  return observees::capi::HandleCall(service, out_json, "out_json", [&]() -> Status {
    auto caller = observees::capi::CallerOf(acting_user, domain_root_account);
    if (!caller.ok()) return caller.status();
    return body(*caller);
  });
}

// Two user ids of a path, in the order given.
struct UserPair {
  UserId first = 0;
  UserId second = 0;
};
Result<UserPair> PathUsers(std::int64_t first, const char* first_name, std::int64_t second, const char* second_name) {
  auto a = PathUser(first, first_name);
  if (!a.ok()) return a.status();
  auto b = PathUser(second, second_name);
  if (!b.ok()) return b.status();
  return UserPair{*a, *b};
}

using ListCall = Result<observees::UserPage> (ObservationService::*)(const Caller&, UserId,
                                                                     const observees::ListOptions&) const;

obs_status List(ListCall call, obs_service* service, std::int64_t acting_user, std::int64_t domain_root_account,
                std::int64_t subject, const char* subject_name, std::int32_t page, std::int32_t per_page,
                std::uint32_t flags, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto user = PathUser(subject, subject_name);
    if (!user.ok()) return user.status();
    auto options = observees::capi::ListOptionsOf(page, per_page, flags);
    if (!options.ok()) return options.status();
    return observees::capi::PutPage(*service, ((*service->service).*call)(caller, *user, *options), out_json);
  });
}

}  // namespace

extern "C" {

obs_status obs_list_observees(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t observer,
                              int32_t page, int32_t per_page, uint32_t flags, char** out_json) {
  return List(&ObservationService::ListObservees, service, acting_user, domain_root_account, observer, "observer", page,
              per_page, flags, out_json);
}

obs_status obs_list_observers(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t student,
                              int32_t page, int32_t per_page, uint32_t flags, char** out_json) {
  return List(&ObservationService::ListObservers, service, acting_user, domain_root_account, student, "student", page,
              per_page, flags, out_json);
}

obs_status obs_add_observee(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t observer,
                            const char* request_json, int64_t root_account_scope, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto user = PathUser(observer, "observer");
    if (!user.ok()) return user.status();
    auto scope = ScopeOf(root_account_scope);
    if (!scope.ok()) return scope.status();
    auto request = observees::capi::ReadAddRequest(request_json);
    if (!request.ok()) return request.status();
    request->scope = *scope;
    return PutUser(*service, service->service->AddObservee(caller, *user, *request), out_json);
  });
}

obs_status obs_show_observee(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t observer,
                             int64_t student, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto users = PathUsers(observer, "observer", student, "student");
    if (!users.ok()) return users.status();
    return PutUser(*service, service->service->ShowObservee(caller, users->first, users->second), out_json);
  });
}

obs_status obs_show_observer(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t student,
                             int64_t observer, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto users = PathUsers(student, "student", observer, "observer");
    if (!users.ok()) return users.status();
    return PutUser(*service, service->service->ShowObserver(caller, users->first, users->second), out_json);
  });
}

obs_status obs_add_observee_by_id(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                  int64_t observer, int64_t student, int64_t root_account_scope, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto users = PathUsers(observer, "observer", student, "student");
    if (!users.ok()) return users.status();
    auto scope = ScopeOf(root_account_scope);
    if (!scope.ok()) return scope.status();
    return PutUser(*service, service->service->AddObserveeById(caller, users->first, users->second, *scope), out_json);
  });
}

obs_status obs_remove_observee(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t observer,
                               int64_t student, int64_t root_account_scope, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto users = PathUsers(observer, "observer", student, "student");
    if (!users.ok()) return users.status();
    auto scope = ScopeOf(root_account_scope);
    if (!scope.ok()) return scope.status();
    return PutUser(*service, service->service->RemoveObservee(caller, users->first, users->second, *scope), out_json);
  });
}

obs_status obs_create_pairing_code(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                   int64_t student, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    auto code = service->service->CreatePairingCode(caller, *student_id);
    if (!code.ok()) return code.status();
    *out_json = Export(json::serialize(observees::PairingCodeJson(*code)));
    return Status::Ok();
  });
}

obs_status obs_list_pairing_codes(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                  int64_t student, uint32_t states, int32_t page, int32_t per_page, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    constexpr std::uint32_t kAllStates = OBS_CODE_ACTIVE | OBS_CODE_USED | OBS_CODE_EXPIRED | OBS_CODE_REVOKED;
    if ((states & ~kAllStates) != 0) return InvalidArgument("states holds an unknown bit", "states");
    OBSERVEES_RETURN_IF_ERROR(observees::capi::CheckPage(page, per_page));
    observees::PairingCodeListOptions options;
    if (states != 0) {
      options.states = {(states & OBS_CODE_ACTIVE) != 0, (states & OBS_CODE_USED) != 0,
                        (states & OBS_CODE_EXPIRED) != 0, (states & OBS_CODE_REVOKED) != 0};
    }
    options.page = page;
    options.per_page = per_page;
    auto listed = service->service->ListPairingCodes(caller, *student_id, options);
    if (!listed.ok()) return listed.status();
    *out_json = Export(observees::capi::PairingCodePageJson(*listed));
    return Status::Ok();
  });
}

obs_status obs_revoke_pairing_code(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                   int64_t student, int64_t code_id, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    if (code_id < 1) return InvalidArgument("code_id must be a positive code id", "code_id");
    auto revoked = service->service->RevokePairingCode(caller, *student_id, code_id);
    if (!revoked.ok()) return revoked.status();
    json::object body = observees::PairingCodeDetailJson(*revoked);
    body["changed"] = revoked->changed;
    *out_json = Export(json::serialize(body));
    return Status::Ok();
  });
}

obs_status obs_revoke_all_pairing_codes(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                        int64_t student, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto student_id = PathUser(student, "student");
    if (!student_id.ok()) return student_id.status();
    auto count = service->service->RevokeAllPairingCodes(caller, *student_id);
    if (!count.ok()) return count.status();
    *out_json = Export(json::serialize(json::object{{"revoked", *count}}));
    return Status::Ok();
  });
}

obs_status obs_list_enrollments(obs_service* service, int64_t acting_user, int64_t domain_root_account, int64_t user,
                                char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto user_id = PathUser(user, "user");
    if (!user_id.ok()) return user_id.status();
    auto enrollments = service->service->ListEnrollments(caller, *user_id);
    if (!enrollments.ok()) return enrollments.status();
    json::array out;
    for (const auto& enrollment : *enrollments) out.push_back(observees::EnrollmentJson(enrollment));
    *out_json = Export(json::serialize(out));
    return Status::Ok();
  });
}

obs_status obs_enroll_user(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                           const char* request_json, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto request = observees::capi::ReadEnrollmentRequest(request_json);
    if (!request.ok()) return request.status();
    auto enrollment = service->service->EnrollUser(caller, *request);
    if (!enrollment.ok()) return enrollment.status();
    *out_json = Export(json::serialize(observees::EnrollmentJson(*enrollment)));
    return Status::Ok();
  });
}

obs_status obs_register_observer(obs_service* service, int64_t acting_user, int64_t domain_root_account,
                                 const char* request_json, char** out_json) {
  return ServiceCall(service, acting_user, domain_root_account, out_json, [&](Caller& caller) -> Status {
    auto registration = observees::capi::ReadRegistration(request_json);
    if (!registration.ok()) return registration.status();
    caller.client_key = std::move(registration->client_key);
    return PutUser(*service, service->service->RegisterObserver(caller, registration->request), out_json);
  });
}

}  // extern "C"
