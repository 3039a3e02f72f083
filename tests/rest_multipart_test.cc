// multipart/form-data bodies: what `curl -F` sends, as the API page's own examples do.
#include <catch2/catch.hpp>

#include "support/rest_client.h"
#include "support/world.h"

namespace observees::testing {
namespace {

constexpr char kBoundary[] = "------------------------a1b2c3d4e5";

// A body as curl -F writes it.
std::string Multipart(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string body;
  for (const auto& [name, value] : fields) {
    body += std::string("--") + kBoundary + "\r\n";
    body += "Content-Disposition: form-data; name=\"" + std::string(name) + "\"\r\n\r\n";
    body += std::string(value) + "\r\n";
  }
  return body + "--" + kBoundary + "--\r\n";
}

Req MultipartPost(std::string target, std::string body) {
  Req request = Post(std::move(target));
  request.RawBody(std::move(body));
  request.Header("Content-Type", std::string("multipart/form-data; boundary=") + kBoundary);
  return request;
}

TEST_CASE("a multipart form body carries the observee's credentials, as curl -F sends them", "[rest][E3][multipart]") {
  RestWorld r = MakeRestWorld();
  const rest::Response response =
      r.Send(MultipartPost(Api("self", "observees"),
                           Multipart({{"observee[unique_id]", kChildLogin}, {"observee[password]", kChildPassword}}))
                 .As(kQuinn));
  REQUIRE(StatusOf(response) == 200);
  CHECK(BodyJson(response).as_object().at("id").to_number<UserId>() == kChild);
}

TEST_CASE("a multipart value keeps its bytes, spaces and line breaks included", "[rest][E3][multipart]") {
  RestWorld r = MakeRestWorld();
  // A wrong password with a line break inside is still just a wrong password.
  const rest::Response response =
      r.Send(MultipartPost(Api("self", "observees"),
                           Multipart({{"observee[unique_id]", kChildLogin}, {"observee[password]", "two\r\nlines"}}))
                 .As(kQuinn));
  CHECK(StatusOf(response) == 401);
}

TEST_CASE("a broken multipart body is a 400", "[rest][multipart]") {
  RestWorld r = MakeRestWorld();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"multipart/form-data", Multipart({{"pairing_code", "x"}})},  // no boundary
      {std::string("multipart/form-data; boundary=") + kBoundary, "no delimiter at all"},
      {std::string("multipart/form-data; boundary=") + kBoundary,
       std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"},
      {std::string("multipart/form-data; boundary=") + kBoundary,
       std::string("--") + kBoundary + "\r\nContent-Type: text/plain\r\n\r\nno name\r\n--" + kBoundary + "--\r\n"},
  };
  for (const auto& [type, body] : cases) {
    INFO(type << " / " << body);
    Req request = Post(Api("self", "observees")).As(kQuinn);
    request.RawBody(body);
    request.Header("Content-Type", type);
    const rest::Response response = r.Send(request);
    CHECK(StatusOf(response) == 400);
    CHECK(ErrorMessage(response) == "malformed multipart/form-data body");
  }
}

}  // namespace
}  // namespace observees::testing
