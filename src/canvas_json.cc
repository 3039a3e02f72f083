#include "observees/canvas_json.h"

#include <boost/json.hpp>

#include "observees/timestamp.h"

namespace observees {
namespace {

namespace json = boost::json;

// Canvas's fallback avatar when avatars are on but the user has none of their own.
constexpr char kDefaultAvatarPath[] = "/images/messages/avatar-50.png";

std::string AbsoluteUrl(std::string_view url, std::string_view base_url) {
  if (url.starts_with("http://") || url.starts_with("https://") || base_url.empty()) return std::string(url);
  std::string base(base_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!url.starts_with("/")) base += '/';
  return base + std::string(url);
}

json::value MessageErrors(std::string_view message) {
  return {{"errors", json::array{json::object{{"message", message}}}}};
}

// Canvas's body for a failure that is not the caller's (rule 61).
json::value InternalErrorBody() {
  return {{"errors",
           json::array{json::object{{"message", "An error occurred."}, {"error_code", "internal_server_error"}}}}};
}

// How long a client told 503 (kUnavailable) waits before it tries again.
constexpr int kRetryAfterSeconds = 1;

// Canvas's ActiveModel error list for one attribute: {"attr":[{"attribute","type","message"}]}.
json::object FieldErrors(std::string_view attribute, std::string_view type, std::string_view message) {
  return {{attribute, json::array{json::object{{"attribute", attribute}, {"type", type}, {"message", message}}}}};
}

}  // namespace

json::object UserJson(const LinkedUser& linked, std::string_view base_url, json::storage_ptr sp) {
  const User& user = linked.user;
  json::object out(8, sp);
  out.emplace("id", user.id);
  out.emplace("name", user.name);
  out.emplace("created_at", FormatTimestamp(user.created_at));
  out.emplace("sortable_name", user.sortable_name);
  out.emplace("short_name", user.short_name);
  if (user.pronouns && !user.pronouns->empty()) out.emplace("pronouns", *user.pronouns);
  if (linked.include_avatar_url) {
    const std::string_view avatar =
        user.avatar_url && !user.avatar_url->empty() ? std::string_view(*user.avatar_url) : kDefaultAvatarPath;
    out.emplace("avatar_url", AbsoluteUrl(avatar, base_url));
  }
  json::array ids(sp);
  ids.reserve(linked.observation_link_root_account_ids.size());
  for (const AccountId id : linked.observation_link_root_account_ids) ids.push_back(id);
  out.emplace("observation_link_root_account_ids", std::move(ids));
  return out;
}

json::array UsersJson(const std::vector<LinkedUser>& users, std::string_view base_url, json::storage_ptr sp) {
  json::array out(sp);
  out.reserve(users.size());
  for (const LinkedUser& user : users) out.push_back(UserJson(user, base_url, sp));
  return out;
}

json::object PairingCodeJson(const PairingCode& code) {
  return {{"user_id", code.user_id},
          {"code", code.code},
          {"expires_at", FormatTimestamp(code.expires_at)},
          {"workflow_state", code.workflow_state}};
}

std::string_view CodeStateName(CodeState state) {
  switch (state) {
    case CodeState::kActive: return "active";
    case CodeState::kUsed: return "used";
    case CodeState::kExpired: return "expired";
    case CodeState::kRevoked: return "revoked";
  }
  return "active";
}

std::optional<CodeState> ParseCodeState(std::string_view name) {
  for (const CodeState state : {CodeState::kActive, CodeState::kUsed, CodeState::kExpired, CodeState::kRevoked}) {
    if (name == CodeStateName(state)) return state;
  }
  return std::nullopt;
}

json::object PairingCodeDetailJson(const PairingCodeDetail& detail) {
  auto optional_time = [](const std::optional<Timestamp>& t) -> json::value {
    return t ? json::value(FormatTimestamp(*t)) : json::value(nullptr);
  };
  auto optional_id = [](const std::optional<std::int64_t>& id) -> json::value {
    return id ? json::value(*id) : json::value(nullptr);
  };
  const PairingCodeRecord& r = detail.record;
  return {{"id", r.id},
          {"user_id", r.user_id},
          {"code", detail.code},
          {"state", CodeStateName(detail.state)},
          {"workflow_state", r.deleted ? "deleted" : "active"},
          {"created_at", FormatTimestamp(r.created_at)},
          {"expires_at", FormatTimestamp(r.expires_at)},
          {"used_at", optional_time(r.used_at)},
          {"used_by", optional_id(r.used_by)},
          {"link_id", optional_id(r.link_id)},
          {"revoked_at", optional_time(r.revoked_at)},
          {"revoked_by", optional_id(r.revoked_by)}};
}

json::object EnrollmentJson(const Enrollment& e) {
  auto optional_time = [](const std::optional<Timestamp>& t) -> json::value {
    return t ? json::value(FormatTimestamp(*t)) : json::value(nullptr);
  };
  auto optional_id = [](const std::optional<std::int64_t>& id) -> json::value {
    return id ? json::value(*id) : json::value(nullptr);
  };
  return {{"id", e.id},
          {"user_id", e.user_id},
          {"course_id", e.course_id},
          {"course_section_id", optional_id(e.course_section_id)},
          {"type", e.type},
          {"role", e.type},
          {"enrollment_state", e.workflow_state},
          {"associated_user_id", optional_id(e.associated_user_id)},
          {"root_account_id", e.root_account_id},
          {"start_at", optional_time(e.start_at)},
          {"end_at", optional_time(e.end_at)},
          {"created_at", FormatTimestamp(e.created_at)},
          {"updated_at", FormatTimestamp(e.updated_at)}};
}

CanvasError ErrorFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInternal:
    case StatusCode::kAborted: break;
    case StatusCode::kInvalidArgument: return {400, MessageErrors(status.message()), false};
    case StatusCode::kAlreadyExists: return {400, MessageErrors(status.message()), false};
    case StatusCode::kNotFound: return {404, MessageErrors("The specified resource does not exist."), false};
    case StatusCode::kUnauthenticated:
      return {401,
              {{"status", "unauthenticated"},
               {"errors", json::array{json::object{{"message", "user authorization required"}}}}},
              true};
    case StatusCode::kPermissionDenied:
      return {403,
              {{"status", "unauthorized"},
               {"errors", json::array{json::object{{"message", "user not authorized to perform that action"}}}}},
              false};
    case StatusCode::kInvalidCode: return {422, MessageErrors("Invalid pairing code."), false};
    case StatusCode::kUnknownObservee: return {422, MessageErrors("Unknown observee."), false};
    case StatusCode::kInvalidCredentials: return {401, MessageErrors("Invalid credentials provided."), false};
    case StatusCode::kTooManyAttempts: return {429, MessageErrors("Too many attempts. Try again later."), false};
    case StatusCode::kUnavailable: return {503, InternalErrorBody(), false, kRetryAfterSeconds};
    case StatusCode::kSelfObservation:
      return {
          422, {{"errors", FieldErrors("observer_id", "Cannot observe yourself", "Cannot observe yourself")}}, false};
  }
  return {500, InternalErrorBody(), false};
}

