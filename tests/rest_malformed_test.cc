// The REST router never answers bad input with a 5xx: malformed targets, methods, ids, escapes,
// bodies, JSON, headers and sizes come back 4xx with the JSON Content-Type and a JSON body. A table of
// named cases, then seeded random inputs.
#include <catch2/catch.hpp>
#include <random>

#include "support/rest_client.h"

namespace observees::testing {
namespace {

struct MalformedCase {
  const char* name;
  std::string method;
  std::string target;
  std::string body;
  std::optional<std::string> content_type;  // none: no Content-Type header
  int expected = 0;                         // 0: any 4xx
  std::optional<std::string> authorization = std::string("Bearer ") + kQuinnToken;
};

const std::string kObservees = "/api/v1/users/self/observees";

MalformedCase Target(const char* name, std::string target, int expected = 0) {
  return {name, "GET", std::move(target), "", std::nullopt, expected};
}

MalformedCase Method(const char* name, std::string method, int expected = 0) {
  return {name, std::move(method), kObservees, "", std::nullopt, expected};
}

MalformedCase Body(const char* name, std::string body, std::optional<std::string> content_type, int expected = 0,
                   std::string target = kObservees) {
  return {name, "POST", std::move(target), std::move(body), std::move(content_type), expected};
}

MalformedCase Auth(const char* name, std::string authorization, int expected = 0) {
  return {name, "GET", kObservees, "", std::nullopt, expected, std::move(authorization)};
}

constexpr char kForm[] = "application/x-www-form-urlencoded";
constexpr char kJson[] = "application/json";

std::vector<MalformedCase> MalformedCases() {
  std::string deep_array(10000, '[');
  std::string deep_object;
  for (int i = 0; i < 200; ++i) deep_object += R"({"a":)";
  deep_object += "1" + std::string(200, '}');
  return {
      // Targets and routes.
      Target("the root", "/", 404),
      Target("an empty target", ""),
      Target("an asterisk target", "*"),
      Target("an absolute-form target", "http://canvas.test" + kObservees),
      Target("a target without a leading slash", "api/v1/users/self/observees"),
      Target("a trailing slash", kObservees + "/", 404),
      Target("a .json suffix", kObservees + ".json", 404),
      Target("an empty user id", "/api/v1/users//observees", 404),
      Target("dot segments", "/api/v1/users/self/../self/observees"),
      Target("a word id", "/api/v1/users/abc/observees", 404),
      Target("a negative id", "/api/v1/users/-1/observees", 404),
      Target("a zero id", "/api/v1/users/0/observees", 404),
      Target("a huge id", "/api/v1/users/99999999999999999999999/observees", 404),
      Target("a huge second id", kObservees + "/99999999999999999999999", 404),
      Target("an escape cut short in the path", "/api/v1/users/%4/observees"),
      Target("a lone percent in the path", "/api/v1/users/%/observees"),
      Target("a bad escape in the path", "/api/v1/users/%zz/observees"),
      Target("an escaped NUL in an id", "/api/v1/users/self%00/observees"),
      Target("a raw NUL in the path", std::string("/api/v1/users/self") + '\0' + "/observees"),
      Target("a raw 0xFF in the path", "/api/v1/users/\xff/observees"),
      Target("invalid UTF-8 in a sis id", "/api/v1/users/sis_user_id:%FF/observees", 400),
      Target("an escape cut short in the query", kObservees + "?page=%4"),
      Target("a lone percent in the query", kObservees + "?include[]=%"),
      Target("an escape cut short in an unrelated parameter", kObservees + "?x=%4"),
      Target("page zero", kObservees + "?page=0", 400),
      Target("repeated bad pages", kObservees + "?page=abc&page=xyz", 400),
      Target("a huge negative page", kObservees + "?page=-99999999999999999999", 400),
      Target("invalid UTF-8 in the query", kObservees + "?include[]=%C3%28", 400),
      Target("a 100 KB query parameter", kObservees + "?x=" + std::string(100000, 'a'), 400),
      Target("a bad root_account_id escape", "/api/v1/users/self/observees/11?root_account_id=%4"),
      // Methods.
      Method("an empty method", ""),
      Method("a lowercase method", "get", 404),
      Method("an unknown method", "BREW", 404),
      Method("a method with a space", "GET "),
      Method("a method with a NUL", std::string("GET") + '\0'),
      Method("PATCH", "PATCH", 404),
      // Bodies.
      Body("no body at all", "", std::nullopt, 400),
      Body("NUL bytes in a code", "pairing_code=%00%00%00", kForm),
      Body("raw NUL bytes in a form", std::string("pairing_code=") + '\0' + '\0' + "x", kForm),
      Body("random bytes without a Content-Type", std::string("\xff\xfe") + '\0' + "\x01garbage=\x80", std::nullopt),
      Body("only separators", "=&&&==", kForm, 400),
      Body("a bad escape in a form", "observee[unique_id]=%ZZ&observee[password]=x", kForm),
      Body("an escape cut short in a form", "pairing_code=%4", kForm),
      Body("truncated JSON", R"({"observee":)", kJson, 400),
      Body("a JSON array", "[]", kJson, 400),
      Body("a JSON string", R"("x")", kJson, 400),
      Body("deeply nested JSON arrays", deep_array, kJson, 400),
      Body("deeply nested JSON objects", deep_object, kJson),
      Body("a JSON number out of range", R"({"root_account_id":1e999999})", kJson),
      Body("a huge JSON integer code", R"({"pairing_code":123456789012345678901234567890})", kJson),
      Body("a JSON array code", R"({"pairing_code":["a","b"]})", kJson),
      Body("a JSON object code", R"({"pairing_code":{"x":"y"}})", kJson),
      Body("an empty JSON body", "", kJson, 400),
      Body("a garbage Content-Type", "x=1", std::string("\xff/\xfe")),
      Body("a body over 64 KiB", "pairing_code=" + std::string(70000, 'c'), kForm, 413),
      Body("a random body for self-registration", std::string("\x01\x02") + "user[name]=\xff", std::nullopt, 0,
           "/users"),
      Body("a user that is not an object", R"({"user":"x","pseudonym":"y"})", kJson, 0, "/users"),
      {"a huge id to remove", "DELETE", kObservees + "/99999999999999999999999", "", std::nullopt, 404},
      // Credentials.
      Auth("an empty Bearer token", "Bearer "),
      Auth("a Bearer token with NUL and 0xFF", std::string("Bearer ") + '\0' + "\xff"),
      Auth("a 10 KB Bearer token", "Bearer " + std::string(10000, 't')),
  };
}

TEST_CASE("malformed requests are 4xx with a JSON body", "[rest][malformed]") {
  RestWorld r = MakeRestWorld();
  const std::vector<MalformedCase> cases = MalformedCases();
  REQUIRE(cases.size() >= 30);
  for (const MalformedCase& c : cases) {
    INFO("case: " << c.name);
    rest::Request request;
    request.method = c.method;
    request.target = c.target;
    request.body = c.body;
    request.headers.push_back({"Host", "canvas.test"});
    if (c.authorization) request.headers.push_back({"Authorization", *c.authorization});
    if (c.content_type) request.headers.push_back({"Content-Type", *c.content_type});
    request.peer = "192.0.2.10";
    const rest::Response response = r.Send(request);
    CHECK(response.status >= 400);
    CHECK(response.status < 500);
    if (c.expected != 0) CHECK(StatusOf(response) == c.expected);
    CheckNoSecretsIn(response);
  }
  // Nothing any of them did linked or consumed anything.
  CHECK(r.w.LinksBetween(kChild, kQuinn).empty());
  CHECK(r.w.ActiveCode(kActiveCode).has_value());
}

std::string RandomBytes(std::mt19937& rng, std::size_t max_length) {
  std::uniform_int_distribution<std::size_t> length(0, max_length);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string out(length(rng), '\0');
  for (char& c : out) c = static_cast<char>(byte(rng));
  return out;
}

// Random bytes biased toward the characters parsers care about.
std::string RandomTricky(std::mt19937& rng, std::size_t max_length) {
  static constexpr char kTricky[] = "%&=[]{}\":,/?.+ \\0aA9\xff\xc3\x28\x80";
  std::uniform_int_distribution<std::size_t> length(0, max_length);
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kTricky - 2);
  std::string out(length(rng), '\0');
  for (char& c : out) c = kTricky[pick(rng)];
  return out;
}

TEST_CASE("random targets are 4xx", "[rest][malformed][fuzz]") {
  RestWorld r = MakeRestWorld();
  std::mt19937 rng(20261126);
  for (int i = 0; i < 300; ++i) {
    const std::string target = i % 2 == 0 ? RandomBytes(rng, 64) : "/" + RandomTricky(rng, 64);
    INFO("iteration " << i);
    const rest::Response response = r.Send(Get(target).As(kQuinn));
    CHECK(response.status >= 400);
    CHECK(response.status < 500);
  }
}

TEST_CASE("random query strings on a list are never 5xx", "[rest][malformed][fuzz]") {
  RestWorld r = MakeRestWorld();
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    const std::string query = i % 2 == 0 ? RandomBytes(rng, 80) : RandomTricky(rng, 80);
    INFO("iteration " << i);
    const rest::Response response = r.Send(Get(kObservees + "?" + query).As(kQuinn));
    CHECK(response.status < 500);
    CHECK((response.status == 200 || (response.status >= 400 && response.status < 500)));
  }
}

