#include "results.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "arguments.h"
#include "observees/canvas_json.h"

namespace observees::capi {
namespace {

namespace json = boost::json;

json::array SisMessagesJson(const std::vector<SisImportMessage>& messages) {
  json::array out;
  for (const auto& m : messages) out.push_back(json::array{m.row, json::string(m.message)});
  return out;
}

}  // namespace

Status PutUser(const obs_service& service, const Result<LinkedUser>& user, char** out_json) {
  if (!user.ok()) return user.status();
  *out_json = Export(json::serialize(UserJson(*user, service.base_url)));
  return Status::Ok();
}

Status PutPage(const obs_service& service, const Result<UserPage>& page, char** out_json) {
  if (!page.ok()) return page.status();
  json::object body;
  body["users"] = UsersJson(page->users, service.base_url);
  body["page"] = page->page;
  body["per_page"] = page->per_page;
  body["total"] = page->total;
  *out_json = Export(json::serialize(body));
  return Status::Ok();
}

std::string PairingCodePageJson(const PairingCodePage& page) {
  json::array codes;
  for (const auto& code : page.codes) codes.push_back(PairingCodeDetailJson(code));
  json::object body;
  body["codes"] = std::move(codes);
  body["page"] = page.page;
  body["per_page"] = page.per_page;
  body["total"] = page.total;
  return json::serialize(body);
}

std::string SisReportJson(const SisImportReport& report) {
  json::object body;
  body["id"] = report.id ? json::value(*report.id) : json::value(nullptr);
  body["workflow_state"] = std::string(SisImportStateName(report.state));
  body["created"] = report.created;
  body["restored"] = report.restored;
  body["deleted"] = report.deleted;
  body["batch_deleted"] = report.batch_deleted;
  body["unchanged"] = report.unchanged;
  body["rows"] = report.rows;
  body["warnings"] = SisMessagesJson(report.warnings);
  body["errors"] = SisMessagesJson(report.errors);
  json::array removals;
  for (const Link& link : report.batch_removals) {
    removals.push_back(
        json::object{{"id", link.id}, {"observer_id", link.observer_id}, {"student_id", link.student_id}});
  }
  body["batch_removals"] = std::move(removals);
  body["dry_run"] = report.dry_run;
  body["committed"] = report.committed;
  return json::serialize(body);
}

std::string HeadersJson(const std::vector<rest::Header>& headers) {
  json::array out;
  for (const rest::Header& header : headers) {
    out.push_back(json::array{json::string(header.name), json::string(header.value)});
  }
  return json::serialize(out);
}

}  // namespace observees::capi
