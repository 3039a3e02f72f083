// The REST router's pagination of E1 / E2 (rule 34): page and per_page parsing, pages past the end,
// and the Link header (rels current, next, prev, first, last in that order, joined by ','; URLs from
// the request's scheme, Host and path with the other query parameters kept in order).
#include <catch2/catch.hpp>

#include "support/rest_client.h"

namespace observees::testing {
namespace {

// Cole observes six students; in sortable-name order:
const std::vector<UserId> kColeOrder = {kElodieAccent, kElodie, kZackLower, kZoe, kElan, kEllis};

std::string ColeUrl(int page, int per_page, std::string_view base = "http://canvas.test",
                    std::string_view path = "/api/v1/users/self/observees") {
  return std::string(base) + std::string(path) + "?page=" + std::to_string(page) +
         "&per_page=" + std::to_string(per_page);
}

std::string Entry(const std::string& url, std::string_view rel) {
  return "<" + url + ">; rel=\"" + std::string(rel) + "\"";
}

rest::Response ColePage(const RestWorld& r, const std::string& query) {
  return r.Send(Get(Api("self", "observees") + query).As(kCole));
}

TEST_CASE("a single page links current, first and last", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observees")).As(kPat));
  REQUIRE(StatusOf(response) == 200);
  const std::string url = "http://canvas.test/api/v1/users/self/observees?page=1&per_page=10";
  CHECK(response.Find("Link") ==
        std::optional<std::string>(Entry(url, "current") + "," + Entry(url, "first") + "," + Entry(url, "last")));
}

TEST_CASE("the first page links current, next, first and last", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = ColePage(r, "?per_page=2");
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == std::vector<UserId>{kElodieAccent, kElodie});
  CHECK(response.Find("Link") ==
        std::optional<std::string>(Entry(ColeUrl(1, 2), "current") + "," + Entry(ColeUrl(2, 2), "next") + "," +
                                   Entry(ColeUrl(1, 2), "first") + "," + Entry(ColeUrl(3, 2), "last")));
}

TEST_CASE("a middle page links current, next, prev, first and last", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = ColePage(r, "?page=2&per_page=2");
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == std::vector<UserId>{kZackLower, kZoe});
  CHECK(response.Find("Link") ==
        std::optional<std::string>(Entry(ColeUrl(2, 2), "current") + "," + Entry(ColeUrl(3, 2), "next") + "," +
                                   Entry(ColeUrl(1, 2), "prev") + "," + Entry(ColeUrl(1, 2), "first") + "," +
                                   Entry(ColeUrl(3, 2), "last")));
}

TEST_CASE("the last page links current, prev, first and last", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = ColePage(r, "?page=3&per_page=2");
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == std::vector<UserId>{kElan, kEllis});
  CHECK(response.Find("Link") ==
        std::optional<std::string>(Entry(ColeUrl(3, 2), "current") + "," + Entry(ColeUrl(2, 2), "prev") + "," +
                                   Entry(ColeUrl(1, 2), "first") + "," + Entry(ColeUrl(3, 2), "last")));
}

TEST_CASE("a partial last page counts as a page", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = ColePage(r, "?page=2&per_page=4");
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == std::vector<UserId>{kElan, kEllis});
  CHECK(LinkRels(response) == std::vector<std::string>{"current", "prev", "first", "last"});
  CHECK(LinkUrl(response, "last") == std::optional<std::string>(ColeUrl(2, 4)));
}

TEST_CASE("a page past the end is 200 [] with prev and no next", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = ColePage(r, "?page=4&per_page=2");
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body == "[]");
  CHECK(response.Find("Link") ==
        std::optional<std::string>(Entry(ColeUrl(4, 2), "current") + "," + Entry(ColeUrl(3, 2), "prev") + "," +
                                   Entry(ColeUrl(1, 2), "first") + "," + Entry(ColeUrl(3, 2), "last")));
  const rest::Response far = ColePage(r, "?page=1000&per_page=2");
  REQUIRE(StatusOf(far) == 200);
  CHECK(far.body == "[]");
  CHECK(LinkRels(far) == std::vector<std::string>{"current", "prev", "first", "last"});
  CHECK(LinkUrl(far, "prev") == std::optional<std::string>(ColeUrl(999, 2)));
}

