// The SIS export of user_observers.csv (see the header).
#include "sis/user_observers_export.h"

#include <unordered_map>
#include <vector>

namespace observees::sis {
namespace {

constexpr int kPage = 1000;

}  // namespace

std::string CsvField(std::string_view value) {
  std::string field;
  const bool formula = !value.empty() && (value.front() == '=' || value.front() == '+' || value.front() == '-' ||
                                          value.front() == '@' || value.front() == '\t' || value.front() == '\r');
  if (formula) field.push_back('\'');
  field.append(value);
  if (!formula && field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string quoted = "\"";
  for (const char c : field) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

Result<SisExportReport> ExportUserObservers(const ServiceDependencies& deps, std::ostream& out,
                                            AccountId root_account) {
  auto root = deps.directory->FindAccount(root_account);
  if (!root.ok()) return root.status();
  if (!root->has_value()) return NotFound("The specified resource does not exist.");
  if ((*root)->parent_id) return InvalidArgument("the export's account must be a root account", "root_account");

  SisExportReport report;
  out << "observer_id,student_id,status\r\n";
  for (LinkId after = 0;;) {
    auto page = deps.links->ActiveLinksInRootAccount(root_account, after, kPage);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    std::vector<UserId> ids;
    for (const Link& link : *page) {
      ids.push_back(link.observer_id);
      ids.push_back(link.student_id);
    }
    auto users = deps.directory->FindUsers(ids);
    if (!users.ok()) return users.status();
    std::unordered_map<UserId, const User*> by_id;
    for (const User& user : *users) by_id[user.id] = &user;
    auto sis_id = [&](UserId id) -> const std::string* {
      const auto it = by_id.find(id);
      if (it == by_id.end() || it->second->deleted || !it->second->sis_user_id) return nullptr;
      return &*it->second->sis_user_id;
    };
    for (const Link& link : *page) {
      const std::string* observer = sis_id(link.observer_id);
      const std::string* student = sis_id(link.student_id);
      if (observer == nullptr || student == nullptr) {
        ++report.skipped;
        continue;
      }
      out << CsvField(*observer) << ',' << CsvField(*student) << ",active\r\n";
      ++report.rows;
    }
    after = page->back().id;
    if (page->size() < static_cast<std::size_t>(kPage)) break;
  }
  out.flush();
  if (!out) return Internal("the export could not be written");
  return report;
}

}  // namespace observees::sis
