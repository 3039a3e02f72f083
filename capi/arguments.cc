#include "arguments.h"

#include <boost/json/parse.hpp>
#include <boost/system/error_code.hpp>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>

#include "observees.h"
#include "text.h"

namespace observees::capi {

namespace json = boost::json;

Result<std::string_view> Text(const char* text, const char* name) {
  if (text == nullptr) return InvalidArgument(std::string(name) + " is NULL", name);
  const std::string_view view(text);
  if (!IsValidUtf8(view)) return InvalidArgument(std::string(name) + " is not valid UTF-8", name);
  return view;
}

char* Export(std::string_view text) {
  auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) throw std::bad_alloc();
  if (!text.empty()) std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0';
  return copy;
}

Result<Caller> CallerOf(std::int64_t acting_user, std::int64_t domain_root_account) {
  if (acting_user < 0) return InvalidArgument("acting_user must be 0 (anonymous) or a positive user id", "acting_user");
  if (domain_root_account < 0) {
    return InvalidArgument("domain_root_account must be 0 (none) or a positive account id", "domain_root_account");
  }
  Caller caller;
  if (acting_user > 0) caller.user = acting_user;
  caller.domain_root_account = domain_root_account;
  return caller;
}

Result<UserId> PathUser(std::int64_t id, const char* name) {
  if (id < 1) return InvalidArgument(std::string(name) + " must be a positive user id", name);
  return id;
}

Result<RootAccountScope> ScopeOf(std::int64_t scope) {
  if (scope == OBS_SCOPE_DOMAIN) return RootAccountScope::Domain();
  if (scope == OBS_SCOPE_ALL) return RootAccountScope::All();
  if (scope > 0) return RootAccountScope::Account(scope);
  return InvalidArgument(
      "root_account_scope must be OBS_SCOPE_DOMAIN (0), OBS_SCOPE_ALL (-1) or a positive root account id",
      "root_account_scope");
}

Result<AccountId> RootAccountOf(std::int64_t root_account, const char* name) {
  if (root_account <= 0) return InvalidArgument(std::string(name) + " must be a positive account id", name);
  return root_account;
}

Status CheckPage(std::int32_t page, std::int32_t per_page) {
  if (page < 1) return InvalidArgument("page must be 1 or more", "page");
  if (per_page < 0) return InvalidArgument("per_page must be 0 (the default) or more", "per_page");
  return Status::Ok();
}

Result<ListOptions> ListOptionsOf(std::int32_t page, std::int32_t per_page, std::uint32_t flags) {
  OBSERVEES_RETURN_IF_ERROR(CheckPage(page, per_page));
  if ((flags & ~static_cast<std::uint32_t>(OBS_LIST_INCLUDE_AVATAR_URL)) != 0) {
    return InvalidArgument("flags holds an unknown bit", "flags");
  }
  ListOptions options;
  options.page = page;
  options.per_page = per_page;
  options.include_avatar_url = (flags & OBS_LIST_INCLUDE_AVATAR_URL) != 0;
  return options;
}

Result<json::value> ParseJson(std::string_view text, const char* name) {
  if (!IsValidUtf8(text)) return InvalidArgument(std::string(name) + " is not valid UTF-8", name);
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error) return InvalidArgument(std::string(name) + " is not valid JSON: " + error.message(), name);
  return value;
}

Result<const json::object*> ObjectOf(const json::value& value, const std::string& name,
                                     std::initializer_list<std::string_view> keys) {
  const json::object* object = value.if_object();
  if (object == nullptr) return InvalidArgument(name + " must be a JSON object", name);
  for (const auto& member : *object) {
    bool known = false;
    for (const std::string_view key : keys) known = known || member.key() == key;
    if (!known) {
      const std::string key(member.key());
      return InvalidArgument("unknown key \"" + key + "\" in " + name, key);
    }
  }
  return object;
}

Result<std::int64_t> IntegerIn(const json::value& value, const std::string& name, std::int64_t low, std::int64_t high) {
  std::optional<std::int64_t> number;
  if (const auto* i = value.if_int64()) number = *i;
  if (const auto* u = value.if_uint64(); u != nullptr && *u <= static_cast<std::uint64_t>(kMaxInt64)) number = *u;
  if (!number || *number < low || *number > high) {
    return InvalidArgument(name + " must be an integer from " + std::to_string(low) + " to " + std::to_string(high),
                           name);
  }
  return *number;
}

Result<bool> BooleanOf(const json::value& value, const std::string& name) {
  if (!value.is_bool()) return InvalidArgument(name + " must be true or false", name);
  return value.get_bool();
}

Result<std::string> StringOf(const json::value& value, const std::string& name) {
  const json::string* text = value.if_string();
  if (text == nullptr) return InvalidArgument(name + " must be a string", name);
  if (std::string_view(*text).find('\0') != std::string_view::npos) {
    return InvalidArgument(name + " must not contain NUL", name);
  }
  return std::string(*text);
}

Result<Timestamp> TimeOf(std::string_view text, const std::string& name) {
  const std::optional<Timestamp> time = ParseTimestamp(text);
  if (!time) return InvalidArgument(name + " must be an ISO-8601 time such as 2026-01-01T00:00:00Z", name);
  const std::int64_t seconds = time->time_since_epoch().count();
  if (seconds < kEarliestSecond || seconds > kLatestSecond) {
    return InvalidArgument(name + " must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z", name);
  }
  return *time;
}

}  // namespace observees::capi