TEST_CASE("an empty list has one page", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observees")).As(kQuinn));
  REQUIRE(StatusOf(response) == 200);
  CHECK(response.body == "[]");
  const std::string url = "http://canvas.test/api/v1/users/self/observees?page=1&per_page=10";
  CHECK(response.Find("Link") ==
        std::optional<std::string>(Entry(url, "current") + "," + Entry(url, "first") + "," + Entry(url, "last")));
  const rest::Response second = r.Send(Get(Api("self", "observees") + "?page=2").As(kQuinn));
  REQUIRE(StatusOf(second) == 200);
  CHECK(second.body == "[]");
  CHECK(LinkUrl(second, "last") == std::optional<std::string>(url));
}

TEST_CASE("per_page defaults to 10", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = ColePage(r, "");
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == kColeOrder);
  CHECK(LinkUrl(response, "current") == std::optional<std::string>(ColeUrl(1, 10)));
}

TEST_CASE("per_page follows Canvas's to_i and is clamped to 1..100", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  const std::vector<std::pair<std::string, int>> cases = {
      {"1000", 100}, {"100", 100}, {"101", 100}, {"99999999999999999999999", 100},
      {"abc", 1},    {"0", 1},     {"-3", 1},    {"", 1},
      {"5abc", 5},   {"3", 3},     {"1", 1},     {"07", 7},
      {"2.9", 2}};
  for (const auto& [value, expected] : cases) {
    INFO("per_page=" << value);
    const rest::Response response = ColePage(r, "?per_page=" + value);
    REQUIRE(StatusOf(response) == 200);
    const std::size_t shown = std::min<std::size_t>(kColeOrder.size(), static_cast<std::size_t>(expected));
    CHECK(IdsIn(response) == std::vector<UserId>(kColeOrder.begin(), kColeOrder.begin() + shown));
    const std::optional<std::string> current = LinkUrl(response, "current");
    REQUIRE(current.has_value());
    CHECK(QueryInt(*current, "per_page") == expected);
    CHECK(QueryInt(*current, "page") == 1);
  }
}

TEST_CASE("page must be a positive integer", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  for (const std::string value : {"0", "-1", "abc", "", "1.5", "2x", "-0", "+"}) {
    INFO("page=" << value);
    const rest::Response response = ColePage(r, "?page=" + value);
    CHECK(StatusOf(response) == 400);
    CHECK(response.body == kBadPageBody);
    const rest::Response observers = r.Send(Get(Api("self", "observers") + "?page=" + value).As(kChild));
    CHECK(StatusOf(observers) == 400);
    CHECK(observers.body == kBadPageBody);
  }
}

TEST_CASE("a huge page number is a page past the end", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  for (const std::string value : {"2147483647", "2147483648", "9223372036854775807", "99999999999999999999999"}) {
    INFO("page=" << value);
    const rest::Response response = ColePage(r, "?page=" + value + "&per_page=100");
    CHECK(StatusOf(response) == 200);
    CHECK(response.body == "[]");
    CHECK(LinkRels(response) == std::vector<std::string>{"current", "prev", "first", "last"});
    CHECK(LinkUrl(response, "last") == std::optional<std::string>(ColeUrl(1, 100)));
  }
}

TEST_CASE("Link URLs keep the other query parameters in their order, without page, per_page and secrets",
          "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response =
      r.Send(Get(Api("self", "observees") +
                 "?zeta=z&page=2&alpha=a&per_page=2&api_key=key-secret&access_token=" + TokenFor(kCole) + "&mid=m"));
  REQUIRE(StatusOf(response) == 200);
  CHECK(IdsIn(response) == std::vector<UserId>{kZackLower, kZoe});
  const std::string prefix = "http://canvas.test/api/v1/users/self/observees?zeta=z&alpha=a&mid=m&";
  CHECK(response.Find("Link") == std::optional<std::string>(Entry(prefix + "page=2&per_page=2", "current") + "," +
                                                            Entry(prefix + "page=3&per_page=2", "next") + "," +
                                                            Entry(prefix + "page=1&per_page=2", "prev") + "," +
                                                            Entry(prefix + "page=1&per_page=2", "first") + "," +
                                                            Entry(prefix + "page=3&per_page=2", "last")));
  CheckNoSecretsIn(response, {"key-secret"});
}

TEST_CASE("access_token is left out of Link URLs", "[rest][pagination][auth]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response =
      r.Send(Get(Api("self", "observees") + "?access_token=" + TokenFor(kCole) + "&per_page=2"));
  REQUIRE(StatusOf(response) == 200);
  for (const LinkEntry& entry : LinkEntries(response)) {
    INFO(entry.rel << ": " << entry.url);
    CHECK(entry.url.find("access_token") == std::string::npos);
    CHECK(entry.url.find(TokenFor(kCole)) == std::string::npos);
  }
  CHECK(LinkUrl(response, "next") == std::optional<std::string>(ColeUrl(2, 2)));
}