TEST_CASE("random bodies on POST /observees are 4xx", "[rest][malformed][fuzz]") {
  RestWorld r = MakeRestWorld();
  std::mt19937 rng(42);
  const std::vector<std::optional<std::string>> types = {std::nullopt, std::string(kForm), std::string(kJson),
                                                         std::string("text/plain")};
  for (int i = 0; i < 300; ++i) {
    std::string body = i % 3 == 0 ? RandomBytes(rng, 256) : RandomTricky(rng, 256);
    if (i % 5 == 0) body = "{" + body;
    const std::optional<std::string>& type = types[static_cast<std::size_t>(i) % types.size()];
    INFO("iteration " << i);
    Req request = Post(kObservees).As(kQuinn).RawBody(body);
    if (type) request.Header("Content-Type", *type);
    const rest::Response response = r.Send(request);
    CHECK(response.status >= 400);
    CHECK(response.status < 500);
  }
  CHECK(r.w.LinksBetween(kChild, kQuinn).empty());
}

TEST_CASE("random bodies on POST /users are 4xx", "[rest][malformed][fuzz][users]") {
  RestWorld r = MakeRestWorld();
  std::mt19937 rng(1234);
  for (int i = 0; i < 200; ++i) {
    const std::string body = i % 2 == 0 ? RandomBytes(rng, 200) : RandomTricky(rng, 200);
    INFO("iteration " << i);
    Req request = Post("/users").RawBody(body);
    if (i % 3 == 1) request.Header("Content-Type", kJson);
    const rest::Response response = r.Send(request);
    CHECK(response.status >= 400);
    CHECK(response.status < 500);
  }
}

