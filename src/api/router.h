// Router: maps (method, path) to handlers and answers what no handler covers: 404 for an unknown
// path, 405 with Allow for a known path and another method, 204 with Allow for OPTIONS. Bodies
// are JSON under /api/ and text elsewhere. Pure logic, no I/O: tests and HttpServer adapters share
// it. Thread-safe; Handle may run while Dispatch does.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "api/http_server.h"

namespace slayer::api {

class Router {
 public:
  // See HttpServer::Handle for the path syntax and precedence.
  void Handle(std::string method, std::string path, HttpHandler handler);

  // The matching handler's response, or the router's own 404/405/204. A handler that throws
  // (it should not) yields 500 and an error log line; the exception does not escape.
  HttpResponse Dispatch(const HttpRequest& request) const;

 private:
  using Methods = std::map<std::string, HttpHandler, std::less<>>;
  struct Table {
    std::map<std::string, Methods, std::less<>> exact;
    std::map<std::string, Methods, std::less<>> prefixes;  // "/static/" for "/static/*"
  };

  // The routes for `path` in `table`: exact first, then the longest matching prefix; nullptr
  // when none.
  static const Methods* Find(const Table& table, std::string_view path);

  // Copy-on-write: Handle swaps in a new table, Dispatch works on the one it found.
  mutable std::mutex mu_;
  std::shared_ptr<const Table> table_ = std::make_shared<Table>();  // GUARDED_BY(mu_)
};

// {"error":"<message>"} with `message` escaped for JSON.
std::string JsonError(std::string_view message);

}  // namespace slayer::api