TEST_CASE("include[] is kept in Link URLs", "[rest][pagination][rule35]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = ColePage(r, "?include%5B%5D=avatar_url&per_page=2");
  REQUIRE(StatusOf(response) == 200);
  const std::optional<std::string> next = LinkUrl(response, "next");
  REQUIRE(next.has_value());
  CHECK(QueryPairs(*next) == std::vector<std::pair<std::string, std::string>>{
                                 {"include[]", "avatar_url"}, {"page", "2"}, {"per_page", "2"}});
}

TEST_CASE("Link URLs keep the Host's port", "[rest][pagination]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response =
      r.Send(Get(Api("self", "observees") + "?per_page=2").As(kCole).Host("canvas.test:8080"));
  REQUIRE(StatusOf(response) == 200);
  CHECK(LinkUrl(response, "current") == std::optional<std::string>(ColeUrl(1, 2, "http://canvas.test:8080")));
  CHECK(LinkUrl(response, "next") == std::optional<std::string>(ColeUrl(2, 2, "http://canvas.test:8080")));
  CHECK(LinkUrl(response, "last") == std::optional<std::string>(ColeUrl(3, 2, "http://canvas.test:8080")));
}

TEST_CASE("Link URLs use the request's scheme", "[rest][pagination]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response = r.Send(Get(Api("self", "observees") + "?per_page=2").As(kCole).Scheme("https"));
  REQUIRE(StatusOf(response) == 200);
  for (const LinkEntry& entry : LinkEntries(response)) {
    INFO(entry.rel << ": " << entry.url);
    CHECK(entry.url.starts_with("https://canvas.test/api/v1/users/self/observees?"));
  }
  CHECK(LinkUrl(response, "next") == std::optional<std::string>(ColeUrl(2, 2, "https://canvas.test")));
}

TEST_CASE("Link URLs use the path as requested", "[rest][pagination]") {
  RestWorld r = MakeRestWorld();
  const rest::Response by_id = r.Send(Get(Api(kCole, "observees") + "?per_page=2").As(kCole));
  REQUIRE(StatusOf(by_id) == 200);
  CHECK(LinkUrl(by_id, "next") ==
        std::optional<std::string>(ColeUrl(2, 2, "http://canvas.test", "/api/v1/users/40/observees")));
  const rest::Response observers = r.Send(Get(Api("self", "observers") + "?per_page=1").As(kAnother));
  REQUIRE(StatusOf(observers) == 200);
  CHECK(IdsIn(observers) == std::vector<UserId>{kMona});
  CHECK(observers.Find("Link") ==
        std::optional<std::string>(
            Entry(ColeUrl(1, 1, "http://canvas.test", "/api/v1/users/self/observers"), "current") + "," +
            Entry(ColeUrl(2, 1, "http://canvas.test", "/api/v1/users/self/observers"), "next") + "," +
            Entry(ColeUrl(1, 1, "http://canvas.test", "/api/v1/users/self/observers"), "first") + "," +
            Entry(ColeUrl(2, 1, "http://canvas.test", "/api/v1/users/self/observers"), "last")));
}

TEST_CASE("following next visits every user once, in order", "[rest][pagination][rule34]") {
  RestWorld r = MakeRestWorld();
  std::vector<UserId> seen;
  std::string target = Api("self", "observees") + "?per_page=4";
  int pages = 0;
  while (true) {
    REQUIRE(++pages <= 10);
    const rest::Response response = r.Send(Get(target).As(kCole));
    REQUIRE(StatusOf(response) == 200);
    for (const UserId id : IdsIn(response)) seen.push_back(id);
    const std::optional<std::string> next = LinkUrl(response, "next");
    if (!next) break;
    target = TargetOf(*next);
  }
  CHECK(pages == 2);
  CHECK(seen == kColeOrder);
}

TEST_CASE("errors carry no Link header", "[rest][pagination]") {
  RestWorld r = MakeRestWorld();
  CHECK_FALSE(r.Send(Get(Api(kPat, "observees")).As(kQuinn)).Find("Link").has_value());
  CHECK_FALSE(ColePage(r, "?page=0").Find("Link").has_value());
}

}  // namespace
}  // namespace observees::testing
