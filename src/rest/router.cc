// The REST router: matches Canvas's routes, reads parameters, authenticates, picks the domain root
// account, resolves path ids, calls the service and writes Canvas's JSON. Translation only: every
// rule is the service's.
#include <algorithm>
#include <array>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>

#include "observees/canvas_json.h"
#include "observees/rest.h"
#include "rest/pagination.h"
#include "rest/params.h"
#include "rest/routes.h"
#include "text.h"

namespace observees::rest {
namespace {

namespace json = boost::json;
namespace urls = boost::urls;

constexpr char kJsonType[] = "application/json; charset=utf-8";
constexpr char kRealm[] = "Bearer realm=\"canvas-lms\"";

struct Route {
  Endpoint endpoint;
  std::string user;   // {user_id} as given
  std::string other;  // {observee_id} / {observer_id} / {code_id} / {course_id} as given
};

// The path `segments` against one template of kRoutes (routes.h says how a template matches).
std::optional<Route> MatchPath(const RouteSpec& spec, const std::vector<std::string>& segments) {
  Route route{spec.endpoint, {}, {}};
  std::string_view rest = spec.path.substr(1);  // templates start with '/'
  for (const std::string& segment : segments) {
    if (rest.empty()) return std::nullopt;
    const std::size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part == "{user_id}") {
      route.user = segment;
    } else if (part.starts_with("{")) {
      route.other = segment;
    } else if (part != segment) {
      return std::nullopt;
    }
  }
  if (!rest.empty()) return std::nullopt;
  return route;
}

// The route of kRoutes that `method` and the decoded path `segments` match; nullopt for anything else,
// an empty segment (a trailing or doubled slash) included.
std::optional<Route> Match(std::string_view method, const std::vector<std::string>& segments) {
  for (const std::string& segment : segments) {
    if (segment.empty()) return std::nullopt;
  }
  for (const RouteSpec& spec : kRoutes) {
    if (spec.method != method) continue;
    if (auto route = MatchPath(spec, segments)) return route;
  }
  return std::nullopt;
}

std::optional<std::string> FindHeader(const std::vector<Header>& headers, std::string_view name) {
  for (const Header& header : headers) {
    if (EqualsIgnoringAsciiCase(header.name, name)) return header.value;
  }
  return std::nullopt;
}

Response JsonResponse(int status, const json::value& body) {
  Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", kJsonType});
  response.body = json::serialize(body);
  return response;
}

Response ErrorResponse(const CanvasError& error) {
  Response response = JsonResponse(error.http_status, error.body);
  if (error.www_authenticate) response.headers.push_back({"WWW-Authenticate", kRealm});
  if (error.retry_after_seconds > 0)
    response.headers.push_back({"Retry-After", std::to_string(error.retry_after_seconds)});
  return response;
}

Response Fail(const Status& status) { return ErrorResponse(ErrorFor(status)); }

Response BadRequest(std::string_view message) {
  return JsonResponse(400, json::object{{"errors", json::array{json::object{{"message", message}}}}});
}

Status NoSuchResource() { return NotFound("The specified resource does not exist."); }

// The Host header if it is a plain host[:port] (it goes into Link URLs, so nothing else is trusted).
std::string SafeHost(const std::optional<std::string>& host) {
  if (!host || host->empty() || host->size() > 255) return "localhost";
  for (const char c : *host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']') {
      return "localhost";
    }
  }
  return *host;
}