TEST_CASE("random methods are 4xx", "[rest][malformed][fuzz]") {
  RestWorld r = MakeRestWorld();
  std::mt19937 rng(99);
  for (int i = 0; i < 200; ++i) {
    const std::string method = RandomBytes(rng, 12);
    if (method == "GET" || method == "POST" || method == "PUT" || method == "DELETE") continue;
    INFO("iteration " << i);
    const rest::Response response = r.Send(Req(method, kObservees).As(kQuinn));
    CHECK(response.status >= 400);
    CHECK(response.status < 500);
  }
}

TEST_CASE("mutated valid requests are never 5xx", "[rest][malformed][fuzz]") {
  RestWorld r = MakeRestWorld();
  std::mt19937 rng(5);
  const std::vector<std::string> targets = {
      kObservees + "?page=2&per_page=3&include[]=avatar_url", "/api/v1/users/10/observees/11?root_account_id=all",
      "/api/v1/users/sis_user_id:sis-child/observers", "/api/v1/users/self/observer_pairing_codes"};
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 400; ++i) {
    std::string target = targets[static_cast<std::size_t>(i) % targets.size()];
    std::uniform_int_distribution<std::size_t> at(0, target.size() - 1);
    for (int flips = 0; flips < 1 + i % 3; ++flips) target[at(rng)] = static_cast<char>(byte(rng));
    INFO("iteration " << i);
    const rest::Response response = r.Send(Get(target).As(kPat));
    CHECK(response.status < 500);
  }
}

TEST_CASE("odd Host headers are never 5xx", "[rest][malformed][domain]") {
  RestWorld r = MakeRestWorld();
  for (const std::string& host :
       {std::string(""), std::string(":"), std::string(":8080"), std::string("[::1]:8080"), std::string("[::1]"),
        std::string("canvas.test:"), std::string("canvas.test:99999999999"), std::string("\xff\xfe"),
        std::string("canvas.test") + '\0' + "x", std::string(5000, 'h')}) {
    INFO("host: " << host);
    const rest::Response response = r.Send(Get(kObservees + "?per_page=1").As(kPat).Host(host));
    CHECK(response.status < 500);
  }
  // Several Host headers.
  const rest::Response two = r.Send(Get(kObservees).As(kPat).Header("Host", "external.test"));
  CHECK(two.status < 500);
}

}  // namespace
}  // namespace observees::testing
