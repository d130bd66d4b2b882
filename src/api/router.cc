#include "api/router.h"

#include <algorithm>
#include <exception>
#include <vector>

#include "common/log.h"

namespace slayer::api {
namespace {

constexpr std::string_view kApiPrefix = "/api/";

bool IsApiPath(std::string_view path) { return path.starts_with(kApiPrefix); }

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

// The methods a path answers, in the order of the Allow header.
std::vector<std::string> AllowedMethods(const std::map<std::string, HttpHandler, std::less<>>& m) {
  std::vector<std::string> out;
  for (const auto& [method, handler] : m) out.push_back(method);
  if (m.contains("GET") && !m.contains("HEAD")) out.push_back("HEAD");
  if (!m.contains("OPTIONS")) out.push_back("OPTIONS");
  std::sort(out.begin(), out.end());
  return out;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out.append(sep);
    out.append(s);
  }
  return out;
}

HttpResponse NotFound(const HttpRequest& request) {
  if (IsApiPath(request.path)) {
    std::string body = "{\"error\":\"not found\",\"path\":";
    AppendJsonString(body, request.path);
    body.push_back('}');
    return HttpResponse::Json(404, std::move(body));
  }
  return HttpResponse::Text(404, "404 page not found\n");
}

HttpResponse MethodNotAllowed(const HttpRequest& request, const std::vector<std::string>& allow) {
  HttpResponse response;
  if (IsApiPath(request.path)) {
    std::string body = "{\"error\":\"method not allowed\",\"method\":";
    AppendJsonString(body, request.method);
    body.append(",\"allow\":[");
    for (size_t i = 0; i < allow.size(); ++i) {
      if (i > 0) body.push_back(',');
      AppendJsonString(body, allow[i]);
    }
    body.append("]}");
    response = HttpResponse::Json(405, std::move(body));
  } else {
    response = HttpResponse::Text(405, "405 method not allowed\n");
  }
  response.headers.emplace_back("Allow", Join(allow, ", "));
  return response;
}

}  // namespace

std::string JsonError(std::string_view message) {
  std::string body = "{\"error\":";
  AppendJsonString(body, message);
  body.push_back('}');
  return body;
}

void Router::Handle(std::string method, std::string path, HttpHandler handler) {
  std::lock_guard lock(mu_);
  auto table = std::make_shared<Table>(*table_);
  if (path.ends_with("/*")) {
    path.pop_back();
    table->prefixes[std::move(path)][std::move(method)] = std::move(handler);
  } else {
    table->exact[std::move(path)][std::move(method)] = std::move(handler);
  }
  table_ = std::move(table);
}

const Router::Methods* Router::Find(const Table& table, std::string_view path) {
  if (auto it = table.exact.find(path); it != table.exact.end()) return &it->second;
  // Keys sort so that a longer prefix comes after its own prefixes: scan from the back.
  for (auto it = table.prefixes.rbegin(); it != table.prefixes.rend(); ++it) {
    if (path.starts_with(it->first)) return &it->second;
  }
  return nullptr;
}

HttpResponse Router::Dispatch(const HttpRequest& request) const {
  std::shared_ptr<const Table> table;
  {
    std::lock_guard lock(mu_);
    table = table_;
  }
  const Methods* methods = Find(*table, request.path);
  if (methods == nullptr) return NotFound(request);

  auto it = methods->find(request.method);
  if (it == methods->end() && request.method == "HEAD") it = methods->find("GET");
  if (it == methods->end()) {
    std::vector<std::string> allow = AllowedMethods(*methods);
    if (request.method == "OPTIONS") {
      HttpResponse response;
      response.status = 204;
      response.headers.emplace_back("Allow", Join(allow, ", "));
      return response;
    }
    return MethodNotAllowed(request, allow);
  }
  try {
    return it->second(request);
  } catch (const std::exception& e) {
    LogError("http handler threw",
             {{"method", request.method}, {"path", request.path}, {"err", e.what()}});
  } catch (...) {
    LogError("http handler threw",
             {{"method", request.method}, {"path", request.path}, {"err", "unknown exception"}});
  }
  if (IsApiPath(request.path)) return HttpResponse::Json(500, JsonError("internal error"));
  return HttpResponse::Text(500, "500 internal server error\n");
}

}  // namespace slayer::api