// "canvas.test:8080" -> "canvas.test"; "[::1]:80" -> "::1".
std::string HostWithoutPort(std::string_view host) {
  if (host.starts_with("[")) {
    const auto close = host.find(']');
    return std::string(host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  return std::string(host.substr(0, host.find(':')));
}

// A positive decimal id that fits in int64.
std::optional<std::int64_t> ParseId(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  for (const char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string> Response::Find(std::string_view name) const { return FindHeader(headers, name); }

struct Router::Impl {
  std::shared_ptr<const ObservationService> service;
  std::shared_ptr<UserDirectory> directory;
  std::shared_ptr<Authenticator> authenticator;
  RouterOptions options;

  // One request, once its parameters are read and its caller known.
  struct Call {
    const Request& request;
    Route route;
    std::string path;      // the encoded path, as requested
    std::string base_url;  // scheme://host[:port]
    Params query;
    Params params;  // query, then body (later wins)
    Caller caller;
  };

  Response Handle(const Request& request) const {
    if (request.body.size() > options.max_body_bytes) {
      return JsonResponse(413,
                          json::object{{"errors", json::array{json::object{{"message", "Request body too large."}}}}});
    }
    const std::string target = NormalizeTarget(request.target);
    auto url = urls::parse_origin_form(target);
    if (!url) return BadRequest("malformed request target");
    auto segments = Segments(*url);
    if (!segments) return BadRequest("the path must be valid UTF-8");
    auto route = Match(request.method, *segments);
    if (!route) return Fail(NoSuchResource());

    auto query = ParseQuery(url->encoded_query(), options.max_parameter_bytes);
    if (!query.ok()) return BadRequest(query.status().message());
    auto body = ParseBody(request);
    if (!body.ok()) return BadRequest(body.status().message());
    Call call{request, std::move(*route), std::string(url->encoded_path()), {}, std::move(*query), {}, {}};
    call.params.Merge(call.query);
    call.params.Merge(*body);
    const std::string host = SafeHost(FindHeader(request.headers, "Host"));
    call.base_url = (request.scheme == "https" ? "https://" : "http://") + host;

    auto user = Authenticate(request, call.params);
    if (!user.ok()) return ErrorResponse(ErrorForToken(user.status()));
    auto domain = DomainRootAccount(host);
    if (!domain.ok()) return Fail(domain.status());
    call.caller = Caller{*user, *domain, request.peer};
    return Dispatch(call);
  }

  // Router::WorkOf. A request Handle refuses before any storage access (a bad target, no route, bad
  // parameters) is a read.
  Work WorkOf(const Request& request) const {
    if (request.method == "GET" || request.method == "HEAD") return Work::kRead;
    if (request.body.size() > options.max_body_bytes) return Work::kRead;
    const std::string target = NormalizeTarget(request.target);
    auto url = urls::parse_origin_form(target);
    if (!url) return Work::kRead;
    auto segments = Segments(*url);
    if (!segments) return Work::kRead;
    auto route = Match(request.method, *segments);
    if (!route) return Work::kRead;
    // Self-registration hashes the new password; linking by login checks the student's.
    if (route->endpoint == Endpoint::kRegisterObserver) return Work::kPasswordHash;
    if (route->endpoint == Endpoint::kAddObservee) {
      auto query = ParseQuery(url->encoded_query(), options.max_parameter_bytes);
      auto body = ParseBody(request);
      if (!query.ok() || !body.ok()) return Work::kRead;
      if (query->Has("observee[password]") || body->Has("observee[password]")) return Work::kPasswordHash;
    }
    return Work::kWrite;
  }

  // The decoded path segments; none when one is not valid UTF-8.
  static std::optional<std::vector<std::string>> Segments(const urls::url_view& url) {
    std::vector<std::string> segments;
    for (const std::string segment : url.segments()) {
      if (!IsCleanUtf8(segment)) return std::nullopt;
      segments.push_back(segment);
    }
    return segments;
  }

  Result<Params> ParseBody(const Request& request) const {
    if (request.body.empty()) return Params();
    const auto type = FindHeader(request.headers, "Content-Type").value_or("");
    if (type.find("json") != std::string::npos) return ParseJsonBody(request.body, options.max_parameter_bytes);
    if (type.find("multipart/form-data") != std::string::npos) {
      return ParseMultipart(request.body, type, options.max_parameter_bytes);
    }
    return ParseQuery(NormalizeTarget(request.body), options.max_parameter_bytes);
  }

  // 401 "Invalid access token." for a token that resolves to nobody (S8).
  static CanvasError ErrorForToken(const Status& status) {
    if (status.code() != StatusCode::kUnauthenticated) return ErrorFor(status);
    return CanvasError{401, json::object{{"errors", json::array{json::object{{"message", "Invalid access token."}}}}},
                       true};
  }

  // The caller: `Authorization: Bearer`, else the access_token parameter; none when neither is given.
  Result<std::optional<UserId>> Authenticate(const Request& request, const Params& params) const {
    std::optional<std::string> token;
    if (const auto header = FindHeader(request.headers, "Authorization")) {
      const std::string_view value(*header);
      if (!StartsWithIgnoringAsciiCase(value, "Bearer ")) {
        return Unauthenticated("unsupported authorization scheme");
      }
      token = std::string(value.substr(7));
    } else {
      token = params.Get("access_token");
    }
    if (!token) return std::optional<UserId>();
    if (token->empty()) return Unauthenticated("empty access token");
    auto user = service->UserForAccessToken(*token, request.peer);
    if (!user.ok()) return user.status();
    if (!user->has_value()) return Unauthenticated("invalid access token");
    return *user;
  }

  // The root account whose domains hold the Host, else the configured default, else the lowest id.
  Result<AccountId> DomainRootAccount(const std::string& host) const {
    auto by_host = directory->RootAccountForDomain(HostWithoutPort(host));
    if (!by_host.ok()) return by_host.status();
    if (by_host->has_value()) return **by_host;
    if (options.default_root_account) return *options.default_root_account;
    auto roots = directory->RootAccountIds();
    if (!roots.ok()) return roots.status();
    return roots->empty() ? AccountId{0} : roots->front();
  }

  // A path id: `self`, a positive integer or `sis_user_id:X`; kNotFound otherwise (api_find).
  Result<UserId> ResolveUser(const std::string& text, const Caller& caller) const {
    if (text == "self") {
      if (!caller.user) return NoSuchResource();
      return *caller.user;
    }
    if (const auto id = ParseId(text)) return *id;
    constexpr std::string_view kSis = "sis_user_id:";
    if (text.starts_with(kSis)) {
      auto found = directory->FindUserBySisId(std::string_view(text).substr(kSis.size()));
      if (!found.ok()) return found.status();
      if (found->has_value()) return **found;
    }
    return NoSuchResource();
  }

  // `root_account_id`: absent → `absent`, "all" → every root account, an id → that one, else 404.
  static Result<RootAccountScope> Scope(const Params& params, RootAccountScope absent) {
    const auto value = params.Get("root_account_id");
    if (!value) return absent;
    if (*value == "all") return RootAccountScope::All();
    if (const auto id = ParseId(*value)) return RootAccountScope::Account(*id);
    return NoSuchResource();
  }

  Response Dispatch(const Call& call) const {
    const Endpoint endpoint = call.route.endpoint;
    if (endpoint == Endpoint::kRegisterObserver) return RegisterObserver(call);
    if (endpoint == Endpoint::kEnrollUser) return EnrollUser(call);
    auto user = ResolveUser(call.route.user, call.caller);
    if (!user.ok()) return Fail(user.status());
    if (endpoint == Endpoint::kRevokePairingCode) {
      const auto code = ParseId(call.route.other);  // a code id, not a user
      if (!code) return Fail(NoSuchResource());
      auto revoked = service->RevokePairingCode(call.caller, *user, *code);
      if (!revoked.ok()) return Fail(revoked.status());
      json::object body = PairingCodeDetailJson(*revoked);
      body["changed"] = revoked->changed;
      return JsonResponse(200, body);
    }
    std::optional<UserId> other;
    if (!call.route.other.empty()) {
      auto resolved = ResolveUser(call.route.other, call.caller);
      if (!resolved.ok()) return Fail(resolved.status());
      other = *resolved;
    }
    const Caller& caller = call.caller;
    const ObservationService& s = *service;
    switch (endpoint) {
      case Endpoint::kListObservees:
      case Endpoint::kListObservers: return List(call, *user);
      case Endpoint::kAddObservee: {
        AddObserveeRequest add;
        add.access_token = call.params.Get("access_token");
        add.pairing_code = call.params.Get("pairing_code");
        add.unique_id = call.params.Get("observee[unique_id]");
        add.password = call.params.Get("observee[password]");
        auto scope = Scope(call.params, RootAccountScope::Domain());
        if (!scope.ok()) return Fail(scope.status());
        add.scope = *scope;
        return UserResult(call, s.AddObservee(caller, *user, add));
      }
      case Endpoint::kShowObservee: return UserResult(call, s.ShowObservee(caller, *user, *other));
      case Endpoint::kShowObserver: return UserResult(call, s.ShowObserver(caller, *user, *other));
      case Endpoint::kAddObserveeById: {
        auto scope = Scope(call.params, RootAccountScope::Domain());
        if (!scope.ok()) return Fail(scope.status());
        return UserResult(call, s.AddObserveeById(caller, *user, *other, *scope));
      }
      case Endpoint::kRemoveObservee: {
        auto scope = Scope(call.params, RootAccountScope::All());  // D3
        if (!scope.ok()) return Fail(scope.status());
        return UserResult(call, s.RemoveObservee(caller, *user, *other, *scope));
      }
      case Endpoint::kCreatePairingCode: {
        auto code = s.CreatePairingCode(caller, *user);
        if (!code.ok()) return Fail(code.status());
        return JsonResponse(200, PairingCodeJson(*code));
      }
      case Endpoint::kListEnrollments: return ListEnrollments(call, *user);
      case Endpoint::kListPairingCodes: return ListPairingCodes(call, *user);
      case Endpoint::kRevokeAllPairingCodes: {
        auto count = s.RevokeAllPairingCodes(caller, *user);
        if (!count.ok()) return Fail(count.status());
        return JsonResponse(200, json::object{{"revoked", *count}});
      }
      case Endpoint::kRevokePairingCode:
      case Endpoint::kRegisterObserver:
      case Endpoint::kEnrollUser: break;
    }
    return Fail(NoSuchResource());
  }

  Response UserResult(const Call& call, const Result<LinkedUser>& user) const {
    if (!user.ok()) return Fail(user.status());
    return JsonResponse(200, UserJson(*user, call.base_url));
  }

  // E1 / E2 with Canvas's Link header.
  Response List(const Call& call, UserId subject) const {
    auto page = ParsePage(call.params.Get("page"));
    if (!page.ok()) return BadRequest(page.status().message());
    ListOptions list;
    list.page = *page;
    list.per_page = ParsePerPage(call.params.Get("per_page"));
    for (const std::string& include : call.params.GetAll("include[]")) {
      if (include == "avatar_url") list.include_avatar_url = true;
    }
    auto result = call.route.endpoint == Endpoint::kListObservees ? service->ListObservees(call.caller, subject, list)
                                                                  : service->ListObservers(call.caller, subject, list);
    if (!result.ok()) return Fail(result.status());
    // A page of users is ~60 values: built in one buffer (and freed at once), not value by value.
    std::array<unsigned char, 16384> buffer;
    json::monotonic_resource arena(buffer.data(), buffer.size());
    Response response = JsonResponse(200, UsersJson(result->users, call.base_url, &arena));
    response.headers.push_back(
        {"Link", LinkHeader(call.base_url, call.path, call.query, result->page, result->per_page, result->total)});
    return response;
  }

  // GET /users/:user_id/observer_pairing_codes with state[] (default active), paginated like E1.
  Response ListPairingCodes(const Call& call, UserId student) const {
    auto page = ParsePage(call.params.Get("page"));
    if (!page.ok()) return BadRequest(page.status().message());
    PairingCodeListOptions list;
    list.page = *page;
    list.per_page = ParsePerPage(call.params.Get("per_page"));
    std::vector<std::string> states = call.params.GetAll("state[]");
    for (std::string& state : call.params.GetAll("state")) states.push_back(std::move(state));
    if (!states.empty()) {
      list.states = CodeStateFilter{false, false, false, false};
      for (const std::string& name : states) {
        const auto state = ParseCodeState(name);
        if (!state) return BadRequest("state[] must be one of active, used, expired, revoked");
        switch (*state) {
          case CodeState::kActive: list.states.active = true; break;
          case CodeState::kUsed: list.states.used = true; break;
          case CodeState::kExpired: list.states.expired = true; break;
          case CodeState::kRevoked: list.states.revoked = true; break;
        }
      }
    }
    auto result = service->ListPairingCodes(call.caller, student, list);
    if (!result.ok()) return Fail(result.status());
    json::array body;
    for (const PairingCodeDetail& code : result->codes) body.push_back(PairingCodeDetailJson(code));
    Response response = JsonResponse(200, body);
    response.headers.push_back(
        {"Link", LinkHeader(call.base_url, call.path, call.query, result->page, result->per_page, result->total)});
    return response;
  }

  // GET /users/:user_id/enrollments, paginated like the lists above.
  Response ListEnrollments(const Call& call, UserId user) const {
    auto page = ParsePage(call.params.Get("page"));
    if (!page.ok()) return BadRequest(page.status().message());
    const ServiceOptions& limits = service->options();
    const int asked = ParsePerPage(call.params.Get("per_page"));
    const int per_page = asked == 0 ? limits.default_per_page : std::min(asked, limits.max_per_page);
    auto enrollments = service->ListEnrollments(call.caller, user);
    if (!enrollments.ok()) return Fail(enrollments.status());
    const auto total = static_cast<std::int64_t>(enrollments->size());
    json::array body;
    const std::int64_t first = static_cast<std::int64_t>(*page - 1) * per_page;
    for (std::int64_t i = first; i < total && i < first + per_page; ++i) {
      body.push_back(EnrollmentJson((*enrollments)[static_cast<std::size_t>(i)]));
    }
    Response response = JsonResponse(200, body);
    response.headers.push_back({"Link", LinkHeader(call.base_url, call.path, call.query, *page, per_page, total)});
    return response;
  }

  // POST /courses/:course_id/enrollments with enrollment[user_id], [type], [enrollment_state] and
  // optionally [course_section_id].
  Response EnrollUser(const Call& call) const {
    const auto course = ParseId(call.route.other);
    if (!course) return Fail(NoSuchResource());
    const auto user_text = call.params.Get("enrollment[user_id]");
    if (!user_text) return BadRequest("enrollment[user_id] is required");
    auto user = ResolveUser(*user_text, call.caller);
    if (!user.ok()) return Fail(user.status());
    EnrollmentRequest request;
    request.course_id = *course;
    request.user_id = *user;
    request.type = call.params.Get("enrollment[type]").value_or("StudentEnrollment");
    request.workflow_state = call.params.Get("enrollment[enrollment_state]").value_or("invited");
    if (const auto section = call.params.Get("enrollment[course_section_id]")) {
      const auto id = ParseId(*section);
      if (!id) return BadRequest("enrollment[course_section_id] must be a positive integer");
      request.course_section_id = *id;
    }
    auto enrollment = service->EnrollUser(call.caller, request);
    if (!enrollment.ok()) return Fail(enrollment.status());
    return JsonResponse(200, EnrollmentJson(*enrollment));
  }

  // POST /users: observer self-registration with a pairing code (rule 57, D8).
  Response RegisterObserver(const Call& call) const {
    SelfRegistrationRequest registration;
    registration.name = call.params.Get("user[name]").value_or("");
    registration.short_name = call.params.Get("user[short_name]").value_or("");
    registration.sortable_name = call.params.Get("user[sortable_name]").value_or("");
    registration.unique_id = call.params.Get("pseudonym[unique_id]").value_or("");
    registration.password = call.params.Get("pseudonym[password]").value_or("");
    registration.initial_enrollment_type = call.params.Get("user[initial_enrollment_type]").value_or("observer");
    registration.pairing_code = call.params.Get("pairing_code[code]");
    auto observer = service->RegisterObserver(call.caller, registration);
    if (!observer.ok()) return ErrorResponse(SelfRegistrationErrorFor(observer.status()));
    return JsonResponse(200, json::object{{"user", UserJson(*observer, call.base_url)}});
  }
};

Result<std::unique_ptr<Router>> Router::Create(std::shared_ptr<const ObservationService> service,
                                               std::shared_ptr<UserDirectory> directory,
                                               std::shared_ptr<Authenticator> authenticator, RouterOptions options) {
  if (!service || !directory || !authenticator) {
    return InvalidArgument("service, directory and authenticator are required");
  }
  if (options.max_parameter_bytes == 0 || options.max_body_bytes == 0) {
    return InvalidArgument("router limits must be positive");
  }
  auto impl = std::make_unique<Impl>();
  impl->service = std::move(service);
  impl->directory = std::move(directory);
  impl->authenticator = std::move(authenticator);
  impl->options = options;
  return std::unique_ptr<Router>(new Router(std::move(impl)));
}

Router::Router(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Router::~Router() = default;

Response Router::Handle(const Request& request) const noexcept {
  try {
    return impl_->Handle(request);
  } catch (...) {
    // Out of memory or a bug: Canvas's 500 body, never an exception into the host.
    try {
      return ErrorResponse(ErrorFor(Internal("unexpected failure")));
    } catch (...) {
      return Response{500, {}, {}};
    }
  }
}

Router::Work Router::WorkOf(const Request& request) const noexcept {
  try {
    return impl_->WorkOf(request);
  } catch (...) {  // out of memory: the costliest kind, so a host keeps it off its serving threads
    return Work::kPasswordHash;
  }
}

}  // namespace observees::rest