CanvasError SelfRegistrationErrorFor(const Status& status) {
  // Canvas's sign-up form answers with one error object per model (rule 57).
  auto form_errors = [](json::object user, json::object pseudonym, json::object pairing_code) -> json::value {
    json::object errors;
    errors["user"] = std::move(user);
    errors["pseudonym"] = std::move(pseudonym);
    errors["observee"] = json::object{};
    errors["pairing_code"] = std::move(pairing_code);
    errors["recaptcha"] = nullptr;
    return json::object{{"errors", std::move(errors)}};
  };
  switch (status.code()) {
    case StatusCode::kInvalidCode: return {400, form_errors({}, {}, FieldErrors("code", "invalid", "invalid")), false};
    case StatusCode::kPermissionDenied: return {403, json::object{}, false};
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists: {
      // field is "user[name]" or "pseudonym[unique_id]" style: the model, then the attribute.
      const std::string& field = status.field();
      const auto open = field.find('[');
      const std::string model = open == std::string::npos ? "user" : field.substr(0, open);
      const std::string attribute = open == std::string::npos ? field : field.substr(open + 1, field.size() - open - 2);
      const char* type = status.code() == StatusCode::kAlreadyExists ? "taken" : "invalid";
      json::object errors = FieldErrors(attribute.empty() ? "base" : attribute, type, status.message());
      if (model == "pseudonym") return {400, form_errors({}, std::move(errors), {}), false};
      return {400, form_errors(std::move(errors), {}, {}), false};
    }
    default: return ErrorFor(status);
  }
}

}  // namespace observees
