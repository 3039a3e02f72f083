#include "support/rest_client.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <map>
#include <regex>

namespace observees::testing {
namespace {

namespace json = boost::json;

// Users of the standard fixture given a token by RestFixture().
constexpr UserId kTokenless[] = {kAda,  kEzra, kNico, kSandra, kDana, kAnother, kOlivia, kTerry, kTina, kGina,
                                 kYuri, kMona, kNell, kWalt,   kCarl, kCora,    kHal,    kUna,   kDora, kCole};

std::string RestToken(UserId user) { return "tok-rest-" + std::to_string(user) + "-secret"; }

void ReplaceOnce(std::string& text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  text.replace(at, from.size(), to);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string RestFixture() {
  std::string fixture = kStandardFixture;
  for (const UserId user : kTokenless) {
    const std::string from = "{\"id\": " + std::to_string(user) + ", \"name\": ";
    ReplaceOnce(fixture, from,
                "{\"id\": " + std::to_string(user) + ", \"tokens\": [\"" + RestToken(user) + "\"], \"name\": ");
  }
  ReplaceOnce(fixture, R"("name": "Pat Parent", )", R"("name": "Pat Parent", "sis_user_id": "pat/10 x", )");
  return fixture;
}

std::string TokenFor(UserId user) {
  switch (user) {
    case kPat: return kPatToken;
    case kChild: return kChildToken;
    case kBo: return kBoToken;
    case kDeleted: return kDeletedToken;
    case kQuinn: return kQuinnToken;
    case kXena: return kXenaToken;
    case kBigObserver: return kBigObserverToken;
    default: break;
  }
  for (const UserId tokenless : kTokenless) {
    if (tokenless == user) return RestToken(user);
  }
  FAIL("user " << user << " has no token in the REST fixture");
  return {};
}

std::string BigFixture(int students) {
  json::array users;
  json::array enrollments;
  json::array links;
  users.push_back(json::object{
      {"id", kBigObserver},
      {"name", "Bea Big"},
      {"logins", json::array{json::object{{"account_id", 1}, {"unique_id", "bea"}, {"password", "pw-bea-900-secret"}}}},
      {"tokens", json::array{kBigObserverToken}}});
  for (int i = 0; i < students; ++i) {
    char number[16];
    std::snprintf(number, sizeof number, "%04d", i);
    const std::int64_t id = 1000 + i;
    users.push_back(json::object{{"id", id},
                                 {"name", std::string("Kid ") + number},
                                 {"sortable_name", std::string(number) + ", Kid"},
                                 {"avatar_url", "/images/kid" + std::string(number) + ".png"}});
    enrollments.push_back(json::object{{"id", 5000 + i},
                                       {"user_id", id},
                                       {"course_id", 100},
                                       {"type", "StudentEnrollment"},
                                       {"workflow_state", "active"}});
    links.push_back(json::object{{"observer_id", kBigObserver}, {"student_id", id}, {"root_account_id", 1}});
  }
  json::object fixture{
      {"accounts", json::array{json::object{{"id", 1},
                                            {"name", "Default"},
                                            {"domains", json::array{"canvas.test"}},
                                            {"self_registration", "observer"},
                                            {"avatars", true}}}},
      {"users", std::move(users)},
      {"courses", json::array{json::object{{"id", 100}, {"account_id", 1}, {"workflow_state", "available"}}}},
      {"enrollments", std::move(enrollments)},
      {"links", std::move(links)}};
  return json::serialize(fixture);
}

RestWorld MakeRestWorld(const RestWorldOptions& options) {
  RestWorld world{MakeWorld(options.fixture_json, options.service), nullptr};
  Result<std::unique_ptr<rest::Router>> router =
      rest::Router::Create(world.w.service, world.w.backend.directory, world.w.backend.authenticator, options.router);
  INFO("Router::Create: " << router.status().ToString());
  REQUIRE(router.ok());
  world.router = std::move(router).value();
  return world;
}

rest::Response RestWorld::Send(const rest::Request& request) const {
  rest::Response response = router->Handle(request);
  INFO("request: " << request.method << " " << request.target << " body: " << request.body);
  INFO("response: " << response.status << " " << response.body);
  CHECK(response.Find("Content-Type") == std::optional<std::string>(kJsonContentType));
  std::error_code ec;
  (void)json::parse(response.body, ec);
  CHECK_FALSE(ec);
  CHECK(response.status >= 200);
  CHECK(response.status < 600);
  return response;
}

// Req

Req::Req(std::string method, std::string target) {
  request_.method = std::move(method);
  request_.target = std::move(target);
  request_.headers.push_back({"Host", "canvas.test"});
  request_.peer = "192.0.2.10";
}

Req& Req::Bearer(std::string_view token) { return Header("Authorization", "Bearer " + std::string(token)); }

Req& Req::Host(std::string host) {
  NoHost();
  request_.headers.push_back({"Host", std::move(host)});
  return *this;
}

Req& Req::NoHost() {
  std::erase_if(request_.headers, [](const rest::Header& h) {
    return h.name.size() == 4 && (h.name[0] | 0x20) == 'h' && (h.name[1] | 0x20) == 'o' && (h.name[2] | 0x20) == 's' &&
           (h.name[3] | 0x20) == 't';
  });
  return *this;
}

Req& Req::Header(std::string name, std::string value) {
  request_.headers.push_back({std::move(name), std::move(value)});
  return *this;
}

Req& Req::Form(std::string body) {
  request_.body = std::move(body);
  return Header("Content-Type", "application/x-www-form-urlencoded");
}

Req& Req::Json(std::string body) {
  request_.body = std::move(body);
  return Header("Content-Type", "application/json");
}

Req& Req::RawBody(std::string body) {
  request_.body = std::move(body);
  return *this;
}

Req& Req::Scheme(std::string scheme) {
  request_.scheme = std::move(scheme);
  return *this;
}

Req& Req::Peer(std::string peer) {
  request_.peer = std::move(peer);
  return *this;
}

std::string Api(std::string_view user, std::string_view rest) {
  return "/api/v1/users/" + std::string(user) + "/" + std::string(rest);
}

std::string Api(UserId user, std::string_view rest) { return Api(std::to_string(user), rest); }

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_' ||
        b == '.' || b == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      REQUIRE(i + 2 < text.size());
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      REQUIRE(hi >= 0);
      REQUIRE(lo >= 0);
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string FormBody(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += PercentEncode(name);
    out += '=';
    out += PercentEncode(value);
  }
  return out;
}

json::value BodyJson(const rest::Response& response) {
  std::error_code ec;
  json::value value = json::parse(response.body, ec);
  INFO("body: " << response.body);
  REQUIRE_FALSE(ec);
  return value;
}

std::vector<UserId> IdsIn(const rest::Response& response) {
  const json::value body = BodyJson(response);
  INFO("body: " << response.body);
  REQUIRE(body.is_array());
  std::vector<UserId> ids;
  for (const json::value& user : body.as_array()) {
    REQUIRE(user.is_object());
    REQUIRE(user.as_object().contains("id"));
    ids.push_back(user.as_object().at("id").to_number<UserId>());
  }
  return ids;
}

std::string ErrorMessage(const rest::Response& response) {
  const json::value body = BodyJson(response);
  INFO("body: " << response.body);
  REQUIRE(body.is_object());
  REQUIRE(body.as_object().contains("errors"));
  const json::value& errors = body.as_object().at("errors");
  REQUIRE(errors.is_array());
  REQUIRE(errors.as_array().size() >= 1);
  REQUIRE(errors.as_array()[0].is_object());
  REQUIRE(errors.as_array()[0].as_object().contains("message"));
  REQUIRE(errors.as_array()[0].as_object().at("message").is_string());
  return std::string(errors.as_array()[0].as_object().at("message").as_string());
}

std::vector<LinkEntry> LinkEntries(const rest::Response& response) {
  const std::optional<std::string> header = response.Find("Link");
  INFO("response: " << response.status << " " << response.body);
  REQUIRE(header.has_value());
  std::vector<LinkEntry> entries;
  static const std::regex kEntry(R"re(^<([^>]*)>; rel="([a-z]+)"$)re");
  std::size_t start = 0;
  while (start <= header->size()) {
    std::size_t end = header->find(">; rel=\"", start);
    REQUIRE(end != std::string::npos);
    end = header->find('"', end + 8);
    REQUIRE(end != std::string::npos);
    const std::string entry = header->substr(start, end + 1 - start);
    std::smatch m;
    INFO("Link: " << *header << " entry: " << entry);
    REQUIRE(std::regex_match(entry, m, kEntry));
    entries.push_back({m[1].str(), m[2].str()});
    if (end + 1 == header->size()) break;
    REQUIRE((*header)[end + 1] == ',');
    start = end + 2;
  }
  return entries;
}

std::vector<std::string> LinkRels(const rest::Response& response) {
  std::vector<std::string> rels;
  for (const LinkEntry& entry : LinkEntries(response)) rels.push_back(entry.rel);
  return rels;
}

std::optional<std::string> LinkUrl(const rest::Response& response, std::string_view rel) {
  for (const LinkEntry& entry : LinkEntries(response)) {
    if (entry.rel == rel) return entry.url;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> QueryPairs(std::string_view url) {
  std::vector<std::pair<std::string, std::string>> pairs;
  const std::size_t q = url.find('?');
  if (q == std::string_view::npos) return pairs;
  std::string_view query = url.substr(q + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      pairs.emplace_back(PercentDecode(part), "");
    } else {
      pairs.emplace_back(PercentDecode(part.substr(0, eq)), PercentDecode(part.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return pairs;
}

int QueryInt(std::string_view url, std::string_view name) {
  for (const auto& [key, value] : QueryPairs(url)) {
    if (key == name) return std::stoi(value);
  }
  FAIL("no " << name << " in " << url);
  return 0;
}

std::string TargetOf(std::string_view url, std::string_view base) {
  INFO("url: " << url << " base: " << base);
  REQUIRE(url.starts_with(base));
  REQUIRE(url.size() > base.size());
  REQUIRE(url[base.size()] == '/');
  return std::string(url.substr(base.size()));
}

void CheckNoSecretsIn(const rest::Response& response, std::initializer_list<std::string_view> extra) {
  std::vector<std::string> secrets = StandardSecrets();
  for (const UserId user : kTokenless) secrets.push_back(RestToken(user));
  secrets.emplace_back(kBigObserverToken);
  for (std::string_view s : extra) {
    if (!s.empty()) secrets.emplace_back(s);
  }
  for (const std::string& secret : secrets) {
    INFO("body: " << response.body << " secret: " << secret);
    CHECK(response.body.find(secret) == std::string::npos);
    for (const rest::Header& header : response.headers) CHECK(header.value.find(secret) == std::string::npos);
  }
}

}  // namespace observees::testing

namespace Catch {

std::string StringMaker<observees::testing::HttpOutcome>::convert(const observees::testing::HttpOutcome& outcome) {
  return std::to_string(outcome.status) + " " + outcome.body;
}

}  // namespace Catch
