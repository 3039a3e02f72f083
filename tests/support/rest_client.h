// Helpers for the REST router's tests: a World with a rest::Router over its service, a request
// builder, Canvas's exact error bodies, and readers for JSON bodies and Link headers. Single-threaded
// test helpers.
//
// The REST fixture (RestFixture()) is the standard fixture (world.h) plus an access token for every
// cast member who needs to call the API and has none there (TokenFor gives each user's token), and Pat
// Parent's sis_user_id "pat/10 x" (a '/' and a space, to test percent-decoding of sis_user_id paths).
#pragma once

#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "observees/rest.h"
#include "support/world.h"

namespace observees::testing {

inline constexpr char kJsonContentType[] = "application/json; charset=utf-8";
inline constexpr char kWwwAuthenticate[] = "Bearer realm=\"canvas-lms\"";
inline constexpr char kBaseUrl[] = "http://canvas.test";
inline constexpr char kPatSisId[] = "pat/10 x";

// Canvas's bodies, byte for byte (docs/rules.md section 3.3; router contract).
inline constexpr char kNotFoundBody[] = R"({"errors":[{"message":"The specified resource does not exist."}]})";
inline constexpr char kUnauthenticatedBody[] =
    R"({"status":"unauthenticated","errors":[{"message":"user authorization required"}]})";
inline constexpr char kInvalidTokenBody[] = R"({"errors":[{"message":"Invalid access token."}]})";
inline constexpr char kUnauthorizedBody[] =
    R"({"status":"unauthorized","errors":[{"message":"user not authorized to perform that action"}]})";
inline constexpr char kUnknownObserveeBody[] = R"({"errors":[{"message":"Unknown observee."}]})";
inline constexpr char kInvalidCodeBody[] = R"({"errors":[{"message":"Invalid pairing code."}]})";
inline constexpr char kInvalidCredentialsBody[] = R"({"errors":[{"message":"Invalid credentials provided."}]})";
inline constexpr char kTooManyAttemptsBody[] = R"({"errors":[{"message":"Too many attempts. Try again later."}]})";
inline constexpr char kBadPageBody[] = R"({"errors":[{"message":"page must be a positive integer"}]})";
inline constexpr char kSelfObservationBody[] =
    R"({"errors":{"observer_id":[{"attribute":"observer_id","type":"Cannot observe yourself",)"
    R"("message":"Cannot observe yourself"}]}})";

// The standard fixture with the REST additions described above.
std::string RestFixture();
// The access token of `user` in RestFixture(); REQUIREs that the user has one.
std::string TokenFor(UserId user);

// A fixture of one root account (1, canvas.test, avatars on) where observer kBigObserver (token
// kBigObserverToken) observes `students` students with ids 1000, 1001, ... whose sortable names
// ("0000, Kid", "0001, Kid", ...) sort in id order.
inline constexpr UserId kBigObserver = 900;
inline constexpr char kBigObserverToken[] = "tok-big-900-secret";
std::string BigFixture(int students);

struct RestWorldOptions {
  std::string fixture_json = RestFixture();
  ServiceOptions service;
  rest::RouterOptions router;
};

struct RestWorld {
  World w;
  std::unique_ptr<rest::Router> router;

  // Handle(request), CHECKing what every response must have: the JSON Content-Type and a body that
  // parses as JSON.
  rest::Response Send(const rest::Request& request) const;
};

RestWorld MakeRestWorld(const RestWorldOptions& options = {});

// Builds a rest::Request. Defaults: Host canvas.test, scheme http, peer 192.0.2.10, no body.
class Req {
 public:
  Req(std::string method, std::string target);

  Req& Bearer(std::string_view token);  // Authorization: Bearer <token>
  Req& As(UserId user) { return Bearer(TokenFor(user)); }
  Req& Host(std::string host);  // replaces the Host header
  Req& NoHost();
  Req& Header(std::string name, std::string value);
  Req& Form(std::string body);     // Content-Type: application/x-www-form-urlencoded
  Req& Json(std::string body);     // Content-Type: application/json
  Req& RawBody(std::string body);  // no Content-Type
  Req& Scheme(std::string scheme);
  Req& Peer(std::string peer);

  const rest::Request& request() const { return request_; }
  operator const rest::Request&() const { return request_; }  // NOLINT(google-explicit-constructor)

 private:
  rest::Request request_;
};

inline Req Get(std::string target) { return Req("GET", std::move(target)); }
inline Req Post(std::string target) { return Req("POST", std::move(target)); }
inline Req Put(std::string target) { return Req("PUT", std::move(target)); }
inline Req Delete(std::string target) { return Req("DELETE", std::move(target)); }

// "/api/v1/users/<user>/<rest>"
std::string Api(std::string_view user, std::string_view rest);
std::string Api(UserId user, std::string_view rest);

// application/x-www-form-urlencoded, every byte but unreserved ones percent-encoded.
std::string PercentEncode(std::string_view text);
std::string PercentDecode(std::string_view text);  // '+' is a space; REQUIREs well-formed escapes
std::string FormBody(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

// The body as JSON (REQUIREs that it parses).
boost::json::value BodyJson(const rest::Response& response);
// The ids of a JSON array of User objects.
std::vector<UserId> IdsIn(const rest::Response& response);
// errors[0].message of a {"errors":[{"message":...}]} body (REQUIREs that shape).
std::string ErrorMessage(const rest::Response& response);

// The Link header's entries, in order: <url>; rel="rel" joined by ','.
struct LinkEntry {
  std::string url;
  std::string rel;
};
std::vector<LinkEntry> LinkEntries(const rest::Response& response);
std::vector<std::string> LinkRels(const rest::Response& response);
std::optional<std::string> LinkUrl(const rest::Response& response, std::string_view rel);
// The decoded (name, value) pairs of a URL's query string, in order.
std::vector<std::pair<std::string, std::string>> QueryPairs(std::string_view url);
// The value of page / per_page in a Link URL (REQUIREs it).
int QueryInt(std::string_view url, std::string_view name);
// The origin-form target of an absolute URL under `base` (REQUIREs the prefix).
std::string TargetOf(std::string_view url, std::string_view base = kBaseUrl);

// CHECKs that the body repeats no fixture secret (StandardSecrets and the REST tokens) nor any of `extra`.
void CheckNoSecretsIn(const rest::Response& response, std::initializer_list<std::string_view> extra = {});

// For CHECK(StatusOf(r) == 404): prints the status and the body when a check fails.
struct HttpOutcome {
  int status = 0;
  std::string body;
};
inline bool operator==(const HttpOutcome& o, int status) { return o.status == status; }
inline bool operator!=(const HttpOutcome& o, int status) { return o.status != status; }
inline HttpOutcome StatusOf(const rest::Response& r) { return {r.status, r.body}; }

}  // namespace observees::testing

namespace Catch {
template <>
struct StringMaker<observees::testing::HttpOutcome> {
  static std::string convert(const observees::testing::HttpOutcome& outcome);
};
}  // namespace Catch
